#include "plinth/base/time.h"

#include "plinth/base/clock.h"
#include "plinth/testing/test_util.h"

namespace plinth {
namespace {

using testing::StatusIs;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT = 1'700'000'000 * kSecond;  // 2023-11-14T22:13:20Z

TEST(FormatTimestampTest, FormatsUtcWithMicroseconds) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(kT), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(FormatTimestamp(kT + 123456), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestamp(951782400 * kSecond), "2000-02-29T00:00:00.000000Z");
}

TEST(ParseTimestampTest, RoundTripsFormattedValues) {
  for (int64_t micros : {int64_t{0}, kT, kT + 1, kT + 999999, int64_t{-1}, int64_t{-86400} * kSecond - 5,
                         int64_t{951782400} * kSecond, int64_t{4102444799} * kSecond + 999999}) {
    auto parsed = ParseTimestamp(FormatTimestamp(micros));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, micros) << FormatTimestamp(micros);
  }
}

TEST(ParseTimestampTest, AcceptedForms) {
  struct Case {
    const char* text;
    int64_t want;
  } cases[] = {
      {"2023-11-14", kT - (22 * 3600 + 13 * 60 + 20) * kSecond},
      {"2023-11-14T22:13:20Z", kT},
      {"2023-11-14t22:13:20z", kT},
      {"2023-11-14 22:13:20", kT},
      {"  2023-11-14T22:13:20Z  ", kT},
      {"2023-11-14T22:13", kT - 20 * kSecond},
      {"2023-11-14T22:13:20.5Z", kT + 500000},
      {"2023-11-14T22:13:20,25Z", kT + 250000},
      {"2023-11-14T22:13:20.123456789Z", kT + 123456},  // nanoseconds are truncated
      {"2023-11-15T00:13:20+02:00", kT},
      {"2023-11-15T00:13:20+0200", kT},
      {"2023-11-14T16:43:20-05:30", kT},
      {"2023-11-14T22:13:20.000001+00:00", kT + 1},
  };
  for (const auto& c : cases) {
    auto got = ParseTimestamp(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(ParseTimestampTest, RejectsMalformedInput) {
  for (const char* bad : {"", "2023", "2023-11", "23-11-14", "2023/11/14", "2023-13-01", "2023-00-10", "2023-11-00",
                          "2023-11-32", "2023-11-14T", "2023-11-14T25:00", "2023-11-14T22:60", "2023-11-14T22:13:61",
                          "2023-11-14T22:13:20Q", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20.1234567890Z",
                          "2023-11-14T22:13:20+2", "2023-11-14T22:13:20Zjunk", "2023-11-14X22:13:20", "yesterday"}) {
    EXPECT_TRUE(StatusIs(ParseTimestamp(bad), absl::StatusCode::kInvalidArgument, "invalid timestamp")) << bad;
  }
}

TEST(ParseTimestampTest, RejectsImpossibleCalendarDates) {
  for (const char* bad : {"2023-02-29", "2024-02-30", "2023-04-31", "2023-06-31", "1900-02-29",
                          "2023-11-14T22:13:20+24:00", "2023-11-14T22:13:20+05:60"}) {
    EXPECT_TRUE(StatusIs(ParseTimestamp(bad), absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_TRUE(ParseTimestamp("2024-02-29").ok());  // leap year
  EXPECT_TRUE(ParseTimestamp("2000-02-29").ok());  // divisible by 400
}

TEST(ParseDurationTest, UnitsConvertToMicroseconds) {
  struct Case {
    const char* text;
    int64_t want;
  } cases[] = {
      {"90s", 90 * kSecond},      {"15m", 900 * kSecond},        {"168h", 168 * 3600 * kSecond},
      {"7d", 7 * 86400 * kSecond}, {"250ms", 250000},             {"10us", 10},
      {"10", 10 * kSecond},       {"1.5h", 5400 * kSecond},      {" 2m ", 120 * kSecond},
      {"0s", 0},                  {"0.5ms", 500},
  };
  for (const auto& c : cases) {
    auto got = ParseDuration(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(ParseDurationTest, RejectsBadInput) {
  for (const char* bad : {"", "s", "-5s", "abc", ".", "1..2s", "1e3s"}) {
    EXPECT_TRUE(StatusIs(ParseDuration(bad), absl::StatusCode::kInvalidArgument, "invalid duration")) << bad;
  }
  for (const char* bad : {"5x", "5 s", "5sec", "5M", "5 "  "h"}) {
    EXPECT_TRUE(StatusIs(ParseDuration(bad), absl::StatusCode::kInvalidArgument, "invalid duration unit")) << bad;
  }
}

TEST(ParseDurationTest, RejectsValuesThatOverflowMicroseconds) {
  // 1e8 days fit in int64 micros; 1e9 days (8.64e22 us) do not.
  EXPECT_EQ(*ParseDuration("100000000d"), int64_t{100000000} * 86400 * kSecond);
  for (const char* bad : {"1000000000d", "99999999999999999999s", "9223372036854775808us"}) {
    EXPECT_TRUE(StatusIs(ParseDuration(bad), absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(kT);
  EXPECT_EQ(clock.NowMicros(), kT);
  clock.Advance(5);
  EXPECT_EQ(clock.NowMicros(), kT + 5);
  clock.Set(7);
  EXPECT_EQ(clock.NowMicros(), 7);
  EXPECT_GT(Clock::Real()->NowMicros(), kT);
}

}  // namespace
}  // namespace plinth
