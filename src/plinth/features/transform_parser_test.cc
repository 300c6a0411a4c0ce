#include "plinth/features/transform_parser.h"

#include "plinth/features/transform_expression.h"
#include "plinth/features/transform_test_util.h"

namespace plinth::features {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::CompileTest;

std::string Canonical(std::string_view source) {
  auto root = ParseExpression(source);
  EXPECT_TRUE(root.ok()) << source << ": " << root.status();
  return root.ok() ? PrintAst(**root) : "<error>";
}

std::string ParseError(std::string_view source) {
  auto root = ParseExpression(source);
  EXPECT_FALSE(root.ok()) << source << " parsed as " << PrintAst(**root);
  return root.ok() ? "" : std::string(root.status().message());
}

TEST(TransformParserTest, PrecedenceShowsInCanonicalText) {
  // Redundant parentheses go; needed ones stay.
  EXPECT_EQ(Canonical("a + b * c"), "a + b * c");
  EXPECT_EQ(Canonical("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(Canonical("(a * b) + c"), "a * b + c");
  EXPECT_EQ(Canonical("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(Canonical("(a - b) - c"), "a - b - c");
  EXPECT_EQ(Canonical("a + (b + c)"), "a + (b + c)");  // kept: int64 overflow depends on grouping
  EXPECT_EQ(Canonical("a or b and c"), "a or b and c");
  EXPECT_EQ(Canonical("(a or b) and c"), "(a or b) and c");
  EXPECT_EQ(Canonical("not a == b"), "not a == b");
  EXPECT_EQ(Canonical("(not a) == b"), "(not a) == b");
  EXPECT_EQ(Canonical("not (a and b)"), "not (a and b)");
  EXPECT_EQ(Canonical("a < b + 1 and c"), "a < b + 1 and c");
  EXPECT_EQ(Canonical("-a * b"), "-a * b");
  EXPECT_EQ(Canonical("-(a * b)"), "-(a * b)");
  EXPECT_EQ(Canonical("- - a"), "--a");
  EXPECT_EQ(Canonical("a % b * c / d"), "a % b * c / d");
  EXPECT_EQ(Canonical("(a == b) == c"), "(a == b) == c");
  EXPECT_EQ(Canonical("x is not null and y is null"), "x is not null and y is null");
  EXPECT_EQ(Canonical("a + 1 in [1, 2]"), "a + 1 in [1, 2]");
  EXPECT_EQ(Canonical("(a in [1]) in [true]"), "(a in [1]) in [true]");
  EXPECT_EQ(Canonical("c not in ['x',\"y\"]"), "c not in ['x', 'y']");
  EXPECT_EQ(Canonical("if(a,b,c)"), "if(a, b, c)");
  EXPECT_EQ(Canonical("f()"), "f()");
  EXPECT_EQ(Canonical("a <> b"), "a != b");
}

TEST(TransformParserTest, LiteralsInCanonicalForm) {
  EXPECT_EQ(Canonical("2.0"), "2.0");
  EXPECT_EQ(Canonical("1e20"), "1e+20");
  EXPECT_EQ(Canonical(".5"), "0.5");
  EXPECT_EQ(Canonical("-3"), "-3");
  EXPECT_EQ(Canonical("-(3)"), "-3");
  EXPECT_EQ(Canonical("--3"), "3");
  EXPECT_EQ(Canonical("-0.0"), "-0.0");
  EXPECT_EQ(Canonical("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(Canonical("-(-9223372036854775808)"), "--9223372036854775808");
  EXPECT_EQ(Canonical("2 - -3"), "2 - -3");
  EXPECT_EQ(Canonical("\"it's\""), "'it\\'s'");
  EXPECT_EQ(Canonical("'a\\nb'"), "'a\\nb'");
  EXPECT_EQ(Canonical("true or false or null"), "true or false or null");
  EXPECT_EQ(Canonical("a in [-1, 2.5, -0.5]"), "a in [-1, 2.5, -0.5]");
}

TEST(TransformParserTest, CanonicalTextParsesToItself) {
  for (std::string_view source :
       {"a + b * (c - d) / e % f", "not not x or y and not z", "-(-(a))", "if(a > 1, 'x', coalesce(s, 't'))",
        "x not in [1, 2, 3] or y is not null", "(a + b) in [3]", "-(1 + 2) * -x", "(-9223372036854775808) * -1",
        "min(a, max(b, c), -5) <= clip(x, -1.5, 2e-9)", "(x == y) != (a < b)"}) {
    std::string once = Canonical(source);
    EXPECT_EQ(Canonical(once), once) << source;
  }
}

TEST(TransformParserTest, SyntaxErrorsNameProblemAndColumn) {
  EXPECT_EQ(ParseError("a +"), "at column 4: expression ends early: expected a value");
  EXPECT_EQ(ParseError("a b"), "at column 3: unexpected name 'b' after a complete expression");
  EXPECT_EQ(ParseError("(a + b"), "at column 7: expected ')', got end of input");
  EXPECT_EQ(ParseError("f(a b)"), "at column 5: expected ',' or ')' in the arguments of f(), got name 'b'");
  EXPECT_THAT(ParseError("a < b < c"), HasSubstr("at column 7: comparisons do not chain"));
  EXPECT_THAT(ParseError("a == b is null"), HasSubstr("comparisons do not chain"));
  EXPECT_EQ(ParseError("a is 3"), "at column 6: expected 'null' after 'is', got number 3");
  EXPECT_EQ(ParseError("a in (1, 2)"), "at column 6: expected '[' to start the 'in' list, got '('");
  EXPECT_THAT(ParseError("a in [b]"), HasSubstr("'in' list items must be literals"));
  EXPECT_THAT(ParseError("a in [null]"), HasSubstr("null in an 'in' list never matches"));
  EXPECT_THAT(ParseError("a in [1 2]"), HasSubstr("expected ',' or ']'"));
  EXPECT_THAT(ParseError("9223372036854775808"), HasSubstr("integer out of range: 9223372036854775808"));
  EXPECT_THAT(ParseError("-9223372036854775809"), HasSubstr("integer out of range"));
  EXPECT_THAT(ParseError(")"), HasSubstr("at column 1: unexpected ')': expected a value"));
  EXPECT_THAT(ParseError(""), HasSubstr("expression ends early"));
}

TEST(TransformParserTest, LimitsRejectHostileInput) {
  EXPECT_THAT(ParseError(std::string(4097, ' ')), HasSubstr("4097 bytes long; the limit is 4096"));
  std::string deep = std::string(65, '(') + "a" + std::string(65, ')');
  EXPECT_THAT(ParseError(deep), HasSubstr("nested deeper than 64 levels"));
  std::string ok = std::string(63, '(') + "a" + std::string(63, ')');
  EXPECT_EQ(Canonical(ok), "a");
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_THAT(ParseError(nots + "a"), HasSubstr("nested deeper than 64 levels"));
  EXPECT_THAT(ParseError(std::string(2000, '-') + "a"), HasSubstr("nested deeper than 64 levels"));
  std::string calls;
  for (int i = 0; i < 70; ++i) calls += "abs(";
  EXPECT_THAT(ParseError(calls + "a" + std::string(70, ')')), HasSubstr("nested deeper than 64 levels"));
  std::string chain = "a";
  for (int i = 0; i < 300; ++i) chain += "+a";
  EXPECT_THAT(ParseError(chain), HasSubstr("more than 256 levels of operations"));
  std::string list = "a in [";
  for (int i = 0; i < 1025; ++i) list += i == 0 ? "1" : ",1";
  EXPECT_THAT(ParseError(list + "]"), HasSubstr("'in' list has more than 1024 items"));
  // Unbalanced openers alone, at the byte limit: rejected without deep recursion.
  EXPECT_THAT(ParseError(std::string(4096, '(')), HasSubstr("nested deeper than 64 levels"));
  EXPECT_THAT(ParseError(std::string(4096, '[')), HasSubstr("unexpected '['"));
}

TEST(TransformParserTest, CanonicalTextStaysWithinTheLimits) {
  // NUL bytes print as two-byte escapes: the canonical text would pass the byte limit.
  auto e = CompileTest(StrCat("s == '", std::string(3000, '\0'), "'"));
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("6007 bytes long in canonical form; the limit is 4096"));
  // A negated smallest int64 prints with no more nesting than the source used.
  std::string deep = std::string(63, '(') + "- -9223372036854775808" + std::string(63, ')');
  auto d = CompileTest(deep);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->ToString(), "--9223372036854775808");
  auto again = CompileTest(std::string(63, '(') + d->ToString() + std::string(63, ')'));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->Evaluate({}).is_null());  // overflow
}

TEST(TransformParserTest, ExpressionInputsInFirstUseOrder) {
  auto inputs = ExpressionInputs("if(b > a, a + request.now, c) or b is null");
  ASSERT_TRUE(inputs.ok()) << inputs.status();
  EXPECT_THAT(*inputs, ElementsAre("b", "a", "request.now", "c"));
  EXPECT_THAT(*ExpressionInputs("1 + 2"), ElementsAre());
  EXPECT_FALSE(ExpressionInputs("a +").ok());
  // Unknown functions are a type error, not a syntax error: dependency analysis still works.
  EXPECT_THAT(*ExpressionInputs("nosuch(q)"), ElementsAre("q"));
}

}  // namespace
}  // namespace plinth::features
