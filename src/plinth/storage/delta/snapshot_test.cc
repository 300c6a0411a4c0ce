// Snapshots of the shared Delta golden tables (../shared/testdata/delta, MANIFEST.md section 2).
#include "plinth/storage/delta/snapshot.h"

#include "plinth/storage/delta/local_log_store.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/testing/test_util.h"
#include "plinth/testing/testdata.h"

namespace plinth::delta {
namespace {

using ::plinth::testing::StatusIs;

// Golden tables from archives live under <name>/delta, the others directly under <name>.
std::string TableRoot(const std::string& root, const std::string& name) {
  std::string nested = StrCat(root, "/delta/", name, "/delta");
  if (std::filesystem::is_directory(nested + "/_delta_log")) return nested;
  return StrCat(root, "/delta/", name);
}

struct Opened {
  std::unique_ptr<LocalLogStore> store;
  absl::StatusOr<std::unique_ptr<Snapshot>> snapshot;
};

Opened OpenTable(const std::string& root, const std::string& name, std::optional<int64_t> version = std::nullopt) {
  Opened o;
  o.store = *LocalLogStore::Create({.table_root = TableRoot(root, name)});
  Snapshot::Options opts{.log_store = o.store.get()};
  o.snapshot = version ? Snapshot::OpenAtVersion(opts, *version) : Snapshot::Open(opts);
  return o;
}

TEST(GoldenSnapshotTest, SnapshotData0) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened t = OpenTable(root, "snapshot-data0");
  PLINTH_ASSERT_OK(t.snapshot);
  const Snapshot& s = **t.snapshot;
  EXPECT_EQ(s.version(), 0);
  EXPECT_EQ(s.protocol().min_reader_version, 1);
  EXPECT_EQ(s.protocol().min_writer_version, 2);
  ASSERT_EQ(s.files().size(), 2u);
  EXPECT_FALSE(s.files()[0].stats.has_value());
  EXPECT_LT(s.files()[0].path, s.files()[1].path);  // stable order
  ASSERT_EQ(s.schema().fields.size(), 2u);
  EXPECT_EQ(s.schema().fields[0].name, "col1");
  EXPECT_EQ(s.schema().fields[0].type.primitive, "integer");
  EXPECT_EQ(s.schema().fields[1].type.primitive, "string");
  EXPECT_NE(s.FindFile(s.files()[1].path), nullptr);
  EXPECT_EQ(s.FindFile("nope.parquet"), nullptr);
  EXPECT_EQ(s.commit_timestamps().size(), 1u);
  EXPECT_FALSE(s.checkpoint_version().has_value());
}

TEST(GoldenSnapshotTest, AppendsOverwritesAndVacuum) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened d1 = OpenTable(root, "snapshot-data1");
  PLINTH_ASSERT_OK(d1.snapshot);
  EXPECT_EQ((*d1.snapshot)->version(), 1);
  EXPECT_EQ((*d1.snapshot)->files().size(), 4u);

  Opened vac = OpenTable(root, "snapshot-vacuumed");
  PLINTH_ASSERT_OK(vac.snapshot);
  EXPECT_EQ((*vac.snapshot)->version(), 5);
  EXPECT_EQ((*vac.snapshot)->files().size(), 2u);
  // Only files active at v5 are listed, and they are the ones shipped.
  for (const AddFile& f : (*vac.snapshot)->files()) {
    EXPECT_TRUE(std::filesystem::exists(StrCat(TableRoot(root, "snapshot-vacuumed"), "/", *f.DecodedPath()))) << f.path;
  }
}

TEST(GoldenSnapshotTest, SimpleTableIgnoresUncommittedTempFile) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened t = OpenTable(root, "simple_table");
  PLINTH_ASSERT_OK(t.snapshot);
  EXPECT_EQ((*t.snapshot)->version(), 4);
  EXPECT_EQ((*t.snapshot)->files().size(), 5u);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, t.store->List());
  EXPECT_EQ(files.back().version, 4);
  EXPECT_TRUE(StatusIs(Snapshot::OpenAtVersion({.log_store = t.store.get()}, 5), absl::StatusCode::kNotFound,
                       "version 5 of"));
}

TEST(GoldenSnapshotTest, NullPartitionValue) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened t = OpenTable(root, "basic_partitioned");
  PLINTH_ASSERT_OK(t.snapshot);
  const Snapshot& s = **t.snapshot;
  EXPECT_EQ(s.version(), 1);
  EXPECT_EQ(s.partition_columns(), std::vector<std::string>{"letter"});
  ASSERT_EQ(s.files().size(), 6u);
  int nulls = 0;
  int64_t records = 0;
  for (const AddFile& f : s.files()) {
    ASSERT_EQ(f.partition_values.count("letter"), 1u);
    if (!f.partition_values.at("letter")) {
      ++nulls;
      EXPECT_NE(f.path.find("__HIVE_DEFAULT_PARTITION__"), std::string::npos);
    }
    PLINTH_ASSERT_OK_AND_ASSIGN(FileStats st, FileStats::Parse(*f.stats));
    records += st.num_records.value_or(0);
  }
  EXPECT_EQ(nulls, 1);
  EXPECT_EQ(records, 6);
}

TEST(GoldenSnapshotTest, LatestMetadataAndProtocolWin) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened t = OpenTable(root, "log-replay-latest-metadata-protocol");
  PLINTH_ASSERT_OK(t.snapshot);
  const Snapshot& s = **t.snapshot;
  EXPECT_EQ(s.version(), 2);
  EXPECT_EQ(s.files().size(), 4u);
  EXPECT_EQ(s.protocol().min_reader_version, 3);
  EXPECT_EQ(s.protocol().min_writer_version, 7);
  EXPECT_TRUE(s.protocol().HasWriterFeature("appendOnly"));
  EXPECT_TRUE(s.protocol().HasWriterFeature("invariants"));
  ASSERT_EQ(s.schema().fields.size(), 2u);
  EXPECT_EQ(s.schema().fields[1].name, "col2");
  EXPECT_EQ(s.schema().fields[1].type.primitive, "long");
}

TEST(GoldenSnapshotTest, TimeTravelAcrossSchemaChange) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened v0 = OpenTable(root, "time-travel-schema-changes-b", 0);
  Opened v1 = OpenTable(root, "time-travel-schema-changes-b", 1);
  PLINTH_ASSERT_OK(v0.snapshot);
  PLINTH_ASSERT_OK(v1.snapshot);
  EXPECT_EQ((*v0.snapshot)->schema().fields.size(), 1u);
  EXPECT_EQ((*v0.snapshot)->files().size(), 2u);
  ASSERT_EQ((*v1.snapshot)->schema().fields.size(), 2u);
  EXPECT_EQ((*v1.snapshot)->schema().fields[1].name, "part");
  EXPECT_EQ((*v1.snapshot)->files().size(), 4u);
  PLINTH_EXPECT_OK(AddColumns((*v0.snapshot)->schema(), (*v1.snapshot)->schema()));
}

TEST(GoldenSnapshotTest, NegativeTablesFailWithSpecificErrors) {
  PLINTH_REQUIRE_TESTDATA(root);
  EXPECT_TRUE(StatusIs(OpenTable(root, "versions-not-contiguous").snapshot, absl::StatusCode::kDataLoss,
                       "missing commit 1 between 0 and 2"));
  EXPECT_TRUE(StatusIs(OpenTable(root, "deltalog-state-reconstruction-without-metadata").snapshot,
                       absl::StatusCode::kDataLoss, "has no metaData action"));
  EXPECT_TRUE(StatusIs(OpenTable(root, "deltalog-invalid-protocol-version").snapshot,
                       absl::StatusCode::kFailedPrecondition, "requires Delta reader version 99"));
}

TEST(GoldenSnapshotTest, RefusesFeaturesItCannotRead) {
  PLINTH_REQUIRE_TESTDATA(root);
  for (const char* name : {"table-with-dv-small", "with-short-dv", "crc-full"}) {
    EXPECT_TRUE(StatusIs(OpenTable(root, name).snapshot, absl::StatusCode::kFailedPrecondition,
                         "table uses reader feature 'deletionVectors', which Plinth cannot read"))
        << name;
  }
  EXPECT_TRUE(StatusIs(OpenTable(root, "table-with-columnmapping-mode-name").snapshot,
                       absl::StatusCode::kFailedPrecondition,
                       "table uses reader feature 'columnMapping' (delta.columnMapping.mode=name), which Plinth cannot read"));
  EXPECT_TRUE(StatusIs(OpenTable(root, "table-with-columnmapping-mode-id").snapshot,
                       absl::StatusCode::kFailedPrecondition, "'columnMapping' (delta.columnMapping.mode=id)"));
  // Without DVs the companion table opens. At v0 the DV table has no DV either, but its protocol
  // still names the feature: refused rather than risking wrong rows.
  PLINTH_EXPECT_OK(OpenTable(root, "table-without-dv-small").snapshot);
  EXPECT_TRUE(StatusIs(OpenTable(root, "table-with-dv-small", 0).snapshot, absl::StatusCode::kFailedPrecondition));
}

TEST(GoldenSnapshotTest, StatsOfAllTypes) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened t = OpenTable(root, "data-skipping-basic-stats-all-types");
  PLINTH_ASSERT_OK(t.snapshot);
  ASSERT_EQ((*t.snapshot)->files().size(), 1u);
  PLINTH_ASSERT_OK_AND_ASSIGN(FileStats st, FileStats::Parse(*(*t.snapshot)->files()[0].stats));
  EXPECT_EQ(st.num_records, 1);
  for (const char* col : {"as_int", "as_long", "as_byte", "as_short", "as_big_decimal"}) {
    ASSERT_NE(st.Min(col), nullptr) << col;
    EXPECT_EQ(*st.Min(col), 0) << col;
    EXPECT_EQ(*st.Max(col), 0) << col;
    EXPECT_EQ(st.NullCount(col), 0) << col;
  }
  EXPECT_EQ(*st.Min("as_float"), 0.0);
  EXPECT_EQ(*st.Max("as_double"), 0.0);
  EXPECT_EQ(*st.Min("as_string"), "0");
  EXPECT_EQ(*st.Max("as_date"), "2000-01-01");
  EXPECT_EQ(*st.Min("as_timestamp"), "2000-01-01T00:00:00.000-08:00");
  EXPECT_EQ((*t.snapshot)->schema().Find("as_big_decimal")->type.ToString(), "decimal(1,0)");
}

TEST(GoldenSnapshotTest, ChecksumFileIsListed) {
  PLINTH_REQUIRE_TESTDATA(root);
  auto store = *LocalLogStore::Create({.table_root = TableRoot(root, "crc-full")});
  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, store->List());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].kind, LogFileKind::kCommit);
  EXPECT_EQ(files[1].kind, LogFileKind::kChecksum);
  EXPECT_EQ(files[1].name, "00000000000000000000.crc");
  PLINTH_ASSERT_OK_AND_ASSIGN(std::string crc, store->ReadFile(files[1].name));
  PLINTH_ASSERT_OK_AND_ASSIGN(Json j, ParseJson(crc));
  EXPECT_EQ(j["tableSizeBytes"], 5259);
  // Its commit carries an in-commit timestamp.
  PLINTH_ASSERT_OK_AND_ASSIGN(auto actions, ParseCommit(*store->Read(0), "crc-full"));
  EXPECT_EQ(std::get<CommitInfo>(actions[0]).in_commit_timestamp(), 1694758257000);
}

TEST(GoldenSnapshotTest, NestedSchemasAndEncodedPartitionPaths) {
  PLINTH_REQUIRE_TESTDATA(root);
  Opened pv = OpenTable(root, "data-reader-partition-values");
  PLINTH_ASSERT_OK(pv.snapshot);
  EXPECT_EQ((*pv.snapshot)->files().size(), 3u);
  EXPECT_EQ((*pv.snapshot)->partition_columns().size(), 12u);
  EXPECT_EQ((*pv.snapshot)->schema().Find("as_list_of_records")->type.kind, DataType::Kind::kArray);
  EXPECT_EQ((*pv.snapshot)->schema().Find("as_nested_struct")->type.kind, DataType::Kind::kStruct);

  Opened ts = OpenTable(root, "kernel-timestamp-int96");
  PLINTH_ASSERT_OK(ts.snapshot);
  EXPECT_EQ((*ts.snapshot)->files().size(), 5u);
  for (const AddFile& f : (*ts.snapshot)->files()) {
    PLINTH_ASSERT_OK_AND_ASSIGN(std::string decoded, f.DecodedPath());
    EXPECT_TRUE(std::filesystem::exists(StrCat(TableRoot(root, "kernel-timestamp-int96"), "/", decoded))) << decoded;
  }

  // Column-mapping tables are refused for reading, but their nested schema still parses.
  auto cm = *LocalLogStore::Create({.table_root = TableRoot(root, "table-with-columnmapping-mode-name")});
  PLINTH_ASSERT_OK_AND_ASSIGN(auto actions, ParseCommit(*cm->Read(0), "cm"));
  for (const Action& a : actions) {
    if (const auto* m = std::get_if<Metadata>(&a)) {
      PLINTH_ASSERT_OK_AND_ASSIGN(DeltaSchema s, DeltaSchema::Parse(m->schema_string));
      EXPECT_EQ(s.Find("map_of_rows")->type.kind, DataType::Kind::kMap);
      EXPECT_EQ(s.Find("array_of_arrays")->type.ToString(), "array<array<integer>>");
      EXPECT_TRUE(s.Find("ByteType")->metadata.contains("delta.columnMapping.physicalName"));
    }
  }
}

}  // namespace
}  // namespace plinth::delta
