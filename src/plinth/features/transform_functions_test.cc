// Built-in functions of the transform language, with their null and NaN rules.
#include "plinth/features/transform_functions.h"

#include <limits>

#include "plinth/features/transform_test_util.h"

namespace plinth::features {
namespace {

using testing::At;
using testing::Eval;

using namespace testing;  // NOLINT: the value helpers I(), D(), Is() ...

TEST(TransformFunctionsTest, If) {
  EXPECT_THAT(Eval("if(flag, 1, 2)", {{"flag", B(true)}}), Is(I(1)));
  EXPECT_THAT(Eval("if(flag, 1, 2)", {{"flag", B(false)}}), Is(I(2)));
  EXPECT_THAT(Eval("if(flag, 1, 2)"), Is(I(2)));  // null condition takes the else branch
  EXPECT_THAT(Eval("if(flag, a, x)", {{"flag", B(true)}, {"a", I(3)}}), Is(D(3)));  // mixed: double
  EXPECT_THAT(Eval("if(flag, 'yes', null)", {{"flag", B(false)}}), Is(kNull));
  EXPECT_THAT(Eval("if(null, 1, 2)"), Is(I(2)));
  // Only the taken branch runs (the other would overflow).
  EXPECT_THAT(Eval("if(a > 0, a, a - 1)", {{"a", I(kMin + 0)}}), Is(kNull));
  EXPECT_THAT(Eval("if(a < 0, a, a - 1)", {{"a", I(kMin)}}), Is(I(kMin)));
  EXPECT_THAT(Eval("if(country in ['XX', 'YY'] and amount > 100, 1.0, 0.0)", {{"country", S("XX")}, {"amount", D(150)}}),
              Is(D(1)));
}

TEST(TransformFunctionsTest, Coalesce) {
  EXPECT_THAT(Eval("coalesce(a, b, 7)", {{"b", I(5)}}), Is(I(5)));
  EXPECT_THAT(Eval("coalesce(a, b, 7)"), Is(I(7)));
  EXPECT_THAT(Eval("coalesce(a, b)"), Is(kNull));
  EXPECT_THAT(Eval("coalesce(a)", {{"a", I(1)}}), Is(I(1)));
  EXPECT_THAT(Eval("coalesce(null, x, a)", {{"a", I(2)}}), Is(D(2)));
  EXPECT_THAT(Eval("coalesce(s, 'unknown')", {{"s", S("")}}), Is(S("")));
  EXPECT_THAT(Eval("coalesce(null, null)"), Is(kNull));
  EXPECT_THAT(Eval("coalesce(x, 0.0)", {{"x", D(kNaN)}}), Is(D(kNaN)));  // NaN is not null
}

TEST(TransformFunctionsTest, LogExpSqrt) {
  EXPECT_THAT(Eval("log(1)"), Is(D(0)));
  EXPECT_THAT(Eval("exp(0)"), Is(D(1)));
  EXPECT_NEAR(Eval("log(x)", {{"x", D(std::exp(2.0))}}).double_value(), 2.0, 1e-12);
  EXPECT_THAT(Eval("log10(1000)"), Is(D(3)));
  EXPECT_THAT(Eval("log(0)"), Is(kNull));
  EXPECT_THAT(Eval("log(-1)"), Is(kNull));
  EXPECT_THAT(Eval("log10(x)", {{"x", D(-0.0)}}), Is(kNull));
  EXPECT_THAT(Eval("log(x)", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("log(x)", {{"x", D(kInf)}}), Is(D(kInf)));
  EXPECT_THAT(Eval("exp(1000)"), Is(D(kInf)));
  EXPECT_THAT(Eval("sqrt(16)"), Is(D(4)));
  EXPECT_THAT(Eval("sqrt(-1)"), Is(kNull));
  EXPECT_THAT(Eval("sqrt(x)", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("log(a)"), Is(kNull));
  EXPECT_THAT(Eval("exp(x)"), Is(kNull));
  EXPECT_THAT(Eval("sqrt(null)"), Is(kNull));
}

TEST(TransformFunctionsTest, AbsFloorCeilRound) {
  EXPECT_THAT(Eval("abs(-3)"), Is(I(3)));
  EXPECT_THAT(Eval("abs(a)", {{"a", I(kMin)}}), Is(kNull));  // overflow
  EXPECT_THAT(Eval("abs(-2.5)"), Is(D(2.5)));
  EXPECT_THAT(Eval("abs(x)", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("floor(2.7)"), Is(D(2)));
  EXPECT_THAT(Eval("floor(-2.5)"), Is(D(-3)));
  EXPECT_THAT(Eval("ceil(2.1)"), Is(D(3)));
  EXPECT_THAT(Eval("ceil(-2.5)"), Is(D(-2)));
  EXPECT_THAT(Eval("round(2.5)"), Is(D(3)));
  EXPECT_THAT(Eval("round(-2.5)"), Is(D(-3)));  // half away from zero
  EXPECT_THAT(Eval("round(0.49999999999999994)"), Is(D(0)));
  EXPECT_THAT(Eval("round(7)"), Is(I(7)));  // an int64 stays int64
  EXPECT_THAT(Eval("floor(a)", {{"a", I(-7)}}), Is(I(-7)));
  EXPECT_THAT(Eval("round(x)"), Is(kNull));
  EXPECT_THAT(Eval("abs(a)"), Is(kNull));
}

TEST(TransformFunctionsTest, MinMaxClip) {
  EXPECT_THAT(Eval("min(3, 1, 2)"), Is(I(1)));
  EXPECT_THAT(Eval("max(3, 1, 2)"), Is(I(3)));
  EXPECT_THAT(Eval("min(3, 1.5)"), Is(D(1.5)));
  EXPECT_THAT(Eval("max(a, x)", {{"a", I(4)}, {"x", D(1.5)}}), Is(D(4)));
  EXPECT_THAT(Eval("min(a, 1)"), Is(kNull));
  EXPECT_THAT(Eval("max(1, a, 2)"), Is(kNull));
  EXPECT_THAT(Eval("min(x, 1.0)", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("max(1.0, x)", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("clip(a, 0, 10)", {{"a", I(-5)}}), Is(I(0)));
  EXPECT_THAT(Eval("clip(a, 0, 10)", {{"a", I(50)}}), Is(I(10)));
  EXPECT_THAT(Eval("clip(a, 0, 10)", {{"a", I(5)}}), Is(I(5)));
  EXPECT_THAT(Eval("clip(x, 0, 1)", {{"x", D(1.5)}}), Is(D(1)));
  EXPECT_THAT(Eval("clip(a, 0.5, 1)", {{"a", I(0)}}), Is(D(0.5)));
  EXPECT_THAT(Eval("clip(x, 0, 1)", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("clip(x, 0, 1)", {{"x", D(kInf)}}), Is(D(1)));
  EXPECT_THAT(Eval("clip(a, 0, b)", {{"a", I(1)}}), Is(kNull));
  EXPECT_THAT(Eval("clip(a, 10, 0)", {{"a", I(5)}}), Is(I(0)));  // lo > hi: hi wins
}

TEST(TransformFunctionsTest, TimePartsAreUtc) {
  Value leap = At("2024-02-29T23:59:59Z");  // a Thursday
  std::map<std::string, Value> env{{"ts", leap}};
  EXPECT_THAT(Eval("hour(ts)", env), Is(I(23)));
  EXPECT_THAT(Eval("minute(ts)", env), Is(I(59)));
  EXPECT_THAT(Eval("second(ts)", env), Is(I(59)));
  EXPECT_THAT(Eval("day_of_week(ts)", env), Is(I(4)));
  EXPECT_THAT(Eval("day_of_month(ts)", env), Is(I(29)));
  EXPECT_THAT(Eval("month(ts)", env), Is(I(2)));
  EXPECT_THAT(Eval("year(ts)", env), Is(I(2024)));
  // An offset in the input is converted to UTC first: 01:30+02:00 is 23:30Z the day before.
  std::map<std::string, Value> offset{{"ts", At("2024-03-01T01:30:00+02:00")}};
  EXPECT_THAT(Eval("hour(ts)", offset), Is(I(23)));
  EXPECT_THAT(Eval("day_of_month(ts)", offset), Is(I(29)));
  // ISO weekdays through a whole week: 2024-01-01 was a Monday.
  for (int d = 0; d < 7; ++d) {
    EXPECT_THAT(Eval("day_of_week(ts)", {{"ts", At(StrCat("2024-01-0", d + 1, "T12:00:00Z"))}}), Is(I(d + 1)));
  }
  EXPECT_THAT(Eval("day_of_week(ts)", {{"ts", Value::Time(0)}}), Is(I(4)));  // 1970-01-01, Thursday
  // Before the epoch: floor semantics (1969-12-31T23:59:59.999999Z, a Wednesday).
  std::map<std::string, Value> before{{"ts", Value::Time(-1)}};
  EXPECT_THAT(Eval("hour(ts)", before), Is(I(23)));
  EXPECT_THAT(Eval("second(ts)", before), Is(I(59)));
  EXPECT_THAT(Eval("day_of_week(ts)", before), Is(I(3)));
  EXPECT_THAT(Eval("year(ts)", before), Is(I(1969)));
  EXPECT_THAT(Eval("month(ts)", before), Is(I(12)));
  EXPECT_THAT(Eval("day_of_month(ts)", before), Is(I(31)));
  // Extremes do not overflow.
  std::map<std::string, Value> lowest{{"ts", Value::Time(kMin)}};
  EXPECT_THAT(Eval("hour(ts) >= 0 and hour(ts) < 24 and day_of_week(ts) >= 1", lowest), Is(B(true)));
  EXPECT_THAT(Eval("hour(request.now)"), Is(kNull));
  EXPECT_THAT(Eval("hour(request.now) < 6 or hour(request.now) >= 22", {{"request.now", At("2026-11-24T05:33:22Z")}}),
              Is(B(true)));
  EXPECT_THAT(Eval("hour(request.now) < 6 or hour(request.now) >= 22", {{"request.now", At("2026-11-24T12:00:00Z")}}),
              Is(B(false)));
}

TEST(TransformFunctionsTest, StringFunctions) {
  EXPECT_THAT(Eval("lower(s)", {{"s", S("AbC-\xc3\x89")}}), Is(S("abc-\xc3\x89")));  // ASCII letters only
  EXPECT_THAT(Eval("upper(s)", {{"s", S("AbC")}}), Is(S("ABC")));
  EXPECT_THAT(Eval("length(s)", {{"s", S("h\xc3\xa9llo")}}), Is(I(5)));  // code points
  EXPECT_THAT(Eval("length('')"), Is(I(0)));
  EXPECT_THAT(Eval("starts_with(s, 'ab')", {{"s", S("abc")}}), Is(B(true)));
  EXPECT_THAT(Eval("starts_with(s, 'bc')", {{"s", S("abc")}}), Is(B(false)));
  EXPECT_THAT(Eval("ends_with(s, 'bc')", {{"s", S("abc")}}), Is(B(true)));
  EXPECT_THAT(Eval("contains(s, 'b')", {{"s", S("abc")}}), Is(B(true)));
  EXPECT_THAT(Eval("contains(s, '')", {{"s", S("abc")}}), Is(B(true)));
  EXPECT_THAT(Eval("contains(s, 'x')", {{"s", S("abc")}}), Is(B(false)));
  EXPECT_THAT(Eval("lower(s)"), Is(kNull));
  EXPECT_THAT(Eval("length(s)"), Is(kNull));
  EXPECT_THAT(Eval("contains(s, t)", {{"s", S("abc")}}), Is(kNull));
  EXPECT_THAT(Eval("upper(lower(s)) == upper(s)", {{"s", S("MiXeD")}}), Is(B(true)));
  // Strings with NUL bytes and quotes survive.
  EXPECT_THAT(Eval("length(s)", {{"s", S(std::string("a\0b", 3))}}), Is(I(3)));
  EXPECT_THAT(Eval("s == 'it\\'s'", {{"s", S("it's")}}), Is(B(true)));
}

TEST(TransformFunctionsTest, TableLookupAndTypes) {
  ASSERT_NE(FindFunction("clip"), nullptr);
  EXPECT_EQ(FindFunction("clip")->min_args, 3);
  EXPECT_EQ(FindFunction("nosuch"), nullptr);
  EXPECT_EQ(UnifyTypes(ValueType::kInt64, ValueType::kDouble), ValueType::kDouble);
  EXPECT_EQ(UnifyTypes(ValueType::kNull, ValueType::kString), ValueType::kString);
  EXPECT_EQ(UnifyTypes(ValueType::kString, ValueType::kInt64), std::nullopt);
  EXPECT_EQ(Utf8Length("\xe2\x82\xac"), 1);
}

}  // namespace
}  // namespace plinth::features
