#include "plinth/features/transform_lexer.h"

#include <charconv>
#include <cmath>

namespace plinth::features {

absl::Status ErrorAt(int column, std::string_view message) {
  return absl::InvalidArgumentError(StrCat("at column ", column, ": ", message));
}

namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }


TokenKind KeywordKind(std::string_view word) {
  if (word == "and") return TokenKind::kAnd;
  if (word == "or") return TokenKind::kOr;
  if (word == "not") return TokenKind::kNot;
  if (word == "in") return TokenKind::kIn;
  if (word == "is") return TokenKind::kIs;
  if (word == "true") return TokenKind::kTrue;
  if (word == "false") return TokenKind::kFalse;
  if (word == "null") return TokenKind::kNull;
  return TokenKind::kIdent;
}

// Length of the identifier starting at s[0] (an ident start char), dots included.
size_t ScanIdentifier(std::string_view s) {
  size_t i = 1;
  while (true) {
    while (i < s.size() && IsIdentChar(s[i])) ++i;
    if (i + 1 < s.size() && s[i] == '.' && IsIdentStart(s[i + 1])) {
      i += 2;
      continue;
    }
    return i;
  }
}

}  // namespace

std::string DescribeToken(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kInt: return StrCat("number ", t.text);
    case TokenKind::kDouble: return StrCat("number ", t.number);
    case TokenKind::kString: return "a string";
    case TokenKind::kIdent: return StrCat("name '", t.text, "'");
    default: return StrCat("'", t.text, "'");
  }
}

bool IsValidIdentifier(std::string_view name) {
  if (name.empty() || !IsIdentStart(name[0])) return false;
  if (ScanIdentifier(name) != name.size()) return false;
  return KeywordKind(name) == TokenKind::kIdent;
}

absl::StatusOr<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    Token t;
    t.column = static_cast<int>(i) + 1;
    if (i >= s.size()) {
      out.push_back(std::move(t));
      return out;
    }
    char c = s[i];
    if (IsIdentStart(c)) {
      size_t n = ScanIdentifier(s.substr(i));
      t.text = std::string(s.substr(i, n));
      t.kind = t.text.find('.') == std::string::npos ? KeywordKind(t.text) : TokenKind::kIdent;
      i += n;
    } else if (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      size_t start = i;
      bool is_double = false;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i < s.size() && s[i] == '.') {
        is_double = true;
        ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j >= s.size() || !IsDigit(s[j])) return ErrorAt(t.column, "malformed number: exponent has no digits");
        while (j < s.size() && IsDigit(s[j])) ++j;
        i = j;
        is_double = true;
      }
      if (i < s.size() && (IsIdentChar(s[i]) || s[i] == '.')) {
        return ErrorAt(t.column, StrCat("malformed number '", s.substr(start, i + 1 - start), "'"));
      }
      t.text = std::string(s.substr(start, i - start));
      if (is_double) {
        t.kind = TokenKind::kDouble;
        auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), t.number);
        if (r.ec != std::errc() || !std::isfinite(t.number)) {
          return ErrorAt(t.column, StrCat("number out of range: ", t.text));
        }
      } else {
        t.kind = TokenKind::kInt;
      }
    } else if (c == '\'' || c == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return ErrorAt(t.column, "unterminated string");
        char d = s[i];
        if (d == c) {
          ++i;
          break;
        }
        if (d == '\\') {
          if (i + 1 >= s.size()) return ErrorAt(t.column, "unterminated string");
          char e = s[i + 1];
          switch (e) {
            case '\\': case '\'': case '"': t.text.push_back(e); break;
            case 'n': t.text.push_back('\n'); break;
            case 't': t.text.push_back('\t'); break;
            case 'r': t.text.push_back('\r'); break;
            case '0': t.text.push_back('\0'); break;
            default:
              return ErrorAt(static_cast<int>(i) + 1,
                             StrCat("unknown escape '\\", std::string_view(&s[i + 1], 1),
                                    "' (use \\\\, \\', \\\", \\n, \\t, \\r or \\0)"));
          }
          i += 2;
          continue;
        }
        t.text.push_back(d);
        ++i;
      }
      t.kind = TokenKind::kString;
    } else {
      auto two = s.substr(i, 2);
      auto set = [&](TokenKind k, size_t n) {
        t.kind = k;
        t.text = std::string(s.substr(i, n));
        i += n;
      };
      if (two == "==") set(TokenKind::kEq, 2);
      else if (two == "!=" || two == "<>") set(TokenKind::kNe, 2);
      else if (two == "<=") set(TokenKind::kLe, 2);
      else if (two == ">=") set(TokenKind::kGe, 2);
      else if (c == '<') set(TokenKind::kLt, 1);
      else if (c == '>') set(TokenKind::kGt, 1);
      else if (c == '(') set(TokenKind::kLParen, 1);
      else if (c == ')') set(TokenKind::kRParen, 1);
      else if (c == '[') set(TokenKind::kLBracket, 1);
      else if (c == ']') set(TokenKind::kRBracket, 1);
      else if (c == ',') set(TokenKind::kComma, 1);
      else if (c == '+') set(TokenKind::kPlus, 1);
      else if (c == '-') set(TokenKind::kMinus, 1);
      else if (c == '*') set(TokenKind::kStar, 1);
      else if (c == '/') set(TokenKind::kSlash, 1);
      else if (c == '%') set(TokenKind::kPercent, 1);
      else if (c == '=') return ErrorAt(t.column, "'=' is not an operator: use '==' to compare");
      else if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
        return ErrorAt(t.column, StrCat("unexpected character '", std::string_view(&s[i], 1), "'"));
      } else {
        return ErrorAt(t.column, StrCat("unexpected byte 0x", "0123456789abcdef"[(c >> 4) & 15],
                                        "0123456789abcdef"[c & 15]));
      }
    }
    out.push_back(std::move(t));
  }
}

}  // namespace plinth::features
