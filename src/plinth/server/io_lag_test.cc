#include "plinth/server/io_lag.h"

#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

TEST(IoLagTest, ASingleStallShedsNothingABacklogDoes) {
  struct Step {
    int64_t due, ran, lag;
  };
  const Step steps[] = {
      {1000, 1000, 0},
      {2000, 82000, 0},        // one 80 ms stall: the next tick is on time
      {90000, 90100, 100},
      {100000, 130000, 100},   // a backlog: every tick runs late
      {140000, 165000, 25000},
      {175000, 215000, 25000},
      {225000, 255000, 30000},
      {265000, 265000, 0},     // drained
  };
  IoLag lag;
  for (const Step& s : steps) {
    lag.Tick(s.due, s.ran);
    EXPECT_EQ(lag.micros(), s.lag) << "tick due at " << s.due;
  }
}

TEST(IoLagTest, ATickBeforeItsTimeCountsAsOnTime) {
  IoLag lag;
  lag.Tick(5000, 4000);
  lag.Tick(6000, 5000);
  EXPECT_EQ(lag.micros(), 0);
}

}  // namespace
}  // namespace plinth::server
