// Checkpoint selection and replay (with a fake CheckpointIO: the real one needs Parquet) and
// timestamp time travel.
#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>

#include "plinth/storage/delta/delta_test_util.h"
#include "plinth/storage/delta/local_log_store.h"
#include "plinth/storage/delta/log_segment.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/testing/test_util.h"
#include "plinth/testing/testdata.h"

namespace plinth::delta {
namespace {

using ::plinth::delta::testing::FakeCheckpointIO;
using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;
using testing::GoldenRoot;

std::string FileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// Stands in for the Parquet checkpoint of a golden table by reconciling its JSON commits up to
// the checkpoint's version (all these tables still have every JSON commit).
FakeCheckpointIO::StandIn JsonStandIn(const std::string& log_dir) {
  return [log_dir](const std::string& path) -> absl::StatusOr<std::vector<Action>> {
    auto f = ParseLogFileName(FileName(path));
    if (!f) return absl::InvalidArgumentError(StrCat("unexpected checkpoint path ", path));
    return testing::ReconcileJsonCommits(log_dir, f->version);
  };
}

struct ReplayCase {
  const char* table;
  int64_t version;
  int64_t checkpoint;
  std::vector<int64_t> replayed;
  size_t files;
};

TEST(CheckpointReplayTest, PicksNewestCheckpointAndReplaysOnlyLaterCommits) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::vector<ReplayCase> cases = {
      {"checkpoint", 14, 10, {11, 12, 13, 14}, 1},
      {"basic-with-inserts-deletes-checkpoint", 13, 10, {11, 12, 13}, 7},
      {"only-checkpoint-files", 2, 2, {}, 7},
      {"corrupted-last-checkpoint-kernel", 11, 10, {11}, 2},  // empty _last_checkpoint: found by listing
      {"app-txn-checkpoint", 1, 1, {}, 4},
  };
  for (const ReplayCase& c : cases) {
    SCOPED_TRACE(c.table);
    std::string table = GoldenRoot(root, c.table);
    auto store = *LocalLogStore::Create({.table_root = table});
    FakeCheckpointIO io(JsonStandIn(table + "/_delta_log"));
    PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}));
    EXPECT_EQ(s->version(), c.version);
    EXPECT_EQ(s->checkpoint_version(), c.checkpoint);
    ASSERT_EQ(io.calls().size(), 1u);
    EXPECT_EQ(io.calls()[0], std::vector<std::string>{StrCat(table, "/_delta_log/", ClassicCheckpointFileName(c.checkpoint))});
    std::vector<int64_t> replayed;
    for (const auto& [v, ts] : s->commit_timestamps()) replayed.push_back(v);
    EXPECT_EQ(replayed, c.replayed);
    EXPECT_EQ(s->files().size(), c.files);
  }
}

TEST(CheckpointReplayTest, AppTransactionsSurviveTheCheckpoint) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "app-txn-checkpoint");
  auto store = *LocalLogStore::Create({.table_root = table});
  FakeCheckpointIO io(JsonStandIn(table + "/_delta_log"));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}));
  EXPECT_EQ(s->AppTransactionVersion("my-app"), 3);
  EXPECT_EQ(s->AppTransactionVersion("my-app2"), 2);
  EXPECT_EQ(s->AppTransactionVersion("other"), std::nullopt);
}

TEST(CheckpointReplayTest, DeletionVectorTableWithCheckpointIsRefused) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "dv-partitioned-with-checkpoint");
  auto store = *LocalLogStore::Create({.table_root = table});
  FakeCheckpointIO io(JsonStandIn(table + "/_delta_log"));
  EXPECT_TRUE(StatusIs(Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}),
                       absl::StatusCode::kFailedPrecondition,
                       "table uses reader feature 'deletionVectors', which Plinth cannot read"));
}

TEST(CheckpointReplayTest, OlderVersionsReplayJsonWithoutTheCheckpoint) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "basic-with-inserts-deletes-checkpoint");
  auto store = *LocalLogStore::Create({.table_root = table});
  FakeCheckpointIO io(JsonStandIn(table + "/_delta_log"));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::OpenAtVersion({.log_store = store.get(), .checkpoint_io = &io}, 9));
  EXPECT_EQ(s->version(), 9);
  EXPECT_FALSE(s->checkpoint_version());
  EXPECT_TRUE(io.calls().empty());
  EXPECT_EQ(s->commit_timestamps().size(), 10u);
  // Without a CheckpointIO, a replay that needs the checkpoint says so.
  EXPECT_TRUE(StatusIs(Snapshot::Open({.log_store = store.get()}), absl::StatusCode::kFailedPrecondition,
                       "no CheckpointIO"));
}

TEST(CheckpointReplayTest, V2CheckpointReadsSidecarsThroughCheckpointIO) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::string table = GoldenRoot(root, "v2-checkpoint-parquet");
  std::string log_dir = table + "/_delta_log";
  // The top-level v2 checkpoint holds what _last_checkpoint repeats (non-file actions and the
  // sidecar list); the sidecars hold the adds.
  PLINTH_ASSERT_OK_AND_ASSIGN(std::string last, testing::ReadWholeFile(log_dir + "/_last_checkpoint"));
  Json hint = *ParseJson(last);
  FakeCheckpointIO io([&](const std::string& path) -> absl::StatusOr<std::vector<Action>> {
    std::vector<Action> out;
    if (path.find("/_sidecars/") != std::string::npos) {
      PLINTH_ASSIGN_OR_RETURN(auto all, testing::ReconcileJsonCommits(log_dir, 2));
      bool first = path.find(".0000000001.0000000002.") != std::string::npos;
      int i = 0;
      for (Action& a : all) {
        if (std::holds_alternative<AddFile>(a) && (i++ % 2 == 0) == first) out.push_back(std::move(a));
      }
      return out;
    }
    for (const Json& j : hint["v2Checkpoint"]["nonFileActions"]) out.push_back(**ActionFromJson(j));
    for (const Json& j : hint["v2Checkpoint"]["sidecarFiles"]) out.push_back(**ActionFromJson({{"sidecar", j}}));
    return out;
  });
  auto store = *LocalLogStore::Create({.table_root = table});
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::Open({.log_store = store.get(), .checkpoint_io = &io}));
  EXPECT_EQ(s->version(), 2);
  EXPECT_TRUE(s->protocol().HasReaderFeature("v2Checkpoint"));
  EXPECT_EQ(s->files().size(), 4u);
  auto calls = io.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(FileName(calls[0][0]), "00000000000000000002.checkpoint.e8fa2696-9728-4e9c-b285-634743fdd4fb.parquet");
  ASSERT_EQ(calls[1].size(), 2u);
  EXPECT_EQ(calls[1][0], log_dir + "/_sidecars/00000000000000000002.checkpoint.0000000001.0000000002.055454d8-329c-4e0e-864d-7f867075af33.parquet");
}

// A table in a temp dir with JSON commits 0..n-1, each adding file f<v>.parquet.
class TempTable {
 public:
  explicit TempTable(int commits) {
    store_ = *LocalLogStore::Create({.table_root = dir_.path().string(), .fsync = false});
    for (int v = 0; v < commits; ++v) {
      std::vector<Action> actions;
      if (v == 0) {
        actions.push_back(Protocol{});
        actions.push_back(testing::TestMetadata());
      }
      actions.push_back(testing::TestAdd(StrCat("f", v, ".parquet")));
      EXPECT_TRUE(store_->PutIfAbsent(v, SerializeCommit(actions)).ok());
    }
  }
  std::string log(std::string_view name) const { return dir_.Sub(StrCat("_delta_log/", name)); }
  LocalLogStore* store() { return store_.get(); }
  // Writes a JSON-format "checkpoint" of the first `version`+1 commits under `name`.
  void Checkpoint(int64_t version, const std::string& name) {
    FakeCheckpointIO io;
    ASSERT_TRUE(io.Write(log(name), *testing::ReconcileJsonCommits(dir_.Sub("_delta_log"), version)).ok());
  }
  void SetMtime(int64_t version, int64_t seconds) {
    struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, log(CommitFileName(version)).c_str(), times, 0), 0);
  }

 private:
  TempDir dir_;
  std::unique_ptr<LocalLogStore> store_;
};

TEST(CheckpointSelectionTest, IncompleteMultiPartCheckpointIsSkipped) {
  TempTable t(8);
  t.Checkpoint(3, ClassicCheckpointFileName(3));
  t.Checkpoint(5, MultiPartCheckpointFileName(5, 1, 2));
  t.Checkpoint(5, MultiPartCheckpointFileName(5, 2, 2));
  t.Checkpoint(6, MultiPartCheckpointFileName(6, 1, 3));  // parts 2 and 3 missing
  t.Checkpoint(6, MultiPartCheckpointFileName(6, 3, 3));
  PLINTH_ASSERT_OK(t.store()->WriteLastCheckpoint({.version = 6, .parts = 3}));
  PLINTH_ASSERT_OK_AND_ASSIGN(LogSegment seg, BuildLogSegment(*t.store(), std::nullopt));
  EXPECT_EQ(seg.version, 7);
  EXPECT_EQ(seg.checkpoint_version, 5);
  ASSERT_EQ(seg.checkpoint_files.size(), 2u);
  EXPECT_EQ(seg.checkpoint_files[1].part, 2);
  ASSERT_EQ(seg.commits.size(), 2u);
  EXPECT_EQ(seg.commits[0].version, 6);

  FakeCheckpointIO io;
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::Open({.log_store = t.store(), .checkpoint_io = &io}));
  EXPECT_EQ(s->files().size(), 8u);
  ASSERT_EQ(io.calls().size(), 1u);
  EXPECT_EQ(io.calls()[0].size(), 2u);

  // Time travel below the newest checkpoint uses the older one.
  PLINTH_ASSERT_OK_AND_ASSIGN(seg, BuildLogSegment(*t.store(), 4));
  EXPECT_EQ(seg.checkpoint_version, 3);
  EXPECT_EQ(seg.commits.size(), 1u);
}

TEST(CheckpointSelectionTest, StaleLastCheckpointFallsBackToListing) {
  TempTable t(5);
  t.Checkpoint(2, ClassicCheckpointFileName(2));
  PLINTH_ASSERT_OK(t.store()->WriteLastCheckpoint({.version = 3}));  // names a checkpoint that is not there
  PLINTH_ASSERT_OK_AND_ASSIGN(LogSegment seg, BuildLogSegment(*t.store(), std::nullopt));
  EXPECT_EQ(seg.checkpoint_version, 2);
  EXPECT_EQ(seg.commits.size(), 2u);
}

TEST(CheckpointSelectionTest, CleanedUpLogNeedsACheckpoint) {
  TempTable t(6);
  t.Checkpoint(3, ClassicCheckpointFileName(3));
  for (int v = 0; v < 3; ++v) std::filesystem::remove(t.log(CommitFileName(v)));
  FakeCheckpointIO io;
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::Open({.log_store = t.store(), .checkpoint_io = &io}));
  EXPECT_EQ(s->files().size(), 6u);
  PLINTH_ASSERT_OK_AND_ASSIGN(s, Snapshot::OpenAtVersion({.log_store = t.store(), .checkpoint_io = &io}, 3));
  EXPECT_EQ(s->files().size(), 4u);
  EXPECT_TRUE(StatusIs(Snapshot::OpenAtVersion({.log_store = t.store(), .checkpoint_io = &io}, 1),
                       absl::StatusCode::kNotFound, "were cleaned up"));
}

TEST(CheckpointSelectionTest, V2JsonCheckpointWithSidecars) {
  TempTable t(4);
  std::string uuid = "3a0d65cd-4056-49b8-937b-95f9e3ee90e5";
  std::filesystem::create_directories(t.log("_sidecars"));
  auto all = *testing::ReconcileJsonCommits(std::filesystem::path(t.log("x")).parent_path().string(), 2);
  std::vector<Action> top, side;
  for (Action& a : all) (std::holds_alternative<AddFile>(a) ? side : top).push_back(a);
  top.push_back(CheckpointMetadata{2, std::nullopt});
  top.push_back(Sidecar{"side-1.parquet", 10, 1, std::nullopt});
  FakeCheckpointIO io;
  PLINTH_ASSERT_OK(io.Write(t.log("_sidecars/side-1.parquet"), side));
  std::ofstream(t.log(StrCat("00000000000000000002.checkpoint.", uuid, ".json"))) << SerializeCommit(top);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::Open({.log_store = t.store(), .checkpoint_io = &io}));
  EXPECT_EQ(s->checkpoint_version(), 2);
  EXPECT_EQ(s->files().size(), 4u);
  ASSERT_EQ(io.calls().size(), 1u);  // the JSON top level is parsed directly; only the sidecar goes through IO
  EXPECT_EQ(io.calls()[0], std::vector<std::string>{t.log("_sidecars/side-1.parquet")});
}

TEST(TimeTravelTest, AsOfUsesCommitFileModificationTimes) {
  TempTable t(3);
  t.SetMtime(0, 1000);
  t.SetMtime(1, 2000);
  t.SetMtime(2, 3000);
  Snapshot::Options opts{.log_store = t.store()};
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::OpenAsOf(opts, 2'500'000'000));
  EXPECT_EQ(s->version(), 1);
  EXPECT_EQ(s->timestamp_micros(), 2'000'000'000);
  PLINTH_ASSERT_OK_AND_ASSIGN(s, Snapshot::OpenAsOf(opts, 2'000'000'000));
  EXPECT_EQ(s->version(), 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(s, Snapshot::OpenAsOf(opts, 9'000'000'000));
  EXPECT_EQ(s->version(), 2);
  EXPECT_TRUE(StatusIs(Snapshot::OpenAsOf(opts, 999'000'000), absl::StatusCode::kNotFound,
                       "is before the first commit"));
  // A modification time that goes backwards is bumped past its predecessor.
  t.SetMtime(2, 1500);
  PLINTH_ASSERT_OK_AND_ASSIGN(s, Snapshot::OpenAsOf(opts, 2'000'000'000));
  EXPECT_EQ(s->version(), 1);
  EXPECT_EQ(s->files().size(), 2u);
}

TEST(TimeTravelTest, AsOfUsesInCommitTimestampsWhenEnabled) {
  TempDir dir;
  auto store = *LocalLogStore::Create({.table_root = dir.path().string(), .fsync = false});
  Metadata m = testing::TestMetadata();
  m.configuration["delta.enableInCommitTimestamps"] = "true";
  for (int v = 0; v < 3; ++v) {
    std::vector<Action> actions = {CommitInfo{{{"timestamp", 1}, {"inCommitTimestamp", (v + 1) * 10'000}}}};
    if (v == 0) {
      actions.push_back(Protocol{});
      actions.push_back(m);
    }
    actions.push_back(testing::TestAdd(StrCat("f", v, ".parquet")));
    PLINTH_ASSERT_OK(store->PutIfAbsent(v, SerializeCommit(actions)));
  }
  Snapshot::Options opts{.log_store = store.get()};
  PLINTH_ASSERT_OK_AND_ASSIGN(auto s, Snapshot::OpenAsOf(opts, 25'000'000));  // 25 s = 25000 ms
  EXPECT_EQ(s->version(), 1);
  EXPECT_EQ(s->timestamp_micros(), 20'000'000);
  EXPECT_TRUE(StatusIs(Snapshot::OpenAsOf(opts, 5'000'000), absl::StatusCode::kNotFound, "before the first commit"));
}

}  // namespace
}  // namespace plinth::delta
