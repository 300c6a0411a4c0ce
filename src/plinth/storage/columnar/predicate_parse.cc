#include <cctype>

#include "plinth/base/strings.h"
#include "plinth/storage/columnar/predicate_node.h"

namespace plinth::columnar {

namespace {

using Node = PredicateNode;
using NodePtr = std::shared_ptr<PredicateNode>;
constexpr int kMaxNesting = kMaxPredicateNesting;

// ---- Tokenizer and parser ----

struct Token {
  enum class Type { kIdent, kQuotedIdent, kNumber, kString, kOp, kLParen, kRParen, kComma, kEnd } type;
  std::string text;
  size_t pos;
};

absl::StatusOr<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    size_t start = i;
    if (c == '(') { out.push_back({Token::Type::kLParen, "(", i++}); continue; }
    if (c == ')') { out.push_back({Token::Type::kRParen, ")", i++}); continue; }
    if (c == ',') { out.push_back({Token::Type::kComma, ",", i++}); continue; }
    if (c == '\'' || c == '"') {
      std::string text;
      ++i;
      while (true) {
        if (i >= s.size()) return absl::InvalidArgumentError(StrCat("unterminated quote at position ", start + 1));
        if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) { text.push_back(c); i += 2; continue; }
          ++i;
          break;
        }
        text.push_back(s[i++]);
      }
      out.push_back({c == '\'' ? Token::Type::kString : Token::Type::kQuotedIdent, text, start});
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+' || c == '.') && i + 1 < s.size() && (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.'))) {
      ++i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
                              ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) ++i;
      out.push_back({Token::Type::kNumber, std::string(s.substr(start, i - start)), start});
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '.')) ++i;
      out.push_back({Token::Type::kIdent, std::string(s.substr(start, i - start)), start});
      continue;
    }
    static const char* const kOps[] = {"==", "!=", "<>", "<=", ">=", "=", "<", ">"};
    bool matched = false;
    for (const char* op : kOps) {
      std::string_view o(op);
      if (s.substr(i, o.size()) == o) {
        out.push_back({Token::Type::kOp, std::string(o), i});
        i += o.size();
        matched = true;
        break;
      }
    }
    if (!matched) return absl::InvalidArgumentError(StrCat("unexpected character '", std::string(1, c), "' at position ", i + 1));
  }
  out.push_back({Token::Type::kEnd, "", s.size()});
  return out;
}

bool IsKeyword(const Token& t, std::string_view kw) {
  if (t.type != Token::Type::kIdent || t.text.size() != kw.size()) return false;
  for (size_t i = 0; i < kw.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != kw[i]) return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  absl::StatusOr<NodePtr> ParseAll() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr n, ParseOr());
    if (t_[p_].type != Token::Type::kEnd) return Error("unexpected '" + t_[p_].text + "'");
    return n;
  }

 private:
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(StrCat("invalid filter: ", what, " at position ", t_[p_].pos + 1));
  }
  absl::StatusOr<NodePtr> ParseOr() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseAnd());
    if (!IsKeyword(t_[p_], "OR")) return left;
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::kOr;
    n->children = {left};
    while (IsKeyword(t_[p_], "OR")) {
      ++p_;
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseAnd());
      n->children.push_back(right);
    }
    return n;
  }
  absl::StatusOr<NodePtr> ParseAnd() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseNot());
    if (!IsKeyword(t_[p_], "AND")) return left;
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::kAnd;
    n->children = {left};
    while (IsKeyword(t_[p_], "AND")) {
      ++p_;
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseNot());
      n->children.push_back(right);
    }
    return n;
  }
  // Entering a parenthesis or a NOT; errors past kMaxNesting.
  absl::Status Nest() {
    if (++depth_ > kMaxNesting) return Error(StrCat("nested deeper than ", kMaxNesting, " levels"));
    return absl::OkStatus();
  }
  absl::StatusOr<NodePtr> ParseNot() {
    if (IsKeyword(t_[p_], "NOT")) {
      ++p_;
      PLINTH_RETURN_IF_ERROR(Nest());
      PLINTH_ASSIGN_OR_RETURN(NodePtr inner, ParseNot());
      --depth_;
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kNot;
      n->children = {inner};
      return n;
    }
    return ParseTest();
  }
  absl::StatusOr<Operand> ParseOperand() {
    const Token& t = t_[p_];
    Operand o;
    switch (t.type) {
      case Token::Type::kNumber: o.literal = {Literal::Kind::kNumber, t.text}; break;
      case Token::Type::kString: o.literal = {Literal::Kind::kString, t.text}; break;
      case Token::Type::kQuotedIdent: o.is_column = true; o.name = t.text; break;
      case Token::Type::kIdent:
        if (IsKeyword(t, "TRUE") || IsKeyword(t, "FALSE")) o.literal = {Literal::Kind::kBool, IsKeyword(t, "TRUE") ? "true" : "false"};
        else if (IsKeyword(t, "NULL")) o.literal = {Literal::Kind::kNull, ""};
        else if (IsKeyword(t, "AND") || IsKeyword(t, "OR") || IsKeyword(t, "NOT")) return Error("expected a column or a value");
        else { o.is_column = true; o.name = t.text; }
        break;
      default: return Error("expected a column or a value");
    }
    ++p_;
    return o;
  }
  absl::StatusOr<NodePtr> ParseTest() {
    if (t_[p_].type == Token::Type::kLParen) {
      ++p_;
      PLINTH_RETURN_IF_ERROR(Nest());
      PLINTH_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
      if (t_[p_].type != Token::Type::kRParen) return Error("expected ')'");
      ++p_;
      --depth_;
      return inner;
    }
    PLINTH_ASSIGN_OR_RETURN(Operand left, ParseOperand());
    auto n = std::make_shared<Node>();
    n->left = left;
    const Token& t = t_[p_];
    if (t.type == Token::Type::kOp) {
      static const std::pair<const char*, CmpOp> kOps[] = {{"=", CmpOp::kEq}, {"==", CmpOp::kEq}, {"!=", CmpOp::kNe},
                                                           {"<>", CmpOp::kNe}, {"<", CmpOp::kLt}, {"<=", CmpOp::kLe},
                                                           {">", CmpOp::kGt}, {">=", CmpOp::kGe}};
      for (const auto& [s, op] : kOps) if (t.text == s) n->op = op;
      ++p_;
      PLINTH_ASSIGN_OR_RETURN(n->right, ParseOperand());
      n->kind = Node::Kind::kCompare;
      return n;
    }
    if (IsKeyword(t, "IS")) {
      ++p_;
      n->kind = Node::Kind::kIsNull;
      if (IsKeyword(t_[p_], "NOT")) { n->negated = true; ++p_; }
      if (!IsKeyword(t_[p_], "NULL")) return Error("expected NULL");
      ++p_;
      return n;
    }
    bool negated = false;
    if (IsKeyword(t, "NOT")) { negated = true; ++p_; }
    if (IsKeyword(t_[p_], "IN")) {
      ++p_;
      if (t_[p_].type != Token::Type::kLParen) return Error("expected '(' after IN");
      ++p_;
      n->kind = Node::Kind::kIn;
      n->negated = negated;
      while (true) {
        PLINTH_ASSIGN_OR_RETURN(Operand v, ParseOperand());
        if (v.is_column) return Error("IN lists hold values, not columns");
        n->list.push_back(v);
        if (t_[p_].type == Token::Type::kComma) { ++p_; continue; }
        if (t_[p_].type == Token::Type::kRParen) { ++p_; break; }
        return Error("expected ',' or ')'");
      }
      return n;
    }
    if (IsKeyword(t_[p_], "BETWEEN")) {
      ++p_;
      PLINTH_ASSIGN_OR_RETURN(Operand lo, ParseOperand());
      if (!IsKeyword(t_[p_], "AND")) return Error("expected AND in BETWEEN");
      ++p_;
      PLINTH_ASSIGN_OR_RETURN(Operand hi, ParseOperand());
      auto a = std::make_shared<Node>(), b = std::make_shared<Node>(), both = std::make_shared<Node>();
      a->kind = b->kind = Node::Kind::kCompare;
      a->left = b->left = left;
      a->op = CmpOp::kGe; a->right = lo;
      b->op = CmpOp::kLe; b->right = hi;
      both->kind = Node::Kind::kAnd;
      both->children = {a, b};
      if (!negated) return both;
      auto no = std::make_shared<Node>();
      no->kind = Node::Kind::kNot;
      no->children = {both};
      return no;
    }
    if (negated) return Error("expected IN or BETWEEN after NOT");
    return Error("expected a comparison");
  }

  std::vector<Token> t_;
  size_t p_ = 0;
  int depth_ = 0;
};

// ---- Binding ----

bool IsNumericType(TypeId id) {
  switch (id) {
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64: case TypeId::kUInt8:
    case TypeId::kUInt16: case TypeId::kUInt32: case TypeId::kUInt64: case TypeId::kFloat16: case TypeId::kFloat:
    case TypeId::kDouble: case TypeId::kDecimal:
      return true;
    default: return false;
  }
}

// '8-4-4-4-12' (or 32 bare) hex digits -> the 16 bytes a uuid column holds.
std::optional<std::string> UuidBytes(std::string_view text) {
  std::string hex;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-' && text.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) continue;
    if (!std::isxdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    hex.push_back(text[i]);
  }
  if (hex.size() != 32) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < 32; i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// A float column's values are compared in float precision (EvalCompareLiteral), so its literal
// must be rounded the same way before MayMatch compares it with statistics: 0.1 would otherwise
// sort below the float nearest 0.1 and files holding it would be skipped.
void RoundToColumnPrecision(Value* v, const DataType& t) {
  if (!v->is_null && v->type.id == t.id && (t.id == TypeId::kFloat || t.id == TypeId::kFloat16)) {
    v->d = static_cast<float>(v->d);
  }
}

// Binds a literal against the type of the column it is compared with.
absl::Status BindLiteral(Operand* lit, const Field& col) {
  const Literal& l = lit->literal;
  const DataType& t = col.type;
  if (l.kind == Literal::Kind::kNull) {
    lit->value = Value::Null(t);
    return absl::OkStatus();
  }
  auto mismatch = [&]() {
    return absl::InvalidArgumentError(StrCat("cannot compare column '", col.name, "' (", TypeName(t), ") with ",
                                             l.kind == Literal::Kind::kString ? "'" + l.text + "'" : l.text));
  };
  if (l.kind == Literal::Kind::kNumber) {
    if (!IsNumericType(t.id)) return mismatch();
    auto exact = ParseValue(t, l.text);
    if (exact.ok()) {
      lit->value = *exact;
      RoundToColumnPrecision(&lit->value, t);
      return absl::OkStatus();
    }
    auto d = ParseDouble(l.text);  // 2.5 against an integer column, or out-of-range values
    if (!d) return mismatch();
    lit->value = Value::Double(DataType{TypeId::kDouble}, *d);
    return absl::OkStatus();
  }
  if (l.kind == Literal::Kind::kBool) {
    if (t.id != TypeId::kBool) return mismatch();
    lit->value = Value::Int(t, l.text == "true");
    return absl::OkStatus();
  }
  if (t.id == TypeId::kUuid) {  // ParseValue keeps text as is; the column holds the 16 raw bytes
    auto bytes = UuidBytes(l.text);
    if (!bytes) return absl::InvalidArgumentError(StrCat("column '", col.name, "': '", l.text, "' is not a UUID"));
    lit->value = Value::Bytes(t, *bytes);
    return absl::OkStatus();
  }
  auto v = ParseValue(t, l.text);
  if (!v.ok()) return absl::InvalidArgumentError(StrCat("column '", col.name, "': ", v.status().message()));
  lit->value = *v;
  RoundToColumnPrecision(&lit->value, t);
  return absl::OkStatus();
}

absl::Status BindColumn(Operand* o, const Schema& schema) {
  auto idx = schema.IndexOf(o->name);
  if (!idx) {
    std::vector<std::string> names;
    for (const auto& f : schema.fields()) names.push_back(f.name);
    return absl::InvalidArgumentError(StrCat("unknown column '", o->name, "' in filter (columns: ", StrJoin(names, ", "), ")"));
  }
  o->column = static_cast<int>(*idx);
  return absl::OkStatus();
}

CmpOp Flip(CmpOp op) {
  switch (op) {
    case CmpOp::kLt: return CmpOp::kGt;
    case CmpOp::kLe: return CmpOp::kGe;
    case CmpOp::kGt: return CmpOp::kLt;
    case CmpOp::kGe: return CmpOp::kLe;
    default: return op;
  }
}

absl::Status Bind(Node* n, const Schema& schema) {
  for (auto& c : n->children) PLINTH_RETURN_IF_ERROR(Bind(c.get(), schema));
  if (n->kind == Node::Kind::kCompare) {
    if (!n->left.is_column && n->right.is_column) {
      std::swap(n->left, n->right);
      n->op = Flip(n->op);
    }
    if (!n->left.is_column) return absl::InvalidArgumentError("filter compares two values; name a column");
    PLINTH_RETURN_IF_ERROR(BindColumn(&n->left, schema));
    if (n->right.is_column) {
      PLINTH_RETURN_IF_ERROR(BindColumn(&n->right, schema));
      const auto& a = schema.field(n->left.column).type;
      const auto& b = schema.field(n->right.column).type;
      Value x(a), y(b);
      x.is_null = y.is_null = false;
      if (!Compare(x, y) && !(IsNumericType(a.id) && IsNumericType(b.id))) {
        return absl::InvalidArgumentError(StrCat("cannot compare columns '", n->left.name, "' (", TypeName(a), ") and '",
                                                 n->right.name, "' (", TypeName(b), ")"));
      }
    } else {
      PLINTH_RETURN_IF_ERROR(BindLiteral(&n->right, schema.field(n->left.column)));
    }
  } else if (n->kind == Node::Kind::kIsNull || n->kind == Node::Kind::kIn) {
    if (!n->left.is_column) return absl::InvalidArgumentError("IS NULL and IN apply to a column");
    PLINTH_RETURN_IF_ERROR(BindColumn(&n->left, schema));
    for (auto& v : n->list) PLINTH_RETURN_IF_ERROR(BindLiteral(&v, schema.field(n->left.column)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<PredicateNode>> ParseAndBindPredicate(std::string_view text, const Schema& schema) {
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Tokenize(text));
  if (tokens.size() == 1) return absl::InvalidArgumentError("empty filter");
  Parser parser(std::move(tokens));
  PLINTH_ASSIGN_OR_RETURN(NodePtr root, parser.ParseAll());
  PLINTH_RETURN_IF_ERROR(Bind(root.get(), schema));
  return root;
}

}  // namespace plinth::columnar
