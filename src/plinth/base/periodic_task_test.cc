#include "plinth/base/periodic_task.h"

#include <atomic>

#include <gtest/gtest.h>

namespace plinth {
namespace {

TEST(PeriodicTaskTest, RunsRepeatedlyUntilStopped) {
  std::atomic<int> runs{0};
  PeriodicTask task(std::chrono::milliseconds(2), [&] { runs.fetch_add(1); });
  task.Start();
  while (runs.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  task.Stop();
  int after = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(runs.load(), after);
}

TEST(PeriodicTaskTest, StopDoesNotWaitOutTheInterval) {
  PeriodicTask task(std::chrono::hours(1), [] {});
  task.Start();
  auto start = std::chrono::steady_clock::now();
  task.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace plinth
