#include "plinth/storage/delta/schema.h"

#include <set>

namespace plinth::delta {

namespace {

constexpr std::string_view kPrimitives[] = {"string", "long",   "integer", "short",     "byte",
                                            "float",  "double", "boolean", "binary",    "date",
                                            "timestamp", "timestamp_ntz"};

absl::Status FieldError(std::string_view path, std::string_view problem) {
  return absl::InvalidArgumentError(StrCat("schema field '", path, "': ", problem));
}

absl::StatusOr<DataType> ParseType(const Json& j, const std::string& path);

absl::StatusOr<std::vector<StructField>> ParseFields(const Json& obj, const std::string& path) {
  auto it = obj.find("fields");
  if (it == obj.end() || !it->is_array()) return FieldError(path.empty() ? "<root>" : path, "struct has no 'fields' array");
  std::vector<StructField> out;
  for (const Json& f : *it) {
    if (!f.is_object()) return FieldError(path.empty() ? "<root>" : path, "field is not an object");
    auto name = f.find("name");
    if (name == f.end() || !name->is_string()) return FieldError(path.empty() ? "<root>" : path, "field has no string 'name'");
    StructField field;
    field.name = name->get<std::string>();
    std::string child = path.empty() ? field.name : StrCat(path, ".", field.name);
    auto type = f.find("type");
    if (type == f.end()) return FieldError(child, "has no 'type'");
    PLINTH_ASSIGN_OR_RETURN(field.type, ParseType(*type, child));
    auto nullable = f.find("nullable");
    if (nullable != f.end()) {
      if (!nullable->is_boolean()) return FieldError(child, "'nullable' is not a boolean");
      field.nullable = nullable->get<bool>();
    }
    auto md = f.find("metadata");
    if (md != f.end() && !md->is_null()) {
      if (!md->is_object()) return FieldError(child, "'metadata' is not an object");
      field.metadata = *md;
    }
    out.push_back(std::move(field));
  }
  return out;
}

absl::StatusOr<bool> OptBoolField(const Json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_boolean()) return FieldError(path, StrCat("'", key, "' is not a boolean"));
  return it->get<bool>();
}

absl::StatusOr<DataType> ParseDecimal(std::string_view s, const std::string& path) {
  // decimal(p,s), whitespace tolerated; bare "decimal" is decimal(10,0) in Spark.
  std::string compact;
  for (char c : s) if (c != ' ') compact.push_back(c);
  if (compact == "decimal") return DataType::Decimal(10, 0);
  if (compact.size() < 10 || compact.back() != ')' || compact.substr(0, 8) != "decimal(") {
    return FieldError(path, StrCat("unsupported type '", s, "'"));
  }
  auto parts = StrSplit(std::string_view(compact).substr(8, compact.size() - 9), ',');
  std::optional<int64_t> p = parts.size() == 2 ? ParseInt64(parts[0]) : std::nullopt;
  std::optional<int64_t> sc = parts.size() == 2 ? ParseInt64(parts[1]) : std::nullopt;
  if (!p || !sc || *p < 1 || *p > 38 || *sc < 0 || *sc > *p) {
    return FieldError(path, StrCat("invalid decimal type '", s, "'"));
  }
  return DataType::Decimal(static_cast<int>(*p), static_cast<int>(*sc));
}

absl::StatusOr<DataType> ParseType(const Json& j, const std::string& path) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    for (std::string_view p : kPrimitives) {
      if (s == p) return DataType::Primitive(s);
    }
    if (StartsWith(s, "decimal")) return ParseDecimal(s, path);
    return FieldError(path, StrCat("unsupported type '", s, "'"));
  }
  if (!j.is_object()) return FieldError(path, "type is neither a string nor an object");
  auto kind = j.find("type");
  if (kind == j.end() || !kind->is_string()) return FieldError(path, "nested type has no string 'type'");
  std::string k = kind->get<std::string>();
  DataType t;
  if (k == "struct") {
    t.kind = DataType::Kind::kStruct;
    PLINTH_ASSIGN_OR_RETURN(t.fields, ParseFields(j, path));
  } else if (k == "array") {
    t.kind = DataType::Kind::kArray;
    auto e = j.find("elementType");
    if (e == j.end()) return FieldError(path, "array has no 'elementType'");
    PLINTH_ASSIGN_OR_RETURN(DataType elem, ParseType(*e, StrCat(path, ".element")));
    t.children.push_back(std::move(elem));
    PLINTH_ASSIGN_OR_RETURN(t.contains_null, OptBoolField(j, "containsNull", path));
  } else if (k == "map") {
    t.kind = DataType::Kind::kMap;
    auto kt = j.find("keyType");
    auto vt = j.find("valueType");
    if (kt == j.end() || vt == j.end()) return FieldError(path, "map needs 'keyType' and 'valueType'");
    PLINTH_ASSIGN_OR_RETURN(DataType key, ParseType(*kt, StrCat(path, ".key")));
    PLINTH_ASSIGN_OR_RETURN(DataType value, ParseType(*vt, StrCat(path, ".value")));
    t.children.push_back(std::move(key));
    t.children.push_back(std::move(value));
    PLINTH_ASSIGN_OR_RETURN(t.contains_null, OptBoolField(j, "valueContainsNull", path));
  } else {
    return FieldError(path, StrCat("unsupported nested type '", k, "'"));
  }
  return t;
}

Json TypeToJson(const DataType& t);

Json FieldsToJson(const std::vector<StructField>& fields) {
  Json arr = Json::array();
  for (const StructField& f : fields) {
    arr.push_back({{"name", f.name}, {"type", TypeToJson(f.type)}, {"nullable", f.nullable}, {"metadata", f.metadata}});
  }
  return {{"type", "struct"}, {"fields", arr}};
}

Json TypeToJson(const DataType& t) {
  switch (t.kind) {
    case DataType::Kind::kPrimitive:
      return t.primitive;
    case DataType::Kind::kDecimal:
      return StrCat("decimal(", t.precision, ",", t.scale, ")");
    case DataType::Kind::kStruct:
      return FieldsToJson(t.fields);
    case DataType::Kind::kArray:
      return {{"type", "array"}, {"elementType", TypeToJson(t.children[0])}, {"containsNull", t.contains_null}};
    case DataType::Kind::kMap:
      return {{"type", "map"},
              {"keyType", TypeToJson(t.children[0])},
              {"valueType", TypeToJson(t.children[1])},
              {"valueContainsNull", t.contains_null}};
  }
  return nullptr;
}

}  // namespace

DataType DataType::Primitive(std::string name) {
  DataType t;
  t.primitive = std::move(name);
  return t;
}

DataType DataType::Decimal(int precision, int scale) {
  DataType t;
  t.kind = Kind::kDecimal;
  t.precision = precision;
  t.scale = scale;
  return t;
}

std::string DataType::ToString() const {
  switch (kind) {
    case Kind::kPrimitive:
      return primitive;
    case Kind::kDecimal:
      return StrCat("decimal(", precision, ",", scale, ")");
    case Kind::kArray:
      return StrCat("array<", children[0].ToString(), ">");
    case Kind::kMap:
      return StrCat("map<", children[0].ToString(), ",", children[1].ToString(), ">");
    case Kind::kStruct: {
      std::vector<std::string> parts;
      for (const StructField& f : fields) parts.push_back(StrCat(f.name, ":", f.type.ToString()));
      return StrCat("struct<", StrJoin(parts, ","), ">");
    }
  }
  return "?";
}

bool DataType::operator==(const DataType& o) const {
  return kind == o.kind && primitive == o.primitive && precision == o.precision && scale == o.scale &&
         fields == o.fields && children == o.children && contains_null == o.contains_null;
}

bool StructField::operator==(const StructField& o) const {
  return name == o.name && type == o.type && nullable == o.nullable && metadata == o.metadata;
}

absl::StatusOr<DeltaSchema> DeltaSchema::Parse(std::string_view schema_string) {
  absl::StatusOr<Json> j = ParseJson(schema_string);
  if (!j.ok()) return absl::InvalidArgumentError(StrCat("schemaString is not valid JSON: ", j.status().message()));
  if (!j->is_object() || j->value("type", Json()) != "struct") {
    return absl::InvalidArgumentError("schemaString is not a struct type");
  }
  DeltaSchema s;
  PLINTH_ASSIGN_OR_RETURN(s.fields, ParseFields(*j, ""));
  return s;
}

Json DeltaSchema::ToJson() const { return FieldsToJson(fields); }
std::string DeltaSchema::ToJsonString() const { return DumpJson(ToJson()); }

const StructField* DeltaSchema::Find(std::string_view name) const {
  for (const StructField& f : fields) if (f.name == name) return &f;
  for (const StructField& f : fields) if (EqualsIgnoreCase(f.name, name)) return &f;
  return nullptr;
}

absl::StatusOr<DeltaSchema> AddColumns(const DeltaSchema& old, const DeltaSchema& wanted) {
  for (size_t i = 0; i < old.fields.size(); ++i) {
    const StructField& o = old.fields[i];
    if (i >= wanted.fields.size() || !EqualsIgnoreCase(wanted.fields[i].name, o.name)) {
      bool elsewhere = wanted.Find(o.name) != nullptr;
      return absl::InvalidArgumentError(StrCat("column '", o.name, "' would be ",
                                               elsewhere ? "moved (new columns can only be appended)" : "dropped"));
    }
    const StructField& w = wanted.fields[i];
    if (w.name != o.name) {
      return absl::InvalidArgumentError(StrCat("column '", o.name, "' would be renamed to '", w.name, "'"));
    }
    if (!(w.type == o.type)) {
      return absl::InvalidArgumentError(StrCat("column '", o.name, "' would change type from ", o.type.ToString(),
                                               " to ", w.type.ToString()));
    }
    if (w.nullable != o.nullable) {
      return absl::InvalidArgumentError(StrCat("column '", o.name, "' would change nullability"));
    }
  }
  DeltaSchema out = old;
  std::set<std::string> names;
  for (const StructField& f : old.fields) names.insert(ToLower(f.name));
  for (size_t i = old.fields.size(); i < wanted.fields.size(); ++i) {
    const StructField& w = wanted.fields[i];
    if (!names.insert(ToLower(w.name)).second) {
      return absl::InvalidArgumentError(StrCat("column '", w.name, "' already exists"));
    }
    if (!w.nullable) {
      return absl::InvalidArgumentError(
          StrCat("new column '", w.name, "' must be nullable (existing rows have no value for it)"));
    }
    out.fields.push_back(w);
  }
  return out;
}

}  // namespace plinth::delta
