// Materialization: loading the latest feature row per entity from a view's source table into
// the online store.
//
//   incremental (default)  reads only the data files added to the source table since the last
//                          run (all files on the first run, or when the view's features changed)
//                          and records the table version it reached (feature_view_state)
//   full                   reads every file of the latest snapshot, then records the version
//   start/end window       reads rows with start <= event time < end from the latest snapshot;
//                          a backfill that leaves the incremental state alone
// The files' row groups are read on `threads` threads; rows stream in batches and are reduced
// to the newest per entity in memory (a full tie goes to the row later in file order; at most
// ~1M entities at a time, so memory stays flat whatever the range), then written through
// OnlineWriter, so a row never replaces a newer one. Rows with a null join key or event time
// are skipped and counted.
// Thread-safety: safe for concurrent use on different views; the writer serializes writes.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "plinth/base/clock.h"
#include "plinth/features/catalog.h"
#include "plinth/features/online_reconcile.h"
#include "plinth/features/online_writer.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::features {

struct MaterializeOptions {
  bool full = false;
  std::optional<int64_t> start;  // micros, inclusive
  std::optional<int64_t> end;    // micros, exclusive
  int threads = 2;               // row groups read and reduced at once
};

struct MaterializeResult {
  std::string view;
  std::string mode;                 // "incremental", "full", "window"
  int64_t from_table_version = -1;  // -1: from the beginning
  int64_t to_table_version = -1;
  int64_t files = 0;
  int64_t rows_scanned = 0;
  int64_t rows_skipped = 0;  // null key or event time, or outside the window
  int64_t rows_written = 0;  // records that replaced older ones
  int64_t rows_deleted = 0;  // records removed: their entities have no row left in the table
  std::optional<ReconcileResult> reconciled;  // when deleted rows were reconciled
  double seconds = 0;
  Json ToJson() const;
};

class Materializer {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    OnlineWriter* writer = nullptr;
    Clock* clock = Clock::Real();
  };
  explicit Materializer(Options options) : options_(options) {}

  absl::StatusOr<MaterializeResult> Run(const ViewPlan& view, const MaterializeOptions& options);

 private:
  // Reads the snapshot's files not in `already_loaded` and writes the newest row per entity.
  absl::Status Load(const ViewPlan& view, const delta::Snapshot& snapshot, const std::set<std::string>& already_loaded,
                    const MaterializeOptions& options, MaterializeResult* result);

  Options options_;
};

}  // namespace plinth::features
