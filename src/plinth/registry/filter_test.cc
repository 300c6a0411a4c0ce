#include "plinth/registry/filter.h"

#include "plinth/testing/test_util.h"

namespace plinth::registry {
namespace {

using testing::StatusIs;

std::string OpName(FilterComparison::Op op) {
  using Op = FilterComparison::Op;
  switch (op) {
    case Op::kEq: return "=";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kLike: return "like";
    case Op::kNotLike: return "not-like";
    case Op::kIn: return "in";
    case Op::kNotIn: return "not-in";
    case Op::kIsNull: return "is-null";
    case Op::kIsNotNull: return "is-not-null";
  }
  return "?";
}

std::string Literal(const FilterLiteral& l) {
  switch (l.kind) {
    case FilterLiteral::Kind::kString: return StrCat("'", l.text, "'");
    case FilterLiteral::Kind::kNumber: return StrCat("#", l.number);
    case FilterLiteral::Kind::kBool: return l.boolean ? "TRUE" : "FALSE";
  }
  return "?";
}

// Renders the AST as an s-expression: (or (= a #1) (and ...)); field segments joined by '|'.
std::string Render(const FilterNode* n) {
  if (n == nullptr) return "<all>";
  switch (n->kind) {
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr:
    case FilterNode::Kind::kNot: {
      std::string out = n->kind == FilterNode::Kind::kAnd ? "(and" : n->kind == FilterNode::Kind::kOr ? "(or" : "(not";
      for (const auto& c : n->children) StrAppend(&out, " ", Render(c.get()));
      return out + ")";
    }
    case FilterNode::Kind::kComparison: {
      const FilterComparison& c = n->comparison;
      std::string out = StrCat("(", OpName(c.op), " ", StrJoin(c.field, "|"));
      for (const auto& v : c.values) StrAppend(&out, " ", Literal(v));
      return out + ")";
    }
  }
  return "?";
}

std::string Parse(std::string_view text) {
  auto node = ParseFilter(text);
  if (!node.ok()) return StrCat("ERROR ", node.status().message());
  return Render(node->get());
}

// Each pair: filter text and its expected AST rendering.
void ExpectAsts(std::initializer_list<std::pair<const char*, const char*>> cases) {
  for (const auto& [text, ast] : cases) EXPECT_EQ(Parse(text), ast) << text;
}

TEST(ParseFilterTest, AndBindsTighterThanOr) {
  ExpectAsts({
      {"a = 1 or b = 2 and c = 3", "(or (= a #1) (and (= b #2) (= c #3)))"},
      {"a = 1 and b = 2 or c = 3", "(or (and (= a #1) (= b #2)) (= c #3))"},
      {"(a = 1 or b = 2) and c = 3", "(and (or (= a #1) (= b #2)) (= c #3))"},
      {"a = 1 and b = 2 and c = 3", "(and (= a #1) (= b #2) (= c #3))"},
      {"((a = 1))", "(= a #1)"},
  });
}

TEST(ParseFilterTest, NotBindsTighterThanAnd) {
  ExpectAsts({
      {"not a = 1 and b = 2", "(and (not (= a #1)) (= b #2))"},
      {"not (a = 1 or b = 2)", "(not (or (= a #1) (= b #2)))"},
      {"not not a = 1", "(not (not (= a #1)))"},
  });
}

TEST(ParseFilterTest, ComparisonOperators) {
  ExpectAsts({
      {"a = 1", "(= a #1)"},
      {"a == 1", "(= a #1)"},
      {"a != 1", "(!= a #1)"},
      {"a <> 1", "(!= a #1)"},
      {"a<1", "(< a #1)"},
      {"a <= -1.5", "(<= a #-1.5)"},
      {"a > .5", "(> a #0.5)"},
      {"a > 1e-3", "(> a #0.001)"},
      {"a >= +2", "(>= a #2)"},
      {"a = true or b = FALSE", "(or (= a TRUE) (= b FALSE))"},
  });
}

TEST(ParseFilterTest, LikeInAndNullTests) {
  ExpectAsts({
      {"name like 'fraud-%'", "(like name 'fraud-%')"},
      {"name NOT LIKE '%-old'", "(not-like name '%-old')"},
      {"version in (1, 2,3)", "(in version #1 #2 #3)"},
      {"format not in ('a', 'b')", "(not-in format 'a' 'b')"},
      {"tags.team is null", "(is-null tags|team)"},
      {"tags.team IS NOT NULL", "(is-not-null tags|team)"},
  });
}

TEST(ParseFilterTest, FieldsAndStrings) {
  ExpectAsts({
      {"metrics.\"val.auc\" > 0.9", "(> metrics|val.auc #0.9)"},
      {"tags.`my key` = 'x'", "(= tags|my key 'x')"},
      {"tags.`a``b` = 'x'", "(= tags|a`b 'x')"},
      {"tags.\"a\"\"b\" = 'x'", "(= tags|a\"b 'x')"},
      {"tags.2020 = 'x'", "(= tags|2020 'x')"},
      {"params.learning-rate = 'x'", "(= params|learning-rate 'x')"},
      {"description = 'it''s ok'", "(= description 'it's ok')"},
      {"description = ''", "(= description '')"},
      {"description = 'and or not ( ) ='", "(= description 'and or not ( ) =')"},
  });
}

TEST(ParseFilterTest, KeywordsAreCaseInsensitive) {
  ExpectAsts({
      {"a = 1 OR b = 2 AnD NoT c = 3", "(or (= a #1) (and (= b #2) (not (= c #3))))"},
  });
}

TEST(ParseFilterTest, BlankFilterMatchesEverything) {
  ExpectAsts({
      {"", "<all>"},
      {"  \t\n ", "<all>"},
  });
}

TEST(ParseFilterTest, ErrorsNameThePosition) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"a = 1 and", "filter: expected a field name at position 9, got end of filter"},
      {"a = = 1", "filter: expected a value ('text', a number, true or false) at position 4, got '='"},
      {"a = 1 b = 2", "filter: expected 'and', 'or' or end of filter at position 6, got 'b'"},
      {"(a = 1", "filter: expected ')' at position 6, got end of filter"},
      {"a = 1)", "filter: expected 'and', 'or' or end of filter at position 5, got ')'"},
      {"a ! 1", "filter: unexpected '!' at position 2 (use != or not)"},
      {"a = 1 ;", "filter: unexpected character ';' at position 6"},
      {"a = 'open", "filter: unterminated quote starting at position 4"},
      {"tags.`open = 1", "filter: unterminated quote starting at position 5"},
      {"a = 1abc", "filter: invalid number '1abc' at position 4"},
      {"a 1", "filter: expected an operator (=, !=, <, <=, >, >=, like, in, is null) at position 2, got '1'"},
      {"a like 1", "filter: expected a quoted pattern after 'like' at position 7, got '1'"},
      {"a in 1", "filter: expected '(' after 'in' at position 5, got '1'"},
      {"a in ()", "filter: expected a value ('text', a number, true or false) at position 6, got ')'"},
      {"a in (1,", "filter: expected a value ('text', a number, true or false) at position 8, got end of filter"},
      {"a in (1 2)", "filter: expected ',' or ')' at position 8, got '2'"},
      {"a not = 1", "filter: expected 'like' or 'in' after 'not' at position 6, got '='"},
      {"a is 1", "filter: expected 'null' at position 5, got '1'"},
      {"a. = 1", "filter: expected a field name after '.' at position 3, got '='"},
      {"= 1", "filter: expected a field name at position 0, got '='"},
      {"a = b", "filter: expected a value ('text', a number, true or false) at position 4, got 'b'"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(StatusIs(ParseFilter(c.text), absl::StatusCode::kInvalidArgument, c.message)) << c.text;
  }
}

std::string Nested(int depth) {
  std::string s(depth, '(');
  s += "a = 1";
  s.append(depth, ')');
  return s;
}

std::string Nots(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "not ";
  return s + "a = 1";
}

TEST(ParseFilterTest, NestingIsLimited) {
  EXPECT_EQ(Parse(Nested(64)), "(= a #1)");
  EXPECT_TRUE(StatusIs(ParseFilter(Nested(65)), absl::StatusCode::kInvalidArgument, "filter: nested too deeply"));
  EXPECT_TRUE(ParseFilter(Nots(64)).ok());
  EXPECT_TRUE(StatusIs(ParseFilter(Nots(65)), absl::StatusCode::kInvalidArgument, "nested too deeply"));
  // Far deeper input fails cleanly instead of overflowing the stack.
  EXPECT_TRUE(StatusIs(ParseFilter(std::string(8000, '(')), absl::StatusCode::kInvalidArgument, "nested too deeply"));
  EXPECT_TRUE(StatusIs(ParseFilter(Nested(9000)), absl::StatusCode::kInvalidArgument, "longer than 16384 characters"));
}

TEST(ParseFilterTest, InListIsLimited) {
  std::string list = "1";
  for (int i = 2; i <= 1000; ++i) StrAppend(&list, ",", i);
  EXPECT_TRUE(ParseFilter(StrCat("version in (", list, ")")).ok());
  EXPECT_TRUE(StatusIs(ParseFilter(StrCat("version in (", list, ",1001)")), absl::StatusCode::kInvalidArgument,
                       "more than 1000 values"));
}

TEST(ParseOrderByTest, TermsAndDirections) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto terms, ParseOrderBy("metrics.auc DESC, name, created_at asc"));
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].field, (std::vector<std::string>{"metrics", "auc"}));
  EXPECT_TRUE(terms[0].descending);
  EXPECT_EQ(terms[1].field, std::vector<std::string>{"name"});
  EXPECT_FALSE(terms[1].descending);
  EXPECT_FALSE(terms[2].descending);
  PLINTH_ASSERT_OK_AND_ASSIGN(terms, ParseOrderBy("  "));
  EXPECT_TRUE(terms.empty());
}

TEST(ParseOrderByTest, Errors) {
  EXPECT_TRUE(StatusIs(ParseOrderBy("name up"), absl::StatusCode::kInvalidArgument,
                       "order_by: expected ',', 'asc', 'desc' or end at position 5, got 'up'"));
  EXPECT_TRUE(StatusIs(ParseOrderBy("name,"), absl::StatusCode::kInvalidArgument,
                       "order_by: expected a field name at position 5, got end of filter"));
  EXPECT_TRUE(StatusIs(ParseOrderBy("a,b,c,d,e,f,g,h,i"), absl::StatusCode::kInvalidArgument, "at most 8 terms"));
  EXPECT_TRUE(ParseOrderBy("a,b,c,d,e,f,g,h").ok());
  EXPECT_TRUE(StatusIs(ParseOrderBy(std::string(1025, 'a')), absl::StatusCode::kInvalidArgument, "longer than 1024"));
}

}  // namespace
}  // namespace plinth::registry
