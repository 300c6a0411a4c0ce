// Compile-time errors of the transform language: every message names the problem and column.
#include "plinth/features/transform_types.h"

#include "plinth/features/transform_test_util.h"

namespace plinth::features {
namespace {

using ::testing::HasSubstr;
using testing::CompileError;

TEST(TransformTypesTest, UnknownNamesAndFunctions) {
  EXPECT_EQ(CompileError("amount + amout"), "at column 10: unknown name 'amout'");
  EXPECT_EQ(CompileError("request.nwo"), "at column 1: unknown name 'request.nwo'");
  EXPECT_THAT(CompileError("sine(x)"), HasSubstr("at column 1: unknown function 'sine' (known: if, coalesce, log"));
}

TEST(TransformTypesTest, OperatorOperandTypes) {
  EXPECT_EQ(CompileError("amount + country"), "at column 8: '+' needs numbers, got string 'country'");
  EXPECT_EQ(CompileError("flag * 2"), "at column 6: '*' needs numbers, got bool 'flag'");
  EXPECT_EQ(CompileError("x % 2"), "at column 3: '%' needs int64 operands, got double 'x'");
  EXPECT_EQ(CompileError("a % 2.0"), "at column 3: '%' needs int64 operands, got double 2.0");
  EXPECT_EQ(CompileError("-s"), "at column 1: '-' needs a number, got string 's'");
  EXPECT_EQ(CompileError("not a"), "at column 1: 'not' needs a bool, got int64 'a'");
  EXPECT_EQ(CompileError("flag and a"), "at column 6: 'and' needs bools, got int64 'a'");
  EXPECT_EQ(CompileError("s or flag"), "at column 3: 'or' needs bools, got string 's'");
  EXPECT_EQ(CompileError("ts - request.now"), "at column 4: '-' needs numbers, got timestamp 'ts'");
  EXPECT_EQ(CompileError("lower(s) + 1"), "at column 10: '+' needs numbers, got string lower(s)");
}

TEST(TransformTypesTest, Comparisons) {
  EXPECT_EQ(CompileError("country == 1"), "at column 9: '==' cannot compare string 'country' with int64 1");
  EXPECT_EQ(CompileError("ts < 5"), "at column 4: '<' cannot compare timestamp 'ts' with int64 5");
  EXPECT_EQ(CompileError("flag < true"), "at column 6: '<' cannot order bools (only == and != compare them), got bool 'flag'");
  EXPECT_EQ(CompileError("s in [1, 2]"), "at column 3: 'in' list item 1 is int64 but the left side is string 's'");
  EXPECT_EQ(CompileError("a not in ['x']"), "at column 3: 'not in' list item 'x' is string but the left side is int64 'a'");
  EXPECT_THAT(CompileError("ts in [1]"), HasSubstr("'in' cannot test timestamp 'ts'"));
  EXPECT_EQ(CompileError("flag == null"), "");  // null fits anything (and gives null)
  EXPECT_EQ(CompileError("a == x"), "");
}

TEST(TransformTypesTest, FunctionArityAndArguments) {
  EXPECT_EQ(CompileError("log(a, b)"), "at column 1: log(): takes 1 argument, got 2");
  EXPECT_EQ(CompileError("if(flag, 1)"), "at column 1: if(): takes 3 arguments, got 2");
  EXPECT_EQ(CompileError("min(a)"), "at column 1: min(): takes at least 2 arguments, got 1");
  EXPECT_EQ(CompileError("coalesce()"), "at column 1: coalesce(): takes at least 1 arguments, got 0");
  EXPECT_EQ(CompileError("if(flag, 1.0, 'x')"), "at column 1: if(): branches have types double and string");
  EXPECT_EQ(CompileError("if(a, 1, 2)"), "at column 1: if(): condition must be bool, got int64 'a'");
  EXPECT_EQ(CompileError("coalesce(a, s)"),
            "at column 1: coalesce(): arguments have types int64 and string (second argument: string 's')");
  EXPECT_EQ(CompileError("x + hour(s)"), "at column 5: hour(): first argument must be a timestamp, got string 's'");
  EXPECT_EQ(CompileError("clip(x, 0, s)"), "at column 1: clip(): third argument must be a number, got string 's'");
  EXPECT_EQ(CompileError("max(1, 2, 3, s)"), "at column 1: max(): argument 4 must be a number, got string 's'");
  EXPECT_EQ(CompileError("contains(s, 1)"), "at column 1: contains(): second argument must be a string, got int64 1");
  EXPECT_EQ(CompileError("length(a)"), "at column 1: length(): first argument must be a string, got int64 'a'");
  EXPECT_EQ(CompileError("sqrt(flag)"), "at column 1: sqrt(): first argument must be a number, got bool 'flag'");
}

TEST(TransformTypesTest, LongOperandsAreShortenedInMessages) {
  std::string message = CompileError("lower(s) + lower(s) + lower(s) + lower(s) + lower(s) + 'x' == 1");
  EXPECT_THAT(message, HasSubstr("'+' needs numbers, got string"));
  EXPECT_LT(message.size(), 100u);
}

TEST(TransformTypesTest, InputTypeLookupErrorsArePassedOn) {
  auto types = [](std::string_view name) -> absl::StatusOr<ValueType> {
    if (name == "bad") return absl::FailedPreconditionError("feature view 'v' is not loaded");
    if (name == "untyped") return ValueType::kNull;
    return absl::NotFoundError("no");
  };
  auto e = Expression::Compile("1 + bad", types);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "at column 5: name 'bad': feature view 'v' is not loaded");
  e = Expression::Compile("untyped", types);
  EXPECT_EQ(e.status().message(), "at column 1: name 'untyped' has no type (null)");
}

TEST(TransformTypesTest, EachNameIsLookedUpOnce) {
  int calls = 0;
  auto types = [&](std::string_view) -> absl::StatusOr<ValueType> {
    ++calls;
    return ValueType::kInt64;
  };
  ASSERT_TRUE(Expression::Compile("a + a * a - b", types).ok());
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace plinth::features
