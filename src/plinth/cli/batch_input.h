// Input files of `plinth parquet write` and `plinth table append`: CSV, JSON lines or Parquet
// (chosen by --input-format or the file extension), read in batches of a target schema.
// Missing nullable columns read as null; unknown columns and type mismatches are errors.
// Thread-safety: stateless functions.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"

namespace plinth::cli {

// "csv", "jsonl" or "parquet" from `hint` (when set) or the extension of `path`.
absl::StatusOr<std::string> InputFormatOf(const std::string& path, const std::string& hint);
// Columns of a Parquet input file.
absl::StatusOr<columnar::Schema> ParquetInputSchema(const std::string& path);
// Pulls batches of `path` converted to `schema`, one at a time (memory stays bounded).
class InputReader {
 public:
  static absl::StatusOr<std::unique_ptr<InputReader>> Open(const std::string& path, const std::string& format_hint,
                                                           columnar::SchemaPtr schema);
  virtual ~InputReader() = default;
  // Replaces *batch with the next rows; false at the end.
  virtual absl::StatusOr<bool> Next(columnar::RecordBatch* batch) = 0;
};

// Calls `fn` with each batch of `path` converted to `schema`.
absl::Status ForEachInputBatch(const std::string& path, const std::string& format_hint, columnar::SchemaPtr schema,
                               const std::function<absl::Status(const columnar::RecordBatch&)>& fn);

}  // namespace plinth::cli
