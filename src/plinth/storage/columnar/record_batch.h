// RecordBatch: rows of a schema held column by column (Column). The unit readers produce and
// writers consume; batches are bounded (typically 64k rows) so memory stays flat.
// Thread-safety: none for mutation; concurrent reads are safe.
#pragma once

#include <memory>
#include <vector>

#include "plinth/storage/columnar/column.h"
#include "plinth/storage/columnar/data_type.h"

namespace plinth::columnar {

struct RecordBatch {
  SchemaPtr schema;
  std::vector<Column> columns;
  int64_t num_rows = 0;

  RecordBatch() = default;
  explicit RecordBatch(SchemaPtr s) : schema(std::move(s)) {
    for (const auto& f : schema->fields()) columns.emplace_back(f.type);
  }
  // Drops all rows, keeps the schema and column types.
  void Clear() {
    for (auto& c : columns) c.Clear();
    num_rows = 0;
  }
  // Rows whose selection byte is non-zero.
  RecordBatch Filter(const std::vector<uint8_t>& selection) const {
    RecordBatch out;
    out.schema = schema;
    for (const auto& c : columns) out.columns.push_back(c.Filter(selection));
    out.num_rows = 0;
    for (int64_t i = 0; i < num_rows; ++i) out.num_rows += selection[i] != 0;
    return out;
  }
};

}  // namespace plinth::columnar
