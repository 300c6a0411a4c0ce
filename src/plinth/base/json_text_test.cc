#include "plinth/base/json_text.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "plinth/base/json.h"

namespace plinth {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Dbl(double d) {
  std::string out;
  AppendJsonDouble(&out, d);
  return out;
}

TEST(JsonTextTest, StringsMatchDumpJson) {
  for (std::string s : {std::string(""), std::string("plain"), std::string("quote \" and \\ back"),
                        std::string("tab\tnl\ncr\r bell\x07 nul", 20), std::string("\x01\x1f\b\f"),
                        std::string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
                        std::string("bad \xFF lead, cut \xE2\x82, overlong \xC0\xAF, surrogate \xED\xA0\x80"),
                        std::string("\xF4\x90\x80\x80 above max")}) {
    std::string mine = Str(s);
    // Valid JSON that reads back as DumpJson's (replace mode) reading of the same bytes.
    auto parsed = ParseJson(mine);
    ASSERT_TRUE(parsed.ok()) << mine;
    auto theirs = ParseJson(DumpJson(Json(s)));
    ASSERT_TRUE(theirs.ok());
    EXPECT_EQ(*parsed, *theirs) << mine;
  }
  EXPECT_EQ(Str("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(Str("\xFF"), "\"\xEF\xBF\xBD\"");
}

TEST(JsonTextTest, RandomStringsMatchDumpJson) {
  std::mt19937 rng(3);
  const char alphabet[] = {'a', 'Z', '0', ' ', '"', '\\', '\n', '\x01', '\x7f', '\xC3', '\xA9', '\xE2', '\x82', '\xAC', '\xFF'};
  for (int n = 0; n < 3000; ++n) {
    std::string s;
    const int len = static_cast<int>(rng() % 24);
    for (int i = 0; i < len; ++i) s.push_back(rng() % 3 ? 'a' + static_cast<char>(rng() % 26) : alphabet[rng() % sizeof alphabet]);
    auto mine = ParseJson(Str(s));
    ASSERT_TRUE(mine.ok()) << Str(s);
    EXPECT_EQ(*mine, *ParseJson(DumpJson(Json(s)))) << Str(s);
  }
}

TEST(JsonTextTest, DoublesReadBackExactly) {
  EXPECT_EQ(Dbl(5), "5.0");
  EXPECT_EQ(Dbl(-0.0), "-0.0");
  EXPECT_EQ(Dbl(0.1), "0.1");
  EXPECT_EQ(Dbl(1e20), "1e+20");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Dbl(-std::numeric_limits<double>::infinity()), "null");
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint64_t> bits;
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    uint64_t b = bits(rng);
    double d;
    std::memcpy(&d, &b, 8);
    if (!std::isfinite(d)) continue;
    auto parsed = ParseJson(Dbl(d));
    ASSERT_TRUE(parsed.ok()) << Dbl(d);
    ASSERT_TRUE(parsed->is_number_float()) << Dbl(d);
    ASSERT_EQ(parsed->get<double>(), d) << Dbl(d);
    ++checked;
  }
  EXPECT_GT(checked, 19000);
}

}  // namespace
}  // namespace plinth
