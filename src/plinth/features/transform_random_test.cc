// Randomized tests of the transform language: random well-typed expressions and random
// token soups over random inputs. Evaluation must never crash, and compiling ToString()
// again must give the same text, inputs, type and results. Also prints evaluation speed.
#include <chrono>
#include <cstdio>
#include <limits>
#include <random>

#include "plinth/features/transform_set.h"
#include "plinth/features/transform_test_util.h"

namespace plinth::features {
namespace {

using testing::CompileTest;
using testing::TestSchema;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Uniform(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool OneIn(int n) { return Uniform(n) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Uniform(static_cast<int>(v.size()))]; }

  std::string Expr(ValueType t, int depth) {
    std::string e = depth <= 0 || OneIn(4) ? Leaf(t) : Node(t, depth - 1);
    return OneIn(6) ? StrCat("(", e, ")") : e;
  }

  Value RandomValue(ValueType t) {
    if (OneIn(5)) return Value();
    if (OneIn(40)) return Value::String("wrong type");
    switch (t) {
      case ValueType::kBool: return Value::Bool(OneIn(2));
      case ValueType::kInt64: return Value::Int64(IntLiteralValue());
      case ValueType::kDouble: {
        static const std::vector<double> special = {0.0, -0.0, 1.5, -2.25, 1e300, -1e-300,
                                                    std::numeric_limits<double>::quiet_NaN(),
                                                    std::numeric_limits<double>::infinity(), 100.0};
        return Value::Double(OneIn(2) ? Pick(special) : static_cast<double>(Uniform(2001) - 1000) / 8);
      }
      case ValueType::kString: return Value::String(Pick(strings_));
      case ValueType::kTimestamp: {
        static const std::vector<int64_t> times = {0, -1, 1709251199000000, std::numeric_limits<int64_t>::min(),
                                                   std::numeric_limits<int64_t>::max(), 1798160002123456};
        return Value::Time(OneIn(2) ? Pick(times) : static_cast<int64_t>(rng_() >> 10));
      }
      default: return Value();
    }
  }

  // Random tokens, most of them valid, glued together.
  std::string TokenSoup() {
    static const std::vector<std::string> tokens = {
        "a", "b", "x", "s", "flag", "ts", "request.now", "1", "-2", "2.5", "'q'", "\"z\\\"\"", "true", "null",
        "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "and", "or", "not", "in", "is", "(", ")", "[", "]", ",",
        "if(", "coalesce(", "min(", "clip(", "hour(", "lower(", "length(", "9223372036854775807", "1e308", "@"};
    std::string out;
    int n = 1 + Uniform(20);
    for (int i = 0; i < n; ++i) out += Pick(tokens) + (OneIn(2) ? " " : "");
    return out;
  }

 private:
  int64_t IntLiteralValue() {
    static const std::vector<int64_t> special = {0, 1, -1, 2, 7, std::numeric_limits<int64_t>::max(),
                                                 std::numeric_limits<int64_t>::min(), 1LL << 32};
    return OneIn(3) ? Pick(special) : Uniform(201) - 100;
  }

  std::string Leaf(ValueType t) {
    if (OneIn(15)) return "null";
    switch (t) {
      case ValueType::kBool: return OneIn(2) ? "flag" : OneIn(2) ? "true" : "false";
      case ValueType::kInt64:
        return OneIn(2) ? Pick(std::vector<std::string>{"a", "b", "user_stats.clicks"}) : StrCat(IntLiteralValue());
      case ValueType::kDouble:
        if (OneIn(2)) return Pick(std::vector<std::string>{"x", "y", "amount"});
        return Pick(std::vector<std::string>{"0.0", "-0.0", "1.5", "2e-3", "1e300", "-7.25", ".5"});
      case ValueType::kString:
        if (OneIn(2)) return Pick(std::vector<std::string>{"s", "t", "country"});
        return Pick(std::vector<std::string>{"'XX'", "\"it's\"", "'a\\nb'", "''", "'\\\\'", "'caf\xc3\xa9'"});
      case ValueType::kTimestamp: return OneIn(2) ? "ts" : "request.now";
      default: return "null";
    }
  }

  std::string Num(int depth) { return Expr(OneIn(2) ? ValueType::kInt64 : ValueType::kDouble, depth); }
  std::string Any(int depth) {
    static const std::vector<ValueType> types = {ValueType::kBool, ValueType::kInt64, ValueType::kDouble,
                                                 ValueType::kString, ValueType::kTimestamp};
    return Expr(Pick(types), depth);
  }
  std::string Same(ValueType t, int depth) { return StrCat(Expr(t, depth), ", ", Expr(t, depth)); }

  std::string Node(ValueType t, int d) {
    // Shared forms.
    if (OneIn(8)) return StrCat("if(", Expr(ValueType::kBool, d), ", ", Same(t, d), ")");
    if (OneIn(8)) return StrCat("coalesce(", Same(t, d), OneIn(2) ? ", " + Expr(t, d) : "", ")");
    switch (t) {
      case ValueType::kBool:
        switch (Uniform(9)) {
          case 0: return StrCat(Num(d), " ", Pick(std::vector<std::string>{"==", "!=", "<", "<=", ">", ">="}), " ", Num(d));
          case 1: return StrCat(Expr(ValueType::kString, d), OneIn(2) ? " < " : " == ", Expr(ValueType::kString, d));
          case 2: return StrCat(Expr(ValueType::kBool, d), OneIn(2) ? " and " : " or ", Expr(ValueType::kBool, d));
          case 3: return StrCat("not ", Expr(ValueType::kBool, d));
          case 4: return StrCat(Any(d), OneIn(2) ? " is null" : " is not null");
          case 5: return StrCat(Expr(ValueType::kString, d), OneIn(2) ? " in " : " not in ", "['XX', 'YY', '', 'caf\xc3\xa9']");
          case 6: return StrCat(Num(d), " in [1, -2, 2.5, 9223372036854775807]");
          case 7: return StrCat(Pick(std::vector<std::string>{"starts_with", "ends_with", "contains"}), "(",
                                Same(ValueType::kString, d), ")");
          default: return StrCat(Expr(ValueType::kTimestamp, d), " >= ", Expr(ValueType::kTimestamp, d));
        }
      case ValueType::kInt64:
        switch (Uniform(7)) {
          case 0: return StrCat(Expr(t, d), " ", Pick(std::vector<std::string>{"+", "-", "*", "%"}), " ", Expr(t, d));
          case 1: return StrCat("-", Expr(t, d));
          case 2: return StrCat(Pick(std::vector<std::string>{"abs", "round", "floor"}), "(", Expr(t, d), ")");
          case 3: return StrCat(OneIn(2) ? "min(" : "max(", Same(t, d), ")");
          case 4: return StrCat("clip(", Expr(t, d), ", ", Same(t, d), ")");
          case 5: return StrCat("length(", Expr(ValueType::kString, d), ")");
          default:
            return StrCat(Pick(std::vector<std::string>{"hour", "minute", "second", "day_of_week", "day_of_month",
                                                        "month", "year"}),
                          "(", Expr(ValueType::kTimestamp, d), ")");
        }
      case ValueType::kDouble:
        switch (Uniform(5)) {
          case 0: return StrCat(Num(d), " ", Pick(std::vector<std::string>{"+", "-", "*", "/"}), " ", Num(d));
          case 1: return StrCat("-", Expr(t, d));
          case 2:
            return StrCat(Pick(std::vector<std::string>{"log", "log10", "exp", "sqrt", "abs", "floor", "ceil", "round"}),
                          "(", Num(d), ")");
          case 3: return StrCat(OneIn(2) ? "min(" : "max(", Expr(t, d), ", ", Num(d), ")");
          default: return StrCat("clip(", Num(d), ", ", Num(d), ", ", Expr(t, d), ")");
        }
      case ValueType::kString: return StrCat(OneIn(2) ? "lower(" : "upper(", Expr(t, d), ")");
      default: return Leaf(t);
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> strings_ = {"", "XX", "YY", "abc", "ABC", "caf\xc3\xa9", std::string("a\0b", 3), "it's"};
};

// Compiles `source`; if it compiles, evaluates it on random inputs and checks that the
// canonical text compiles to an equivalent expression. Returns whether it compiled.
bool CheckRoundTrip(Generator& gen, const std::string& source) {
  auto e = CompileTest(source);
  if (!e.ok()) return false;
  auto again = CompileTest(e->ToString());
  EXPECT_TRUE(again.ok()) << source << "\n -> " << e->ToString() << "\n: " << again.status();
  if (!again.ok()) return true;
  EXPECT_EQ(again->ToString(), e->ToString()) << source;
  EXPECT_EQ(again->inputs(), e->inputs()) << source;
  EXPECT_EQ(again->type(), e->type()) << source;
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<Value> args;
    for (ValueType t : e->input_types()) args.push_back(gen.RandomValue(t));
    Value v1 = e->Evaluate(args);
    Value v2 = again->Evaluate(args);
    EXPECT_TRUE(v1.SameAs(v2)) << source << ": " << v1.ToString() << " vs " << v2.ToString();
    EXPECT_TRUE(v1.is_null() || v1.type() == e->type()) << source << " gave " << ValueTypeName(v1.type());
  }
  return true;
}

TEST(TransformRandomTest, RandomWellTypedExpressionsRoundTrip) {
  Generator gen(20261201);
  int compiled = 0;
  const int kRounds = 4000;
  for (int i = 0; i < kRounds; ++i) {
    static const std::vector<ValueType> types = {ValueType::kBool, ValueType::kInt64, ValueType::kDouble,
                                                 ValueType::kString, ValueType::kTimestamp};
    std::string source = gen.Expr(gen.Pick(types), 1 + gen.Uniform(5));
    compiled += CheckRoundTrip(gen, source);
    if (HasFailure()) break;
  }
  // The generator writes typed expressions; only limits (rare) may reject one.
  EXPECT_GT(compiled, kRounds * 95 / 100);
}

TEST(TransformRandomTest, RandomTokenSoupNeverCrashes) {
  Generator gen(7);
  int compiled = 0;
  for (int i = 0; i < 20000; ++i) {
    compiled += CheckRoundTrip(gen, gen.TokenSoup());
    if (HasFailure()) break;
  }
  std::printf("token soup: %d of 20000 compiled\n", compiled);
  EXPECT_GT(compiled, 0);
}

TEST(TransformRandomTest, EvaluationSpeed) {
  // 11 nodes: if, and, in, country, >, /, amount, a, 100, 1.0, 0.0.
  auto e = CompileTest("if(country in ['XX', 'YY'] and amount / a > 100, 1.0, 0.0)");
  ASSERT_TRUE(e.ok()) << e.status();
  std::vector<Value> args{Value::String("XX"), Value::Double(1500), Value::Int64(10)};
  const int kIterations = 2'000'000;
  double sum = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    args[1] = Value::Double(1000 + (i & 1023));
    sum += e->Evaluate(args).double_value();
  }
  double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / kIterations;
  std::printf("Expression::Evaluate, 11-node expression: %.1f ns per evaluation (checksum %.0f)\n", ns, sum);

  auto set = TransformSet::Create(
      {{"amount_sum_7d", ValueType::kDouble}, {"txn_count_7d", ValueType::kInt64}, {"country", ValueType::kString},
       {"request.now", ValueType::kTimestamp}},
      {{"avg_amount", "amount_sum_7d / txn_count_7d", ValueType::kDouble},
       {"is_night", "hour(request.now) < 6 or hour(request.now) >= 22", std::nullopt},
       {"risky", "if(country in ['XX', 'YY'] and avg_amount > 100, 1.0, 0.0)", std::nullopt}});
  ASSERT_TRUE(set.ok()) << set.status();
  std::vector<Value> row{Value::Double(1500), Value::Int64(10), Value::String("XX"), Value::Time(1798160002123456),
                         Value(), Value(), Value()};
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations / 4; ++i) set->Evaluate(row);
  ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / (kIterations / 4);
  std::printf("TransformSet::Evaluate, the 3 transforms of the issue: %.1f ns per row\n", ns);
  EXPECT_TRUE(row[6].SameAs(Value::Double(1)));
}

}  // namespace
}  // namespace plinth::features
