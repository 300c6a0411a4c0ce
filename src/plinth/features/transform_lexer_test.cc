#include "plinth/features/transform_lexer.h"

#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

using ::testing::HasSubstr;

std::vector<TokenKind> Kinds(std::string_view source) {
  auto tokens = Tokenize(source);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  std::vector<TokenKind> out;
  if (tokens.ok()) {
    for (const Token& t : *tokens) out.push_back(t.kind);
  }
  return out;
}

TEST(TransformLexerTest, OperatorsKeywordsAndColumns) {
  auto tokens = Tokenize("a.b_1 + 2*x >= 1.5e3 and not c in ['x'] or y is null");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 19u);
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kIdent);
  EXPECT_EQ((*tokens)[0].text, "a.b_1");
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kPlus);
  EXPECT_EQ((*tokens)[1].column, 7);
  EXPECT_EQ((*tokens)[2].kind, TokenKind::kInt);
  EXPECT_EQ((*tokens)[2].text, "2");
  EXPECT_EQ((*tokens)[5].kind, TokenKind::kGe);
  EXPECT_EQ((*tokens)[6].kind, TokenKind::kDouble);
  EXPECT_EQ((*tokens)[6].number, 1500.0);
  EXPECT_EQ((*tokens)[7].kind, TokenKind::kAnd);
  EXPECT_EQ((*tokens)[8].kind, TokenKind::kNot);
  EXPECT_EQ((*tokens)[10].kind, TokenKind::kIn);
  EXPECT_EQ((*tokens)[12].kind, TokenKind::kString);
  EXPECT_EQ((*tokens)[12].text, "x");
  EXPECT_EQ((*tokens)[14].kind, TokenKind::kOr);
  EXPECT_EQ((*tokens)[16].kind, TokenKind::kIs);
  EXPECT_EQ((*tokens)[17].kind, TokenKind::kNull);
  EXPECT_EQ(tokens->back().kind, TokenKind::kEnd);
}

TEST(TransformLexerTest, AllComparisonSpellings) {
  EXPECT_EQ(Kinds("== != <> < <= > >="),
            (std::vector<TokenKind>{TokenKind::kEq, TokenKind::kNe, TokenKind::kNe, TokenKind::kLt, TokenKind::kLe,
                                    TokenKind::kGt, TokenKind::kGe, TokenKind::kEnd}));
}

TEST(TransformLexerTest, NumbersIntegersDecimalsExponents) {
  auto tokens = Tokenize("0 42 .5 3. 1e3 2E-2 9223372036854775808");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kInt);
  EXPECT_EQ((*tokens)[1].text, "42");
  EXPECT_EQ((*tokens)[2].number, 0.5);
  EXPECT_EQ((*tokens)[3].number, 3.0);
  EXPECT_EQ((*tokens)[4].number, 1000.0);
  EXPECT_EQ((*tokens)[5].number, 0.02);
  EXPECT_EQ((*tokens)[6].kind, TokenKind::kInt);  // range is checked by the parser
}

TEST(TransformLexerTest, StringsWithEscapesAndBothQuotes) {
  auto tokens = Tokenize(R"('it\'s' "say \"hi\"" 'a\\b\n\t\r\0' "'" '"')");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ((*tokens)[0].text, "it's");
  EXPECT_EQ((*tokens)[1].text, "say \"hi\"");
  EXPECT_EQ((*tokens)[2].text, std::string("a\\b\n\t\r\0", 7));
  EXPECT_EQ((*tokens)[3].text, "'");
  EXPECT_EQ((*tokens)[4].text, "\"");
}

TEST(TransformLexerTest, DottedKeywordSegmentsAreNames) {
  auto tokens = Tokenize("request.in not.x");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kIdent);
  EXPECT_EQ((*tokens)[0].text, "request.in");
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kIdent);
}

TEST(TransformLexerTest, ErrorsNameTheColumn) {
  EXPECT_THAT(Tokenize("a + 'abc").status().message(), HasSubstr("at column 5: unterminated string"));
  EXPECT_THAT(Tokenize("a = 1").status().message(), HasSubstr("at column 3: '=' is not an operator"));
  EXPECT_THAT(Tokenize("a $ 1").status().message(), HasSubstr("at column 3: unexpected character '$'"));
  EXPECT_THAT(Tokenize("'\\q'").status().message(), HasSubstr("unknown escape '\\q'"));
  EXPECT_THAT(Tokenize("1e").status().message(), HasSubstr("exponent has no digits"));
  EXPECT_THAT(Tokenize("12abc").status().message(), HasSubstr("malformed number '12a'"));
  EXPECT_THAT(Tokenize("1e999").status().message(), HasSubstr("number out of range"));
  EXPECT_THAT(Tokenize("\x01").status().message(), HasSubstr("unexpected byte 0x01"));
  EXPECT_THAT(Tokenize("a.").status().message(), HasSubstr("unexpected character '.'"));
}

TEST(TransformLexerTest, ValidIdentifiers) {
  EXPECT_TRUE(IsValidIdentifier("avg_amount"));
  EXPECT_TRUE(IsValidIdentifier("user_stats.clicks_7d"));
  EXPECT_TRUE(IsValidIdentifier("_x"));
  EXPECT_FALSE(IsValidIdentifier(""));
  EXPECT_FALSE(IsValidIdentifier("7d"));
  EXPECT_FALSE(IsValidIdentifier("a..b"));
  EXPECT_FALSE(IsValidIdentifier("a."));
  EXPECT_FALSE(IsValidIdentifier("a b"));
  EXPECT_FALSE(IsValidIdentifier("and"));
  EXPECT_FALSE(IsValidIdentifier("null"));
}

}  // namespace
}  // namespace plinth::features
