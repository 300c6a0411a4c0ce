// TableScan: streams the rows of one Delta snapshot as RecordBatches.
//
// Files are pruned by partition values and add.stats (min/max/nullCount) against the
// filter, row groups by Parquet statistics, then rows by evaluating the filter. Columns
// missing from older files (added later by schema evolution) read as null; partition columns
// come from the add actions. Only flat columns can be read.
// Thread-safety: one scan per thread; the snapshot must outlive the scan.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/predicate.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::delta {

struct ScanSpec {
  std::vector<std::string> columns;  // empty = every column
  std::string where;                 // filter (columnar/predicate.h); empty = all rows
  int64_t batch_rows = 65536;
  // When set, only the snapshot's files it accepts are read (e.g. files added since a version).
  std::function<bool(const AddFile&)> include_file;
  // When set, these files are read instead of the snapshot's (which then gives only the schema
  // and partition columns): e.g. files a later version removed. Must outlive the scan.
  const std::vector<AddFile>* files = nullptr;
  // When set, only the row groups it accepts (by index in the file) are read, e.g. to split one
  // large file between threads. Applies to files read for data columns; a scan of partition
  // columns only counts every row of the file.
  std::function<bool(const AddFile&, int row_group)> include_row_group;
  // Threads decoding a batch's columns in parallel (the caller's included).
  int threads = 1;
};

struct ScanStats {
  int64_t files_total = 0;
  int64_t files_skipped = 0;  // by partition values or file statistics
  int64_t row_groups_skipped = 0;
  int64_t rows_read = 0;
};

class TableScan {
 public:
  static absl::StatusOr<std::unique_ptr<TableScan>> Create(std::string root, const Snapshot& snapshot,
                                                           const ScanSpec& spec);
  // Every row and column of one file of the snapshot (for rewrites). FailedPrecondition when
  // the table has nested columns (a rewrite would lose them).
  static absl::StatusOr<std::unique_ptr<TableScan>> CreateForFile(std::string root, const Snapshot& snapshot,
                                                                  const AddFile& file);
  // Replaces *batch with the next rows (of output_schema()); false when done.
  absl::StatusOr<bool> Next(columnar::RecordBatch* batch);
  const columnar::SchemaPtr& output_schema() const { return output_schema_; }
  const ScanStats& stats() const { return stats_; }

  // The files the filter may match (after partition and statistics pruning).
  const std::vector<const AddFile*>& files() const { return files_; }

 private:
  TableScan() = default;
  absl::Status OpenFile(const AddFile& file);
  absl::StatusOr<bool> NextFromFile(columnar::RecordBatch* batch);
  // Hands the columns of the caller's previous batch back to raw_ for the file reader to decode
  // into, and leaves *batch empty; resets raw_ when they do not all fit.
  void Recycle(columnar::RecordBatch* batch);

  std::string root_;
  columnar::Schema table_schema_;       // flat columns of the snapshot
  columnar::SchemaPtr scan_schema_;     // output columns + filter-only columns
  columnar::SchemaPtr output_schema_;
  std::vector<std::string> partition_columns_;
  std::optional<columnar::Predicate> filter_;  // bound to scan_schema_
  std::function<bool(const AddFile&, int)> include_row_group_;
  int64_t batch_rows_ = 65536;
  int threads_ = 1;
  std::vector<const AddFile*> files_;
  size_t next_file_ = 0;
  ScanStats stats_;

  // Current file.
  const AddFile* file_ = nullptr;
  std::unique_ptr<parquet::ParquetReader> reader_;
  std::unique_ptr<parquet::BatchReader> batches_;
  std::vector<int> file_column_;                 // scan column -> column in file batch, -1 = none
  // The file reader's batch, kept across calls: decoding into the buffers of the batch handed
  // out last time, rather than into fresh memory each time, spares the page faults of filling
  // new memory (a large part of a scan's cost).
  columnar::RecordBatch raw_;
  std::vector<columnar::Value> partition_values_;  // per scan column (partition columns only)
};

// Reads the whole scan into one batch (tests and small tables).
absl::StatusOr<columnar::RecordBatch> ReadAll(TableScan& scan);

}  // namespace plinth::delta
