// Contract tests of OnlineStore, run against every backend (memory, rocksdb).
#include "plinth/storage/kv/online_store.h"

#include <atomic>
#include <map>
#include <thread>

#include "plinth/storage/kv/memory_store.h"
#include "plinth/storage/kv/rocksdb_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::kv {
namespace {

using ::plinth::testing::StatusIs;
using ::plinth::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::Optional;
using Pairs = std::vector<std::pair<std::string, std::string>>;

class OnlineStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store_ = Open(); }

  std::unique_ptr<OnlineStore> Open() {
    if (GetParam() == "memory") return std::move(MemoryStore::Create({.name = "test"})).value();
    // Small memtables so that the longer tests also read from flushed SST files.
    auto store = RocksDbStore::Create({.path = dir_.Sub("db"),
                                       .block_cache_bytes = 8 << 20,
                                       .write_buffer_bytes = 256 << 10,
                                       .bulk_chunk_bytes = 64 << 10});
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(store).value();
  }

  void Put(std::string_view key, std::string_view value) {
    WriteBatch b;
    b.Put(key, value);
    ASSERT_TRUE(store_->Write(b).ok());
  }

  std::optional<std::string> Get(std::string_view key) {
    auto v = store_->Get(key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  Pairs Scan(std::string_view prefix, size_t limit = SIZE_MAX) {
    Pairs out;
    EXPECT_TRUE(store_
                    ->ScanPrefix(prefix,
                                 [&](std::string_view k, std::string_view v) {
                                   out.emplace_back(k, v);
                                   return out.size() < limit;
                                 })
                    .ok());
    return out;
  }

  std::vector<std::string> Keys(std::string_view prefix = "") {
    std::vector<std::string> keys;
    for (auto& [k, v] : Scan(prefix)) keys.push_back(k);
    return keys;
  }

  TempDir dir_;
  std::unique_ptr<OnlineStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, OnlineStoreTest, ::testing::Values("memory", "rocksdb"),
                         [](const auto& info) { return info.param; });

TEST_P(OnlineStoreTest, PutGetOverwriteDelete) {
  EXPECT_EQ(Get("k"), std::nullopt);
  Put("k", "v1");
  EXPECT_THAT(Get("k"), Optional(std::string("v1")));
  Put("k", "v2");
  EXPECT_THAT(Get("k"), Optional(std::string("v2")));
  Put("empty", "");  // an empty value is present, not missing
  EXPECT_THAT(Get("empty"), Optional(std::string()));
  WriteBatch del;
  del.Delete("k");
  del.Delete("never-written");
  ASSERT_TRUE(store_->Write(del).ok());
  EXPECT_EQ(Get("k"), std::nullopt);
  EXPECT_TRUE(store_->Write(WriteBatch()).ok());  // empty batch
}

TEST_P(OnlineStoreTest, EveryDurabilityIsReadableAtOnce) {
  for (auto d : {Durability::kUnlogged, Durability::kLogged, Durability::kSynced}) {
    WriteBatch b;
    std::string key = StrCat("k", static_cast<int>(d));
    b.Put(key, "v");
    ASSERT_TRUE(store_->Write(b, {.durability = d}).ok());
    EXPECT_THAT(Get(key), Optional(std::string("v")));
  }
  EXPECT_TRUE(store_->Flush().ok());
}

TEST_P(OnlineStoreTest, LaterBatchEntriesWin) {
  Put("gone", "x");
  WriteBatch b;
  b.Put("k", "1");
  b.Put("k", "2");
  b.Delete("gone");
  b.Put("back", "1");
  b.Delete("back");
  b.Delete("again");
  b.Put("again", "ok");
  ASSERT_TRUE(store_->Write(b).ok());
  EXPECT_THAT(Get("k"), Optional(std::string("2")));
  EXPECT_EQ(Get("gone"), std::nullopt);
  EXPECT_EQ(Get("back"), std::nullopt);
  EXPECT_THAT(Get("again"), Optional(std::string("ok")));
}

// Large batches take RocksDB's sorted path: the order of entries for one key still holds.
TEST_P(OnlineStoreTest, LargeBatchLaterEntriesWin) {
  WriteBatch b;
  for (int i = 99; i >= 0; --i) b.Put(StrCat("k", 100 + i), "a");
  for (int i = 0; i < 100; i += 3) b.Delete(StrCat("k", 100 + i));
  for (int i = 0; i < 100; i += 5) b.Put(StrCat("k", 100 + i), "b");
  ASSERT_GE(b.size(), 64u);
  ASSERT_TRUE(store_->Write(b).ok());
  for (int i = 0; i < 100; ++i) {
    std::optional<std::string> want;
    if (i % 5 == 0) {
      want = "b";
    } else if (i % 3 != 0) {
      want = "a";
    }
    EXPECT_EQ(Get(StrCat("k", 100 + i)), want) << i;
  }
}

// A reader never sees half of a batch: every batch sets all keys to the same version.
TEST_P(OnlineStoreTest, BatchIsAtomicForConcurrentReaders) {
  constexpr int kKeys = 50;
  std::vector<std::string> key_storage;
  for (int i = 0; i < kKeys; ++i) key_storage.push_back(StrCat("row/", i));
  std::vector<std::string_view> keys(key_storage.begin(), key_storage.end());
  auto write_version = [&](int v) {
    WriteBatch b;
    for (const auto& k : key_storage) b.Put(k, StrCat("version-", v, std::string(100, 'x')));
    return store_->Write(b);
  };
  ASSERT_TRUE(write_version(0).ok());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      std::vector<std::optional<std::string>> values;
      while (!done.load()) {
        if (!store_->MultiGet(keys, &values).ok()) {
          ++torn;
          continue;
        }
        for (const auto& v : values) {
          if (!v || *v != *values[0]) ++torn;
        }
        ++reads;
      }
    });
  }
  for (int v = 1; v <= 300; ++v) ASSERT_TRUE(write_version(v).ok());
  while (reads.load() < 20) std::this_thread::yield();
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST_P(OnlineStoreTest, MultiGetMissingKeysAndDuplicates) {
  Put("a", "1");
  Put("b", "2");
  std::vector<std::string_view> keys = {"a", "missing", "a", "b", "", "missing"};
  // Pre-filled with stale strings: they must be overwritten or reset.
  std::vector<std::optional<std::string>> values = {std::string("stale"), std::string("stale")};
  ASSERT_TRUE(store_->MultiGet(keys, &values).ok());
  EXPECT_THAT(values,
              ElementsAre(Optional(std::string("1")), std::nullopt, Optional(std::string("1")),
                          Optional(std::string("2")), std::nullopt, std::nullopt));
  std::vector<std::string_view> one = {"b"};
  ASSERT_TRUE(store_->MultiGet(one, &values).ok());
  EXPECT_THAT(values, ElementsAre(Optional(std::string("2"))));
  std::vector<std::string_view> none;
  ASSERT_TRUE(store_->MultiGet(none, &values).ok());
  EXPECT_TRUE(values.empty());
}

TEST_P(OnlineStoreTest, MultiGetVisitCallsOncePerKeyAtItsIndex) {
  WriteBatch b;
  std::vector<std::string> storage;
  for (int i = 0; i < 100; ++i) {
    storage.push_back(StrCat("key", i));
    if (i % 3 != 0) b.Put(storage.back(), StrCat("value", i));
  }
  ASSERT_TRUE(store_->Write(b).ok());
  ASSERT_TRUE(store_->Flush().ok());
  std::vector<std::string_view> keys(storage.rbegin(), storage.rend());  // unsorted input
  std::vector<int> calls(keys.size());
  std::vector<std::optional<std::string>> seen(keys.size());
  ASSERT_TRUE(store_
                  ->MultiGetVisit(keys,
                                  [&](size_t i, std::optional<std::string_view> v) {
                                    ++calls[i];
                                    if (v) seen[i] = std::string(*v);
                                  })
                  .ok());
  for (size_t i = 0; i < keys.size(); ++i) {
    int n = 99 - static_cast<int>(i);
    EXPECT_EQ(calls[i], 1);
    if (n % 3 == 0) {
      EXPECT_EQ(seen[i], std::nullopt) << keys[i];
    } else {
      EXPECT_THAT(seen[i], Optional(StrCat("value", n))) << keys[i];
    }
  }
}

TEST_P(OnlineStoreTest, BinaryKeysAndValuesWithNulBytes) {
  using namespace std::string_literals;
  std::vector<std::string> keys = {"\xff\0"s, "a\0b"s, "\0"s, "a"s, "\x80"s, "a\0"s};
  for (const auto& k : keys) Put(k, "v\0"s + k);
  for (const auto& k : keys) EXPECT_THAT(Get(k), Optional("v\0"s + k));
  EXPECT_EQ(Get("a\0c"s), std::nullopt);
  // Bytewise unsigned order, a prefix before its extensions.
  EXPECT_THAT(Keys(), ElementsAre("\0"s, "a"s, "a\0"s, "a\0b"s, "\x80"s, "\xff\0"s));
  EXPECT_THAT(Keys("a\0"s), ElementsAre("a\0"s, "a\0b"s));
}

TEST_P(OnlineStoreTest, ScanPrefixIsOrderedAndStopsEarly) {
  WriteBatch b;
  for (int i : {7, 3, 9, 0, 5, 1, 8, 2, 6, 4}) b.Put(StrCat("v1/", i), StrCat("x", i));
  b.Put("v1", "not under v1/");
  b.Put("v0/9", "before");
  b.Put("v10/0", "after");
  b.Put("v2/0", "after");
  ASSERT_TRUE(store_->Write(b).ok());
  Pairs all = Scan("v1/");
  ASSERT_EQ(all.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(all[i].first, StrCat("v1/", i));
    EXPECT_EQ(all[i].second, StrCat("x", i));
  }
  Pairs first3 = Scan("v1/", 3);
  ASSERT_EQ(first3.size(), 3u);
  EXPECT_EQ(first3[2].first, "v1/2");
  EXPECT_EQ(Scan("").size(), 14u);
  EXPECT_TRUE(Scan("zz").empty());
  EXPECT_THAT(Keys("v1"), ElementsAre("v1", "v1/0", "v1/1", "v1/2", "v1/3", "v1/4", "v1/5", "v1/6",
                                      "v1/7", "v1/8", "v1/9", "v10/0"));
}

TEST_P(OnlineStoreTest, DeletePrefixKeepsNeighbours) {
  using namespace std::string_literals;
  std::vector<std::string> keep = {"a"s, "a\xfe\xff"s, "a\xfe\xff\xff"s, "b"s, "b\0"s};
  std::vector<std::string> drop = {"a\xff"s, "a\xff\0"s, "a\xff\xff"s, "a\xff\xff\xff"s};
  WriteBatch b;
  for (const auto& k : keep) b.Put(k, "keep");
  for (const auto& k : drop) b.Put(k, "drop");
  ASSERT_TRUE(store_->Write(b).ok());
  ASSERT_TRUE(store_->Flush().ok());  // half of the rows in SST files, half in the memtable
  Put("a\xff\x01"s, "drop");
  Put("a\xfe"s, "keep");
  ASSERT_TRUE(store_->DeletePrefix("a\xff"s).ok());
  EXPECT_THAT(Keys(), ElementsAre("a"s, "a\xfe"s, "a\xfe\xff"s, "a\xfe\xff\xff"s, "b"s, "b\0"s));
  for (const auto& k : drop) EXPECT_EQ(Get(k), std::nullopt);
  // Rows written after the drop are visible again.
  Put("a\xff"s, "new");
  EXPECT_THAT(Get("a\xff"s), Optional(std::string("new")));
}

TEST_P(OnlineStoreTest, DeletePrefixWithoutUpperBound) {
  using namespace std::string_literals;
  WriteBatch b;
  for (auto k : {"\xfe"s, "\xfe\xff"s, "\xff"s, "\xff\0"s, "\xff\xff"s, "\xff\xff\xff"s})
    b.Put(k, "v");
  ASSERT_TRUE(store_->Write(b).ok());
  ASSERT_TRUE(store_->DeletePrefix("\xff\xff"s).ok());
  EXPECT_THAT(Keys(), ElementsAre("\xfe"s, "\xfe\xff"s, "\xff"s, "\xff\0"s));
  ASSERT_TRUE(store_->DeletePrefix("\xff"s).ok());
  EXPECT_THAT(Keys(), ElementsAre("\xfe"s, "\xfe\xff"s));
  ASSERT_TRUE(store_->DeletePrefix("\xff"s).ok());  // nothing left under it
  ASSERT_TRUE(store_->DeletePrefix("").ok());       // everything
  EXPECT_TRUE(Keys().empty());
  ASSERT_TRUE(store_->DeletePrefix("").ok());  // empty store
}

// Writers on several threads, readers alongside: every acknowledged write is there.
TEST_P(OnlineStoreTest, ConcurrentWritersAndReadersLoseNothing) {
  constexpr int kWriters = 4, kBatches = 50, kPerBatch = 40;
  auto key = [](int w, int i) { return StrCat("w", w, "/", 100000 + i); };
  auto value = [](const std::string& k) { return StrCat(k, std::string(200, '.')); };
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::vector<std::string> storage(8);
      std::vector<std::string_view> keys(8);
      std::vector<std::optional<std::string>> values;
      int n = r;
      while (!done.load()) {
        for (size_t j = 0; j < keys.size(); ++j, ++n) {
          storage[j] = key(n % kWriters, (n * 7919) % (kBatches * kPerBatch));
          keys[j] = storage[j];
        }
        if (!store_->MultiGet(keys, &values).ok()) ++bad;
        for (size_t j = 0; j < keys.size(); ++j) {
          if (values[j] && *values[j] != value(storage[j])) ++bad;
        }
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int b = 0; b < kBatches; ++b) {
        WriteBatch batch;
        for (int i = 0; i < kPerBatch; ++i) {
          std::string k = key(w, b * kPerBatch + i);
          batch.Put(k, value(k));
        }
        auto d = b % 2 ? Durability::kLogged : Durability::kUnlogged;
        if (!store_->Write(batch, {.durability = d}).ok()) ++bad;
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  for (int w = 0; w < kWriters; ++w) {
    Pairs rows = Scan(StrCat("w", w, "/"));
    ASSERT_EQ(rows.size(), static_cast<size_t>(kBatches * kPerBatch)) << "writer " << w;
    for (int i = 0; i < kBatches * kPerBatch; ++i) {
      ASSERT_EQ(rows[i].first, key(w, i));
      ASSERT_EQ(rows[i].second, value(rows[i].first));
    }
  }
}

TEST_P(OnlineStoreTest, ApproximateSizeAndStats) {
  WriteBatch b;
  for (int i = 0; i < 1000; ++i) b.Put(StrCat("big/", 1000 + i), std::string(500, 'v'));
  b.Put("small/1", "v");
  ASSERT_TRUE(store_->Write(b).ok());
  ASSERT_TRUE(store_->Flush().ok());
  auto big = store_->ApproximateSize("big/");
  auto none = store_->ApproximateSize("nothing/");
  auto all = store_->ApproximateSize("");
  ASSERT_TRUE(big.ok() && none.ok() && all.ok());
  EXPECT_GT(*big, 100000u);  // compression of a repeated byte still leaves something
  EXPECT_EQ(*none, 0u);
  EXPECT_GE(*all, *big);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_GE(stats->approximate_keys, 900u);
  EXPECT_GT(stats->approximate_bytes, 0u);
  EXPECT_THAT(store_->Describe(), ::testing::StartsWith(GetParam() + "://"));
}

TEST_P(OnlineStoreTest, BulkLoadKeepsLastValueAndOverwrites) {
  Put("k10005", "old");
  Put("keep", "x");
  auto loader = store_->NewBulkLoader();
  ASSERT_TRUE(loader.ok()) << loader.status();
  std::vector<int> order;
  for (int i = 0; i < 3000; ++i) order.push_back((i * 7919) % 3000);  // a permutation
  for (int i : order) {
    ASSERT_TRUE((*loader)->Put(StrCat("k", 10000 + i), StrCat(i, std::string(700, '.'))).ok());
  }
  // Second values for some keys: in a later chunk, and twice within one chunk.
  for (int i = 0; i < 3000; i += 100)
    ASSERT_TRUE((*loader)->Put(StrCat("k", 10000 + i), "v1").ok());
  for (int i = 0; i < 3000; i += 100)
    ASSERT_TRUE((*loader)->Put(StrCat("k", 10000 + i), "v2").ok());
  ASSERT_TRUE((*loader)->Finish().ok());
  loader->reset();
  Pairs rows = Scan("k1");
  ASSERT_EQ(rows.size(), 3000u);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(rows[i].first, StrCat("k", 10000 + i));
    ASSERT_EQ(rows[i].second, i % 100 == 0 ? "v2" : StrCat(i, std::string(700, '.'))) << i;
  }
  EXPECT_THAT(Get("keep"), Optional(std::string("x")));
  // Ordinary writes after a bulk load win over it.
  Put("k10000", "later");
  EXPECT_THAT(Get("k10000"), Optional(std::string("later")));
  // An empty load is fine.
  auto empty = store_->NewBulkLoader();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->Finish().ok());
}

TEST(PrefixEndTest, IncrementsTheLastByteBelow0xff) {
  using namespace std::string_literals;
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd("a\xff"s), "b");
  EXPECT_EQ(PrefixEnd("a\xff\xff"s), "b");
  EXPECT_EQ(PrefixEnd("a\0"s), "a\x01"s);
  EXPECT_EQ(PrefixEnd("\xfe\xff"s), "\xff"s);
  EXPECT_EQ(PrefixEnd("\xff\xff"s), std::nullopt);
  EXPECT_EQ(PrefixEnd(""), std::nullopt);
}

TEST(WriteBatchTest, KeepsEntriesInOrder) {
  using namespace std::string_literals;
  WriteBatch b;
  b.Reserve(3, 64);
  std::string key = "k\0"s;
  b.Put(key, "value");
  key = "overwritten";  // the batch holds its own copy
  b.Delete("d");
  b.Put("", "");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.entry(0).kind, WriteBatch::Kind::kPut);
  EXPECT_EQ(b.entry(0).key, "k\0"s);
  EXPECT_EQ(b.entry(0).value, "value");
  EXPECT_EQ(b.entry(1).kind, WriteBatch::Kind::kDelete);
  EXPECT_EQ(b.entry(1).key, "d");
  EXPECT_EQ(b.entry(1).value, "");
  EXPECT_EQ(b.entry(2).key, "");
  EXPECT_EQ(b.data_bytes(), 8u);
  b.Clear();
  EXPECT_TRUE(b.empty());
}

TEST(WriteBatchTest, KeyOrderIsBytewiseAndStable) {
  using namespace std::string_literals;
  WriteBatch b;
  std::vector<std::string> keys = {"fv07000000000002"s,
                                   "fv07000000000001"s,
                                   "\x80"s,
                                   "\x7f"s,
                                   "fv07000000000001"s,
                                   ""s,
                                   "fv07"s,
                                   "a\0"s,
                                   "a"s,
                                   "fv07000000000001\xff"s,
                                   "fv0700000000000\x80"s};
  for (size_t i = 0; i < keys.size(); ++i) b.Put(keys[i], StrCat(i));
  std::vector<std::string> got;
  for (uint32_t i : b.KeyOrder()) got.push_back(StrCat(b.entry(i).key, "=", b.entry(i).value));
  EXPECT_THAT(got, ElementsAre("=5", "a=8", "a\0=7"s, "fv07=6", "fv07000000000001=1",
                               "fv07000000000001=4", "fv07000000000001\xff=9", "fv07000000000002=0",
                               "fv0700000000000\x80=10", "\x7f=3", "\x80=2"));
  got.clear();
  for (uint32_t i : b.KeyOrder(/*last_per_key=*/true)) got.push_back(StrCat(b.entry(i).key));
  EXPECT_THAT(got, ElementsAre("", "a", "a\0"s, "fv07", "fv07000000000001", "fv07000000000001\xff",
                               "fv07000000000002", "fv0700000000000\x80", "\x7f", "\x80"));
  EXPECT_TRUE(WriteBatch().KeyOrder(true).empty());
}

}  // namespace
}  // namespace plinth::kv
