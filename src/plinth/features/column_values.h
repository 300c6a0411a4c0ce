// Reading feature values out of columnar batches (source tables, label tables).
//
// ColumnValue converts one cell of a column to a Value of the feature type the definition
// declares (source_schema.h lists the accepted column types): integers widen to int64 or
// double, decimals become double, dates become midnight UTC, timestamp_ntz is read as UTC.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "plinth/features/value.h"
#include "plinth/storage/columnar/column.h"

namespace plinth::features {

// REQUIRES: CheckColumnType accepted (column type, target). A null cell gives a null Value.
Value ColumnValue(const columnar::Column& column, int64_t row, ValueType target);

// Appends ColumnValue(column, row, target) to an online record (AppendRecordValue in
// online_record.h) without building the Value for plain int64 and double cells.
void AppendRecordCell(const columnar::Column& column, int64_t row, ValueType target, std::string* out);

// Event/created timestamps as micros; kNoTimestamp (online_record.h) for a null cell.
// REQUIRES: a timestamp, timestamp_ntz or date column.
int64_t ColumnMicros(const columnar::Column& column, int64_t row);

}  // namespace plinth::features
