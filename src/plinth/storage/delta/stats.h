// Per-file statistics from add.stats: {"numRecords", "minValues", "maxValues", "nullCount"}.
//
// Min/max values stay JSON values as written (numbers, strings for dates/timestamps/decimals...);
// a struct column has a nested object. Lookups are by top-level column name; callers interpret
// the values against the schema. Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::delta {

struct FileStats {
  std::optional<int64_t> num_records;
  Json min_values = Json::object();
  Json max_values = Json::object();
  Json null_count = Json::object();
  std::optional<bool> tight_bounds;

  // InvalidArgument ("stats.numRecords is not an integer") on malformed input.
  static absl::StatusOr<FileStats> Parse(std::string_view stats_json);

  // The value for a top-level column, or nullptr when absent (null values count as absent).
  const Json* Min(std::string_view column) const;
  const Json* Max(std::string_view column) const;
  // nullCount of a top-level primitive column; nullopt when absent or not an integer.
  std::optional<int64_t> NullCount(std::string_view column) const;
};

}  // namespace plinth::delta
