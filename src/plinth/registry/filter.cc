#include "plinth/registry/filter.h"

#include <cctype>


namespace plinth::registry {

namespace {

constexpr int kMaxDepth = 64;      // nesting of parentheses / not
constexpr size_t kMaxLength = 16384;

struct Token {
  enum class Kind { kIdent, kString, kNumber, kQuotedIdent, kOp, kLParen, kRParen, kComma, kDot, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t pos = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
      Token t;
      t.pos = i_;
      if (i_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      char c = s_[i_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i_;
        while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_' || s_[j] == '-' || s_[j] == ':')) ++j;
        t.kind = Token::Kind::kIdent;
        t.text = std::string(s_.substr(i_, j - i_));
        i_ = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '+' || (c == '.' && !AfterFieldName(out))) && i_ + 1 < s_.size() &&
                  (std::isdigit(static_cast<unsigned char>(s_[i_ + 1])) || s_[i_ + 1] == '.'))) {
        size_t j = i_ + 1;
        while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' ||
                                 ((s_[j] == '-' || s_[j] == '+') && (s_[j - 1] == 'e' || s_[j - 1] == 'E')))) ++j;
        t.kind = Token::Kind::kNumber;
        t.text = std::string(s_.substr(i_, j - i_));
        i_ = j;
      } else if (c == '\'') {
        PLINTH_ASSIGN_OR_RETURN(t.text, Quoted('\''));
        t.kind = Token::Kind::kString;
      } else if (c == '"' || c == '`') {
        PLINTH_ASSIGN_OR_RETURN(t.text, Quoted(c));
        t.kind = Token::Kind::kQuotedIdent;
      } else if (c == '(') {
        t.kind = Token::Kind::kLParen;
        ++i_;
      } else if (c == ')') {
        t.kind = Token::Kind::kRParen;
        ++i_;
      } else if (c == ',') {
        t.kind = Token::Kind::kComma;
        ++i_;
      } else if (c == '.') {
        t.kind = Token::Kind::kDot;
        ++i_;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        size_t j = i_ + 1;
        if (j < s_.size() && (s_[j] == '=' || (c == '<' && s_[j] == '>'))) ++j;
        t.kind = Token::Kind::kOp;
        t.text = std::string(s_.substr(i_, j - i_));
        if (t.text == "!") return absl::InvalidArgumentError(StrCat("filter: unexpected '!' at position ", i_, " (use != or not)"));
        i_ = j;
      } else {
        return absl::InvalidArgumentError(StrCat("filter: unexpected character '", std::string(1, c), "' at position ", i_));
      }
      out.push_back(std::move(t));
    }
  }

 private:
  // After a field name a '.' separates path segments ("tags.2020"); elsewhere ".5" is a number.
  static bool AfterFieldName(const std::vector<Token>& out) {
    return !out.empty() && (out.back().kind == Token::Kind::kIdent || out.back().kind == Token::Kind::kQuotedIdent);
  }

  absl::StatusOr<std::string> Quoted(char q) {
    size_t start = i_;
    std::string out;
    ++i_;
    while (i_ < s_.size()) {
      if (s_[i_] == q) {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == q) {
          out.push_back(q);
          i_ += 2;
          continue;
        }
        ++i_;
        return out;
      }
      out.push_back(s_[i_++]);
    }
    return absl::InvalidArgumentError(StrCat("filter: unterminated quote starting at position ", start));
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool IsKeyword(const Token& t, std::string_view kw) {
  return t.kind == Token::Kind::kIdent && EqualsIgnoreCase(t.text, kw);
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  absl::StatusOr<std::unique_ptr<FilterNode>> ParseAll() {
    PLINTH_ASSIGN_OR_RETURN(auto node, Or(0));
    if (Peek().kind != Token::Kind::kEnd) return Error("'and', 'or' or end of filter");
    return node;
  }

  absl::StatusOr<std::vector<std::string>> Field() {
    std::vector<std::string> path;
    const Token& first = Peek();
    if (first.kind != Token::Kind::kIdent && first.kind != Token::Kind::kQuotedIdent) return Error("a field name");
    path.push_back(Next().text);
    while (Peek().kind == Token::Kind::kDot) {
      Next();
      const Token& seg = Peek();
      if (seg.kind != Token::Kind::kIdent && seg.kind != Token::Kind::kQuotedIdent && seg.kind != Token::Kind::kNumber) {
        return Error("a field name after '.'");
      }
      path.push_back(Next().text);
    }
    return path;
  }

  const Token& Peek() const { return t_[p_]; }
  const Token& Next() { return t_[p_ < t_.size() - 1 ? p_++ : p_]; }

  absl::Status Error(std::string_view expected) const {
    const Token& t = Peek();
    std::string got = t.kind == Token::Kind::kEnd ? "end of filter" : StrCat("'", t.text.empty() ? "?" : t.text, "'");
    if (t.kind == Token::Kind::kLParen) got = "'('";
    if (t.kind == Token::Kind::kRParen) got = "')'";
    if (t.kind == Token::Kind::kComma) got = "','";
    return absl::InvalidArgumentError(StrCat("filter: expected ", expected, " at position ", t.pos, ", got ", got));
  }

 private:
  absl::StatusOr<std::unique_ptr<FilterNode>> Or(int depth) {
    PLINTH_ASSIGN_OR_RETURN(auto left, And(depth));
    if (!IsKeyword(Peek(), "or")) return left;
    auto node = std::make_unique<FilterNode>();
    node->kind = FilterNode::Kind::kOr;
    node->children.push_back(std::move(left));
    while (IsKeyword(Peek(), "or")) {
      Next();
      PLINTH_ASSIGN_OR_RETURN(auto right, And(depth));
      node->children.push_back(std::move(right));
    }
    return node;
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> And(int depth) {
    PLINTH_ASSIGN_OR_RETURN(auto left, Not(depth));
    if (!IsKeyword(Peek(), "and")) return left;
    auto node = std::make_unique<FilterNode>();
    node->kind = FilterNode::Kind::kAnd;
    node->children.push_back(std::move(left));
    while (IsKeyword(Peek(), "and")) {
      Next();
      PLINTH_ASSIGN_OR_RETURN(auto right, Not(depth));
      node->children.push_back(std::move(right));
    }
    return node;
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> Not(int depth) {
    if (depth > kMaxDepth) return absl::InvalidArgumentError("filter: nested too deeply");
    if (IsKeyword(Peek(), "not")) {
      Next();
      PLINTH_ASSIGN_OR_RETURN(auto child, Not(depth + 1));
      auto node = std::make_unique<FilterNode>();
      node->kind = FilterNode::Kind::kNot;
      node->children.push_back(std::move(child));
      return node;
    }
    if (Peek().kind == Token::Kind::kLParen) {
      Next();
      PLINTH_ASSIGN_OR_RETURN(auto inner, Or(depth + 1));
      if (Peek().kind != Token::Kind::kRParen) return Error("')'");
      Next();
      return inner;
    }
    return Comparison();
  }

  absl::StatusOr<FilterLiteral> Literal() {
    const Token& t = Peek();
    FilterLiteral lit;
    if (t.kind == Token::Kind::kString) {
      lit.kind = FilterLiteral::Kind::kString;
      lit.text = t.text;
    } else if (t.kind == Token::Kind::kNumber) {
      lit.kind = FilterLiteral::Kind::kNumber;
      lit.text = t.text;
      auto parsed = ParseDouble(t.text);
      if (parsed) lit.number = *parsed;
      if (!parsed) {
        return absl::InvalidArgumentError(StrCat("filter: invalid number '", t.text, "' at position ", t.pos));
      }
    } else if (IsKeyword(t, "true") || IsKeyword(t, "false")) {
      lit.kind = FilterLiteral::Kind::kBool;
      lit.boolean = IsKeyword(t, "true");
      lit.text = lit.boolean ? "true" : "false";
    } else {
      return Error("a value ('text', a number, true or false)");
    }
    Next();
    return lit;
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> Comparison() {
    auto node = std::make_unique<FilterNode>();
    node->kind = FilterNode::Kind::kComparison;
    FilterComparison& c = node->comparison;
    PLINTH_ASSIGN_OR_RETURN(c.field, Field());
    const Token& t = Peek();
    if (t.kind == Token::Kind::kOp) {
      if (t.text == "=" || t.text == "==") c.op = FilterComparison::Op::kEq;
      else if (t.text == "!=" || t.text == "<>") c.op = FilterComparison::Op::kNe;
      else if (t.text == "<") c.op = FilterComparison::Op::kLt;
      else if (t.text == "<=") c.op = FilterComparison::Op::kLe;
      else if (t.text == ">") c.op = FilterComparison::Op::kGt;
      else if (t.text == ">=") c.op = FilterComparison::Op::kGe;
      else return Error("a comparison operator");
      Next();
      PLINTH_ASSIGN_OR_RETURN(FilterLiteral lit, Literal());
      c.values.push_back(std::move(lit));
      return node;
    }
    bool negated = false;
    if (IsKeyword(t, "not")) {
      Next();
      negated = true;
    }
    if (IsKeyword(Peek(), "like")) {
      Next();
      if (Peek().kind != Token::Kind::kString) return Error("a quoted pattern after 'like'");
      PLINTH_ASSIGN_OR_RETURN(FilterLiteral lit, Literal());
      c.op = negated ? FilterComparison::Op::kNotLike : FilterComparison::Op::kLike;
      c.values.push_back(std::move(lit));
      return node;
    }
    if (IsKeyword(Peek(), "in")) {
      Next();
      if (Peek().kind != Token::Kind::kLParen) return Error("'(' after 'in'");
      Next();
      while (true) {
        PLINTH_ASSIGN_OR_RETURN(FilterLiteral lit, Literal());
        c.values.push_back(std::move(lit));
        if (c.values.size() > 1000) return absl::InvalidArgumentError("filter: more than 1000 values in 'in'");
        if (Peek().kind == Token::Kind::kComma) {
          Next();
          continue;
        }
        if (Peek().kind == Token::Kind::kRParen) {
          Next();
          break;
        }
        return Error("',' or ')'");
      }
      c.op = negated ? FilterComparison::Op::kNotIn : FilterComparison::Op::kIn;
      return node;
    }
    if (negated) return Error("'like' or 'in' after 'not'");
    if (IsKeyword(Peek(), "is")) {
      Next();
      bool is_not = false;
      if (IsKeyword(Peek(), "not")) {
        Next();
        is_not = true;
      }
      if (!IsKeyword(Peek(), "null")) return Error("'null'");
      Next();
      c.op = is_not ? FilterComparison::Op::kIsNotNull : FilterComparison::Op::kIsNull;
      return node;
    }
    return Error("an operator (=, !=, <, <=, >, >=, like, in, is null)");
  }

  std::vector<Token> t_;
  size_t p_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FilterNode>> ParseFilter(std::string_view text) {
  if (text.size() > kMaxLength) return absl::InvalidArgumentError("filter: longer than 16384 characters");
  if (StripWhitespace(text).empty()) return std::unique_ptr<FilterNode>();
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Lexer(text).Run());
  return Parser(std::move(tokens)).ParseAll();
}

absl::StatusOr<std::vector<OrderTerm>> ParseOrderBy(std::string_view text) {
  std::vector<OrderTerm> out;
  if (text.size() > 1024) return absl::InvalidArgumentError("order_by: longer than 1024 characters");
  if (StripWhitespace(text).empty()) return out;
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Lexer(text).Run());
  Parser p(std::move(tokens));
  while (true) {
    OrderTerm term;
    auto field = p.Field();
    if (!field.ok()) return absl::InvalidArgumentError(StrCat("order_by: ", field.status().message().substr(8)));
    term.field = *std::move(field);
    if (IsKeyword(p.Peek(), "desc")) {
      term.descending = true;
      p.Next();
    } else if (IsKeyword(p.Peek(), "asc")) {
      p.Next();
    }
    out.push_back(std::move(term));
    if (out.size() > 8) return absl::InvalidArgumentError("order_by: at most 8 terms");
    if (p.Peek().kind == Token::Kind::kComma) {
      p.Next();
      continue;
    }
    if (p.Peek().kind == Token::Kind::kEnd) break;
    auto st = p.Error("',', 'asc', 'desc' or end");
    return absl::InvalidArgumentError(StrCat("order_by: ", st.message().substr(8)));
  }
  return out;
}

}  // namespace plinth::registry
