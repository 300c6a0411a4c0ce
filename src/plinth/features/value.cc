#include "plinth/features/value.h"

#include <cmath>

#include "plinth/base/time.h"

namespace plinth::features {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull: return "null";
    case ValueType::kBool: return "bool";
    case ValueType::kInt64: return "int64";
    case ValueType::kDouble: return "double";
    case ValueType::kString: return "string";
    case ValueType::kTimestamp: return "timestamp";
  }
  return "?";
}

absl::StatusOr<ValueType> ParseValueType(std::string_view name) {
  if (name == "bool" || name == "boolean") return ValueType::kBool;
  if (name == "int64" || name == "int" || name == "int32" || name == "int16" || name == "int8" || name == "long" ||
      name == "integer") {
    return ValueType::kInt64;
  }
  if (name == "double" || name == "float" || name == "float32" || name == "float64") return ValueType::kDouble;
  if (name == "string" || name == "str" || name == "utf8") return ValueType::kString;
  if (name == "timestamp" || name == "datetime") return ValueType::kTimestamp;
  return absl::InvalidArgumentError(
      StrCat("unknown type '", name, "': use bool, int64, double, string or timestamp"));
}

std::optional<double> Value::AsDouble() const {
  switch (type()) {
    case ValueType::kBool: return bool_value() ? 1.0 : 0.0;
    case ValueType::kInt64: return static_cast<double>(int64_value());
    case ValueType::kDouble: return double_value();
    default: return std::nullopt;
  }
}

bool Value::SameAs(const Value& other) const {
  if (type() != other.type()) return false;
  if (type() == ValueType::kDouble) {
    double a = double_value(), b = other.double_value();
    return a == b || (std::isnan(a) && std::isnan(b));
  }
  return rep_ == other.rep_;
}

std::string Value::ToString() const {
  switch (type()) {
    case ValueType::kNull: return "null";
    case ValueType::kBool: return bool_value() ? "true" : "false";
    case ValueType::kInt64: return StrCat(int64_value());
    case ValueType::kDouble: return StrCat(double_value());
    case ValueType::kString: return string_value();
    case ValueType::kTimestamp: return FormatTimestamp(timestamp_micros());
  }
  return "?";
}

absl::StatusOr<Value> CoerceValue(const Value& v, ValueType type) {
  if (v.is_null() || v.type() == type) return v;
  if (type == ValueType::kDouble && v.type() == ValueType::kInt64) {
    return Value::Double(static_cast<double>(v.int64_value()));
  }
  return absl::InvalidArgumentError(
      StrCat("expected ", ValueTypeName(type), ", got ", ValueTypeName(v.type()), " (", v.ToString(), ")"));
}

}  // namespace plinth::features
