// Operators of the transform language: arithmetic, comparisons, logic, null rules, 'in'.
#include "plinth/features/transform_eval.h"

#include <atomic>
#include <limits>
#include <thread>

#include "plinth/features/transform_test_util.h"

namespace plinth::features {
namespace {

using testing::Eval;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
using namespace testing;  // NOLINT: the value helpers I(), D(), Is() ...

TEST(TransformEvalTest, IntegerArithmeticStaysInt64) {
  EXPECT_THAT(Eval("1 + 2 * 3"), Is(I(7)));
  EXPECT_THAT(Eval("(1 + 2) * 3"), Is(I(9)));
  EXPECT_THAT(Eval("10 - 4 - 3"), Is(I(3)));
  EXPECT_THAT(Eval("a * b - a", {{"a", I(6)}, {"b", I(7)}}), Is(I(36)));
  EXPECT_THAT(Eval("-a", {{"a", I(5)}}), Is(I(-5)));
  EXPECT_THAT(Eval("--a", {{"a", I(5)}}), Is(I(5)));
}

TEST(TransformEvalTest, IntegerOverflowGivesNull) {
  EXPECT_THAT(Eval("a + 1", {{"a", I(kMax)}}), Is(kNull));
  EXPECT_THAT(Eval("a - 1", {{"a", I(kMin)}}), Is(kNull));
  EXPECT_THAT(Eval("a * 2", {{"a", I(kMax / 2 + 1)}}), Is(kNull));
  EXPECT_THAT(Eval("-a", {{"a", I(kMin)}}), Is(kNull));
  EXPECT_THAT(Eval("a * -1", {{"a", I(kMin)}}), Is(kNull));
  EXPECT_THAT(Eval("a + 1", {{"a", I(kMax - 1)}}), Is(I(kMax)));
  EXPECT_THAT(Eval("-9223372036854775808"), Is(I(kMin)));
  EXPECT_THAT(Eval("-(-9223372036854775808)"), Is(kNull));
  // Overflow mid-way nulls the whole expression (null propagates).
  EXPECT_THAT(Eval("a + 1 - 1", {{"a", I(kMax)}}), Is(kNull));
}

TEST(TransformEvalTest, DivisionIsDoubleAndByZeroIsNull) {
  EXPECT_THAT(Eval("7 / 2"), Is(D(3.5)));
  EXPECT_THAT(Eval("a / b", {{"a", I(1)}, {"b", I(0)}}), Is(kNull));
  EXPECT_THAT(Eval("x / y", {{"x", D(1)}, {"y", D(0)}}), Is(kNull));
  EXPECT_THAT(Eval("x / y", {{"x", D(1)}, {"y", D(-0.0)}}), Is(kNull));
  EXPECT_THAT(Eval("x / y", {{"x", D(0)}, {"y", D(0)}}), Is(kNull));
  EXPECT_THAT(Eval("x / 2", {{"x", D(kInf)}}), Is(D(kInf)));
  EXPECT_THAT(Eval("amount / a", {{"amount", D(300)}, {"a", I(4)}}), Is(D(75)));
}

TEST(TransformEvalTest, ModuloIsInt64TruncatedAndByZeroIsNull) {
  EXPECT_THAT(Eval("7 % 3"), Is(I(1)));
  EXPECT_THAT(Eval("-7 % 3"), Is(I(-1)));
  EXPECT_THAT(Eval("7 % -3"), Is(I(1)));
  EXPECT_THAT(Eval("a % 0", {{"a", I(5)}}), Is(kNull));
  EXPECT_THAT(Eval("a % -1", {{"a", I(kMin)}}), Is(I(0)));
}

TEST(TransformEvalTest, MixedNumbersPromoteToDouble) {
  EXPECT_THAT(Eval("1 + 0.5"), Is(D(1.5)));
  EXPECT_THAT(Eval("a * x", {{"a", I(3)}, {"x", D(0.5)}}), Is(D(1.5)));
  EXPECT_THAT(Eval("x - a", {{"a", I(3)}, {"x", D(0.5)}}), Is(D(-2.5)));
  EXPECT_THAT(Eval("-x", {{"x", D(0.0)}}), Is(D(-0.0)));
  // Huge ints as doubles do not overflow.
  EXPECT_THAT(Eval("a + 1.0", {{"a", I(kMax)}}), Is(D(9223372036854775808.0)));
  // An int64 passed for a double input is accepted.
  EXPECT_THAT(Eval("x + 1", {{"x", I(2)}}), Is(D(3)));
}

TEST(TransformEvalTest, NaNAndInfinityStay) {
  EXPECT_THAT(Eval("x + 1", {{"x", D(kNaN)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("x * 0", {{"x", D(kInf)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("x - x", {{"x", D(kInf)}}), Is(D(kNaN)));
  EXPECT_THAT(Eval("x == x", {{"x", D(kNaN)}}), Is(B(false)));
  EXPECT_THAT(Eval("x != x", {{"x", D(kNaN)}}), Is(B(true)));
  EXPECT_THAT(Eval("x < 1 or x >= 1", {{"x", D(kNaN)}}), Is(B(false)));
  EXPECT_THAT(Eval("x in [1.0, 2.0]", {{"x", D(kNaN)}}), Is(B(false)));
  EXPECT_THAT(Eval("x not in [1.0]", {{"x", D(kNaN)}}), Is(B(true)));
  EXPECT_THAT(Eval("x is null", {{"x", D(kNaN)}}), Is(B(false)));
}

TEST(TransformEvalTest, NullPropagatesThroughArithmeticAndComparisons) {
  EXPECT_THAT(Eval("a + 1"), Is(kNull));
  EXPECT_THAT(Eval("1 - a"), Is(kNull));
  EXPECT_THAT(Eval("x * 2"), Is(kNull));
  EXPECT_THAT(Eval("x / 2"), Is(kNull));
  EXPECT_THAT(Eval("a % 2"), Is(kNull));
  EXPECT_THAT(Eval("-a"), Is(kNull));
  EXPECT_THAT(Eval("a < 1"), Is(kNull));
  EXPECT_THAT(Eval("s == 'x'"), Is(kNull));
  EXPECT_THAT(Eval("flag == true"), Is(kNull));
  EXPECT_THAT(Eval("not flag"), Is(kNull));
  EXPECT_THAT(Eval("s in ['x']"), Is(kNull));
  EXPECT_THAT(Eval("s not in ['x']"), Is(kNull));
  EXPECT_THAT(Eval("a == null", {{"a", I(1)}}), Is(kNull));  // use 'is null'
  EXPECT_THAT(Eval("null + 1"), Is(kNull));
  EXPECT_THAT(Eval("null"), Is(kNull));
}

TEST(TransformEvalTest, NumbersCompareAcrossInt64AndDouble) {
  EXPECT_THAT(Eval("1 == 1.0"), Is(B(true)));
  EXPECT_THAT(Eval("a < x", {{"a", I(1)}, {"x", D(1.5)}}), Is(B(true)));
  EXPECT_THAT(Eval("x >= a", {{"a", I(2)}, {"x", D(1.5)}}), Is(B(false)));
  EXPECT_THAT(Eval("a <= b", {{"a", I(2)}, {"b", I(2)}}), Is(B(true)));
  EXPECT_THAT(Eval("a > b", {{"a", I(2)}, {"b", I(2)}}), Is(B(false)));
  EXPECT_THAT(Eval("a != b", {{"a", I(2)}, {"b", I(3)}}), Is(B(true)));
  EXPECT_THAT(Eval("-0.0 == 0.0"), Is(B(true)));
}

TEST(TransformEvalTest, StringsTimestampsAndBoolsCompare) {
  EXPECT_THAT(Eval("s < t", {{"s", S("apple")}, {"t", S("banana")}}), Is(B(true)));
  EXPECT_THAT(Eval("s < t", {{"s", S("b")}, {"t", S("ab")}}), Is(B(false)));
  EXPECT_THAT(Eval("s < t", {{"s", S("Z")}, {"t", S("a")}}), Is(B(true)));  // bytewise
  EXPECT_THAT(Eval("s < t", {{"s", S("a")}, {"t", S("\xc3\xa9")}}), Is(B(true)));  // bytes are unsigned
  EXPECT_THAT(Eval("s == 'x'", {{"s", S("x")}}), Is(B(true)));
  EXPECT_THAT(Eval("s != \"x\"", {{"s", S("x")}}), Is(B(false)));
  EXPECT_THAT(Eval("s >= ''", {{"s", S("")}}), Is(B(true)));
  EXPECT_THAT(Eval("ts < request.now", {{"ts", Value::Time(1)}, {"request.now", Value::Time(2)}}), Is(B(true)));
  EXPECT_THAT(Eval("ts == request.now", {{"ts", Value::Time(2)}, {"request.now", Value::Time(2)}}), Is(B(true)));
  EXPECT_THAT(Eval("flag == true", {{"flag", B(true)}}), Is(B(true)));
  EXPECT_THAT(Eval("flag != false", {{"flag", B(false)}}), Is(B(false)));
}

TEST(TransformEvalTest, ThreeValuedLogic) {
  struct Case {
    Value p, q, and_result, or_result;
  };
  const Case cases[] = {
      {B(true), B(true), B(true), B(true)},   {B(true), B(false), B(false), B(true)},
      {B(false), B(true), B(false), B(true)}, {B(false), B(false), B(false), B(false)},
      {B(true), kNull, kNull, B(true)},       {kNull, B(true), kNull, B(true)},
      {B(false), kNull, B(false), kNull},     {kNull, B(false), B(false), kNull},
      {kNull, kNull, kNull, kNull},
  };
  for (const Case& c : cases) {
    std::map<std::string, Value> env{{"flag", c.p}, {"s", S("x")}};
    // flag as p; "s == 'x'" true / "s == 'y'" false / "s == t" (t unbound) null as q.
    std::string q = c.q.is_null() ? "s == t" : c.q.bool_value() ? "s == 'x'" : "s == 'y'";
    EXPECT_THAT(Eval(StrCat("flag and ", q), env), Is(c.and_result)) << c.p.ToString() << " and " << c.q.ToString();
    EXPECT_THAT(Eval(StrCat("flag or ", q), env), Is(c.or_result)) << c.p.ToString() << " or " << c.q.ToString();
  }
  EXPECT_THAT(Eval("not flag", {{"flag", B(true)}}), Is(B(false)));
  EXPECT_THAT(Eval("not not flag", {{"flag", B(true)}}), Is(B(true)));
  EXPECT_THAT(Eval("false and null"), Is(B(false)));
  EXPECT_THAT(Eval("null and false"), Is(B(false)));
  EXPECT_THAT(Eval("true or null"), Is(B(true)));
  EXPECT_THAT(Eval("null or true"), Is(B(true)));
  EXPECT_THAT(Eval("null and true"), Is(kNull));
  EXPECT_THAT(Eval("not null"), Is(kNull));
}

TEST(TransformEvalTest, ShortCircuitSkipsTheRightSide) {
  // The right side would be null by overflow, but the left side decides.
  EXPECT_THAT(Eval("a > 0 or a + 1 > 0", {{"a", I(kMax)}}), Is(B(true)));
  EXPECT_THAT(Eval("a < 0 and a + 1 > 0", {{"a", I(kMax)}}), Is(B(false)));
  EXPECT_THAT(Eval("a > 0 and a + 1 > 0", {{"a", I(kMax)}}), Is(kNull));
}

TEST(TransformEvalTest, IsNullNeverReturnsNull) {
  EXPECT_THAT(Eval("a is null"), Is(B(true)));
  EXPECT_THAT(Eval("a is not null"), Is(B(false)));
  EXPECT_THAT(Eval("a is null", {{"a", I(0)}}), Is(B(false)));
  EXPECT_THAT(Eval("a + 1 is null", {{"a", I(kMax)}}), Is(B(true)));
  EXPECT_THAT(Eval("null is null"), Is(B(true)));
  EXPECT_THAT(Eval("s is not null", {{"s", S("")}}), Is(B(true)));
}

TEST(TransformEvalTest, InListMembership) {
  EXPECT_THAT(Eval("country in ['XX', 'YY']", {{"country", S("YY")}}), Is(B(true)));
  EXPECT_THAT(Eval("country in ['XX', 'YY']", {{"country", S("ZZ")}}), Is(B(false)));
  EXPECT_THAT(Eval("country not in ['XX', 'YY']", {{"country", S("ZZ")}}), Is(B(true)));
  EXPECT_THAT(Eval("country in []", {{"country", S("ZZ")}}), Is(B(false)));
  EXPECT_THAT(Eval("a in [3, 1, 2]", {{"a", I(2)}}), Is(B(true)));
  EXPECT_THAT(Eval("a in [3, 1, -2]", {{"a", I(-2)}}), Is(B(true)));
  EXPECT_THAT(Eval("a in [1.5, 2]", {{"a", I(2)}}), Is(B(true)));
  EXPECT_THAT(Eval("x in [1, 2]", {{"x", D(2.0)}}), Is(B(true)));
  EXPECT_THAT(Eval("x in [1, 2]", {{"x", D(2.5)}}), Is(B(false)));
  EXPECT_THAT(Eval("flag in [true]", {{"flag", B(false)}}), Is(B(false)));
  EXPECT_THAT(Eval("flag not in [true]", {{"flag", B(false)}}), Is(B(true)));
  EXPECT_THAT(Eval("a + 1 in [3]", {{"a", I(2)}}), Is(B(true)));
  // The longest list allowed (1024 items), within the 4096-byte source limit.
  std::string big = "a in [";
  for (int i = 0; i < 1024; ++i) big += StrCat(i == 0 ? "" : ",", (i * 7) % 10);
  EXPECT_THAT(Eval(big + "]", {{"a", I(3)}}), Is(B(true)));
  EXPECT_THAT(Eval(big + "]", {{"a", I(10)}}), Is(B(false)));
  EXPECT_THAT(Eval("null in [1, 'x']"), Is(kNull));
}

TEST(TransformEvalTest, InputsOfTheWrongTypeOrMissingReadAsNull) {
  auto e = testing::CompileTest("a + 1");
  ASSERT_TRUE(e.ok());
  EXPECT_THAT(e->Evaluate(std::vector<Value>{S("7")}), Is(kNull));
  EXPECT_THAT(e->Evaluate(std::vector<Value>{D(7)}), Is(kNull));
  EXPECT_THAT(e->Evaluate({}), Is(kNull));
  EXPECT_THAT(e->Evaluate(std::vector<Value>{I(7), I(9)}), Is(I(8)));  // extra arguments are ignored
}

TEST(TransformEvalTest, ResultTypeIsStatic) {
  auto check = [](std::string_view source, ValueType type) {
    auto e = testing::CompileTest(source);
    ASSERT_TRUE(e.ok()) << source << ": " << e.status();
    EXPECT_EQ(e->type(), type) << source;
  };
  check("a + b", ValueType::kInt64);
  check("a + x", ValueType::kDouble);
  check("a / b", ValueType::kDouble);
  check("null + 1", ValueType::kInt64);
  check("null * 1.5", ValueType::kDouble);
  check("null + null", ValueType::kNull);
  check("null", ValueType::kNull);
  check("a < x", ValueType::kBool);
  check("s", ValueType::kString);
  check("request.now", ValueType::kTimestamp);
  check("if(flag, a, x)", ValueType::kDouble);
  check("if(flag, null, s)", ValueType::kString);
  check("coalesce(null, a, 2)", ValueType::kInt64);
}

TEST(TransformEvalTest, InputsAreDistinctInFirstUseOrder) {
  auto e = testing::CompileTest("b + a * b - user_stats.clicks + a");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->inputs(), (std::vector<std::string>{"b", "a", "user_stats.clicks"}));
  EXPECT_EQ(e->input_types(), (std::vector<ValueType>{ValueType::kInt64, ValueType::kInt64, ValueType::kInt64}));
  EXPECT_THAT(e->Evaluate(std::vector<Value>{I(2), I(3), I(10)}), Is(I(2 + 6 - 10 + 3)));
  // Bound through a slot map instead.
  std::vector<Value> slots{I(10), I(3), I(2)};
  std::vector<uint32_t> map{2, 1, 0};
  EXPECT_THAT(e->EvaluateSlots(slots, map), Is(I(1)));
}

TEST(TransformEvalTest, DeepExpressionsUseALargerScratchStack) {
  // Right-nested sums keep every left operand on the stack: 61 entries, past the inline 48.
  std::string source = "a";
  for (int i = 0; i < 60; ++i) source = StrCat("a + (", source, ")");
  EXPECT_THAT(Eval(source, {{"a", I(2)}}), Is(I(122)));
  EXPECT_THAT(Eval(source, {{"a", I(kMax / 2)}}), Is(kNull));
}

TEST(TransformEvalTest, ManyThreadsEvaluateOneExpression) {
  auto e = testing::CompileTest("if(s in ['a', 'b'], upper(s), lower(t)) == 'A' or a * 2 > b");
  ASSERT_TRUE(e.ok()) << e.status();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 20000; ++i) {
        std::vector<Value> args{S(i % 2 ? "a" : "c"), S("X"), I(i), I(k)};
        bool expected = i % 2 == 1 || i * 2 > k;
        if (!e->Evaluate(args).SameAs(B(expected))) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(TransformEvalTest, CopiesShareTheProgramAndEvaluateAlike) {
  auto e = testing::CompileTest("lower(s) == 'abc'");
  ASSERT_TRUE(e.ok());
  Expression copy = *e;
  Expression moved = std::move(*e);
  std::vector<Value> args{S("ABC")};
  EXPECT_THAT(copy.Evaluate(args), Is(B(true)));
  EXPECT_THAT(moved.Evaluate(args), Is(B(true)));
}

}  // namespace
}  // namespace plinth::features
