// Reading feature values out of columnar batches (source tables, label tables).
//
// ColumnValue converts one cell of a column to a Value of the feature type the definition
// declares (source_schema.h lists the accepted column types): integers widen to int64 or
// double, decimals become double, dates become midnight UTC, timestamp_ntz is read as UTC.
// Thread-safety: stateless.
#pragma once

#include "plinth/features/value.h"
#include "plinth/storage/columnar/column.h"

namespace plinth::features {

// REQUIRES: CheckColumnType accepted (column type, target). A null cell gives a null Value.
Value ColumnValue(const columnar::Column& column, int64_t row, ValueType target);

// Event/created timestamps as micros; kNoTimestamp (online_record.h) for a null cell.
// REQUIRES: a timestamp, timestamp_ntz or date column.
int64_t ColumnMicros(const columnar::Column& column, int64_t row);

}  // namespace plinth::features
