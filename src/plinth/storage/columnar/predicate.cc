#include "plinth/storage/columnar/predicate.h"

#include <cctype>
#include <cmath>

#include "plinth/base/strings.h"

// gcc 12 reports optional<partial_ordering> reads as maybe-uninitialized (false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace plinth::columnar {

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Literal {
  enum class Kind { kNumber, kString, kBool, kNull } kind = Kind::kNull;
  std::string text;
};

struct Operand {
  bool is_column = false;
  int column = -1;  // bound index
  std::string name;
  Literal literal;
  Value value;  // bound literal (type depends on the column it meets)
};

struct PredicateNode {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIsNull, kIn, kConst } kind = Kind::kConst;
  // kAnd/kOr: two or more operands (a chain "a AND b AND c" is one node, so long filters do
  // not make deep trees); kNot: one.
  std::vector<std::shared_ptr<PredicateNode>> children;
  CmpOp op = CmpOp::kEq;
  bool negated = false;
  Operand left, right;
  std::vector<Operand> list;  // IN
};

namespace {

using Node = PredicateNode;
using NodePtr = std::shared_ptr<PredicateNode>;

// Deepest nesting of parentheses and NOTs accepted (the parser and evaluator recurse per level).
constexpr int kMaxNesting = 128;

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

// ---- Evaluation (0 false, 1 true, 2 unknown) ----

constexpr uint8_t kFalse = 0, kTrue = 1, kUnknown = 2;

bool Holds(CmpOp op, std::partial_ordering c) {
  switch (op) {
    case CmpOp::kEq: return c == std::partial_ordering::equivalent;
    case CmpOp::kNe: return c != std::partial_ordering::equivalent;
    case CmpOp::kLt: return c == std::partial_ordering::less;
    case CmpOp::kLe: return c == std::partial_ordering::less || c == std::partial_ordering::equivalent;
    case CmpOp::kGt: return c == std::partial_ordering::greater;
    case CmpOp::kGe: return c == std::partial_ordering::greater || c == std::partial_ordering::equivalent;
  }
  return false;
}

template <typename T>
void CompareLoop(const T* v, int64_t n, T lit, CmpOp op, uint8_t* out) {
  switch (op) {
    case CmpOp::kEq: for (int64_t i = 0; i < n; ++i) out[i] = v[i] == lit; break;
    case CmpOp::kNe: for (int64_t i = 0; i < n; ++i) out[i] = v[i] != lit; break;
    case CmpOp::kLt: for (int64_t i = 0; i < n; ++i) out[i] = v[i] < lit; break;
    case CmpOp::kLe: for (int64_t i = 0; i < n; ++i) out[i] = v[i] <= lit; break;
    case CmpOp::kGt: for (int64_t i = 0; i < n; ++i) out[i] = v[i] > lit; break;
    case CmpOp::kGe: for (int64_t i = 0; i < n; ++i) out[i] = v[i] >= lit; break;
  }
}

template <typename T>
bool HasNaN(const T* v, int64_t n) {
  bool any = false;
  for (int64_t i = 0; i < n; ++i) any |= std::isnan(v[i]);
  return any;
}

// NaN equals NaN and sorts above every number (as in DuckDB, PostgreSQL and Spark).
template <typename T>
void CompareLoopNaN(const T* v, int64_t n, T lit, CmpOp op, uint8_t* out) {
  const bool lit_nan = std::isnan(lit);
  for (int64_t i = 0; i < n; ++i) {
    const bool x_nan = std::isnan(v[i]);
    std::partial_ordering c = x_nan || lit_nan
                                  ? (x_nan && lit_nan ? std::partial_ordering::equivalent
                                                      : x_nan ? std::partial_ordering::greater : std::partial_ordering::less)
                                  : (v[i] < lit ? std::partial_ordering::less
                                                : lit < v[i] ? std::partial_ordering::greater : std::partial_ordering::equivalent);
    out[i] = Holds(op, c);
  }
}

void EvalCompareLiteral(const Column& col, CmpOp op, const Value& lit, std::vector<uint8_t>* out) {
  const int64_t n = col.length();
  out->assign(n, kUnknown);
  if (lit.is_null) return;
  uint8_t* o = out->data();
  const TypeId lt = lit.type.id;
  const bool same_type = lit.type == col.type();
  if (same_type && col.type().id != TypeId::kUInt64) {
    switch (col.storage()) {
      case StorageClass::kBool: CompareLoop<uint8_t>(col.data<uint8_t>(), n, static_cast<uint8_t>(lit.i), op, o); break;
      case StorageClass::kInt32: CompareLoop<int32_t>(col.data<int32_t>(), n, static_cast<int32_t>(lit.i), op, o); break;
      case StorageClass::kInt64: CompareLoop<int64_t>(col.data<int64_t>(), n, lit.i, op, o); break;
      case StorageClass::kFloat:
        if (std::isnan(lit.d) || HasNaN(col.data<float>(), n)) CompareLoopNaN<float>(col.data<float>(), n, static_cast<float>(lit.d), op, o);
        else CompareLoop<float>(col.data<float>(), n, static_cast<float>(lit.d), op, o);
        break;
      case StorageClass::kDouble:
        if (std::isnan(lit.d) || HasNaN(col.data<double>(), n)) CompareLoopNaN<double>(col.data<double>(), n, lit.d, op, o);
        else CompareLoop<double>(col.data<double>(), n, lit.d, op, o);
        break;
      case StorageClass::kInt128: CompareLoop<int128>(col.data<int128>(), n, lit.dec, op, o); break;
      case StorageClass::kBytes:
        for (int64_t i = 0; i < n; ++i) {
          int c = col.GetBytes(i).compare(lit.s);
          o[i] = Holds(op, c < 0 ? std::partial_ordering::less : c > 0 ? std::partial_ordering::greater
                                                                   : std::partial_ordering::equivalent);
        }
        break;
    }
  } else if (lt == TypeId::kDouble && col.storage() != StorageClass::kBytes) {
    for (int64_t i = 0; i < n; ++i) {
      auto c = Compare(ValueAt(col, i), lit);
      o[i] = c ? Holds(op, *c) : kUnknown;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      auto c = Compare(ValueAt(col, i), lit);
      o[i] = c ? Holds(op, *c) : kUnknown;
    }
  }
  if (col.has_nulls()) {
    for (int64_t i = 0; i < n; ++i) if (col.IsNull(i)) o[i] = kUnknown;
  }
}

void Eval(const Node& n, const RecordBatch& b, std::vector<uint8_t>* out) {
  const int64_t rows = b.num_rows;
  switch (n.kind) {
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      std::vector<uint8_t> r;
      Eval(*n.children[0], b, out);
      for (size_t c = 1; c < n.children.size(); ++c) {
        Eval(*n.children[c], b, &r);
        for (int64_t i = 0; i < rows; ++i) {
          uint8_t x = (*out)[i], y = r[i];
          if (n.kind == Node::Kind::kAnd) (*out)[i] = (x == kFalse || y == kFalse) ? kFalse : (x == kTrue && y == kTrue) ? kTrue : kUnknown;
          else (*out)[i] = (x == kTrue || y == kTrue) ? kTrue : (x == kFalse && y == kFalse) ? kFalse : kUnknown;
        }
      }
      return;
    }
    case Node::Kind::kNot:
      Eval(*n.children[0], b, out);
      for (auto& v : *out) v = v == kUnknown ? kUnknown : (v == kTrue ? kFalse : kTrue);
      return;
    case Node::Kind::kCompare: {
      const Column& col = b.columns[n.left.column];
      if (!n.right.is_column) {
        EvalCompareLiteral(col, n.op, n.right.value, out);
        return;
      }
      const Column& other = b.columns[n.right.column];
      out->assign(rows, kUnknown);
      for (int64_t i = 0; i < rows; ++i) {
        auto c = Compare(ValueAt(col, i), ValueAt(other, i));
        if (c) (*out)[i] = Holds(n.op, *c);
      }
      return;
    }
    case Node::Kind::kIsNull: {
      const Column& col = b.columns[n.left.column];
      out->resize(rows);
      for (int64_t i = 0; i < rows; ++i) (*out)[i] = col.IsNull(i) != n.negated;
      return;
    }
    case Node::Kind::kIn: {
      const Column& col = b.columns[n.left.column];
      std::vector<uint8_t> acc(rows, kFalse), r;
      for (const auto& v : n.list) {
        EvalCompareLiteral(col, CmpOp::kEq, v.value, &r);
        for (int64_t i = 0; i < rows; ++i) {
          if (r[i] == kTrue) acc[i] = kTrue;
          else if (r[i] == kUnknown && acc[i] == kFalse) acc[i] = kUnknown;
        }
      }
      if (n.negated) for (auto& v : acc) v = v == kUnknown ? kUnknown : (v == kTrue ? kFalse : kTrue);
      *out = std::move(acc);
      return;
    }
    case Node::Kind::kConst:
      out->assign(rows, kTrue);
      return;
  }
}

// ---- Statistics ----

using StatsFn = std::function<std::optional<ColumnRangeStats>(const std::string&)>;

bool CompareMayMatch(CmpOp op, const Value& lit, const ColumnRangeStats& s, bool floating) {
  if (lit.is_null) return false;  // comparison with null is never true
  if (s.null_count && s.num_rows && *s.null_count == *s.num_rows) return false;  // only nulls
  // Statistics leave NaN out of min/max, and NaN sorts above every number: for floating
  // columns the upper bound is unknown, and a NaN literal can match anything.
  if (floating && ((lit.type.id == TypeId::kFloat || lit.type.id == TypeId::kDouble) && std::isnan(lit.d))) return true;
  auto lo = s.min ? Compare(*s.min, lit) : std::nullopt;  // min vs lit
  auto hi = (s.max && !floating) ? Compare(*s.max, lit) : std::nullopt;  // max vs lit
  if (floating && s.max && (op == CmpOp::kEq || op == CmpOp::kLt || op == CmpOp::kLe)) hi = Compare(*s.max, lit);
  using O = std::partial_ordering;
  switch (op) {
    case CmpOp::kEq: return !((lo && *lo == O::greater) || (hi && *hi == O::less));
    case CmpOp::kNe: return floating || !(lo && hi && *lo == O::equivalent && *hi == O::equivalent);
    case CmpOp::kLt: return !(lo && (*lo == O::greater || *lo == O::equivalent));
    case CmpOp::kLe: return !(lo && *lo == O::greater);
    case CmpOp::kGt: return !(hi && (*hi == O::less || *hi == O::equivalent));
    case CmpOp::kGe: return !(hi && *hi == O::less);
  }
  return true;
}

bool IsFloating(const Schema& schema, int column) {
  auto id = schema.field(column).type.id;
  return id == TypeId::kFloat || id == TypeId::kDouble || id == TypeId::kFloat16;
}

bool MayMatchNode(const Node& n, const Schema& schema, const StatsFn& stats) {
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (const auto& c : n.children) if (!MayMatchNode(*c, schema, stats)) return false;
      return true;
    case Node::Kind::kOr:
      for (const auto& c : n.children) if (MayMatchNode(*c, schema, stats)) return true;
      return false;
    case Node::Kind::kNot: return true;  // conservative
    case Node::Kind::kCompare: {
      if (n.right.is_column) return true;
      auto s = stats(schema.field(n.left.column).name);
      if (!s) return true;
      return CompareMayMatch(n.op, n.right.value, *s, IsFloating(schema, n.left.column));
    }
    case Node::Kind::kIsNull: {
      auto s = stats(schema.field(n.left.column).name);
      if (!s || !s->null_count) return true;
      if (!n.negated) return *s->null_count > 0;
      return !s->num_rows || *s->null_count < *s->num_rows;
    }
    case Node::Kind::kIn: {
      if (n.negated) return true;
      auto s = stats(schema.field(n.left.column).name);
      if (!s) return true;
      for (const auto& v : n.list) if (CompareMayMatch(CmpOp::kEq, v.value, *s, IsFloating(schema, n.left.column))) return true;
      return false;
    }
    case Node::Kind::kConst: return true;
  }
  return true;
}

void CollectColumns(const Node& n, const Schema& schema, std::vector<std::string>* out) {
  auto add = [&](const Operand& o) {
    if (!o.is_column) return;
    const std::string& name = schema.field(o.column).name;
    for (const auto& x : *out) if (x == name) return;
    out->push_back(name);
  };
  add(n.left);
  add(n.right);
  for (const auto& c : n.children) CollectColumns(*c, schema, out);
}

}  // namespace

Predicate::~Predicate() = default;

absl::StatusOr<Predicate> Predicate::Parse(std::string_view text, const Schema& schema) {
  PLINTH_ASSIGN_OR_RETURN(auto tokens, Tokenize(text));
  if (tokens.size() == 1) return absl::InvalidArgumentError("empty filter");
  Parser parser(std::move(tokens));
  PLINTH_ASSIGN_OR_RETURN(NodePtr root, parser.ParseAll());
  PLINTH_RETURN_IF_ERROR(Bind(root.get(), schema));
  Predicate p;
  p.root_ = root;
  p.schema_ = std::make_shared<const Schema>(schema);
  p.text_ = std::string(text);
  return p;
}

absl::StatusOr<std::vector<uint8_t>> Predicate::Evaluate(const RecordBatch& batch) const {
  if (batch.columns.size() != schema_->size()) {
    return absl::InternalError("filter was bound to a different schema than the batch");
  }
  std::vector<uint8_t> out;
  Eval(*root_, batch, &out);
  for (auto& v : out) v = v == kTrue;
  return out;
}

bool Predicate::MayMatch(const StatsFn& stats) const { return MayMatchNode(*root_, *schema_, stats); }

std::vector<std::string> Predicate::Columns() const {
  std::vector<std::string> out;
  CollectColumns(*root_, *schema_, &out);
  return out;
}

}  // namespace plinth::columnar
