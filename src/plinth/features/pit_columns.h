// Column helpers of the point-in-time join: converting source cells to a feature's column
// type, gathering rows by index, appending Values (transform outputs).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "plinth/features/value.h"
#include "plinth/storage/columnar/column.h"

namespace plinth::features {

// Appends src[row] converted to ColumnTypeFor(type) onto `dst` (a column of that type).
// REQUIRES: CheckColumnType accepted (src type, type).
void AppendConverted(columnar::Column& dst, const columnar::Column& src, int64_t row, ValueType type);

// For a fixed-width feature type (not string): a column of ColumnTypeFor(type) with `rows`
// null rows, its values zeroed and its validity materialised, for ScatterConverted.
columnar::Column NullFixedColumn(ValueType type, int64_t rows);

// A matched feature row (its position: file index << 32 | row in file) and the label row it
// answers.
struct MatchedRow {
  uint64_t pos;
  uint32_t label;
};

// For each pair: dst[label] = src[(pos & 0xffffffff) - row_base] converted as
// AppendConverted does (left null when that cell is null). `dst` comes from NullFixedColumn;
// different threads may scatter to disjoint rows of one dst at once.
void ScatterConverted(columnar::Column& dst, const columnar::Column& src, const MatchedRow* pairs, size_t count,
                      int64_t row_base, ValueType type);

// A column of src's type with out[i] = src[index[i]], or null where index[i] < 0.
columnar::Column GatherRows(const columnar::Column& src, const std::vector<int64_t>& index);

// Appends `v` (null, or of `type`) onto a column of ColumnTypeFor(type).
void AppendValue(columnar::Column& dst, const Value& v, ValueType type);

}  // namespace plinth::features
