#include "plinth/base/strings.h"

#include <cmath>
#include <limits>

#include "plinth/testing/test_util.h"

namespace plinth {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(StrCatTest, MixesStringsCharsBoolsAndIntegers) {
  std::string s = "str";
  std::string_view sv = "view";
  absl::string_view asv = "absl";
  EXPECT_EQ(StrCat(s, '-', sv, '-', asv, '-', "lit"), "str-view-absl-lit");
  EXPECT_EQ(StrCat(true, "/", false), "true/false");
  EXPECT_EQ(StrCat(0, " ", -42, " ", uint8_t{200}, " ", std::numeric_limits<int64_t>::max(), " ",
                   std::numeric_limits<int64_t>::min(), " ", std::numeric_limits<uint64_t>::max()),
            "0 -42 200 9223372036854775807 -9223372036854775808 18446744073709551615");
  EXPECT_EQ(StrCat(), "");
}

TEST(StrCatTest, DoublesUseShortestRoundTripForm) {
  EXPECT_EQ(StrCat(1.5), "1.5");
  EXPECT_EQ(StrCat(0.1), "0.1");
  EXPECT_EQ(StrCat(100.0), "100");
  EXPECT_EQ(StrCat(-0.25), "-0.25");
  EXPECT_EQ(StrCat(1e21), "1e+21");
  EXPECT_EQ(StrCat(std::nan("")), "nan");
  EXPECT_EQ(StrCat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(StrCat(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(StrCat(0.1f), "0.1");  // a float prints as a float, not as its widened double
}

TEST(StrCatTest, StrAppendAndStrJoin) {
  std::string out = "x=";
  StrAppend(&out, 1, ",", 2.5);
  EXPECT_EQ(out, "x=1,2.5");
  EXPECT_EQ(StrJoin(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(StrJoin(std::vector<int>{1, 2}, "+"), "1+2");
  EXPECT_EQ(StrJoin(std::vector<std::string>{}, ","), "");
}

TEST(StrSplitTest, KeepsEmptyPiecesByDefault) {
  EXPECT_THAT(StrSplit("a,b,,c", ','), ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(StrSplit(",", ','), ElementsAre("", ""));
  EXPECT_THAT(StrSplit("", ','), ElementsAre(""));
  EXPECT_THAT(StrSplit("abc", ','), ElementsAre("abc"));
}

TEST(StrSplitTest, SkipEmptyAlsoSkipsBlankPieces) {
  EXPECT_THAT(StrSplit("a,b,,c,", ',', true), ElementsAre("a", "b", "c"));
  EXPECT_THAT(StrSplit("a, ,b", ',', true), ElementsAre("a", "b"));
  EXPECT_THAT(StrSplit(" x ,y", ',', true), ElementsAre(" x ", "y"));  // pieces are not trimmed
  EXPECT_THAT(StrSplit("", ',', true), IsEmpty());
}

TEST(StringsTest, CaseAndWhitespaceHelpers) {
  EXPECT_EQ(StripWhitespace(" \t a b \n"), "a b");
  EXPECT_EQ(StripWhitespace("   "), "");
  EXPECT_EQ(ToLower("MiXeD-1"), "mixed-1");
  EXPECT_EQ(ToUpper("data_dir"), "DATA_DIR");
  EXPECT_TRUE(EqualsIgnoreCase("Bearer", "bEARER"));
  EXPECT_FALSE(EqualsIgnoreCase("Bearer", "Bearer "));
  EXPECT_EQ(ReplaceAll("a{{ID}}b{{ID}}", "{{ID}}", "X"), "aXbX");
  EXPECT_EQ(ReplaceAll("aaa", "aa", "b"), "ba");
  EXPECT_EQ(ReplaceAll("abc", "", "x"), "abc");
  EXPECT_TRUE(StartsWith("plt_abc", "plt_"));
  EXPECT_FALSE(StartsWith("pl", "plt_"));
}

TEST(ParseInt64Test, AcceptsWholeIntegers) {
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_EQ(ParseInt64("+42"), 42);
  EXPECT_EQ(ParseInt64(" 7 "), 7);
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseInt64("-9223372036854775808"), std::numeric_limits<int64_t>::min());
}

TEST(ParseInt64Test, RejectsOverflowAndJunk) {
  for (const char* bad : {"9223372036854775808", "-9223372036854775809", "99999999999999999999", "", " ", "+",
                          "-", "12abc", "abc", "1.5", "1e3", "0x10", "1 2", "+-5", "-+5", "++5"}) {
    EXPECT_EQ(ParseInt64(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseDoubleTest, AcceptsNumbers) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-2"), -2.0);
  EXPECT_EQ(ParseDouble("+0.25"), 0.25);
  EXPECT_EQ(ParseDouble("1e3"), 1000.0);
  EXPECT_EQ(ParseDouble(" 2.5E-1 "), 0.25);
  EXPECT_EQ(ParseDouble("1.7976931348623157e308"), std::numeric_limits<double>::max());
}

TEST(ParseDoubleTest, RejectsOverflowAndJunk) {
  for (const char* bad : {"1e400", "-1e400", "", "abc", "1.5x", "1,5", "--1", "+-1", "1e", "0x1p3"}) {
    EXPECT_EQ(ParseDouble(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseDoubleTest, RejectsNanAndInfinity) {
  for (const char* bad : {"nan", "NaN", "-nan", "inf", "+inf", "-inf", "infinity", "nan(0x1)"}) {
    EXPECT_EQ(ParseDouble(bad), std::nullopt) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace plinth
