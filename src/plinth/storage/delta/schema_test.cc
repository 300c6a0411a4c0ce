#include "plinth/storage/delta/schema.h"

#include "plinth/testing/test_util.h"

namespace plinth::delta {
namespace {

using ::plinth::testing::StatusIs;

std::string Field(std::string_view name, std::string_view type_json, bool nullable = true) {
  return StrCat(R"({"name":")", name, R"(","type":)", type_json, R"(,"nullable":)", nullable, R"(,"metadata":{}})");
}

std::string Struct(std::vector<std::string> fields) {
  return StrCat(R"({"type":"struct","fields":[)", StrJoin(fields, ","), "]}");
}

TEST(SchemaTest, ParsesPrimitivesDecimalsAndNestedTypes) {
  std::vector<std::string> fields;
  for (const char* t : {"string", "long", "integer", "short", "byte", "float", "double", "boolean", "binary", "date",
                        "timestamp", "timestamp_ntz"}) {
    fields.push_back(Field(StrCat("c_", t), StrCat("\"", t, "\"")));
  }
  fields.push_back(Field("dec", R"x("decimal(10, 2)")x", false));
  fields.push_back(Field("arr", R"({"type":"array","elementType":"string","containsNull":false})"));
  fields.push_back(Field("m", R"({"type":"map","keyType":"string","valueType":{"type":"array","elementType":"long","containsNull":true},"valueContainsNull":true})"));
  fields.push_back(Field("s", Struct({Field("x", R"("integer")"), Field("y", Struct({Field("z", R"("date")")}))})));
  PLINTH_ASSERT_OK_AND_ASSIGN(DeltaSchema s, DeltaSchema::Parse(Struct(fields)));
  ASSERT_EQ(s.fields.size(), 16u);
  EXPECT_EQ(s.fields[11].type.primitive, "timestamp_ntz");
  const StructField* dec = s.Find("DEC");  // case-insensitive fallback
  ASSERT_NE(dec, nullptr);
  EXPECT_EQ(dec->type.kind, DataType::Kind::kDecimal);
  EXPECT_EQ(dec->type.precision, 10);
  EXPECT_EQ(dec->type.scale, 2);
  EXPECT_FALSE(dec->nullable);
  EXPECT_EQ(s.Find("arr")->type.ToString(), "array<string>");
  EXPECT_FALSE(s.Find("arr")->type.contains_null);
  EXPECT_EQ(s.Find("m")->type.ToString(), "map<string,array<long>>");
  EXPECT_EQ(s.Find("s")->type.ToString(), "struct<x:integer,y:struct<z:date>>");

  // Round trip through the schemaString form.
  PLINTH_ASSERT_OK_AND_ASSIGN(DeltaSchema again, DeltaSchema::Parse(s.ToJsonString()));
  EXPECT_TRUE(again == s);
  EXPECT_NE(s.ToJsonString().find(R"x("decimal(10,2)")x"), std::string::npos);
}

TEST(SchemaTest, KeepsFieldMetadata) {
  PLINTH_ASSERT_OK_AND_ASSIGN(
      DeltaSchema s, DeltaSchema::Parse(R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":1,"comment":"hi"}}]})"));
  EXPECT_EQ(s.fields[0].metadata["delta.columnMapping.id"], 1);
  EXPECT_NE(s.ToJsonString().find("comment"), std::string::npos);
}

TEST(SchemaTest, RejectsBadSchemasNamingTheField) {
  EXPECT_TRUE(StatusIs(DeltaSchema::Parse(Struct({Field("a", Struct({Field("b", R"("interval")")}))})),
                       absl::StatusCode::kInvalidArgument, "schema field 'a.b': unsupported type 'interval'"));
  EXPECT_TRUE(StatusIs(DeltaSchema::Parse(Struct({Field("d", R"x("decimal(40,2)")x")})),
                       absl::StatusCode::kInvalidArgument, "invalid decimal type"));
  EXPECT_TRUE(StatusIs(DeltaSchema::Parse(R"({"type":"array"})"), absl::StatusCode::kInvalidArgument, "not a struct"));
  EXPECT_TRUE(StatusIs(DeltaSchema::Parse("nope"), absl::StatusCode::kInvalidArgument, "not valid JSON"));
  EXPECT_TRUE(StatusIs(DeltaSchema::Parse(Struct({Field("a", R"({"type":"map","keyType":"string"})")})),
                       absl::StatusCode::kInvalidArgument, "schema field 'a': map needs"));
}

TEST(SchemaTest, AddColumnsAcceptsOnlyAppendedNullableColumns) {
  auto parse = [](std::vector<std::string> f) { return *DeltaSchema::Parse(Struct(std::move(f))); };
  DeltaSchema old = parse({Field("id", R"("long")", false), Field("name", R"("string")")});

  PLINTH_ASSERT_OK_AND_ASSIGN(
      DeltaSchema evolved,
      AddColumns(old, parse({Field("id", R"("long")", false), Field("name", R"("string")"), Field("age", R"("integer")")})));
  ASSERT_EQ(evolved.fields.size(), 3u);
  EXPECT_EQ(evolved.fields[2].name, "age");
  PLINTH_EXPECT_OK(AddColumns(old, old));

  EXPECT_TRUE(StatusIs(AddColumns(old, parse({Field("id", R"("long")", false)})), absl::StatusCode::kInvalidArgument,
                       "column 'name' would be dropped"));
  EXPECT_TRUE(StatusIs(AddColumns(old, parse({Field("id", R"("string")", false), Field("name", R"("string")")})),
                       absl::StatusCode::kInvalidArgument, "column 'id' would change type from long to string"));
  EXPECT_TRUE(StatusIs(AddColumns(old, parse({Field("id", R"("long")", false), Field("name", R"("string")"),
                                              Field("age", R"("integer")", false)})),
                       absl::StatusCode::kInvalidArgument, "new column 'age' must be nullable"));
  EXPECT_TRUE(StatusIs(AddColumns(old, parse({Field("name", R"("string")"), Field("id", R"("long")", false)})),
                       absl::StatusCode::kInvalidArgument, "column 'id' would be moved"));
  EXPECT_TRUE(StatusIs(AddColumns(old, parse({Field("id", R"("long")", true), Field("name", R"("string")")})),
                       absl::StatusCode::kInvalidArgument, "column 'id' would change nullability"));
  EXPECT_TRUE(StatusIs(AddColumns(old, parse({Field("id", R"("long")", false), Field("name", R"("string")"),
                                              Field("NAME", R"("string")")})),
                       absl::StatusCode::kInvalidArgument, "column 'NAME' already exists"));
}

TEST(SchemaTest, RefusesDeeplyNestedSchemasWithoutOverflowingTheStack) {
  // Found by delta_log_fuzz: array<array<...>> 20000 levels deep overflowed the recursive parser.
  std::string deep = R"({"type":"struct","fields":[{"name":"a","type":)";
  for (int i = 0; i < 20000; ++i) deep += R"({"type":"array","elementType":)";
  deep += R"("long")";
  for (int i = 0; i < 20000; ++i) deep += R"(,"containsNull":true})";
  deep += "}]}";
  auto schema = DeltaSchema::Parse(deep);
  EXPECT_EQ(schema.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(schema.status().message()), ::testing::HasSubstr("nested deeper"));
}

}  // namespace
}  // namespace plinth::delta
