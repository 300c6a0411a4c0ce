// NewestRows: reduces a feature view's source rows to the newest row per entity, encoded as the
// online record it becomes. Materialization and reconciliation (online_reconcile.h) read
// their sources through it.
//
// A row replaces an entity's current best when it is newer by (event, created) as the online
// writer decides (Supersedes), and on a full tie when it comes later in scan order (file, then
// row), as a sequential scan would give it. Only a row that wins is decoded and encoded. Rows
// with a null join key or event time are skipped and counted.
// Thread-safety: Reduce runs on the pool's threads, one map per task; a reducer is read-only
// once built and may be shared.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "plinth/base/worker_pool.h"
#include "plinth/features/catalog.h"
#include "plinth/features/scan_units.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/storage/delta/table_scan.h"

namespace plinth::features {

// An entity's newest row so far: its times, its scan position and its encoded record.
struct NewestRow {
  int64_t event = 0;
  int64_t created = 0;
  uint64_t pos = 0;
  std::string record;
};
// Keyed by the entity key without the view's prefix (AppendEntityKey).
using NewestMap = absl::flat_hash_map<std::string, NewestRow>;

// Whether a row at (event, created, pos) replaces `best`.
bool Beats(int64_t event, int64_t created, uint64_t pos, const NewestRow& best);

// Merges maps[1..] into maps[0] (the newest per key wins) and clears them.
void MergeNewest(std::vector<NewestMap>& maps);

class NewestRowReducer {
 public:
  struct Counts {
    int64_t scanned = 0;
    int64_t skipped = 0;  // null key or event time (or outside the spec's filter)
  };
  // Which keys to keep (the key without the view's prefix); empty = all.
  using KeepFn = std::function<bool(std::string_view key)>;
  // Called after each batch with the task's map (e.g. to flush it when large).
  using AfterBatchFn = std::function<absl::Status(NewestMap& map)>;

  // Reads the view's join keys, times and features; `where` filters rows (columnar/predicate.h).
  explicit NewestRowReducer(const ViewPlan& view, std::string where = "");

  // The scan spec the reducer reads with (its columns), for callers listing files.
  const delta::ScanSpec& spec() const { return spec_; }

  // Reduces `units` of `snapshot` into maps[task] (maps->size() >= pool.threads()) and adds
  // to counts[task]. With fewer units than threads, the spare threads decode each batch's
  // columns in parallel.
  absl::Status Reduce(const delta::Snapshot& snapshot, const std::vector<ScanUnit>& units, WorkerPool& pool,
                      std::vector<NewestMap>* maps, std::vector<Counts>* counts, const KeepFn& keep = {},
                      const AfterBatchFn& after_batch = {}) const;

  // The join keys (without the view's prefix) of every row of `files`, read on one thread with
  // `snapshot`'s schema (files a later version removed, say).
  absl::Status CollectKeys(const delta::Snapshot& snapshot, const std::vector<delta::AddFile>& files,
                           const std::function<void(std::string_view key)>& fn) const;

 private:
  const ViewPlan& view_;
  delta::ScanSpec spec_;
  std::vector<size_t> column_of_;  // role (keys, event, [created], features) -> scanned column
  size_t first_feature_ = 0;
  bool has_created_ = false;
};

}  // namespace plinth::features
