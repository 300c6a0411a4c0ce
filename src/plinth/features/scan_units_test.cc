#include "plinth/features/scan_units.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "plinth/base/cpu_slots.h"
#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

TEST(ForEachScanUnitTest, PoolsSharingCpuSlotsRunAtMostThatManyUnitsAtOnce) {
  std::vector<ScanUnit> small(4), large(24);
  for (size_t i = 0; i < large.size(); ++i) large[i].rows = static_cast<int64_t>(i + 1);
  CpuSlots cpu(2);
  WorkerPool a(2, &cpu), b(2, &cpu);
  std::atomic<int> running{0}, most{0}, done_a{0}, done_b{0};
  auto unit = [&](std::atomic<int>& done) {
    return [&](size_t, int task) -> absl::Status {
      EXPECT_LT(task, 2);
      const int now = running.fetch_add(1) + 1;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      running.fetch_sub(1);
      done.fetch_add(1);
      return absl::OkStatus();
    };
  };
  absl::Status sa, sb;
  std::thread ta([&] { sa = ForEachScanUnit(a, small, unit(done_a)); });
  std::thread tb([&] { sb = ForEachScanUnit(b, large, unit(done_b)); });
  ta.join();
  tb.join();
  PLINTH_EXPECT_OK(sa);
  PLINTH_EXPECT_OK(sb);
  EXPECT_EQ(done_a.load(), 4);
  EXPECT_EQ(done_b.load(), 24);
  EXPECT_LE(most.load(), 2);
  EXPECT_EQ(most.load(), 2);  // the slots were used, not just one
}

TEST(ForEachScanUnitTest, TheFirstErrorStopsUnitsNotYetStartedAndFreesTheSlots) {
  std::vector<ScanUnit> units(50);
  CpuSlots cpu(1);
  WorkerPool pool(2, &cpu);
  std::atomic<int> ran{0};
  absl::Status s = ForEachScanUnit(pool, units, [&](size_t i, int) -> absl::Status {
    ran.fetch_add(1);
    return i == 3 ? absl::DataLossError("unit 3 is broken") : absl::OkStatus();
  });
  EXPECT_TRUE(testing::StatusIs(s, absl::StatusCode::kDataLoss, "unit 3"));
  EXPECT_LT(ran.load(), 50);
  // Every slot was given back: a later loop on the same slots runs to the end.
  std::atomic<int> later{0};
  PLINTH_EXPECT_OK(ForEachScanUnit(pool, units, [&](size_t, int) -> absl::Status {
    later.fetch_add(1);
    return absl::OkStatus();
  }));
  EXPECT_EQ(later.load(), 50);
}

}  // namespace
}  // namespace plinth::features
