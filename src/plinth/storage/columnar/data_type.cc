#include "plinth/storage/columnar/data_type.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "plinth/base/strings.h"

namespace plinth::columnar {

StorageClass StorageOf(TypeId id) {
  switch (id) {
    case TypeId::kBool: return StorageClass::kBool;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kDate: return StorageClass::kInt32;
    case TypeId::kInt64:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
    case TypeId::kTime: return StorageClass::kInt64;
    case TypeId::kFloat16:
    case TypeId::kFloat: return StorageClass::kFloat;
    case TypeId::kDouble: return StorageClass::kDouble;
    case TypeId::kDecimal: return StorageClass::kInt128;
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixedBinary:
    case TypeId::kUuid: return StorageClass::kBytes;
  }
  return StorageClass::kBytes;
}

size_t StorageWidth(StorageClass s) {
  switch (s) {
    case StorageClass::kBool: return 1;
    case StorageClass::kInt32: return 4;
    case StorageClass::kInt64: return 8;
    case StorageClass::kFloat: return 4;
    case StorageClass::kDouble: return 8;
    case StorageClass::kInt128: return 16;
    case StorageClass::kBytes: return 0;
  }
  return 0;
}

std::string TypeName(const DataType& t) {
  switch (t.id) {
    case TypeId::kBool: return "boolean";
    case TypeId::kInt8: return "int8";
    case TypeId::kInt16: return "int16";
    case TypeId::kInt32: return "int32";
    case TypeId::kInt64: return "int64";
    case TypeId::kUInt8: return "uint8";
    case TypeId::kUInt16: return "uint16";
    case TypeId::kUInt32: return "uint32";
    case TypeId::kUInt64: return "uint64";
    case TypeId::kFloat16: return "float16";
    case TypeId::kFloat: return "float";
    case TypeId::kDouble: return "double";
    case TypeId::kString: return "string";
    case TypeId::kBinary: return "binary";
    case TypeId::kFixedBinary: return StrCat("fixed_binary(", t.byte_width, ")");
    case TypeId::kUuid: return "uuid";
    case TypeId::kDate: return "date";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kTimestampNtz: return "timestamp_ntz";
    case TypeId::kTime: return "time";
    case TypeId::kDecimal: return StrCat("decimal(", t.precision, ",", t.scale, ")");
  }
  return "unknown";
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Parses "name(a,b)" argument lists.
bool ParseArgs(std::string_view text, std::string_view name, std::vector<int64_t>* args) {
  if (!StartsWith(text, name)) return false;
  std::string_view rest = Trim(text.substr(name.size()));
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return false;
  rest = rest.substr(1, rest.size() - 2);
  for (std::string_view part : StrSplit(rest, ',', /*skip_empty=*/false)) {
    auto v = ParseInt64(Trim(part));
    if (!v) return false;
    args->push_back(*v);
  }
  return true;
}

}  // namespace

absl::StatusOr<DataType> ParseType(std::string_view text) {
  std::string t = Lower(Trim(text));
  static const std::pair<const char*, TypeId> kNames[] = {
      {"boolean", TypeId::kBool},       {"bool", TypeId::kBool},
      {"int8", TypeId::kInt8},          {"byte", TypeId::kInt8},
      {"tinyint", TypeId::kInt8},       {"int16", TypeId::kInt16},
      {"short", TypeId::kInt16},        {"smallint", TypeId::kInt16},
      {"int32", TypeId::kInt32},        {"int", TypeId::kInt32},
      {"integer", TypeId::kInt32},      {"int64", TypeId::kInt64},
      {"long", TypeId::kInt64},         {"bigint", TypeId::kInt64},
      {"uint8", TypeId::kUInt8},        {"uint16", TypeId::kUInt16},
      {"uint32", TypeId::kUInt32},      {"uint64", TypeId::kUInt64},
      {"float16", TypeId::kFloat16},    {"float", TypeId::kFloat},
      {"real", TypeId::kFloat},         {"float32", TypeId::kFloat},
      {"double", TypeId::kDouble},      {"float64", TypeId::kDouble},
      {"string", TypeId::kString},      {"varchar", TypeId::kString},
      {"text", TypeId::kString},        {"utf8", TypeId::kString},
      {"binary", TypeId::kBinary},      {"bytes", TypeId::kBinary},
      {"blob", TypeId::kBinary},        {"uuid", TypeId::kUuid},
      {"date", TypeId::kDate},          {"timestamp", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestamp}, {"timestamp_ntz", TypeId::kTimestampNtz},
      {"time", TypeId::kTime},
  };
  for (const auto& [name, id] : kNames) {
    if (t == name) return DataType{id};
  }
  std::vector<int64_t> args;
  if (ParseArgs(t, "decimal", &args) || ParseArgs(t, "numeric", &args)) {
    if (args.size() != 2 || args[0] < 1 || args[0] > 38 || args[1] < 0 || args[1] > args[0]) {
      return absl::InvalidArgumentError(
          StrCat("invalid decimal type '", text, "': want decimal(precision 1..38, scale 0..precision)"));
    }
    return DataType::Decimal(static_cast<int32_t>(args[0]), static_cast<int32_t>(args[1]));
  }
  args.clear();
  if (ParseArgs(t, "fixed_binary", &args)) {
    if (args.size() != 1 || args[0] < 1 || args[0] > (1 << 20)) {
      return absl::InvalidArgumentError(StrCat("invalid fixed_binary type '", text, "'"));
    }
    return DataType::FixedBinary(static_cast<int32_t>(args[0]));
  }
  return absl::InvalidArgumentError(StrCat(
      "unknown type '", text,
      "' (known: boolean, int8, int16, int32, int64, float, double, string, binary, date, "
      "timestamp, timestamp_ntz, time, uuid, decimal(p,s))"));
}

std::optional<size_t> Schema::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

absl::StatusOr<Schema> Schema::Select(const std::vector<std::string>& names) const {
  std::vector<Field> out;
  for (const auto& n : names) {
    auto i = IndexOf(n);
    if (!i) {
      std::vector<std::string> known;
      for (const auto& f : fields_) known.push_back(f.name);
      return absl::InvalidArgumentError(
          StrCat("unknown column '", n, "' (columns: ", StrJoin(known, ", "), ")"));
    }
    out.push_back(fields_[*i]);
  }
  return Schema(std::move(out));
}

absl::StatusOr<Schema> Schema::Parse(std::string_view text) {
  // Split on commas outside parentheses (decimal(10,2)).
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  std::vector<Field> fields;
  std::set<std::string> seen;
  for (std::string_view raw : parts) {
    std::string_view part = Trim(raw);
    if (part.empty()) return absl::InvalidArgumentError(StrCat("empty column definition in schema '", text, "'"));
    size_t sp = 0;
    while (sp < part.size() && !std::isspace(static_cast<unsigned char>(part[sp]))) ++sp;
    Field f;
    f.name = std::string(part.substr(0, sp));
    std::string_view rest = Trim(part.substr(sp));
    std::string lower = Lower(rest);
    if (lower.size() >= 8 && lower.compare(lower.size() - 8, 8, "not null") == 0) {
      f.nullable = false;
      rest = Trim(rest.substr(0, rest.size() - 8));
    }
    if (f.name.empty() || rest.empty()) {
      return absl::InvalidArgumentError(
          StrCat("column definition '", part, "' must be 'NAME TYPE [not null]'"));
    }
    for (char c : f.name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        return absl::InvalidArgumentError(
            StrCat("invalid column name '", f.name, "': use letters, digits and '_'"));
      }
    }
    PLINTH_ASSIGN_OR_RETURN(f.type, ParseType(rest));
    if (!seen.insert(Lower(f.name)).second) {
      return absl::InvalidArgumentError(StrCat("duplicate column '", f.name, "'"));
    }
    fields.push_back(std::move(f));
  }
  return Schema(std::move(fields));
}

std::string Schema::ToString() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) out += ", ";
    StrAppend(&out, fields_[i].name, " ", TypeName(fields_[i].type),
              fields_[i].nullable ? "" : " not null");
  }
  return out;
}

}  // namespace plinth::columnar
