#include "plinth/features/transform_parser.h"

#include <algorithm>
#include <limits>

#include "plinth/features/transform_lexer.h"

namespace plinth::features {
namespace {

using NodePtr = std::unique_ptr<AstNode>;

NodePtr MakeNode(AstKind kind, int column) {
  auto n = std::make_unique<AstNode>();
  n->kind = kind;
  n->column = column;
  return n;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<NodePtr> ParseAll() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr root, ParseOr());
    if (Peek().kind != TokenKind::kEnd) {
      return ErrorAt(Peek().column, StrCat("unexpected ", DescribeToken(Peek()), " after a complete expression"));
    }
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }

  // Nesting guard: every recursive production enters one level.
  absl::Status Enter(int column) {
    if (++depth_ > kMaxNesting) {
      return ErrorAt(column, StrCat("expression nested deeper than ", kMaxNesting, " levels"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<NodePtr> Join(AstKind kind, int column, NodePtr a, NodePtr b) {
    NodePtr n = MakeNode(kind, column);
    n->height = 1 + std::max(a->height, b->height);
    if (n->height > kMaxTreeHeight) {
      return ErrorAt(column, StrCat("expression has more than ", kMaxTreeHeight, " levels of operations"));
    }
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  absl::StatusOr<NodePtr> Wrap(AstKind kind, int column, NodePtr a) {
    NodePtr n = MakeNode(kind, column);
    n->height = 1 + a->height;
    if (n->height > kMaxTreeHeight) {
      return ErrorAt(column, StrCat("expression has more than ", kMaxTreeHeight, " levels of operations"));
    }
    n->children.push_back(std::move(a));
    return n;
  }

  absl::StatusOr<NodePtr> ParseOr() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseAnd());
    while (Peek().kind == TokenKind::kOr) {
      int column = Next().column;
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseAnd());
      PLINTH_ASSIGN_OR_RETURN(left, Join(AstKind::kOr, column, std::move(left), std::move(right)));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseAnd() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseNot());
    while (Peek().kind == TokenKind::kAnd) {
      int column = Next().column;
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseNot());
      PLINTH_ASSIGN_OR_RETURN(left, Join(AstKind::kAnd, column, std::move(left), std::move(right)));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseNot() {
    if (Peek().kind != TokenKind::kNot) return ParseComparison();
    int column = Next().column;
    PLINTH_RETURN_IF_ERROR(Enter(column));
    PLINTH_ASSIGN_OR_RETURN(NodePtr operand, ParseNot());
    --depth_;
    return Wrap(AstKind::kNot, column, std::move(operand));
  }

  static bool IsComparisonToken(TokenKind k, BinaryOp* op) {
    switch (k) {
      case TokenKind::kEq: *op = BinaryOp::kEq; return true;
      case TokenKind::kNe: *op = BinaryOp::kNe; return true;
      case TokenKind::kLt: *op = BinaryOp::kLt; return true;
      case TokenKind::kLe: *op = BinaryOp::kLe; return true;
      case TokenKind::kGt: *op = BinaryOp::kGt; return true;
      case TokenKind::kGe: *op = BinaryOp::kGe; return true;
      default: return false;
    }
  }

  bool AtComparison() const {
    BinaryOp op;
    TokenKind k = Peek().kind;
    return IsComparisonToken(k, &op) || k == TokenKind::kIn || k == TokenKind::kIs ||
           (k == TokenKind::kNot && Peek(1).kind == TokenKind::kIn);
  }

  absl::StatusOr<NodePtr> ParseComparison() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseAdditive());
    if (!AtComparison()) return left;
    const Token& t = Next();
    int column = t.column;
    NodePtr result;
    BinaryOp op;
    if (IsComparisonToken(t.kind, &op)) {
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseAdditive());
      PLINTH_ASSIGN_OR_RETURN(result, Join(AstKind::kBinary, column, std::move(left), std::move(right)));
      result->op = op;
    } else if (t.kind == TokenKind::kIs) {
      bool negated = false;
      if (Peek().kind == TokenKind::kNot) {
        Next();
        negated = true;
      }
      if (Peek().kind != TokenKind::kNull) {
        return ErrorAt(Peek().column, StrCat("expected 'null' after 'is", negated ? " not" : "", "', got ",
                                             DescribeToken(Peek())));
      }
      Next();
      PLINTH_ASSIGN_OR_RETURN(result, Wrap(AstKind::kIsNull, column, std::move(left)));
      result->negated = negated;
    } else {
      bool negated = t.kind == TokenKind::kNot;
      if (negated) Next();  // the 'in'
      PLINTH_ASSIGN_OR_RETURN(result, Wrap(AstKind::kIn, column, std::move(left)));
      result->negated = negated;
      PLINTH_RETURN_IF_ERROR(ParseList(&result->list));
    }
    if (AtComparison()) {
      return ErrorAt(Peek().column, StrCat("comparisons do not chain: add parentheses before ", DescribeToken(Peek())));
    }
    return result;
  }

  absl::Status ParseList(std::vector<Value>* out) {
    if (Peek().kind != TokenKind::kLBracket) {
      return ErrorAt(Peek().column, StrCat("expected '[' to start the 'in' list, got ", DescribeToken(Peek())));
    }
    Next();
    if (Peek().kind == TokenKind::kRBracket) {
      Next();
      return absl::OkStatus();
    }
    while (true) {
      const Token& t = Peek();
      Value item;
      switch (t.kind) {
        case TokenKind::kString: item = Value::String(t.text); Next(); break;
        case TokenKind::kTrue: item = Value::Bool(true); Next(); break;
        case TokenKind::kFalse: item = Value::Bool(false); Next(); break;
        case TokenKind::kInt:
        case TokenKind::kDouble: {
          PLINTH_ASSIGN_OR_RETURN(item, NumberLiteral(false));
          break;
        }
        case TokenKind::kMinus:
          if (Peek(1).kind == TokenKind::kInt || Peek(1).kind == TokenKind::kDouble) {
            Next();
            PLINTH_ASSIGN_OR_RETURN(item, NumberLiteral(true));
            break;
          }
          [[fallthrough]];
        case TokenKind::kNull:
          if (t.kind == TokenKind::kNull) {
            return ErrorAt(t.column, "null in an 'in' list never matches: test with 'is null' instead");
          }
          [[fallthrough]];
        default:
          return ErrorAt(t.column, StrCat("'in' list items must be literals (numbers, strings, true, false), got ",
                                          DescribeToken(t)));
      }
      if (out->size() >= kMaxInList) {
        return ErrorAt(t.column, StrCat("'in' list has more than ", kMaxInList, " items"));
      }
      out->push_back(std::move(item));
      if (Peek().kind == TokenKind::kComma) {
        Next();
        continue;
      }
      if (Peek().kind == TokenKind::kRBracket) {
        Next();
        return absl::OkStatus();
      }
      return ErrorAt(Peek().column, StrCat("expected ',' or ']' in the 'in' list, got ", DescribeToken(Peek())));
    }
  }

  // The number token at Peek(), negated when `negative` (its '-' already consumed).
  absl::StatusOr<Value> NumberLiteral(bool negative) {
    const Token& t = Next();
    if (t.kind == TokenKind::kDouble) return Value::Double(negative ? -t.number : t.number);
    std::string text = negative ? StrCat("-", t.text) : t.text;
    std::optional<int64_t> v = ParseInt64(text);
    if (!v) return ErrorAt(t.column, StrCat("integer out of range: ", text, " (write it as a double, e.g. ", text, ".0)"));
    return Value::Int64(*v);
  }

  absl::StatusOr<NodePtr> ParseAdditive() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseTerm());
    while (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus) {
      const Token& t = Next();
      BinaryOp op = t.kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSub;
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseTerm());
      PLINTH_ASSIGN_OR_RETURN(left, Join(AstKind::kBinary, t.column, std::move(left), std::move(right)));
      left->op = op;
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseTerm() {
    PLINTH_ASSIGN_OR_RETURN(NodePtr left, ParseUnary());
    while (Peek().kind == TokenKind::kStar || Peek().kind == TokenKind::kSlash || Peek().kind == TokenKind::kPercent) {
      const Token& t = Next();
      BinaryOp op = t.kind == TokenKind::kStar ? BinaryOp::kMul : t.kind == TokenKind::kSlash ? BinaryOp::kDiv : BinaryOp::kMod;
      PLINTH_ASSIGN_OR_RETURN(NodePtr right, ParseUnary());
      PLINTH_ASSIGN_OR_RETURN(left, Join(AstKind::kBinary, t.column, std::move(left), std::move(right)));
      left->op = op;
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseUnary() {
    if (Peek().kind != TokenKind::kMinus) return ParsePrimary();
    int column = Next().column;
    if (Peek().kind == TokenKind::kInt || Peek().kind == TokenKind::kDouble) {
      NodePtr n = MakeNode(AstKind::kLiteral, column);
      PLINTH_ASSIGN_OR_RETURN(n->literal, NumberLiteral(true));
      return n;
    }
    PLINTH_RETURN_IF_ERROR(Enter(column));
    PLINTH_ASSIGN_OR_RETURN(NodePtr operand, ParseUnary());
    --depth_;
    // Fold the sign into a number literal (as written in parentheses: -(5)), except where
    // negating overflows.
    if (operand->kind == AstKind::kLiteral) {
      Value& v = operand->literal;
      if (v.type() == ValueType::kDouble) {
        v = Value::Double(-v.double_value());
        operand->column = column;
        return operand;
      }
      if (v.type() == ValueType::kInt64 && v.int64_value() != std::numeric_limits<int64_t>::min()) {
        v = Value::Int64(-v.int64_value());
        operand->column = column;
        return operand;
      }
    }
    return Wrap(AstKind::kNeg, column, std::move(operand));
  }

  absl::StatusOr<NodePtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInt:
      case TokenKind::kDouble: {
        NodePtr n = MakeNode(AstKind::kLiteral, t.column);
        PLINTH_ASSIGN_OR_RETURN(n->literal, NumberLiteral(false));
        return n;
      }
      case TokenKind::kString:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kNull: {
        NodePtr n = MakeNode(AstKind::kLiteral, t.column);
        if (t.kind == TokenKind::kString) n->literal = Value::String(t.text);
        if (t.kind == TokenKind::kTrue) n->literal = Value::Bool(true);
        if (t.kind == TokenKind::kFalse) n->literal = Value::Bool(false);
        Next();
        return n;
      }
      case TokenKind::kIdent: {
        if (Peek(1).kind != TokenKind::kLParen) {
          NodePtr n = MakeNode(AstKind::kInput, t.column);
          n->name = t.text;
          Next();
          return n;
        }
        NodePtr n = MakeNode(AstKind::kCall, t.column);
        n->name = t.text;
        Next();
        Next();  // '('
        PLINTH_RETURN_IF_ERROR(Enter(n->column));
        if (Peek().kind != TokenKind::kRParen) {
          while (true) {
            PLINTH_ASSIGN_OR_RETURN(NodePtr arg, ParseOr());
            n->height = std::max(n->height, arg->height + 1);
            n->children.push_back(std::move(arg));
            if (Peek().kind == TokenKind::kComma) {
              Next();
              continue;
            }
            if (Peek().kind == TokenKind::kRParen) break;
            return ErrorAt(Peek().column, StrCat("expected ',' or ')' in the arguments of ", n->name, "(), got ",
                                                 DescribeToken(Peek())));
          }
        }
        Next();  // ')'
        --depth_;
        if (n->height > kMaxTreeHeight) {
          return ErrorAt(n->column, StrCat("expression has more than ", kMaxTreeHeight, " levels of operations"));
        }
        return n;
      }
      case TokenKind::kLParen: {
        Next();
        PLINTH_RETURN_IF_ERROR(Enter(t.column));
        PLINTH_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
        if (Peek().kind != TokenKind::kRParen) {
          return ErrorAt(Peek().column, StrCat("expected ')', got ", DescribeToken(Peek())));
        }
        Next();
        --depth_;
        return inner;
      }
      case TokenKind::kEnd: return ErrorAt(t.column, "expression ends early: expected a value");
      default: return ErrorAt(t.column, StrCat("unexpected ", DescribeToken(t), ": expected a value"));
    }
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

void Collect(const AstNode& n, std::vector<std::string>& out) {
  if (n.kind == AstKind::kInput && std::find(out.begin(), out.end(), n.name) == out.end()) out.push_back(n.name);
  for (const auto& c : n.children) Collect(*c, out);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AstNode>> ParseExpression(std::string_view source) {
  if (source.size() > kMaxSourceBytes) {
    return absl::InvalidArgumentError(
        StrCat("expression is ", source.size(), " bytes long; the limit is ", kMaxSourceBytes));
  }
  PLINTH_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  Parser parser(std::move(tokens));
  return parser.ParseAll();
}

std::vector<std::string> CollectInputs(const AstNode& root) {
  std::vector<std::string> out;
  Collect(root, out);
  return out;
}

}  // namespace plinth::features
