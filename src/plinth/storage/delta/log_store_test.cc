#include "plinth/storage/delta/local_log_store.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>

#include "plinth/testing/test_util.h"

namespace plinth::delta {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;

void Touch(const std::string& path, std::string_view content = "x") {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << content;
}

std::unique_ptr<LocalLogStore> StoreAt(const std::string& root, LogFileSystem* fs = LogFileSystem::Posix()) {
  return *LocalLogStore::Create({.table_root = root, .fs = fs});
}

TEST(LogFilesTest, ClassifiesNames) {
  auto commit = ParseLogFileName("00000000000000000007.json");
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit->version, 7);
  EXPECT_EQ(commit->kind, LogFileKind::kCommit);
  EXPECT_EQ(ParseLogFileName("00000000000000000010.checkpoint.parquet")->kind, LogFileKind::kCheckpoint);
  auto part = ParseLogFileName("00000000000000000010.checkpoint.0000000002.0000000003.parquet");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->kind, LogFileKind::kMultiPartCheckpoint);
  EXPECT_EQ(part->part, 2);
  EXPECT_EQ(part->num_parts, 3);
  EXPECT_EQ(ParseLogFileName("00000000000000000002.checkpoint.e8fa2696-9728-4e9c-b285-634743fdd4fb.parquet")->kind,
            LogFileKind::kV2Checkpoint);
  EXPECT_EQ(ParseLogFileName("00000000000000000002.checkpoint.e8fa2696-9728-4e9c-b285-634743fdd4fb.json")->kind,
            LogFileKind::kV2Checkpoint);
  EXPECT_EQ(ParseLogFileName("00000000000000000000.crc")->kind, LogFileKind::kChecksum);
  for (const char* bad : {".00000000000000000000.json.crc", "_last_checkpoint", "0000000000000000000.json",
                          "00000000000000000001.00000000000000000003.compacted.json", "00000000000000000001.json.tmp",
                          "00000000000000000010.checkpoint.0000000004.0000000003.parquet",
                          "00000000000000000010.checkpoint.not-a-uuid.parquet", "0000000000000000000a.json"}) {
    EXPECT_FALSE(ParseLogFileName(bad)) << bad;
  }
  EXPECT_EQ(CommitFileName(3), "00000000000000000003.json");
  EXPECT_EQ(MultiPartCheckpointFileName(10, 1, 2), "00000000000000000010.checkpoint.0000000001.0000000002.parquet");
}

TEST(LocalLogStoreTest, ListsOnlyLogFilesSorted) {
  TempDir dir;
  std::string log = dir.Sub("_delta_log");
  for (const char* name : {"00000000000000000001.json", "00000000000000000000.json", "00000000000000000001.crc",
                           "00000000000000000001.checkpoint.parquet", ".00000000000000000000.json.crc",
                           "_last_checkpoint", ".tmp/00000000000000000002.json", "_sidecars/00000000000000000001.checkpoint.0000000001.0000000001.abc.parquet",
                           "00000000000000000002.json.tmp"}) {
    Touch(StrCat(log, "/", name));
  }
  std::filesystem::create_directories(StrCat(log, "/00000000000000000009.json"));  // a directory: ignored
  auto store = StoreAt(dir.path().string());
  PLINTH_ASSERT_OK_AND_ASSIGN(std::vector<LogFile> files, store->List());
  std::vector<std::string> names;
  for (const LogFile& f : files) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"00000000000000000000.json", "00000000000000000001.checkpoint.parquet",
                                             "00000000000000000001.json", "00000000000000000001.crc"}));
  EXPECT_GT(files[0].modification_time_micros, 0);
  PLINTH_ASSERT_OK_AND_ASSIGN(files, store->List(1));
  EXPECT_EQ(files.size(), 3u);

  auto missing = StoreAt(dir.Sub("no-such-table"));
  PLINTH_ASSERT_OK_AND_ASSIGN(files, missing->List());
  EXPECT_TRUE(files.empty());
  EXPECT_TRUE(StatusIs(missing->Read(0), absl::StatusCode::kNotFound, "commit 0"));
}

TEST(LocalLogStoreTest, LastCheckpointIsTolerant) {
  TempDir dir;
  auto store = StoreAt(dir.path().string());
  EXPECT_FALSE(store->ReadLastCheckpoint());  // missing
  Touch(dir.Sub("_delta_log/_last_checkpoint"), "");
  EXPECT_FALSE(store->ReadLastCheckpoint());  // empty
  Touch(dir.Sub("_delta_log/_last_checkpoint"), "{\"version\":");
  EXPECT_FALSE(store->ReadLastCheckpoint());  // corrupt
  Touch(dir.Sub("_delta_log/_last_checkpoint"), R"({"version":"10"})");
  EXPECT_FALSE(store->ReadLastCheckpoint());  // wrong type
  PLINTH_ASSERT_OK(store->WriteLastCheckpoint({.version = 10, .size = 20, .parts = 2}));
  auto cp = store->ReadLastCheckpoint();
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->version, 10);
  EXPECT_EQ(cp->size, 20);
  EXPECT_EQ(cp->parts, 2);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, store->List());
  EXPECT_TRUE(files.empty());  // no temp file left behind
}

TEST(LocalLogStoreTest, PutIfAbsentIsExclusive) {
  TempDir dir;
  auto store = StoreAt(dir.path().string());
  PLINTH_ASSERT_OK(store->PutIfAbsent(0, "first\n"));
  EXPECT_TRUE(StatusIs(store->PutIfAbsent(0, "second\n"), absl::StatusCode::kAlreadyExists, "version 0 already exists"));
  PLINTH_ASSERT_OK_AND_ASSIGN(std::string bytes, store->Read(0));
  EXPECT_EQ(bytes, "first\n");
  PLINTH_ASSERT_OK_AND_ASSIGN(int64_t mtime, store->ModificationTime(0));
  EXPECT_GT(mtime, 0);
  // Nothing but the commit in the directory: temp files were removed.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("_delta_log"))) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "00000000000000000000.json");
  }
  EXPECT_EQ(entries, 1);
}

// The gate runs after the commit's bytes are durable and before the link: its error leaves
// nothing behind, not even the temp file; once it passes, the commit is visible.
TEST(LocalLogStoreTest, PublishGateDecidesWhetherTheCommitBecomesVisible) {
  TempDir dir;
  auto store = StoreAt(dir.path().string());
  int calls = 0;
  auto failing = [&]() -> absl::Status {
    ++calls;
    // The temp file is complete when the gate runs; no commit is visible yet.
    int temps = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.Sub("_delta_log"))) {
      EXPECT_EQ(e.path().filename().string()[0], '.');
      std::ifstream in(e.path());
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(content, "v0\n");
      ++temps;
    }
    EXPECT_EQ(temps, 1);
    return absl::DataLossError("data file could not be synced");
  };
  EXPECT_TRUE(StatusIs(store->PutIfAbsent(0, "v0\n", failing), absl::StatusCode::kDataLoss, "could not be synced"));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir.Sub("_delta_log")));
  EXPECT_TRUE(StatusIs(store->Read(0), absl::StatusCode::kNotFound));
  PLINTH_ASSERT_OK(store->PutIfAbsent(0, "v0\n", [&] { ++calls; return absl::OkStatus(); }));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*store->Read(0), "v0\n");
}

// Fails chosen steps of a commit; with `crash` set, cleanup is skipped too (as if the process died).
class FaultyFileSystem : public LogFileSystem {
 public:
  absl::StatusOr<std::vector<DirEntry>> ListDir(const std::string& d, const NameFilter& w) override {
    return base_->ListDir(d, w);
  }
  absl::StatusOr<DirEntry> Stat(const std::string& p) override { return base_->Stat(p); }
  absl::StatusOr<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  absl::Status WriteNewFile(const std::string& p, std::string_view data, bool sync) override {
    if (fail_write) {
      (void)base_->WriteNewFile(p, data.substr(0, data.size() / 2), sync);  // torn write
      return absl::InternalError("injected: disk full");
    }
    return base_->WriteNewFile(p, data, sync);
  }
  absl::Status Link(const std::string& a, const std::string& b) override {
    if (fail_link) return absl::InternalError("injected: crash before link");
    return base_->Link(a, b);
  }
  absl::Status Rename(const std::string& a, const std::string& b) override { return base_->Rename(a, b); }
  absl::Status Remove(const std::string& p) override {
    if (crash) return absl::InternalError("injected: process is gone");
    return base_->Remove(p);
  }
  absl::Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  absl::Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }

  bool fail_write = false, fail_link = false, crash = false;

 private:
  LogFileSystem* base_ = LogFileSystem::Posix();
};

TEST(LocalLogStoreTest, FailureBetweenTempWriteAndLinkLeavesNoVisibleCommit) {
  TempDir dir;
  FaultyFileSystem fs;
  auto store = StoreAt(dir.path().string(), &fs);
  PLINTH_ASSERT_OK(store->PutIfAbsent(0, "v0\n"));

  fs.fail_link = true;
  fs.crash = true;  // the temp file stays behind
  EXPECT_TRUE(StatusIs(store->PutIfAbsent(1, "v1\n"), absl::StatusCode::kInternal, "injected"));
  fs.fail_link = fs.crash = false;
  fs.fail_write = true;  // a torn temp write is never visible either
  EXPECT_FALSE(store->PutIfAbsent(1, "v1-torn\n").ok());
  fs.fail_write = false;

  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, store->List());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].version, 0);
  EXPECT_TRUE(StatusIs(store->Read(1), absl::StatusCode::kNotFound));
  int temps = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("_delta_log"))) {
    temps += e.path().filename().string()[0] == '.';
  }
  EXPECT_EQ(temps, 1);  // the crashed attempt's temp file

  // The next commit of version 1 succeeds, and cleanup removes the stale temp file.
  PLINTH_ASSERT_OK(store->PutIfAbsent(1, "v1\n"));
  EXPECT_EQ(*store->Read(1), "v1\n");
  PLINTH_ASSERT_OK_AND_ASSIGN(int deleted, store->DeleteExpiredLogFiles(0, INT64_MAX));
  EXPECT_EQ(deleted, 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(files, store->List());
  EXPECT_EQ(files.size(), 2u);
}

TEST(LocalLogStoreTest, DeleteExpiredLogFilesHonorsVersionAndAge) {
  TempDir dir;
  auto store = StoreAt(dir.path().string());
  for (int v = 0; v < 4; ++v) PLINTH_ASSERT_OK(store->PutIfAbsent(v, "x\n"));
  Touch(dir.Sub("_delta_log/00000000000000000002.checkpoint.parquet"));
  // Make commit 0 old; commit 1 stays recent.
  std::string old_path = dir.Sub("_delta_log/00000000000000000000.json");
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, old_path.c_str(), times, 0), 0);
  PLINTH_ASSERT_OK_AND_ASSIGN(int deleted, store->DeleteExpiredLogFiles(2, 2'000'000'000));
  EXPECT_EQ(deleted, 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, store->List());
  EXPECT_EQ(files.front().version, 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(deleted, store->DeleteExpiredLogFiles(2, INT64_MAX));
  EXPECT_EQ(deleted, 1);  // commit 1; the checkpoint at 2 and later commits stay
  PLINTH_ASSERT_OK_AND_ASSIGN(files, store->List());
  EXPECT_EQ(files.size(), 3u);
}

TEST(LocalLogStoreTest, DeleteExpiredLogFilesStopsAtTheFirstRecentVersion) {
  TempDir dir;
  auto store = StoreAt(dir.path().string());
  for (int v = 0; v < 5; ++v) PLINTH_ASSERT_OK(store->PutIfAbsent(v, "x\n"));
  // Commits 0, 1 and 3 are old, commit 2 is recent: cleanup goes oldest first and stops at 2.
  for (int v : {0, 1, 3}) {
    struct timespec times[2] = {{1000, 0}, {1000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, dir.Sub(StrCat("_delta_log/", CommitFileName(v))).c_str(), times, 0), 0);
  }
  PLINTH_ASSERT_OK_AND_ASSIGN(int deleted, store->DeleteExpiredLogFiles(4, 2'000'000'000));
  EXPECT_EQ(deleted, 2);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto files, store->List());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files.front().version, 2);
  // Listing from a version returns that version and later ones only.
  PLINTH_ASSERT_OK_AND_ASSIGN(files, store->List(3));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files.front().version, 3);
}

}  // namespace
}  // namespace plinth::delta
