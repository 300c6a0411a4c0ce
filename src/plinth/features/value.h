// Feature values: the scalar types a feature, an entity key or a request value can hold.
//
// One Value type is shared by the offline path (training sets), the online path (online
// store reads, on-demand transforms, predictions) and the definitions, so both paths compute
// with the same representation. Timestamps are microseconds since the Unix epoch, UTC.
// Thread-safety: values are plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "plinth/base/status.h"

namespace plinth::features {

enum class ValueType : uint8_t { kNull = 0, kBool = 1, kInt64 = 2, kDouble = 3, kString = 4, kTimestamp = 5 };

// "null", "bool", "int64", "double", "string", "timestamp".
std::string_view ValueTypeName(ValueType t);
// Accepts the canonical names and common aliases: boolean; int, int8..int64, long; float,
// float32, float64; str, utf8; datetime. kNull is not a declarable type.
absl::StatusOr<ValueType> ParseValueType(std::string_view name);

struct Timestamp {
  int64_t micros = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

class Value {
 public:
  Value() = default;  // null
  static Value Bool(bool v) { return Value(Rep(v)); }
  static Value Int64(int64_t v) { return Value(Rep(v)); }
  static Value Double(double v) { return Value(Rep(v)); }
  static Value String(std::string v) { return Value(Rep(std::move(v))); }
  static Value Time(int64_t micros) { return Value(Rep(Timestamp{micros})); }

  ValueType type() const { return static_cast<ValueType>(rep_.index()); }
  bool is_null() const { return rep_.index() == 0; }
  bool bool_value() const { return std::get<bool>(rep_); }
  int64_t int64_value() const { return std::get<int64_t>(rep_); }
  double double_value() const { return std::get<double>(rep_); }
  const std::string& string_value() const { return std::get<std::string>(rep_); }
  int64_t timestamp_micros() const { return std::get<Timestamp>(rep_).micros; }

  // Numeric view: int64 and double (and bool as 0/1) as double; nullopt otherwise.
  std::optional<double> AsDouble() const;

  // Exact equality of type and value (NaN equals NaN, so parity checks can compare results).
  bool SameAs(const Value& other) const;

  // Text for messages and tables: null, true, 42, 0.5, "text" unquoted, ISO-8601 timestamps.
  std::string ToString() const;

 private:
  using Rep = std::variant<std::monostate, bool, int64_t, double, std::string, Timestamp>;
  explicit Value(Rep r) : rep_(std::move(r)) {}
  Rep rep_;
};

// Converts `v` to `type` where that loses nothing a user would care about: int64 -> double,
// bool stays bool, a null stays null. Anything else is InvalidArgument naming both types.
absl::StatusOr<Value> CoerceValue(const Value& v, ValueType type);

}  // namespace plinth::features
