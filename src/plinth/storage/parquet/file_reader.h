// ParquetReader: opens a Parquet file (footer, schema) and scans it as RecordBatches.
//
//   PLINTH_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenFile(path));
//   PLINTH_ASSIGN_OR_RETURN(auto scan, reader->Scan({.columns = {"id", "name"}}));
//   columnar::RecordBatch batch;
//   while (true) {
//     PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
//     if (!more) break;
//     ...
//   }
//
// Memory: one row group's compressed projected column chunks plus one decoded page per
// column and one batch, whatever the file size. Row groups can be skipped by statistics
// (ScanOptions::row_group_filter). Every malformed input gives an error, never a crash.
// Thread-safety: a ParquetReader may be shared by scanners on several threads; a scanner is
// single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/base/worker_pool.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/columnar/value.h"
#include "plinth/storage/parquet/column_reader.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/schema.h"
#include "plinth/storage/parquet/statistics.h"

namespace plinth::parquet {

struct ReaderOptions {
  bool verify_checksums = true;
  // Largest decompressed (and decoded) page accepted; see ColumnReadOptions.
  int64_t max_page_bytes = int64_t{1} << 30;
};

struct ScanOptions {
  std::vector<std::string> columns;  // top-level names; empty = all, in file order
  int64_t batch_rows = 65536;
  // Threads decoding columns in parallel (the caller's included).
  int threads = 1;
  // Called per row group with its index; false skips the row group.
  std::function<bool(int row_group)> row_group_filter;
};

class BatchReader;

class ParquetReader {
 public:
  static absl::StatusOr<std::unique_ptr<ParquetReader>> Open(std::unique_ptr<InputFile> file,
                                                             ReaderOptions options = {});
  static absl::StatusOr<std::unique_ptr<ParquetReader>> OpenFile(const std::string& path,
                                                                 ReaderOptions options = {});

  const FileMetaData& metadata() const { return metadata_; }
  const ParquetSchema& schema() const { return schema_; }
  const InputFile& file() const { return *file_; }
  size_t footer_size() const { return footer_size_; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  // Sum of row group row counts (FileMetaData.num_rows can be wrong in old files).
  int64_t num_rows() const;

  // Columnar schema (flat files only; error names the first nested column).
  absl::StatusOr<columnar::Schema> columnar_schema() const { return schema_.ToColumnar(); }

  // Reads the chunk of `leaf` in `row_group` and returns a page decoder over it.
  absl::StatusOr<std::unique_ptr<ColumnChunkReader>> OpenColumnChunk(int row_group, int leaf) const;

  // Decoded statistics of a column chunk (empty optionals when absent or unusable).
  ColumnChunkStats ChunkStats(int row_group, int leaf) const;

  absl::StatusOr<std::unique_ptr<BatchReader>> Scan(const ScanOptions& options) const;

 private:
  ParquetReader() = default;
  std::unique_ptr<InputFile> file_;
  ReaderOptions options_;
  FileMetaData metadata_;
  ParquetSchema schema_;
  size_t footer_size_ = 0;
};

class BatchReader {
 public:
  // Replaces *batch with the next rows; false when the file is exhausted.
  absl::StatusOr<bool> Next(columnar::RecordBatch* batch);
  const columnar::SchemaPtr& schema() const { return schema_; }
  int row_groups_skipped() const { return row_groups_skipped_; }

 private:
  friend class ParquetReader;
  BatchReader(const ParquetReader* reader, std::vector<int> leaves, columnar::SchemaPtr schema, ScanOptions options);
  absl::StatusOr<bool> OpenNextRowGroup();

  const ParquetReader* reader_;
  std::vector<int> leaves_;
  columnar::SchemaPtr schema_;
  ScanOptions options_;
  int next_row_group_ = 0;
  int64_t rows_left_in_group_ = 0;
  std::vector<std::unique_ptr<ColumnChunkReader>> chunks_;
  int row_groups_skipped_ = 0;
  int current_row_group_ = -1;
  std::unique_ptr<WorkerPool> pool_;  // when options.threads > 1
};

}  // namespace plinth::parquet
