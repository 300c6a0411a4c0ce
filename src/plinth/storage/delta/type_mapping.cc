#include "plinth/storage/delta/type_mapping.h"

#include <cmath>

#include "plinth/base/strings.h"
#include "plinth/base/time.h"
#include "plinth/storage/columnar/value_format.h"

namespace plinth::delta {

using columnar::TypeId;

absl::StatusOr<columnar::DataType> ToColumnarType(const DataType& t) {
  if (t.kind == DataType::Kind::kDecimal) {
    if (t.precision < 1 || t.precision > 38) return absl::InvalidArgumentError(StrCat("unsupported ", t.ToString()));
    return columnar::DataType::Decimal(t.precision, t.scale);
  }
  if (t.kind != DataType::Kind::kPrimitive) {
    return absl::FailedPreconditionError(StrCat("nested type ", t.ToString(), " is not supported yet"));
  }
  static const std::pair<const char*, TypeId> kMap[] = {
      {"string", TypeId::kString},   {"long", TypeId::kInt64},      {"integer", TypeId::kInt32},
      {"short", TypeId::kInt16},     {"byte", TypeId::kInt8},       {"float", TypeId::kFloat},
      {"double", TypeId::kDouble},   {"boolean", TypeId::kBool},    {"binary", TypeId::kBinary},
      {"date", TypeId::kDate},       {"timestamp", TypeId::kTimestamp}, {"timestamp_ntz", TypeId::kTimestampNtz}};
  for (const auto& [name, id] : kMap) {
    if (t.primitive == name) return columnar::DataType{id};
  }
  return absl::FailedPreconditionError(StrCat("Delta type '", t.primitive, "' is not supported"));
}

columnar::Schema ToColumnarSchema(const DeltaSchema& schema, std::vector<std::string>* nested) {
  std::vector<columnar::Field> fields;
  for (const auto& f : schema.fields) {
    auto t = ToColumnarType(f.type);
    if (!t.ok()) {
      if (nested) nested->push_back(f.name);
      continue;
    }
    fields.push_back({f.name, *t, f.nullable});
  }
  return columnar::Schema(std::move(fields));
}

absl::StatusOr<DeltaSchema> FromColumnarSchema(const columnar::Schema& schema) {
  DeltaSchema out;
  for (const auto& f : schema.fields()) {
    StructField sf;
    sf.name = f.name;
    sf.nullable = f.nullable;
    switch (f.type.id) {
      case TypeId::kString: sf.type = DataType::Primitive("string"); break;
      case TypeId::kInt64: sf.type = DataType::Primitive("long"); break;
      case TypeId::kInt32: sf.type = DataType::Primitive("integer"); break;
      case TypeId::kInt16: sf.type = DataType::Primitive("short"); break;
      case TypeId::kInt8: sf.type = DataType::Primitive("byte"); break;
      case TypeId::kFloat: sf.type = DataType::Primitive("float"); break;
      case TypeId::kDouble: sf.type = DataType::Primitive("double"); break;
      case TypeId::kBool: sf.type = DataType::Primitive("boolean"); break;
      case TypeId::kBinary: sf.type = DataType::Primitive("binary"); break;
      case TypeId::kDate: sf.type = DataType::Primitive("date"); break;
      case TypeId::kTimestamp: sf.type = DataType::Primitive("timestamp"); break;
      case TypeId::kDecimal: sf.type = DataType::Decimal(f.type.precision, f.type.scale); break;
      default:
        return absl::InvalidArgumentError(StrCat("column '", f.name, "': type ", columnar::TypeName(f.type),
                                                 " cannot be stored in a Delta table (use int64, int32, int16, int8, "
                                                 "double, float, boolean, string, binary, date, timestamp or decimal)"));
    }
    out.fields.push_back(std::move(sf));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> PartitionValueString(const columnar::Column& col, int64_t row) {
  if (col.IsNull(row)) return std::optional<std::string>();
  const auto id = col.type().id;
  if (id == TypeId::kBinary) return absl::InvalidArgumentError("binary columns cannot be partition columns");
  if (id == TypeId::kTimestamp) {
    return std::optional<std::string>(columnar::FormatTimestampMicros(col.Get<int64_t>(row), true));
  }
  std::string s;
  columnar::AppendTextValue(col, row, &s);
  return std::optional<std::string>(std::move(s));
}

absl::StatusOr<columnar::Value> ParsePartitionValue(const columnar::DataType& type, const std::optional<std::string>& text) {
  if (!text) return columnar::Value::Null(type);
  if (text->empty() && type.id != TypeId::kString) return columnar::Value::Null(type);
  if (type.id == TypeId::kTimestamp || type.id == TypeId::kTimestampNtz) {
    auto ts = ParseTimestamp(*text);  // zone-less values are taken as UTC
    if (!ts.ok()) return absl::InvalidArgumentError(StrCat("partition value '", *text, "' is not a timestamp"));
    return columnar::Value::Int(type, *ts);
  }
  return columnar::ParseValue(type, *text);
}

std::string PartitionDirectory(const std::string& column, const std::optional<std::string>& value) {
  auto escape = [](const std::string& s) {
    static const std::string kSpecial = "\"#%'*/:=?\\{[]^";
    std::string out;
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f || kSpecial.find(static_cast<char>(c)) != std::string::npos) {
        static const char kHex[] = "0123456789ABCDEF";
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    return out;
  };
  if (!value) return escape(column) + "=__HIVE_DEFAULT_PARTITION__";
  if (value->empty()) return escape(column) + "=__HIVE_DEFAULT_PARTITION__";
  return escape(column) + "=" + escape(*value);
}

std::optional<Json> StatsJsonValue(const columnar::Value& v, bool is_max) {
  if (v.is_null) return std::nullopt;
  switch (v.type.id) {
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64: return Json(v.i);
    case TypeId::kFloat: case TypeId::kDouble:
      if (std::isnan(v.d) || std::isinf(v.d)) return std::nullopt;
      return Json(v.d);
    case TypeId::kString: {
      constexpr size_t kMaxLen = 32;
      if (v.s.size() <= kMaxLen) return Json(v.s);
      if (is_max) return std::nullopt;
      size_t cut = kMaxLen;
      while (cut > 0 && (static_cast<unsigned char>(v.s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 chars
      return Json(v.s.substr(0, cut));
    }
    case TypeId::kDate: return Json(columnar::FormatDate(static_cast<int32_t>(v.i)));
    case TypeId::kTimestamp: case TypeId::kTimestampNtz: {
      int64_t ms = v.i / 1000 - ((v.i % 1000) < 0 ? 1 : 0);
      if (is_max && (v.i % 1000) != 0) ++ms;
      std::string s = columnar::FormatTimestampMicros(ms * 1000, v.type.id == TypeId::kTimestamp);
      // ...SS.ffffff[Z] -> ...SS.fff[Z] (Spark writes milliseconds)
      size_t dot = s.find('.');
      if (dot != std::string::npos) s.erase(dot + 4, 3);
      return Json(s);
    }
    case TypeId::kDecimal: {
      std::string s = columnar::FormatDecimal(v.dec, v.type.scale);
      int digits = 0;
      for (char c : s) digits += (c >= '0' && c <= '9');
      if (digits > 15) return std::nullopt;  // a JSON double would not hold it exactly
      auto d = ParseDouble(s);
      if (!d) return std::nullopt;
      return Json(*d);
    }
    default: return std::nullopt;
  }
}

namespace {
// Stats written as decimal text lose the exact binary value: widen bounds by a few ulps (or,
// for float columns, by float precision) so skipping never drops a matching file.
double Widen(double d, bool up, bool float_precision) {
  double dir = up ? INFINITY : -INFINITY;
  if (float_precision) return d + (up ? 1 : -1) * (std::fabs(d) * 1e-6 + 1e-38);
  return std::nextafter(std::nextafter(d, dir), dir);
}
}  // namespace

std::optional<columnar::Value> StatsValue(const columnar::DataType& type, const Json& j, bool is_max) {
  if (j.is_null()) return std::nullopt;
  switch (type.id) {
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64:
      if (j.is_number_integer()) return columnar::Value::Int(type, j.get<int64_t>());
      if (j.is_number()) return columnar::Value::Double(columnar::DataType{TypeId::kDouble}, j.get<double>());
      return std::nullopt;
    case TypeId::kFloat: case TypeId::kDouble:
      if (j.is_number()) return columnar::Value::Double(type, Widen(j.get<double>(), is_max, type.id == TypeId::kFloat));
      return std::nullopt;
    case TypeId::kString:
      if (j.is_string()) {
        if (is_max) return std::nullopt;  // may be truncated: unusable as an upper bound
        return columnar::Value::Bytes(type, j.get<std::string>());
      }
      return std::nullopt;
    case TypeId::kDate: {
      if (!j.is_string()) return std::nullopt;
      auto v = columnar::ParseValue(type, j.get<std::string>());
      if (!v.ok()) return std::nullopt;
      return *v;
    }
    case TypeId::kTimestamp: case TypeId::kTimestampNtz: {
      if (!j.is_string()) return std::nullopt;
      auto ts = ParseTimestamp(j.get<std::string>());
      if (!ts.ok()) return std::nullopt;
      // Writers truncate to milliseconds: widen the upper bound to stay safe.
      return columnar::Value::Int(type, is_max ? *ts + 999 : *ts);
    }
    case TypeId::kDecimal:
      if (j.is_number()) return columnar::Value::Double(columnar::DataType{TypeId::kDouble}, Widen(j.get<double>(), is_max, false));
      if (j.is_string()) {
        auto d = ParseDouble(j.get<std::string>());
        if (d) return columnar::Value::Double(columnar::DataType{TypeId::kDouble}, Widen(*d, is_max, false));
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

}  // namespace plinth::delta
