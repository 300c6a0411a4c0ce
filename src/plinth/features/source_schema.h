// How feature types meet the columns of a source's Delta table.
//
// A declared feature type accepts the column types it can hold without surprise:
//   bool <- boolean; int64 <- int8..int64, uint8..uint32; double <- any integer, float16,
//   float, double, decimal; string <- string; timestamp <- timestamp, timestamp_ntz, date.
// Join keys must match exactly in kind (int64 <- integers, string <- string). A source
// without a table gets one derived from the definitions (DerivedSourceSchema).
// Thread-safety: stateless.
#pragma once

#include "plinth/features/definitions.h"
#include "plinth/storage/columnar/data_type.h"

namespace plinth::features {

// OK when a column of `column` type can feed a value of `declared` type; otherwise
// InvalidArgument "column 'x' is string, feature 'y' is double".
absl::Status CheckColumnType(const columnar::Field& column, ValueType declared, std::string_view what);

// The column type Plinth writes for a value type.
columnar::DataType ColumnTypeFor(ValueType type);

// The join keys of a view: its entities' keys in order. REQUIRES: the entities exist.
std::vector<JoinKey> ViewJoinKeys(const Definitions& defs, const FeatureViewDef& view);

// The table a source gets when apply finds none: the join keys of every view reading it, the
// event timestamp, the created timestamp when named, then every feature column (nullable).
// InvalidArgument when two views disagree on a column's type.
absl::StatusOr<columnar::Schema> DerivedSourceSchema(const Definitions& defs, const SourceDef& source);

}  // namespace plinth::features
