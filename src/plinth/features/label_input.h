// The label table of a training set: a Delta table (a directory holding _delta_log/, latest
// version), a Parquet file, CSV or JSON lines (.csv; .jsonl, .json, .ndjson), read in chunks of
// rows (LabelReader) or whole (ReadLabels).
//
// Parquet and Delta columns keep their types. Text files have no types, so each column's type
// is taken from `known` (join keys, the label timestamp, request values), else inferred from
// every value in the file (a first pass that keeps nothing): int64 when all are integers,
// double when all are numbers, bool (true/false), timestamp (ISO-8601), string otherwise (and
// for columns that are always empty). An empty unquoted CSV field and a JSON null are null.
// Thread-safety: a LabelReader is used by one thread; ReadLabels is reentrant.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"

namespace plinth::features {

class LabelReader {
 public:
  // NotFound when `path` does not exist; InvalidArgument for an unknown extension or bad
  // content. `threads` decode a Parquet file's or Delta table's columns in parallel.
  static absl::StatusOr<std::unique_ptr<LabelReader>> Open(const std::string& path,
                                                           const std::map<std::string, columnar::DataType>& known,
                                                           int threads = 1);
  ~LabelReader();

  const std::string& format() const { return format_; }  // "delta", "parquet", "csv", "jsonl"
  int64_t table_version() const { return table_version_; }  // Delta: the version read; else -1
  const columnar::SchemaPtr& schema() const { return schema_; }
  // Rows in all, when the format tells before reading (Delta, Parquet); -1 for text files.
  int64_t total_rows() const { return total_rows_; }

  // Replaces *batch with the next rows, at most max_rows (fewer only at the end); false when
  // no rows were left. A source batch that makes the whole chunk is moved, not copied; several
  // are copied into room reserved once for the chunk.
  absl::StatusOr<bool> Next(int64_t max_rows, columnar::RecordBatch* batch);

 private:
  struct Source;
  LabelReader() = default;

  std::string path_;
  std::string format_;
  int64_t table_version_ = -1;
  int64_t total_rows_ = -1;
  columnar::SchemaPtr schema_;
  std::unique_ptr<Source> source_;
  columnar::RecordBatch pending_;  // a source batch partly handed out
  int64_t pending_offset_ = 0;
};

struct LabelTable {
  columnar::RecordBatch batch;  // every row, one batch
  std::string format;
  int64_t table_version = -1;
};

// Every row at once (LabelReader::Next with no limit).
absl::StatusOr<LabelTable> ReadLabels(const std::string& path, const std::map<std::string, columnar::DataType>& known,
                                      int threads = 1);

}  // namespace plinth::features
