// Test-only helpers for the transform language tests (transform_*_test.cc): a fixed input
// schema and a one-call compile-and-evaluate. Header-only; never linked into a library.
#pragma once

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "plinth/base/time.h"
#include "plinth/features/transform_expression.h"
#include "plinth/testing/test_util.h"

namespace plinth::features::testing {

// The schema every test expression may use.
inline const std::map<std::string, ValueType, std::less<>>& TestSchema() {
  static const auto* schema = new std::map<std::string, ValueType, std::less<>>{
      {"a", ValueType::kInt64},      {"b", ValueType::kInt64},         {"x", ValueType::kDouble},
      {"y", ValueType::kDouble},     {"s", ValueType::kString},        {"t", ValueType::kString},
      {"flag", ValueType::kBool},    {"ts", ValueType::kTimestamp},    {"request.now", ValueType::kTimestamp},
      {"country", ValueType::kString}, {"amount", ValueType::kDouble}, {"user_stats.clicks", ValueType::kInt64},
  };
  return *schema;
}

inline absl::StatusOr<ValueType> TestTypes(std::string_view name) {
  auto it = TestSchema().find(name);
  if (it == TestSchema().end()) return absl::NotFoundError(std::string(name));
  return it->second;
}

inline absl::StatusOr<Expression> CompileTest(std::string_view source) {
  return Expression::Compile(source, TestTypes);
}

// Compiles `source` (failing the test on an error) and evaluates it with the inputs bound by
// name from `env` (missing names are null).
inline Value Eval(std::string_view source, const std::map<std::string, Value>& env = {}) {
  absl::StatusOr<Expression> e = CompileTest(source);
  EXPECT_TRUE(e.ok()) << source << ": " << e.status();
  if (!e.ok()) return Value::String("<compile error>");
  std::vector<Value> args;
  for (const std::string& name : e->inputs()) {
    auto it = env.find(name);
    args.push_back(it == env.end() ? Value() : it->second);
  }
  return e->Evaluate(args);
}

// The compile error message of `source` ("" when it compiles).
inline std::string CompileError(std::string_view source) {
  absl::StatusOr<Expression> e = CompileTest(source);
  if (e.ok()) return "";
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << source;
  return std::string(e.status().message());
}

inline const double kNaN = std::numeric_limits<double>::quiet_NaN();
inline const double kInf = std::numeric_limits<double>::infinity();
inline constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Same type and value (NaN equals NaN).
MATCHER_P(Is, expected, "") { return arg.SameAs(expected); }

inline const Value kNull;
inline Value I(int64_t v) { return Value::Int64(v); }
inline Value D(double v) { return Value::Double(v); }
inline Value B(bool v) { return Value::Bool(v); }
inline Value S(std::string v) { return Value::String(std::move(v)); }

inline Value At(std::string_view iso) {
  auto micros = ParseTimestamp(iso);
  EXPECT_TRUE(micros.ok()) << iso;
  return Value::Time(micros.ok() ? *micros : 0);
}

}  // namespace plinth::features::testing

namespace plinth::features {
// gtest printing of values in failure messages.
inline void PrintTo(const Value& v, std::ostream* os) {
  *os << ValueTypeName(v.type()) << "(" << v.ToString() << ")";
}
}  // namespace plinth::features
