// Writing checkpoints: write-then-read round trips on temp tables (checkpoint + later commits
// replay like the JSON log alone), tombstone retention, _last_checkpoint, multi-part
// checkpoints through the real CheckpointIO, DuckDB reading a written checkpoint.
#include "plinth/storage/delta/checkpoint_writer.h"

#include <filesystem>

#include "plinth/storage/delta/delta_test_util.h"
#include "plinth/storage/delta/local_log_store.h"
#include "plinth/storage/delta/log_files.h"
#include "plinth/storage/delta/parquet_checkpoint_io.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/testing/duckdb.h"
#include "plinth/testing/test_util.h"

namespace plinth::delta {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;

constexpr int64_t kNowMillis = 1'700'000'000'000;
constexpr int64_t kDay = 24 * 3600 * 1000;

RemoveFile Remove(std::string path, int64_t when) {
  RemoveFile r;
  r.path = std::move(path);
  r.deletion_timestamp = when;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = PartitionValues{{"part", "a"}};
  r.size = 100;
  return r;
}

// A partitioned table exercising every checkpoint column: null partition values, stats, tags,
// empty and non-empty maps and lists, txns, domain metadata, old and recent removes.
class Table {
 public:
  Table() {
    store_ = *LocalLogStore::Create({.table_root = dir_.path().string(), .fsync = false});
    Protocol p;
    p.min_reader_version = 3;
    p.min_writer_version = 7;
    p.reader_features = std::vector<std::string>{};
    p.writer_features = std::vector<std::string>{"appendOnly", "domainMetadata"};
    Metadata m = testing::TestMetadata({"part"});
    m.name = "events";
    m.format.options = {{"compression", "snappy"}};
    m.configuration = {{"delta.appendOnly", "false"},
                       {"delta.deletedFileRetentionDuration", "interval 2 days"}};
    AddFile a = testing::TestAdd("part=a/f0.parquet", {{"part", "a"}});
    a.stats = R"({"numRecords":3})";
    AddFile b = testing::TestAdd("part=__HIVE_DEFAULT_PARTITION__/f1%20x.parquet",
                                 {{"part", std::nullopt}});
    b.tags = std::map<std::string, std::string>{{"INSERTION_TIME", "1"}};
    b.stats = R"({"numRecords":5,"minValues":{"id":1}})";
    AddFile c = testing::TestAdd("part=a/f2.parquet", {{"part", "a"}});
    Commit({p, m, a, b, c, SetTransaction{"app1", 1, kNowMillis}});
    Commit({Remove("part=a/f0.parquet", kNowMillis - 5 * kDay),
            testing::TestAdd("part=b/f3.parquet", {{"part", "b"}}),
            DomainMetadata{"plinth.test", R"({"k":1})", false}});
    Commit({Remove("part=a/f2.parquet", kNowMillis - kDay), SetTransaction{"app2", 7, std::nullopt},
            DomainMetadata{"gone", "{}", false}});
    Commit({DomainMetadata{"gone", "{}", true}});
  }
  void Commit(std::vector<Action> actions) {
    ASSERT_TRUE(store_->PutIfAbsent(next_++, SerializeCommit(actions)).ok());
  }
  LocalLogStore& store() { return *store_; }
  std::string root() const { return dir_.path().string(); }
  std::string log(std::string_view name) const { return dir_.Sub(StrCat("_delta_log/", name)); }

  // The snapshot replayed from the JSON commits only, in a copy without checkpoints.
  std::unique_ptr<Snapshot> JsonOnly() {
    std::string copy = StrCat(root(), "-json");
    std::filesystem::create_directories(copy + "/_delta_log");
    for (int64_t v = 0; v < next_; ++v) {
      std::filesystem::copy_file(log(CommitFileName(v)),
                                 StrCat(copy, "/_delta_log/", CommitFileName(v)),
                                 std::filesystem::copy_options::overwrite_existing);
    }
    auto store = *LocalLogStore::Create({.table_root = copy, .fsync = false});
    auto s = *Snapshot::Open({.log_store = store.get()});
    std::filesystem::remove_all(copy);
    return s;
  }

 private:
  TempDir dir_;
  std::unique_ptr<LocalLogStore> store_;
  int64_t next_ = 0;
};

// What replay must agree on; checkpoint adds and removes carry dataChange = false.
Json State(const Snapshot& s) {
  Json files = Json::array(), tombstones = Json::array(), txns = Json::object(),
       domains = Json::object();
  for (AddFile f : s.files()) {
    f.data_change = false;
    files.push_back(ActionToJson(f));
  }
  for (RemoveFile r : s.tombstones()) {
    r.data_change = false;
    tombstones.push_back(ActionToJson(r));
  }
  for (const auto& [app, v] : s.app_transactions()) txns[app] = v;
  for (const auto& [d, dm] : s.domain_metadata()) domains[d] = ActionToJson(dm);
  return {{"version", s.version()},
          {"protocol", ActionToJson(s.protocol())},
          {"metaData", ActionToJson(s.metadata())},
          {"files", files},
          {"txns", txns},
          {"domains", domains},
          {"tombstones", tombstones}};
}

TEST(SnapshotTombstonesTest, RemovesNotReAddedAreTombstones) {
  Table t;
  t.Commit({testing::TestAdd("part=a/f0.parquet", {{"part", "a"}})});  // f0 comes back
  auto s = *Snapshot::Open({.log_store = &t.store()});
  ASSERT_EQ(s->tombstones().size(), 1u);
  EXPECT_EQ(s->tombstones()[0].path, "part=a/f2.parquet");
  EXPECT_NE(s->FindFile("part=a/f0.parquet"), nullptr);
}

TEST(CheckpointWriterTest, CheckpointThenMoreCommitsReplaysLikeTheJsonLog) {
  Table t;
  ParquetCheckpointIO io({.fsync = false});
  FakeClock clock(kNowMillis * 1000);
  auto at3 = *Snapshot::Open({.log_store = &t.store()});
  PLINTH_ASSERT_OK_AND_ASSIGN(LastCheckpoint hint,
                              WriteCheckpoint(t.store(), *at3, io, {.clock = &clock}));
  EXPECT_EQ(hint.version, 3);
  EXPECT_EQ(hint.num_of_add_files, 2);
  // protocol, metaData, 2 txns, 1 domain, 2 adds, 1 remove (f2; f0's is older than 2 days)
  EXPECT_EQ(hint.size, 8);
  EXPECT_EQ(hint.size_in_bytes,
            static_cast<int64_t>(std::filesystem::file_size(t.log(ClassicCheckpointFileName(3)))));
  std::optional<LastCheckpoint> stored = t.store().ReadLastCheckpoint();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version, 3);
  EXPECT_EQ(stored->size, 8);
  EXPECT_EQ(stored->num_of_add_files, 2);
  EXPECT_EQ(stored->size_in_bytes, hint.size_in_bytes);
  // No temp file is left behind.
  for (const auto& e : std::filesystem::directory_iterator(t.root() + "/_delta_log")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }

  // Replay from the checkpoint alone equals the JSON replay, except for the expired tombstone.
  auto from_ckpt = *Snapshot::Open({.log_store = &t.store(), .checkpoint_io = &io});
  EXPECT_EQ(from_ckpt->checkpoint_version(), 3);
  Json want = State(*t.JsonOnly());
  want["tombstones"].erase(0);  // f0, removed 5 days ago, is past the 2-day retention
  EXPECT_EQ(State(*from_ckpt), want);

  // More commits after the checkpoint: checkpoint + commits 4..5 == JSON 0..5.
  t.Commit({testing::TestAdd("part=c/f4.parquet", {{"part", "c"}}),
            SetTransaction{"app1", 2, kNowMillis}});
  t.Commit({Remove("part=b/f3.parquet", kNowMillis),
            testing::TestAdd("part=a/f0.parquet", {{"part", "a"}})});
  auto latest = *Snapshot::Open({.log_store = &t.store(), .checkpoint_io = &io});
  EXPECT_EQ(latest->version(), 5);
  EXPECT_EQ(latest->checkpoint_version(), 3);
  EXPECT_EQ(latest->commit_timestamps().size(), 2u);
  Json json = State(*t.JsonOnly());
  EXPECT_EQ(State(*latest), json);  // f0 was re-added, so its tombstone is gone either way
  EXPECT_EQ(latest->AppTransactionVersion("app1"), 2);

  // A second checkpoint on top of the first.
  PLINTH_ASSERT_OK(WriteCheckpoint(t.store(), *latest, io, {.clock = &clock}));
  auto again = *Snapshot::Open({.log_store = &t.store(), .checkpoint_io = &io});
  EXPECT_EQ(again->checkpoint_version(), 5);
  EXPECT_EQ(State(*again), json);
  // An older checkpoint written later does not move _last_checkpoint back.
  PLINTH_ASSERT_OK(WriteCheckpoint(t.store(), *at3, io, {.clock = &clock}));
  EXPECT_EQ(t.store().ReadLastCheckpoint()->version, 5);
}

TEST(CheckpointWriterTest, ActionsAreRoundTrippedExactly) {
  Table t;
  auto s = *Snapshot::Open({.log_store = &t.store()});
  PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<Action> actions, CheckpointActions(*s, kNowMillis));
  actions.push_back(CheckpointMetadata{3, std::map<std::string, std::string>{{"t", "1"}}});
  actions.push_back(Sidecar{"x.parquet", 1, 2, std::nullopt});
  RemoveFile bare;
  bare.path = "bare.parquet";
  actions.push_back(bare);
  TempDir dir;
  ParquetCheckpointIO io({.fsync = false});
  std::string path = dir.Sub("00000000000000000003.checkpoint.parquet");
  PLINTH_ASSERT_OK(io.Write(path, actions));
  PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<Action> back, io.Read({path}));
  ASSERT_EQ(back.size(), actions.size());
  for (size_t i = 0; i < actions.size(); ++i)
    EXPECT_EQ(ActionToJson(back[i]), ActionToJson(actions[i])) << i;
}

TEST(CheckpointWriterTest, MultiPartCheckpointsReadThroughParquet) {
  Table t;
  auto s = *Snapshot::Open({.log_store = &t.store()});
  PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<Action> actions, CheckpointActions(*s, kNowMillis));
  ParquetCheckpointIO io({.fsync = false});
  std::vector<Action> p1(actions.begin(), actions.begin() + 4),
      p2(actions.begin() + 4, actions.end());
  PLINTH_ASSERT_OK(io.Write(t.log(MultiPartCheckpointFileName(3, 1, 2)), p1));
  PLINTH_ASSERT_OK(io.Write(t.log(MultiPartCheckpointFileName(3, 2, 2)), p2));
  auto from_ckpt = *Snapshot::Open({.log_store = &t.store(), .checkpoint_io = &io});
  EXPECT_EQ(from_ckpt->checkpoint_version(), 3);
  EXPECT_EQ(from_ckpt->files().size(), 2u);
  EXPECT_EQ(from_ckpt->app_transactions().size(), 2u);
}

TEST(CheckpointWriterTest, BadRetentionIsAnError) {
  Table t;
  Metadata m = t.JsonOnly()->metadata();
  m.configuration["delta.deletedFileRetentionDuration"] = "interval 1 month";
  t.Commit({m});
  auto s = *Snapshot::Open({.log_store = &t.store()});
  ParquetCheckpointIO io({.fsync = false});
  EXPECT_TRUE(StatusIs(WriteCheckpoint(t.store(), *s, io), absl::StatusCode::kInvalidArgument,
                       "delta.deletedFileRetentionDuration"));
  EXPECT_FALSE(std::filesystem::exists(t.log(ClassicCheckpointFileName(4))));
}

TEST(CheckpointWriterTest, ParseIntervalMillis) {
  EXPECT_EQ(*ParseIntervalMillis("interval 1 week"), 7 * kDay);
  EXPECT_EQ(*ParseIntervalMillis("interval 2 days 12 hours"), 2 * kDay + kDay / 2);
  EXPECT_EQ(*ParseIntervalMillis("168 HOURS"), 7 * kDay);
  EXPECT_EQ(*ParseIntervalMillis("interval 30 seconds 5 milliseconds"), 30'005);
  EXPECT_FALSE(ParseIntervalMillis("interval").ok());
  EXPECT_FALSE(ParseIntervalMillis("interval 1 month").ok());
  EXPECT_FALSE(ParseIntervalMillis("interval x days").ok());
  EXPECT_FALSE(ParseIntervalMillis("interval 3").ok());
  EXPECT_FALSE(ParseIntervalMillis("interval 99999999999999 weeks").ok());
}

TEST(CheckpointWriterTest, DuckDbReadsAWrittenCheckpoint) {
  PLINTH_REQUIRE_DUCKDB(duckdb);
  Table t;
  ParquetCheckpointIO io({.fsync = false});
  FakeClock clock(kNowMillis * 1000);
  auto s = *Snapshot::Open({.log_store = &t.store()});
  PLINTH_ASSERT_OK(WriteCheckpoint(t.store(), *s, io, {.clock = &clock}));
  std::string file = t.log(ClassicCheckpointFileName(3));
  PLINTH_ASSERT_OK_AND_ASSIGN(
      std::string counts,
      ::plinth::testing::RunDuckDb(
          duckdb, StrCat("select count(add) as adds, count(remove) as removes, count(txn) as txns, "
                         "count(metaData) as md, count(protocol) as p, count(domainMetadata) as dm "
                         "from read_parquet('",
                         file, "')")));
  EXPECT_EQ(counts, "{\"adds\":2,\"removes\":1,\"txns\":2,\"md\":1,\"p\":1,\"dm\":1}\n");
  PLINTH_ASSERT_OK_AND_ASSIGN(
      std::string adds,
      ::plinth::testing::RunDuckDb(
          duckdb,
          StrCat(
              "select add.path, add.partitionValues, add.dataChange, add.tags from read_parquet('",
              file, "') where add is not null order by add.path")));
  EXPECT_EQ(
      adds,
      "{\"path\":\"part=__HIVE_DEFAULT_PARTITION__/"
      "f1%20x.parquet\",\"partitionValues\":{\"part\":null},"
      "\"dataChange\":false,\"tags\":{\"INSERTION_TIME\":\"1\"}}\n"
      "{\"path\":\"part=b/"
      "f3.parquet\",\"partitionValues\":{\"part\":\"b\"},\"dataChange\":false,\"tags\":null}\n");
  PLINTH_ASSERT_OK_AND_ASSIGN(
      std::string md,
      ::plinth::testing::RunDuckDb(
          duckdb, StrCat("select metaData.partitionColumns as pc, metaData.format as f "
                         "from read_parquet('",
                         file, "') where metaData is not null")));
  EXPECT_EQ(md,
            "{\"pc\":[\"part\"],\"f\":{\"provider\":\"parquet\",\"options\":{\"compression\":"
            "\"snappy\"}}}\n");
  PLINTH_ASSERT_OK_AND_ASSIGN(
      std::string p,
      ::plinth::testing::RunDuckDb(
          duckdb, StrCat("select protocol.readerFeatures as rf, protocol.writerFeatures as wf "
                         "from read_parquet('",
                         file, "') where protocol is not null")));
  EXPECT_EQ(p, "{\"rf\":[],\"wf\":[\"appendOnly\",\"domainMetadata\"]}\n");
}

}  // namespace
}  // namespace plinth::delta
