// The table schema of a Delta table, parsed from metaData.schemaString (Spark's JSON schema form).
//
// Primitive types: string, long, integer, short, byte, float, double, boolean, binary, date,
// timestamp, timestamp_ntz, decimal(p,s). Nested struct/array/map types parse into a tree (Plinth
// does not read nested data yet, but a table that has such columns still opens). Field metadata
// (column mapping ids, comments, invariants...) is kept as raw JSON.
//
// Thread-safety: plain values and stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::delta {

struct StructField;

struct DataType {
  enum class Kind { kPrimitive, kDecimal, kStruct, kArray, kMap };
  Kind kind = Kind::kPrimitive;
  std::string primitive;                 // kPrimitive: "long", "timestamp_ntz", ...
  int precision = 0, scale = 0;          // kDecimal
  std::vector<StructField> fields;       // kStruct
  std::vector<DataType> children;        // kArray: {element}; kMap: {key, value}
  bool contains_null = true;             // kArray: containsNull; kMap: valueContainsNull

  static DataType Primitive(std::string name);
  static DataType Decimal(int precision, int scale);
  // "long", "decimal(10,2)", "array<string>", "struct<a:long,b:string>", "map<string,long>".
  std::string ToString() const;
  bool operator==(const DataType& other) const;
};

struct StructField {
  std::string name;
  DataType type;
  bool nullable = true;
  Json metadata = Json::object();
  bool operator==(const StructField& other) const;
};

struct DeltaSchema {
  std::vector<StructField> fields;

  // Parses a schemaString. InvalidArgument names the field path for bad or unknown types
  // ("schema field 'a.b': unsupported type 'interval'").
  static absl::StatusOr<DeltaSchema> Parse(std::string_view schema_string);
  // Back to the schemaString form ({"type":"struct","fields":[...]}).
  std::string ToJsonString() const;
  Json ToJson() const;

  // Top-level field by exact name, else by case-insensitive name; nullptr when absent.
  const StructField* Find(std::string_view name) const;
  bool operator==(const DeltaSchema& other) const { return fields == other.fields; }
};

// Schema evolution by appending columns: `wanted` must start with every column of `old`, in
// order, unchanged (same name, type and nullability), followed by new nullable columns whose
// names are new (case-insensitively). Returns the evolved schema (old columns as they were, then
// the new ones). InvalidArgument names the offending column for a drop, a move, a type or
// nullability change, or a new non-nullable column.
absl::StatusOr<DeltaSchema> AddColumns(const DeltaSchema& old, const DeltaSchema& wanted);

}  // namespace plinth::delta
