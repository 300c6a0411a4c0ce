// Column chunk statistics decoded to columnar values (min, max, null count), for data
// skipping by readers and for Delta add.stats by writers.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>

#include "plinth/storage/columnar/value.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/schema.h"

namespace plinth::parquet {

// min/max are absent when the chunk has none or they are unusable: legacy (pre-min_value)
// byte-array or unsigned stats, INT96, NaN bounds, inexact (truncated) bounds.
struct ColumnChunkStats {
  std::optional<columnar::Value> min;
  std::optional<columnar::Value> max;
  std::optional<int64_t> null_count;
  int64_t num_values = 0;
};

ColumnChunkStats DecodeChunkStats(const LeafColumn& leaf, const ColumnMetaData& meta);

}  // namespace plinth::parquet
