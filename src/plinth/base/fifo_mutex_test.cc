#include "plinth/base/fifo_mutex.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace plinth {
namespace {

TEST(FifoMutexTest, WaitersGetTheLockInTheOrderTheyAsked) {
  FifoMutex mu;
  std::vector<int> order;
  std::atomic<int> queued{0};
  mu.lock();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      queued.fetch_add(1);
      std::lock_guard<FifoMutex> l(mu);
      order.push_back(i);
    });
    // Each thread draws its ticket before the next starts: wait until it is blocked.
    while (queued.load() <= i) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  mu.unlock();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

TEST(FifoMutexTest, AThreadThatUnlocksAndRelocksAtOnceQueuesBehindAWaiter) {
  FifoMutex mu;
  std::atomic<bool> asking{false};
  bool waiter_ran = false;
  mu.lock();
  std::thread waiter([&] {
    asking.store(true);
    std::lock_guard<FifoMutex> l(mu);
    waiter_ran = true;
  });
  while (!asking.load()) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the waiter is blocked in lock()
  mu.unlock();
  mu.lock();  // std::mutex would usually hand it straight back to this thread
  EXPECT_TRUE(waiter_ran);
  mu.unlock();
  waiter.join();
}

TEST(FifoMutexTest, TryLockFailsWhileHeldAndSucceedsWhenFree) {
  FifoMutex mu;
  ASSERT_TRUE(mu.try_lock());
  std::thread other([&] { EXPECT_FALSE(mu.try_lock()); });
  other.join();
  mu.unlock();
  ASSERT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(FifoMutexTest, CountsStayExactUnderContention) {
  FifoMutex mu;
  int64_t counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        std::lock_guard<FifoMutex> l(mu);
        ++counter;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 20000);
}

}  // namespace
}  // namespace plinth
