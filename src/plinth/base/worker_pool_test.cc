#include "plinth/base/worker_pool.h"

#include <atomic>

#include <gtest/gtest.h>

namespace plinth {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskOnceAcrossManyLoops) {
  for (int threads : {1, 2, 4}) {
    WorkerPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int round = 0; round < 200; ++round) {
      std::vector<std::atomic<int>> hits(17);
      pool.ParallelFor(17, [&](int i) { hits[i].fetch_add(1); });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    }
    pool.ParallelFor(0, [](int) { FAIL(); });
  }
}

}  // namespace
}  // namespace plinth
