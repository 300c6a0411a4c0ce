// ParquetCheckpointIO on the checkpoints Spark, delta-rs and Delta Kernel wrote for the shared
// golden tables, and on damaged checkpoint files.
#include "plinth/storage/delta/parquet_checkpoint_io.h"

#include <filesystem>
#include <set>

#include "plinth/storage/delta/delta_test_util.h"
#include "plinth/storage/delta/local_log_store.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/testing/test_util.h"
#include "plinth/testing/testdata.h"

namespace plinth::delta {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;
using testing::GoldenRoot;

int64_t StatsRows(const Snapshot& s) {
  int64_t n = 0;
  for (const AddFile& f : s.files()) {
    if (f.stats) n += FileStats::Parse(*f.stats)->num_records.value_or(0);
  }
  return n;
}

std::set<std::string> AddPaths(const std::vector<Action>& actions) {
  std::set<std::string> out;
  for (const Action& a : actions) {
    if (const auto* add = std::get_if<AddFile>(&a)) out.insert(add->path);
  }
  return out;
}

struct CheckpointReadCase {
  const char* table;
  int64_t version;
  int64_t checkpoint;
  size_t files;
  int64_t stats_rows;  // -1: no stats
};

TEST(ParquetCheckpointIOTest, GoldenTablesReplayThroughRealCheckpoints) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::vector<CheckpointReadCase> cases = {
      {"checkpoint", 14, 10, 1, -1},
      {"basic-with-inserts-deletes-checkpoint", 13, 10, 7, 41},
      {"only-checkpoint-files", 2, 2, 7, 25},
      {"corrupted-last-checkpoint-kernel", 11, 10, 2, 100},
      {"app-txn-checkpoint", 1, 1, 4, 22},
      {"v2-checkpoint-parquet", 2, 2, 4, 10},
  };
  for (const CheckpointReadCase& c : cases) {
    SCOPED_TRACE(c.table);
    std::string table = GoldenRoot(root, c.table);
    auto store = *LocalLogStore::Create({.table_root = table});
    ParquetCheckpointIO io;
    PLINTH_ASSERT_OK_AND_ASSIGN(auto s,
                                Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}));
    EXPECT_EQ(s->version(), c.version);
    EXPECT_EQ(s->checkpoint_version(), c.checkpoint);
    EXPECT_EQ(s->files().size(), c.files);
    if (c.stats_rows >= 0) {
      EXPECT_EQ(StatsRows(*s), c.stats_rows);
    }
    // The state equals a replay of the JSON commits alone (every commit is still there).
    PLINTH_ASSERT_OK_AND_ASSIGN(auto json,
                                testing::ReconcileJsonCommits(table + "/_delta_log", c.version));
    std::set<std::string> active;
    for (const AddFile& f : s->files()) active.insert(f.path);
    EXPECT_EQ(active, AddPaths(json));
    EXPECT_EQ(ActionToJson(s->metadata()), ActionToJson(std::get<Metadata>(json[1])));
    EXPECT_EQ(ActionToJson(s->protocol()), ActionToJson(std::get<Protocol>(json[0])));
  }
}

TEST(ParquetCheckpointIOTest, CheckpointFileHoldsTheStateAtItsVersion) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string log = GoldenRoot(root, "basic-with-inserts-deletes-checkpoint") + "/_delta_log";
  ParquetCheckpointIO io;
  PLINTH_ASSERT_OK_AND_ASSIGN(auto actions,
                              io.Read({log + "/00000000000000000010.checkpoint.parquet"}));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto json, testing::ReconcileJsonCommits(log, 10));
  EXPECT_EQ(AddPaths(actions), AddPaths(json));
  int removes = 0, protocols = 0, metadata = 0;
  for (const Action& a : actions) {
    removes += std::holds_alternative<RemoveFile>(a);
    protocols += std::holds_alternative<Protocol>(a);
    metadata += std::holds_alternative<Metadata>(a);
    if (const auto* add = std::get_if<AddFile>(&a)) {
      EXPECT_FALSE(add->data_change);
      EXPECT_TRUE(add->stats.has_value());
      EXPECT_TRUE(add->partition_values.empty());
    }
    if (const auto* rm = std::get_if<RemoveFile>(&a)) {
      EXPECT_TRUE(rm->deletion_timestamp.has_value());
    }
  }
  EXPECT_EQ(protocols, 1);
  EXPECT_EQ(metadata, 1);
  EXPECT_EQ(removes, 5);  // DELETEs at 5..9 each removed one file
}

TEST(ParquetCheckpointIOTest, DeltaRsCheckpointWithTxnAndPartitionValues) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "app-txn-checkpoint");
  auto store = *LocalLogStore::Create({.table_root = table});
  ParquetCheckpointIO io;
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s,
                              Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}));
  EXPECT_EQ(s->AppTransactionVersion("my-app"), 3);
  EXPECT_EQ(s->AppTransactionVersion("my-app2"), 2);
  EXPECT_EQ(s->metadata().partition_columns, std::vector<std::string>{"modified"});
  for (const AddFile& f : s->files()) {
    ASSERT_EQ(f.partition_values.count("modified"), 1u) << f.path;
    EXPECT_TRUE(StartsWith(f.path, StrCat("modified=", *f.partition_values.at("modified"), "/")));
    EXPECT_TRUE(f.tags.has_value() && f.tags->empty());
  }
}

TEST(ParquetCheckpointIOTest, V2CheckpointReadsSidecars) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "v2-checkpoint-parquet");
  std::string log = table + "/_delta_log";
  ParquetCheckpointIO io;
  PLINTH_ASSERT_OK_AND_ASSIGN(
      auto top,
      io.Read(
          {log + "/00000000000000000002.checkpoint.e8fa2696-9728-4e9c-b285-634743fdd4fb.parquet"}));
  int sidecars = 0, cms = 0, adds = 0;
  for (const Action& a : top) {
    sidecars += std::holds_alternative<Sidecar>(a);
    adds += std::holds_alternative<AddFile>(a);
    if (const auto* cm = std::get_if<CheckpointMetadata>(&a)) {
      ++cms;
      EXPECT_EQ(cm->version, 2);
    }
  }
  EXPECT_EQ(sidecars, 2);
  EXPECT_EQ(cms, 1);
  EXPECT_EQ(adds, 0);
  auto store = *LocalLogStore::Create({.table_root = table});
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s,
                              Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}));
  EXPECT_EQ(s->files().size(), 4u);
}

TEST(ParquetCheckpointIOTest, V2JsonCheckpointIsParsedAsJson) {
  TempDir dir;
  std::string path =
      dir.Sub("00000000000000000003.checkpoint.6b0f0e0e-0000-0000-0000-000000000000.json");
  std::vector<Action> actions = {Protocol{}, testing::TestMetadata(), CheckpointMetadata{3, {}},
                                 Sidecar{"s1.parquet", 10, 20, {}}};
  PLINTH_ASSERT_OK(testing::FakeCheckpointIO().Write(path, actions));
  ParquetCheckpointIO io;
  PLINTH_ASSERT_OK_AND_ASSIGN(auto got, io.Read({path}));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(std::get<Sidecar>(got[3]).path, "s1.parquet");
}

TEST(ParquetCheckpointIOTest, DeletionVectorTableIsRefused) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "dv-partitioned-with-checkpoint");
  auto store = *LocalLogStore::Create({.table_root = table});
  ParquetCheckpointIO io;
  EXPECT_TRUE(StatusIs(Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}),
                       absl::StatusCode::kFailedPrecondition, "deletionVectors"));
  // The checkpoint itself reads fine, deletion vectors included.
  PLINTH_ASSERT_OK_AND_ASSIGN(
      auto actions, io.Read({table + "/_delta_log/00000000000000000010.checkpoint.parquet"}));
  int with_dv = 0;
  for (const Action& a : actions) {
    if (const auto* add = std::get_if<AddFile>(&a); add && add->deletion_vector) {
      ++with_dv;
      EXPECT_EQ(add->deletion_vector->storage_type, "u");
      EXPECT_GT(add->deletion_vector->cardinality, 0);
    }
  }
  EXPECT_GT(with_dv, 0);
}

TEST(ParquetCheckpointIOTest, MissingFileIsNotFound) {
  TempDir dir;
  ParquetCheckpointIO io;
  EXPECT_TRUE(StatusIs(io.Read({dir.Sub("00000000000000000001.checkpoint.parquet")}),
                       absl::StatusCode::kNotFound));
}

// Every truncation and many bit flips of a real checkpoint fail cleanly (or, for flips the
// format cannot detect, still decode) - never crash.
TEST(ParquetCheckpointIOTest, DamagedCheckpointsFailWithClearErrors) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string src = GoldenRoot(root, "basic-with-inserts-deletes-checkpoint") +
                    "/_delta_log/00000000000000000010.checkpoint.parquet";
  PLINTH_ASSERT_OK_AND_ASSIGN(std::string bytes, testing::ReadWholeFile(src));
  TempDir dir;
  std::string path = dir.Sub("00000000000000000010.checkpoint.parquet");
  auto write = [&](const std::string& b) {
    std::filesystem::remove(path);
    PLINTH_ASSERT_OK(LogFileSystem::Posix()->WriteNewFile(path, b, false));
  };
  ParquetCheckpointIO io;
  for (size_t len : {size_t{0}, size_t{4}, size_t{11}, bytes.size() / 3, bytes.size() / 2,
                     bytes.size() - 9, bytes.size() - 1}) {
    SCOPED_TRACE(StrCat("truncated to ", len));
    write(bytes.substr(0, len));
    auto got = io.Read({path});
    EXPECT_TRUE(StatusIs(got, absl::StatusCode::kDataLoss, path)) << got.status();
  }
  // Flip one bit in each of many positions: page CRCs catch page damage, the footer decoder
  // and schema checks catch the rest; either way the error names the file.
  int failures = 0;
  for (size_t pos = 0; pos < bytes.size(); pos += 7) {
    std::string damaged = bytes;
    damaged[pos] = static_cast<char>(damaged[pos] ^ (1 << (pos % 8)));
    write(damaged);
    auto got = io.Read({path});
    if (!got.ok()) {
      ++failures;
      EXPECT_NE(std::string(got.status().message()).find(path), std::string::npos) << got.status();
    }
  }
  EXPECT_GT(failures, 0);
  // Without CRC checks the decoders see the damage themselves: still no crash.
  ParquetCheckpointIO unchecked({.verify_checksums = false});
  for (size_t pos = 0; pos < bytes.size(); pos += 3) {
    std::string damaged = bytes;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0xff);
    write(damaged);
    (void)unchecked.Read({path});
  }
}

}  // namespace
}  // namespace plinth::delta
