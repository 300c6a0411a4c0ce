// The label table of a training set, read whole into one RecordBatch: a Delta table
// (a directory holding _delta_log/, latest version), a Parquet file, CSV or JSON lines
// (.csv; .jsonl, .json, .ndjson).
//
// Parquet and Delta columns keep their types. Text files have no types, so each column's type
// is taken from `known` (join keys, the label timestamp, request values), else inferred from
// every value in the file: int64 when all are integers, double when all are numbers, bool
// (true/false), timestamp (ISO-8601), string otherwise (and for columns that are always
// empty). An empty unquoted CSV field and a JSON null are null.
// Thread-safety: stateless function.
#pragma once

#include <map>
#include <string>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"

namespace plinth::features {

struct LabelTable {
  columnar::RecordBatch batch;  // every row, one batch
  std::string format;           // "delta", "parquet", "csv", "jsonl"
  int64_t table_version = -1;   // Delta: the version read
};

// NotFound when `path` does not exist; InvalidArgument for an unknown extension or bad content.
// `threads` decode a Parquet file's or Delta table's columns in parallel.
absl::StatusOr<LabelTable> ReadLabels(const std::string& path, const std::map<std::string, columnar::DataType>& known,
                                      int threads = 1);

}  // namespace plinth::features
