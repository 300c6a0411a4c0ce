// Reconciliation: makes the online store hold, for a set of entities, exactly the newest row of
// the source table: deleted or rewritten rows (DELETE, MERGE, overwrite) leave the store, and
// an entity with no row left loses its record. Newer-wins writes (OnlineWriter::WriteLatest)
// cannot express this, since the row that should be online then is older than the one there.
//
// Which entities: those with a row in the data files removed since the last materialization
// (incremental), or every entity of the view (`--full`, or when the removed files are gone).
// Each pass:
//   1. collects the entities (for removed files: their join keys; read on one thread);
//   2. reduces the table's latest snapshot to the newest row of each (NewestRowReducer);
//   3. under the online writer's lock (pushes wait): catches up with the commits made since the
//      snapshot, whose rows are pushes already online or soon to be (a push commits to the
//      table before it writes online), reading the files they added; a commit that removed
//      data meanwhile starts the pass over from the new version (at most 10 times);
//   4. still under the lock: replaces each record that differs from the newest row and deletes
//      those of entities without rows (for all entities: every key of the view's prefix).
// Memory is bounded by entities per pass: past ~1M, the entities are split by key hash into 4,
// 16, ... parts, one pass each (each pass reads the table again).
// Thread-safety: as Materializer; the writer serializes with pushes.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "plinth/features/catalog.h"
#include "plinth/features/online_writer.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

struct ReconcileResult {
  int64_t entities = 0;      // entities compared (summed over passes)
  int64_t rows_scanned = 0;  // source rows read, catch-up included
  int64_t rows_written = 0;  // records replaced or added
  int64_t rows_deleted = 0;  // records removed (entities without rows)
  int passes = 0;
  int restarts = 0;  // passes started over (a concurrent delete, or too many entities)
};

struct ReconcileOptions {
  int threads = 2;                             // row groups read at once
  size_t max_pass_entities = size_t{1} << 20;  // entities per pass (memory bound)
  std::function<void()> before_lock;           // tests: runs before each pass takes the lock
};

// `removed`: the removed data files whose entities to reconcile; nullptr for every entity.
// `snapshot` must be a version at or after the removes.
absl::StatusOr<ReconcileResult> ReconcileOnline(const ViewPlan& view, delta::DeltaTable& table,
                                                const delta::Snapshot& snapshot,
                                                const std::vector<delta::AddFile>* removed, OnlineWriter& writer,
                                                const ReconcileOptions& options = {});

}  // namespace plinth::features
