// RocksDB-only behaviour: persistence across reopen, the one-process lock, error mapping.
#include "plinth/storage/kv/rocksdb_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "plinth/base/file_util.h"
#include "plinth/testing/test_util.h"

namespace plinth::kv {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Optional;

// Set in the child process of SecondOpenFromAnotherProcessFails.
constexpr const char* kChildPathEnv = "PLINTH_KV_TEST_LOCKED_PATH";
constexpr const char* kChildResultEnv = "PLINTH_KV_TEST_RESULT_FILE";

std::unique_ptr<RocksDbStore> MustOpen(const std::string& path) {
  auto store = RocksDbStore::Create({.path = path, .block_cache_bytes = 8 << 20});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(RocksDbStoreTest, ReopenKeepsWritesOfEveryDurability) {
  TempDir dir;
  std::string path = dir.Sub("db");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    for (auto d : {Durability::kUnlogged, Durability::kLogged, Durability::kSynced}) {
      WriteBatch b;
      b.Put(StrCat("k", static_cast<int>(d)), std::string(600, 'a' + static_cast<int>(d)));
      b.Put("doomed", "x");
      b.Put("view/1", "x");
      b.Put("view/2", "x");
      ASSERT_TRUE(store->Write(b, {.durability = d}).ok());
    }
    WriteBatch del;
    del.Delete("doomed");
    ASSERT_TRUE(store->Write(del).ok());
    ASSERT_TRUE(store->DeletePrefix("view/").ok());
  }  // clean close: unlogged writes are flushed
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  for (int d = 0; d < 3; ++d) {
    EXPECT_THAT(*store->Get(StrCat("k", d)), Optional(std::string(600, 'a' + d)));
  }
  EXPECT_EQ(*store->Get("doomed"), std::nullopt);
  EXPECT_EQ(*store->Get("view/1"), std::nullopt);
  EXPECT_EQ(*store->Get("view/2"), std::nullopt);
}

TEST(RocksDbStoreTest, ReopenAfterFlushAndCompaction) {
  TempDir dir;
  std::string path = dir.Sub("db");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    WriteBatch b;
    for (int i = 0; i < 5000; ++i) b.Put(StrCat("key", 10000 + i), StrCat("value", i));
    ASSERT_TRUE(store->Write(b, {.durability = Durability::kUnlogged}).ok());
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->DeletePrefix("key1").ok());  // key10000..key14999: all of them
    ASSERT_TRUE(store->CompactAll().ok());
    WriteBatch c;
    c.Put("key2", "after");
    ASSERT_TRUE(store->Write(c).ok());
  }
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int rows = 0;
  ASSERT_TRUE(store
                  ->ScanPrefix("key",
                               [&](std::string_view, std::string_view) {
                                 ++rows;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(rows, 1);
  EXPECT_THAT(*store->Get("key2"), Optional(std::string("after")));
}

TEST(RocksDbStoreTest, BulkLoadIsDurableAndLeavesNoChunkFiles) {
  TempDir dir;
  std::string path = dir.Sub("db");
  {
    auto store = RocksDbStore::Create({.path = path, .bulk_chunk_bytes = 32 << 10});
    ASSERT_TRUE(store.ok()) << store.status();
    auto loader = (*store)->NewBulkLoader();
    ASSERT_TRUE(loader.ok()) << loader.status();
    for (int i = 999; i >= 0; --i)
      ASSERT_TRUE((*loader)->Put(StrCat("row", 1000 + i), std::string(600, 'r')).ok());
    ASSERT_TRUE((*loader)->Finish().ok());
    EXPECT_TRUE(std::filesystem::is_empty(path + "/bulk-load"));
  }
  std::ofstream(path + "/bulk-load/load7-3.sst") << "left by a crash";
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(std::filesystem::is_empty(path + "/bulk-load"));
  int rows = 0;
  ASSERT_TRUE(store
                  ->ScanPrefix("row",
                               [&](std::string_view, std::string_view v) {
                                 rows += v == std::string(600, 'r');
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(rows, 1000);
}

TEST(RocksDbStoreTest, SecondOpenInTheSameProcessFails) {
  TempDir dir;
  auto first = MustOpen(dir.Sub("db"));
  ASSERT_NE(first, nullptr);
  auto second = RocksDbStore::Create({.path = dir.Sub("db")});
  EXPECT_TRUE(
      StatusIs(second, absl::StatusCode::kFailedPrecondition, "is already open in this process"));
  first.reset();
  EXPECT_NE(MustOpen(dir.Sub("db")), nullptr);  // free again once closed
}

// Runs only as the child of SecondOpenFromAnotherProcessFails: tries to open the store the
// parent holds and writes the status it got to a file.
TEST(RocksDbStoreChild, OpenStoreHeldByParent) {
  const char* path = std::getenv(kChildPathEnv);
  const char* result = std::getenv(kChildResultEnv);
  if (path == nullptr || result == nullptr)
    GTEST_SKIP() << "helper of SecondOpenFromAnotherProcessFails";
  auto store = RocksDbStore::Create({.path = path});
  std::ofstream(result) << (store.ok() ? "OK" : store.status().ToString());
}

TEST(RocksDbStoreTest, SecondOpenFromAnotherProcessFails) {
  TempDir dir;
  auto first = MustOpen(dir.Sub("db"));
  ASSERT_NE(first, nullptr);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string result = dir.Sub("child-result.txt");
  std::string cmd = StrCat(kChildPathEnv, "='", dir.Sub("db"), "' ", kChildResultEnv, "='", result,
                           "' '", exe, "' --gtest_filter=RocksDbStoreChild.* >/dev/null 2>&1");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto text = ReadFileToString(result);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(*text, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(*text, HasSubstr(StrCat("online store ", dir.Sub("db"),
                                      " is in use by another process (plinth server?)")));
}

TEST(RocksDbStoreTest, MissingStoreWithoutCreateIsNotFound) {
  TempDir dir;
  auto store = RocksDbStore::Create({.path = dir.Sub("absent"), .create_if_missing = false});
  EXPECT_TRUE(StatusIs(store, absl::StatusCode::kNotFound, "does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("absent")));
  EXPECT_TRUE(StatusIs(RocksDbStore::Create({.path = ""}), absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(RocksDbStore::Create({.path = dir.Sub("no/such/parent")}).ok());
}

TEST(RocksDbStoreTest, CorruptTableIsDataLoss) {
  TempDir dir;
  std::string path = dir.Sub("db");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    WriteBatch b;
    for (int i = 0; i < 200; ++i) b.Put(StrCat("key", 1000 + i), std::string(600, 'v'));
    ASSERT_TRUE(store->Write(b).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  int corrupted = 0;
  for (const auto& e : std::filesystem::directory_iterator(path)) {
    if (e.path().extension() != ".sst") continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);  // inside the first data block
    f.write("garbage!garbage!", 16);
    ++corrupted;
  }
  ASSERT_GT(corrupted, 0);
  auto store = RocksDbStore::Create({.path = path});
  if (!store.ok()) {
    EXPECT_TRUE(StatusIs(store, absl::StatusCode::kDataLoss, "Corruption")) << store.status();
    return;
  }
  absl::Status scan =
      (*store)->ScanPrefix("", [](std::string_view, std::string_view) { return true; });
  EXPECT_TRUE(StatusIs(scan, absl::StatusCode::kDataLoss, "Corruption"));
  EXPECT_TRUE(StatusIs((*store)->Get("key1000"), absl::StatusCode::kDataLoss, path));
}

TEST(RocksDbStoreTest, DescribeAndStats) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Describe(), StrCat("rocksdb://", dir.Sub("db"), " (block cache 8 MiB)"));
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->cache_capacity_bytes, 8u << 20);
}

}  // namespace
}  // namespace plinth::kv
