// Parallel scans of a Delta snapshot by row group: a snapshot's data files are split into
// ScanUnits (one row group each, listed from the files' footers, in scan order), and the units
// are read on a WorkerPool, largest first. The point-in-time join and materialization read
// their sources this way.
// Thread-safety: ForEachScanUnit runs fn on the pool's threads at once; one call per pool.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/base/worker_pool.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/storage/delta/table_scan.h"

namespace plinth::features {

// One row group of one data file: the unit of parallel work.
struct ScanUnit {
  uint32_t file = 0;      // index in snapshot.files()
  int row_group = 0;
  int64_t first_row = 0;  // index in the file of the row group's first row
  int64_t rows = 0;
};

// The row groups of the snapshot's files for which want(file index) holds (every file when
// `want` is empty), in scan order. A file of more than 2^32 rows is FailedPrecondition.
absl::StatusOr<std::vector<ScanUnit>> ListScanUnits(const std::string& root, const delta::Snapshot& snapshot,
                                                    const std::function<bool(size_t file)>& want = {});

// A scan of exactly `unit` with `spec`'s columns and filter (its include_file and
// include_row_group are replaced).
absl::StatusOr<std::unique_ptr<delta::TableScan>> OpenScanUnit(const std::string& root, const delta::Snapshot& snapshot,
                                                               const ScanUnit& unit, delta::ScanSpec spec);

// Runs fn(unit index, task) for every unit on the pool, largest units first; the first error
// wins and stops the units not yet started. `task` (< pool.threads()) identifies the thread,
// for per-task state.
absl::Status ForEachScanUnit(WorkerPool& pool, const std::vector<ScanUnit>& units,
                             const std::function<absl::Status(size_t unit, int task)>& fn);

// Distinct names, and for each of `names` its index among them (a column listed twice is
// scanned once).
std::vector<std::string> DistinctColumns(const std::vector<std::string>& names, std::vector<size_t>* index_of);

}  // namespace plinth::features
