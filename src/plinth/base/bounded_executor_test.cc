#include "plinth/base/bounded_executor.h"

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace plinth {
namespace {

TEST(BoundedExecutorTest, RunsEveryAdmittedTask) {
  std::atomic<int> ran{0};
  {
    BoundedExecutor exec({.threads = 2, .max_queued = 1000});
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(exec.TrySubmit([&] { ran.fetch_add(1); }));
  }  // the destructor drains the queue
  EXPECT_EQ(ran.load(), 500);
}

TEST(BoundedExecutorTest, RefusesPastThreadsPlusQueue) {
  BoundedExecutor exec({.threads = 2, .max_queued = 3});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  auto blocker = [&] {
    started.fetch_add(1);
    gate.wait();
  };
  // 2 running + 3 queued are admitted; the 6th is refused.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(exec.TrySubmit(blocker)) << i;
  while (started.load() < 2) std::this_thread::yield();
  EXPECT_EQ(exec.running(), 2);
  EXPECT_EQ(exec.queued(), 3);
  EXPECT_FALSE(exec.TrySubmit(blocker));
  EXPECT_EQ(exec.rejected(), 1u);
  release.set_value();
  while (exec.completed() < 5) std::this_thread::yield();
  EXPECT_TRUE(exec.TrySubmit([] {}));
}

TEST(BoundedExecutorTest, ZeroQueueAdmitsOnlyIdleWorkers) {
  BoundedExecutor exec({.threads = 1, .max_queued = 0});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> started{false};
  ASSERT_TRUE(exec.TrySubmit([&] {
    started = true;
    gate.wait();
  }));
  while (!started) std::this_thread::yield();
  EXPECT_FALSE(exec.TrySubmit([] {}));
  release.set_value();
}

TEST(BoundedExecutorTest, LightLoadStaysOnTheLatestIdleWorker) {
  BoundedExecutor exec({.threads = 8, .max_queued = 8});
  while (exec.idle() < 8) std::this_thread::yield();  // every worker started (else a late one is "latest")
  std::set<std::thread::id> ran_on;
  for (int i = 0; i < 40; ++i) {
    std::promise<std::thread::id> done;
    ASSERT_TRUE(exec.TrySubmit([&] { done.set_value(std::this_thread::get_id()); }));
    ran_on.insert(done.get_future().get());
    while (exec.running() > 0) std::this_thread::yield();
  }
  // One task at a time: the worker that just finished takes the next (a FIFO wake-up would
  // cycle through all eight, each with cold caches).
  EXPECT_LE(ran_on.size(), 2u);
}

}  // namespace
}  // namespace plinth
