// Nested Parquet: NestedParquetWriter -> NestedRowGroupReader round trips (structs, 3-level
// lists, maps, legacy 2-level lists, MAP_KEY_VALUE, unannotated repeated fields), page breaks at
// record boundaries, malformed levels, and DuckDB reading what the writer wrote.
#include <optional>

#include "plinth/storage/parquet/file_reader.h"
#include "plinth/storage/parquet/nested_reader.h"
#include "plinth/storage/parquet/nested_writer.h"
#include "plinth/testing/duckdb.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;
using StrList = std::optional<std::vector<std::optional<std::string>>>;
using KV = std::pair<std::string, std::optional<std::string>>;
using StrMap = std::optional<std::vector<KV>>;

SchemaElement G(std::string name, int children, std::optional<Repetition> r = Repetition::kOptional,
                std::optional<ConvertedType> ct = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.num_children = children;
  e.repetition_type = r;
  e.converted_type = ct;
  return e;
}

SchemaElement P(std::string name, PhysicalType t, Repetition r = Repetition::kOptional,
                bool utf8 = false) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = t;
  e.repetition_type = r;
  if (utf8) e.converted_type = ConvertedType::kUtf8;
  return e;
}

SchemaElement S(std::string name, Repetition r = Repetition::kOptional) {
  return P(std::move(name), PhysicalType::kByteArray, r, true);
}

// root { required int64 id; optional group s { optional string a; optional MAP m; optional LIST l }
// }
std::vector<SchemaElement> TestSchema() {
  return {G("schema", 2, std::nullopt),
          P("id", PhysicalType::kInt64, Repetition::kRequired),
          G("s", 3),
          S("a"),
          G("m", 1, Repetition::kOptional, ConvertedType::kMap),
          G("key_value", 2, Repetition::kRepeated),
          S("key", Repetition::kRequired),
          S("value"),
          G("l", 1, Repetition::kOptional, ConvertedType::kList),
          G("list", 1, Repetition::kRepeated),
          S("element")};
}

struct Row {
  int64_t id;
  bool s_present;
  std::optional<std::string> a;
  StrMap m;
  StrList l;
};

std::vector<Row> TestRows() {
  return {
      {0, false, std::nullopt, std::nullopt, std::nullopt},
      {1, true, "x", StrMap(StrMap::value_type{}), StrList(StrList::value_type{})},
      {2, true, std::nullopt, StrMap({KV{"k1", "v1"}, KV{"k2", std::nullopt}, KV{"k3", "v3"}}),
       StrList({"p", std::nullopt, "q"})},
      {3, true, "yy", std::nullopt, StrList({"only"})},
      {4, true, "", StrMap({KV{"", ""}}), std::nullopt},
  };
}

// Shreds TestRows() by hand (levels: s=1, a=2, m=2, key_value=3, value=4, l=2, list=3, element=4).
absl::Status WriteRows(NestedParquetWriter& w, const std::vector<Row>& rows) {
  const auto& leaves = w.schema().leaves();
  std::vector<LeafLevels> L;
  for (const auto& leaf : leaves) L.emplace_back(leaf);
  for (const Row& r : rows) {
    L[0].Value<int64_t>(r.id);
    if (!r.s_present) {
      for (int i = 1; i < 5; ++i) L[i].Null(0);
      continue;
    }
    if (r.a)
      L[1].Bytes(*r.a);
    else
      L[1].Null(1);
    if (!r.m) {
      L[2].Null(1), L[3].Null(1);
    } else if (r.m->empty()) {
      L[2].Null(2), L[3].Null(2);
    } else {
      int16_t rep = 0;
      for (const auto& [k, v] : *r.m) {
        L[2].Bytes(k, rep);
        if (v)
          L[3].Bytes(*v, rep);
        else
          L[3].Null(3, rep);
        rep = 1;
      }
    }
    if (!r.l) {
      L[4].Null(1);
    } else if (r.l->empty()) {
      L[4].Null(2);
    } else {
      int16_t rep = 0;
      for (const auto& e : *r.l) {
        if (e)
          L[4].Bytes(*e, rep);
        else
          L[4].Null(3, rep);
        rep = 1;
      }
    }
  }
  for (size_t i = 0; i < L.size(); ++i)
    PLINTH_RETURN_IF_ERROR(w.WriteLeafLevels(static_cast<int>(i), L[i].def, L[i].rep, L[i].values));
  return w.FlushRowGroup(static_cast<int64_t>(rows.size()));
}

void ExpectRows(const ParquetReader& reader, const std::vector<Row>& rows) {
  ASSERT_EQ(reader.num_rows(), static_cast<int64_t>(rows.size()));
  int64_t base = 0;
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    PLINTH_ASSERT_OK_AND_ASSIGN(auto rg, NestedRowGroupReader::Open(reader, g));
    int id = rg->Find({"id"}), s = rg->Find({"s"}), a = rg->Find({"s", "a"}),
        m = rg->Find({"s", "m"}), l = rg->Find({"s", "l"});
    ASSERT_GE(l, 0);
    for (int64_t i = 0; i < rg->num_rows(); ++i) {
      const Row& want = rows[base + i];
      SCOPED_TRACE(StrCat("row ", want.id));
      EXPECT_EQ(*rg->GetInt(id, i), want.id);
      EXPECT_EQ(*rg->IsDefined(s, i), want.s_present);
      auto got_a = *rg->GetBytes(a, i);
      EXPECT_EQ(got_a ? std::optional<std::string>(std::string(*got_a)) : std::nullopt, want.a);
      PLINTH_ASSERT_OK_AND_ASSIGN(StrMap got_m, rg->GetStringMap(m, i));
      EXPECT_EQ(got_m, want.m);
      PLINTH_ASSERT_OK_AND_ASSIGN(StrList got_l, rg->GetStringList(l, i));
      EXPECT_EQ(got_l, want.l);
    }
    base += rg->num_rows();
  }
}

TEST(NestedParquetTest, StructsMapsAndListsRoundTrip) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
    std::string bytes;
    WriterOptions opts;
    opts.codec = codec;
    PLINTH_ASSERT_OK_AND_ASSIGN(
        auto w, NestedParquetWriter::Create(NewMemoryOutputFile(&bytes), TestSchema(), opts));
    std::vector<Row> rows = TestRows();
    PLINTH_ASSERT_OK(WriteRows(*w, rows));
    PLINTH_ASSERT_OK(WriteRows(*w, rows));  // a second row group
    PLINTH_ASSERT_OK(w->Close());
    PLINTH_ASSERT_OK_AND_ASSIGN(auto reader, ParquetReader::Open(NewMemoryInputFile(bytes)));
    EXPECT_EQ(reader->num_row_groups(), 2);
    std::vector<Row> both = rows;
    both.insert(both.end(), rows.begin(), rows.end());
    ExpectRows(*reader, both);
    // The flat path still reads the top-level primitive column of a nested file.
    EXPECT_EQ(reader->schema().FlatColumns().size(), 1u);
  }
}

TEST(NestedParquetTest, PagesBreakOnlyAtRecordBoundaries) {
  std::string bytes;
  WriterOptions opts;
  opts.page_bytes = 1;  // every record wants its own page
  PLINTH_ASSERT_OK_AND_ASSIGN(
      auto w, NestedParquetWriter::Create(NewMemoryOutputFile(&bytes), TestSchema(), opts));
  std::vector<Row> rows = TestRows();
  PLINTH_ASSERT_OK(WriteRows(*w, rows));
  PLINTH_ASSERT_OK(w->Close());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto reader, ParquetReader::Open(NewMemoryInputFile(bytes)));
  // The map key column: one page per record, so no record (row 2 has 3 entries) is split.
  const ColumnMetaData& m = *reader->metadata().row_groups[0].columns[2].meta_data;
  EXPECT_EQ(m.num_values, 7);
  size_t pos = static_cast<size_t>(m.data_page_offset);
  int pages = 0;
  std::vector<int32_t> values_per_page;
  while (pos < static_cast<size_t>(m.data_page_offset + m.total_compressed_size)) {
    size_t header = 0;
    PLINTH_ASSERT_OK_AND_ASSIGN(
        PageHeader h, DecodePageHeader(reinterpret_cast<const uint8_t*>(bytes.data()) + pos,
                                       bytes.size() - pos, &header));
    values_per_page.push_back(h.data_page_header->num_values);
    pos += header + h.compressed_page_size;
    ++pages;
  }
  EXPECT_EQ(values_per_page, (std::vector<int32_t>{1, 1, 3, 1, 1}));
  ExpectRows(*reader, rows);
}

TEST(NestedParquetTest, LegacyLayouts) {
  // optional group tags (LIST) { repeated binary str (UTF8) }            2-level list
  // optional group kv (MAP_KEY_VALUE) { repeated group map { key; value } }
  // repeated binary names (UTF8)                                         unannotated
  std::vector<SchemaElement> schema = {
      G("schema", 3, std::nullopt),
      G("tags", 1, Repetition::kOptional, ConvertedType::kList),
      S("str", Repetition::kRepeated),
      G("kv", 1, Repetition::kOptional, ConvertedType::kMapKeyValue),
      G("map", 2, Repetition::kRepeated),
      S("key", Repetition::kRequired),
      S("value"),
      S("names", Repetition::kRepeated)};
  std::string bytes;
  PLINTH_ASSERT_OK_AND_ASSIGN(auto w,
                              NestedParquetWriter::Create(NewMemoryOutputFile(&bytes), schema));
  const auto& leaves = w->schema().leaves();
  LeafLevels tags(leaves[0]), key(leaves[1]), value(leaves[2]), names(leaves[3]);
  // row 0: tags null, kv empty, names []
  tags.Null(0), key.Null(1), value.Null(1), names.Null(0);
  // row 1: tags [], kv null, names [n1, n2]
  tags.Null(1), key.Null(0), value.Null(0), names.Bytes("n1"), names.Bytes("n2", 1);
  // row 2: tags [a, b], kv {k: v}, names [n3]
  tags.Bytes("a"), tags.Bytes("b", 1), key.Bytes("k"), value.Bytes("v"), names.Bytes("n3");
  PLINTH_ASSERT_OK(w->WriteLeafLevels(0, tags.def, tags.rep, tags.values));
  PLINTH_ASSERT_OK(w->WriteLeafLevels(1, key.def, key.rep, key.values));
  PLINTH_ASSERT_OK(w->WriteLeafLevels(2, value.def, value.rep, value.values));
  PLINTH_ASSERT_OK(w->WriteLeafLevels(3, names.def, names.rep, names.values));
  PLINTH_ASSERT_OK(w->FlushRowGroup(3));
  PLINTH_ASSERT_OK(w->Close());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto reader, ParquetReader::Open(NewMemoryInputFile(bytes)));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto rg, NestedRowGroupReader::Open(*reader, 0));
  int t = rg->Find({"tags"}), kv = rg->Find({"kv"}), n = rg->Find({"names"});
  EXPECT_EQ(*rg->GetStringList(t, 0), std::nullopt);
  EXPECT_EQ(*rg->GetStringList(t, 1), StrList(StrList::value_type{}));
  EXPECT_EQ(*rg->GetStringList(t, 2), StrList({"a", "b"}));
  EXPECT_EQ(*rg->GetStringMap(kv, 0), StrMap(StrMap::value_type{}));
  EXPECT_EQ(*rg->GetStringMap(kv, 1), std::nullopt);
  EXPECT_EQ(*rg->GetStringMap(kv, 2), StrMap({KV{"k", "v"}}));
  EXPECT_EQ(*rg->GetStringList(n, 0), StrList(StrList::value_type{}));
  EXPECT_EQ(*rg->GetStringList(n, 1), StrList({"n1", "n2"}));
  EXPECT_EQ(*rg->GetStringList(n, 2), StrList({"n3"}));
  // Wrong accessors are errors, not crashes.
  EXPECT_TRUE(StatusIs(rg->GetStringMap(t, 0), absl::StatusCode::kInvalidArgument, "is not a map"));
  EXPECT_TRUE(StatusIs(rg->GetBytes(t, 0), absl::StatusCode::kInvalidArgument, "is a group"));
  EXPECT_TRUE(StatusIs(rg->GetBytes(n, 0), absl::StatusCode::kUnimplemented, "repeated"));
  EXPECT_TRUE(StatusIs(rg->GetStringList(t, 3), absl::StatusCode::kOutOfRange));
}

TEST(NestedParquetTest, WriterRejectsBadLevels) {
  std::string bytes;
  PLINTH_ASSERT_OK_AND_ASSIGN(
      auto w, NestedParquetWriter::Create(NewMemoryOutputFile(&bytes), TestSchema()));
  const LeafColumn& key = w->schema().leaves()[2];
  LeafLevels k(key);
  k.Bytes("x", 1);
  EXPECT_TRUE(StatusIs(w->WriteLeafLevels(2, k.def, k.rep, k.values),
                       absl::StatusCode::kInvalidArgument, "first repetition level"));
  LeafLevels k2(key);
  k2.Null(7);
  EXPECT_TRUE(StatusIs(w->WriteLeafLevels(2, k2.def, k2.rep, k2.values),
                       absl::StatusCode::kInvalidArgument, "definition level 7"));
  LeafLevels k3(key);
  k3.Bytes("x");
  k3.def[0] = 2;  // a value without the level that carries it
  EXPECT_TRUE(StatusIs(w->WriteLeafLevels(2, k3.def, k3.rep, k3.values),
                       absl::StatusCode::kInvalidArgument, "1 values for 0"));
  columnar::Column ints(columnar::DataType{columnar::TypeId::kInt64});
  EXPECT_TRUE(StatusIs(w->WriteLeafLevels(2, {0}, {0}, ints), absl::StatusCode::kInvalidArgument,
                       "values of type int64"));
  // Leaves with different record counts cannot form a row group.
  LeafLevels id(w->schema().leaves()[0]);
  id.Value<int64_t>(1);
  PLINTH_ASSERT_OK(w->WriteLeafLevels(0, id.def, id.rep, id.values));
  EXPECT_TRUE(
      StatusIs(w->FlushRowGroup(1), absl::StatusCode::kInvalidArgument, "'s.a' holds 0 records"));
  EXPECT_TRUE(StatusIs(w->Close(), absl::StatusCode::kFailedPrecondition, "not flushed"));
}

TEST(NestedParquetTest, InconsistentMapLevelsAreDataLoss) {
  std::string bytes;
  PLINTH_ASSERT_OK_AND_ASSIGN(
      auto w, NestedParquetWriter::Create(NewMemoryOutputFile(&bytes), TestSchema()));
  const auto& leaves = w->schema().leaves();
  LeafLevels id(leaves[0]), a(leaves[1]), key(leaves[2]), value(leaves[3]), l(leaves[4]);
  id.Value<int64_t>(1), a.Null(1), l.Null(1);
  key.Bytes("k1"), key.Bytes("k2", 1);  // two keys ...
  value.Bytes("v1");                    // ... one value
  LeafLevels* all[] = {&id, &a, &key, &value, &l};
  for (int i = 0; i < 5; ++i)
    PLINTH_ASSERT_OK(w->WriteLeafLevels(i, all[i]->def, all[i]->rep, all[i]->values));
  PLINTH_ASSERT_OK(w->FlushRowGroup(1));
  PLINTH_ASSERT_OK(w->Close());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto reader, ParquetReader::Open(NewMemoryInputFile(bytes)));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto rg, NestedRowGroupReader::Open(*reader, 0));
  EXPECT_TRUE(StatusIs(rg->GetStringMap(rg->Find({"s", "m"}), 0), absl::StatusCode::kDataLoss,
                       "2 keys but 1 values"));
}

TEST(NestedParquetTest, DuckDbReadsNestedFiles) {
  PLINTH_REQUIRE_DUCKDB(duckdb);
  TempDir dir;
  std::string path = dir.Sub("nested.parquet");
  {
    PLINTH_ASSERT_OK_AND_ASSIGN(auto out, OpenLocalOutputFile(path));
    PLINTH_ASSERT_OK_AND_ASSIGN(auto w, NestedParquetWriter::Create(std::move(out), TestSchema()));
    PLINTH_ASSERT_OK(WriteRows(*w, TestRows()));
    PLINTH_ASSERT_OK(w->Close());
  }
  PLINTH_ASSERT_OK_AND_ASSIGN(
      std::string got,
      testing::RunDuckDb(duckdb, StrCat("select * from read_parquet('", path, "') order by id")));
  EXPECT_EQ(got,
            "{\"id\":0,\"s\":null}\n"
            "{\"id\":1,\"s\":{\"a\":\"x\",\"m\":{},\"l\":[]}}\n"
            "{\"id\":2,\"s\":{\"a\":null,\"m\":{\"k1\":\"v1\",\"k2\":null,\"k3\":\"v3\"},\"l\":["
            "\"p\",null,\"q\"]}}\n"
            "{\"id\":3,\"s\":{\"a\":\"yy\",\"m\":null,\"l\":[\"only\"]}}\n"
            "{\"id\":4,\"s\":{\"a\":\"\",\"m\":{\"\":\"\"},\"l\":null}}\n");
}

}  // namespace
}  // namespace plinth::parquet
