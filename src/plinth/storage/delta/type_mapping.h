// Between Delta's schema and values (schemaString types, partition value strings, add.stats
// JSON) and Plinth's columnar types and values.
//
// Delta primitive types map to columnar types: string, long (int64), integer (int32), short
// (int16), byte (int8), float, double, boolean, binary, date, timestamp (UTC micros),
// timestamp_ntz, decimal(p,s). Nested Delta types (struct, array, map) have no flat columnar
// equivalent: tables holding them open, but only their flat columns can be read.
// Thread-safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/columnar/data_type.h"
#include "plinth/storage/columnar/value.h"
#include "plinth/storage/delta/schema.h"

namespace plinth::delta {

// The flat columns of a Delta schema, in order. `nested` (optional) receives the names of
// the columns left out because their types are nested.
columnar::Schema ToColumnarSchema(const DeltaSchema& schema, std::vector<std::string>* nested = nullptr);
// InvalidArgument naming the column for types Delta cannot hold (unsigned ints, time,
// float16, uuid, fixed_binary).
absl::StatusOr<DeltaSchema> FromColumnarSchema(const columnar::Schema& schema);
absl::StatusOr<columnar::DataType> ToColumnarType(const DataType& type);

// Partition values: the string Delta stores for row `row` of `col` (nullopt for null), and
// the value back from that string. Timestamps are written as ISO-8601 with 'Z' and read with
// or without a zone (none = UTC).
absl::StatusOr<std::optional<std::string>> PartitionValueString(const columnar::Column& col, int64_t row);
absl::StatusOr<columnar::Value> ParsePartitionValue(const columnar::DataType& type,
                                                    const std::optional<std::string>& text);
// Hive-style directory part for a partition value ("col=value", escaped; null ->
// __HIVE_DEFAULT_PARTITION__).
std::string PartitionDirectory(const std::string& column, const std::optional<std::string>& value);

// add.stats values: JSON for a min/max value (nullopt when Delta stats cannot hold it
// exactly enough: NaN, long strings for max, binary, booleans) and back. `is_max` selects
// the safe rounding direction (timestamps are stored in milliseconds).
std::optional<Json> StatsJsonValue(const columnar::Value& v, bool is_max);
std::optional<columnar::Value> StatsValue(const columnar::DataType& type, const Json& json, bool is_max);

}  // namespace plinth::delta
