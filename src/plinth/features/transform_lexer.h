// Lexer of the on-demand transform language (docs/FEATURES.md, "On-demand transforms").
//
// Turns source text into tokens. Identifiers are [A-Za-z_][A-Za-z0-9_]* segments joined by
// '.', so `request.now` is one token. Keywords (and, or, not, in, is, true, false, null) are
// lower case and only reserved as undotted words. Columns are 1-based byte offsets, used in
// every error message ("at column 7: ...").
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::features {

enum class TokenKind : uint8_t {
  kEnd,
  kInt,     // text: the digits (range checked by the parser, which knows about a leading '-')
  kDouble,  // number: the value
  kString,  // text: the decoded contents
  kIdent,   // text: the name
  kTrue, kFalse, kNull, kAnd, kOr, kNot, kIn, kIs,
  kLParen, kRParen, kLBracket, kRBracket, kComma,
  kPlus, kMinus, kStar, kSlash, kPercent,
  kEq, kNe, kLt, kLe, kGt, kGe,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int column = 0;
  std::string text;
  double number = 0;
};

// How a token is shown in messages: "'+'", "name 'amount'", "end of input", ...
std::string DescribeToken(const Token& t);

// Whether `name` is a valid identifier (segments joined by dots, not a bare keyword).
bool IsValidIdentifier(std::string_view name);

// Errors: InvalidArgument "at column N: ..." for an unknown character, an unterminated string,
// an unknown escape or a malformed or out-of-range number. The last token is always kEnd.
absl::StatusOr<std::vector<Token>> Tokenize(std::string_view source);

// InvalidArgument "at column N: message": the form of every lexer, parser and type error.
absl::Status ErrorAt(int column, std::string_view message);

}  // namespace plinth::features
