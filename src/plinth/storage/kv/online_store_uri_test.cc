#include "plinth/storage/kv/online_store_uri.h"

#include <filesystem>

#include "plinth/storage/kv/memory_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::kv {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;

absl::Status PutOne(OnlineStore& store, std::string_view key, std::string_view value) {
  WriteBatch b;
  b.Put(key, value);
  return store.Write(b);
}

TEST(OpenOnlineStoreTest, RocksDbUriAndBarePath) {
  TempDir dir;
  std::string path = dir.Sub("online");
  {
    auto store = OpenOnlineStore(StrCat("rocksdb://", path), {.block_cache_bytes = 4 << 20});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->Describe(), StrCat("rocksdb://", path, " (block cache 4 MiB)"));
    ASSERT_TRUE(PutOne(**store, "k", "v").ok());
  }
  EXPECT_TRUE(std::filesystem::exists(path + "/CURRENT"));
  auto bare = OpenOnlineStore(path);  // a bare path is RocksDB, the same store
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_THAT(*(*bare)->Get("k"), Optional(std::string("v")));
  auto upper = OpenOnlineStore(StrCat("RocksDB://", dir.Sub("other")));
  EXPECT_TRUE(upper.ok()) << upper.status();
}

TEST(OpenOnlineStoreTest, OptionsReachTheBackend) {
  TempDir dir;
  auto store =
      OpenOnlineStore(StrCat("rocksdb://", dir.Sub("absent")), {.create_if_missing = false});
  EXPECT_TRUE(StatusIs(store, absl::StatusCode::kNotFound, "does not exist"));
}

TEST(OpenOnlineStoreTest, MemoryStoresAreFreshAndIndependent) {
  auto a = OpenOnlineStore("memory://");
  auto b = OpenOnlineStore("memory://parity");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(PutOne(**a, "k", "v").ok());
  EXPECT_EQ(*(*b)->Get("k"), std::nullopt);
  EXPECT_EQ((*b)->Describe(), "memory://parity");
}

TEST(OpenOnlineStoreTest, UnknownSchemesNameTheSupportedOnes) {
  auto redis = OpenOnlineStore("redis://localhost:6379/0");
  EXPECT_TRUE(StatusIs(redis, absl::StatusCode::kInvalidArgument, "redis://localhost:6379/0"));
  EXPECT_THAT(std::string(redis.status().message()), HasSubstr("memory://, rocksdb://"));
  EXPECT_TRUE(StatusIs(OpenOnlineStore(""), absl::StatusCode::kInvalidArgument, "empty"));
  EXPECT_TRUE(
      StatusIs(OpenOnlineStore("rocksdb://"), absl::StatusCode::kInvalidArgument, "empty path"));
}

TEST(OnlineStoreBackendsTest, RegisteredSchemesAreUsed) {
  OnlineStoreBackends backends = OnlineStoreBackends::WithBuiltins();
  std::string seen;
  backends.Register("redis",
                    [&](const std::string& location,
                        const OpenOptions&) -> absl::StatusOr<std::unique_ptr<OnlineStore>> {
                      seen = location;
                      PLINTH_ASSIGN_OR_RETURN(auto store,
                                              MemoryStore::Create({.name = "fake-redis"}));
                      return std::unique_ptr<OnlineStore>(std::move(store));
                    });
  auto store = backends.Open("redis://host:6379/2");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(seen, "host:6379/2");
  EXPECT_THAT((*store)->Describe(), StartsWith("memory://fake-redis"));
  // The process-wide short form is unaffected.
  EXPECT_FALSE(OpenOnlineStore("redis://host").ok());
}

}  // namespace
}  // namespace plinth::kv
