#include "plinth/features/json_values.h"

#include <cmath>

#include "plinth/base/json_text.h"
#include "plinth/base/strings.h"
#include "plinth/base/time.h"

namespace plinth::features {

absl::StatusOr<Value> ValueFromJson(const Json& j, ValueType type, std::string_view what) {
  if (j.is_null()) return Value();
  auto wrong = [&]() {
    return absl::InvalidArgumentError(StrCat(what, ": expected ", ValueTypeName(type), ", got ", DumpJson(j)));
  };
  switch (type) {
    case ValueType::kBool:
      if (!j.is_boolean()) return wrong();
      return Value::Bool(j.get<bool>());
    case ValueType::kInt64:
      if (j.is_number_integer()) {
        if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return wrong();
        return Value::Int64(j.get<int64_t>());
      }
      if (j.is_number_float()) {
        double d = j.get<double>();
        if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return Value::Int64(static_cast<int64_t>(d));
      }
      return wrong();
    case ValueType::kDouble:
      if (!j.is_number()) return wrong();
      return Value::Double(j.get<double>());
    case ValueType::kString:
      if (!j.is_string()) return wrong();
      return Value::String(j.get<std::string>());
    case ValueType::kTimestamp:
      if (j.is_number_integer()) return Value::Time(j.get<int64_t>());
      if (j.is_string()) {
        auto micros = ParseTimestamp(j.get_ref<const std::string&>());
        if (!micros.ok()) return absl::InvalidArgumentError(StrCat(what, ": ", micros.status().message()));
        return Value::Time(*micros);
      }
      return wrong();
    case ValueType::kNull:
      return wrong();
  }
  return wrong();
}

Json ValueToJson(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return nullptr;
    case ValueType::kBool: return v.bool_value();
    case ValueType::kInt64: return v.int64_value();
    case ValueType::kDouble: {
      double d = v.double_value();
      if (!std::isfinite(d)) return nullptr;
      return d;
    }
    case ValueType::kString: return v.string_value();
    case ValueType::kTimestamp: return FormatTimestamp(v.timestamp_micros());
  }
  return nullptr;
}

void AppendValueJson(const Value& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kNull: out->append("null"); return;
    case ValueType::kBool: out->append(v.bool_value() ? "true" : "false"); return;
    case ValueType::kInt64: StrAppend(out, v.int64_value()); return;
    case ValueType::kDouble: AppendJsonDouble(out, v.double_value()); return;
    case ValueType::kString: AppendJsonString(out, v.string_value()); return;
    case ValueType::kTimestamp: AppendJsonString(out, FormatTimestamp(v.timestamp_micros())); return;
  }
  out->append("null");
}

}  // namespace plinth::features
