// Value: one typed scalar (or null) - a WHERE literal, a min/max statistic, a partition value.
// Comparison follows the type: numbers numerically (ints, decimals scaled, floats), strings
// and binaries bytewise, dates/timestamps by their integer.
// Thread-safety: value type.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/columnar/data_type.h"

namespace plinth::columnar {

struct Value {
  Value() = default;
  explicit Value(DataType t) : type(t) {}

  DataType type;
  bool is_null = true;
  int64_t i = 0;   // bool, ints, date, timestamp, time (uint64 stored bit-cast)
  double d = 0;    // float, double, float16
  int128 dec = 0;  // decimal (unscaled)
  std::string s;   // string, binary

  static Value Null(DataType t) { return Value(t); }
  static Value Int(DataType t, int64_t v) { Value x(t); x.is_null = false; x.i = v; return x; }
  static Value Double(DataType t, double v) { Value x(t); x.is_null = false; x.d = v; return x; }
  static Value Bytes(DataType t, std::string v) { Value x(t); x.is_null = false; x.s = std::move(v); return x; }
  static Value Decimal(DataType t, int128 v) { Value x(t); x.is_null = false; x.dec = v; return x; }
};

// Value of row `row`.
Value ValueAt(const Column& col, int64_t row);
// Appends v (must have the column's storage class) to col.
void AppendValue(const Value& v, Column* col);

// Three-way comparison of two non-null values of compatible types (numeric types compare
// across widths and with decimals; NaN compares unordered). nullopt when incomparable.
std::optional<std::partial_ordering> Compare(const Value& a, const Value& b);

// Parses text as a value of `type` (CSV cells, partition values, WHERE literals):
// integers, floats, "true"/"false", dates "YYYY-MM-DD", timestamps (ISO-8601), decimals
// "123.45" (rescaled, error on lost digits), binary as base64.
absl::StatusOr<Value> ParseValue(const DataType& type, std::string_view text);
// Text form (value_format.h conventions, unquoted).
std::string ValueToString(const Value& v);

}  // namespace plinth::columnar
