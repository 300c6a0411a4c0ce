#include "plinth/serving/model_cache.h"

#include <atomic>
#include <thread>

#include "plinth/testing/fake_model.h"
#include "plinth/testing/test_util.h"

namespace plinth::serving {
namespace {

using testing::FakeModel;
using testing::StatusIs;

std::unique_ptr<ModelCache> MakeCache(int64_t budget) {
  auto cache = ModelCache::Create({.budget_bytes = budget});
  EXPECT_TRUE(cache.ok()) << cache.status();
  return std::move(*cache);
}

ModelCache::LoadFn Loader(size_t bytes, std::atomic<int>* loads = nullptr, double bias = 0) {
  return [=]() -> absl::StatusOr<std::unique_ptr<runtime::Model>> {
    if (loads != nullptr) loads->fetch_add(1);
    return std::make_unique<FakeModel>(std::vector<std::string>{"a"}, bias, bytes);
  };
}

ModelKey Key(const std::string& name, int64_t v = 1) { return {name, v}; }

TEST(ModelCacheTest, LoadsOnceThenHits) {
  auto cache = MakeCache(10'000);
  std::atomic<int> loads{0};
  PLINTH_ASSERT_OK_AND_ASSIGN(auto a, cache->Get(Key("m"), Loader(100, &loads)));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto b, cache->Get(Key("m"), Loader(100, &loads)));
  EXPECT_EQ(a, b);
  EXPECT_EQ(loads.load(), 1);
  auto stats = cache->GetStats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.loads, 1u);
  EXPECT_EQ(stats.bytes, 100);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.load_seconds.count, 1u);
}

TEST(ModelCacheTest, EvictsLeastRecentlyUsedWithinBudget) {
  auto cache = MakeCache(300);
  for (const char* name : {"a", "b", "c"}) PLINTH_ASSERT_OK(cache->Get(Key(name), Loader(100)));
  PLINTH_ASSERT_OK(cache->Get(Key("a"), Loader(100)));  // a is now the most recent
  PLINTH_ASSERT_OK(cache->Get(Key("d"), Loader(100)));  // evicts b
  EXPECT_EQ(cache->Peek(Key("b")), nullptr);
  EXPECT_NE(cache->Peek(Key("a")), nullptr);
  EXPECT_NE(cache->Peek(Key("c")), nullptr);
  EXPECT_NE(cache->Peek(Key("d")), nullptr);
  auto stats = cache->GetStats();
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.bytes, 300);
  // Versions are distinct keys.
  PLINTH_ASSERT_OK(cache->Get(Key("a", 2), Loader(100)));
  EXPECT_EQ(cache->Peek(Key("c")), nullptr);
}

TEST(ModelCacheTest, EvictedModelStaysUsableByItsHolder) {
  auto cache = MakeCache(100);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto held, cache->Get(Key("a"), Loader(100, nullptr, 7)));
  PLINTH_ASSERT_OK(cache->Get(Key("b"), Loader(100)));
  EXPECT_EQ(cache->Peek(Key("a")), nullptr);
  double row = 1, out = 0;
  PLINTH_ASSERT_OK(held->model().Predict(&row, 1, &out, {}));
  EXPECT_EQ(out, 8);
}

TEST(ModelCacheTest, ModelLargerThanBudgetIsServedThenEvicted) {
  auto cache = MakeCache(100);
  PLINTH_ASSERT_OK(cache->Get(Key("small"), Loader(50)));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto big, cache->Get(Key("big"), Loader(500)));
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(cache->Peek(Key("big")), nullptr);
  EXPECT_EQ(cache->Peek(Key("small")), nullptr);
  EXPECT_EQ(cache->GetStats().bytes, 0);
}

TEST(ModelCacheTest, PinnedKeysAreNeverEvicted) {
  auto cache = MakeCache(200);
  cache->Pin(Key("hot"));  // pinned before it is loaded
  PLINTH_ASSERT_OK(cache->Get(Key("hot"), Loader(100)));
  for (int i = 0; i < 10; ++i) PLINTH_ASSERT_OK(cache->Get(Key(StrCat("t", i)), Loader(100)));
  EXPECT_NE(cache->Peek(Key("hot")), nullptr);
  EXPECT_EQ(cache->GetStats().pinned_bytes, 100);
  EXPECT_EQ(cache->GetStats().bytes, 200);
  // Pins count; the last Unpin makes it evictable (and it is evicted when over budget).
  cache->Pin(Key("hot"));
  cache->Unpin(Key("hot"));
  PLINTH_ASSERT_OK(cache->Get(Key("x"), Loader(100)));
  EXPECT_NE(cache->Peek(Key("hot")), nullptr);
  cache->Unpin(Key("hot"));
  PLINTH_ASSERT_OK(cache->Get(Key("y"), Loader(100)));
  PLINTH_ASSERT_OK(cache->Get(Key("z"), Loader(100)));
  EXPECT_EQ(cache->Peek(Key("hot")), nullptr);
  EXPECT_EQ(cache->GetStats().pinned_bytes, 0);
}

TEST(ModelCacheTest, PinnedModelLargerThanBudgetStays) {
  auto cache = MakeCache(100);
  cache->Pin(Key("big"));
  PLINTH_ASSERT_OK(cache->Get(Key("big"), Loader(500)));
  EXPECT_NE(cache->Peek(Key("big")), nullptr);
  PLINTH_ASSERT_OK(cache->Get(Key("other"), Loader(10)));  // served, evicted at once
  EXPECT_EQ(cache->Peek(Key("other")), nullptr);
}

TEST(ModelCacheTest, ConcurrentFirstRequestsLoadOnce) {
  auto cache = MakeCache(1 << 20);
  std::atomic<int> loads{0};
  std::atomic<bool> go{false};
  auto slow = [&]() -> absl::StatusOr<std::unique_ptr<runtime::Model>> {
    loads.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return std::make_unique<FakeModel>(std::vector<std::string>{"a"}, 1, 100);
  };
  std::vector<std::thread> threads;
  std::vector<ModelHandle> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto m = cache->Get(Key("m"), slow);
      ASSERT_TRUE(m.ok());
      got[i] = *m;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(loads.load(), 1);
  for (const auto& m : got) EXPECT_EQ(m, got[0]);
  auto stats = cache->GetStats();
  EXPECT_EQ(stats.loads, 1u);
  EXPECT_EQ(stats.misses + stats.hits, 8u);
}

TEST(ModelCacheTest, FailedLoadIsReportedToEveryWaiterAndNotCached) {
  auto cache = MakeCache(1000);
  std::atomic<int> calls{0};
  auto failing = [&]() -> absl::StatusOr<std::unique_ptr<runtime::Model>> {
    calls.fetch_add(1);
    return absl::FailedPreconditionError("corrupt model");
  };
  EXPECT_TRUE(StatusIs(cache->Get(Key("m"), failing), absl::StatusCode::kFailedPrecondition, "corrupt"));
  EXPECT_TRUE(StatusIs(cache->Get(Key("m"), failing), absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(cache->GetStats().load_failures, 2u);
  PLINTH_ASSERT_OK(cache->Get(Key("m"), Loader(10)));
}

TEST(ModelCacheTest, ManyThreadsManyKeysStayWithinBudget) {
  auto cache = MakeCache(20 * 100);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        int k = (i * 7 + t * 13) % 60;
        auto m = cache->Get(Key(StrCat("m", k)), Loader(100, nullptr, k));
        double row = 0, out = -1;
        if (!m.ok() || !(*m)->model().Predict(&row, 1, &out, {}).ok() || out != k) wrong.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  auto stats = cache->GetStats();
  EXPECT_LE(stats.bytes, 2000);
  EXPECT_GT(stats.evictions, 0u);
  EXPECT_EQ(stats.entries * 100, stats.bytes);
}

}  // namespace
}  // namespace plinth::serving
