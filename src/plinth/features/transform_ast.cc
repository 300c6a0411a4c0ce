#include "plinth/features/transform_ast.h"

#include <cmath>

namespace plinth::features {
namespace {

// Binding strength, loosest first; a child printed below its slot's level gets parentheses.
enum Level : int { kOrLevel = 1, kAndLevel, kNotLevel, kCompareLevel, kAddLevel, kMulLevel, kUnaryLevel, kPrimary };

int LevelOf(const AstNode& n) {
  switch (n.kind) {
    case AstKind::kOr: return kOrLevel;
    case AstKind::kAnd: return kAndLevel;
    case AstKind::kNot: return kNotLevel;
    case AstKind::kIsNull:
    case AstKind::kIn: return kCompareLevel;
    case AstKind::kBinary:
      if (IsComparison(n.op)) return kCompareLevel;
      return (n.op == BinaryOp::kAdd || n.op == BinaryOp::kSub) ? kAddLevel : kMulLevel;
    case AstKind::kNeg: return kUnaryLevel;
    case AstKind::kLiteral: {
      // A negative number prints with its sign, which binds like unary minus.
      const Value& v = n.literal;
      if (v.type() == ValueType::kInt64 && v.int64_value() < 0) return kUnaryLevel;
      if (v.type() == ValueType::kDouble && std::signbit(v.double_value())) return kUnaryLevel;
      return kPrimary;
    }
    default: return kPrimary;
  }
}

void Print(const AstNode& n, std::string& out);

void PrintAt(const AstNode& n, int min_level, std::string& out) {
  if (LevelOf(n) < min_level) {
    out.push_back('(');
    Print(n, out);
    out.push_back(')');
  } else {
    Print(n, out);
  }
}

void Print(const AstNode& n, std::string& out) {
  switch (n.kind) {
    case AstKind::kLiteral: out += LiteralText(n.literal); return;
    case AstKind::kInput: out += n.name; return;
    case AstKind::kNeg:
      out.push_back('-');
      // "--x" lexes as two minus signs, so no space is needed. The only negated literal left
      // by the parser is the smallest int64 (negating it overflows): "--9223372036854775808"
      // parses back to exactly that, with no more nesting than the source needed.
      PrintAt(*n.children[0], kUnaryLevel, out);
      return;
    case AstKind::kNot:
      out += "not ";
      PrintAt(*n.children[0], kNotLevel, out);
      return;
    case AstKind::kAnd:
    case AstKind::kOr: {
      int level = LevelOf(n);
      PrintAt(*n.children[0], level, out);
      out += n.kind == AstKind::kAnd ? " and " : " or ";
      PrintAt(*n.children[1], level + 1, out);
      return;
    }
    case AstKind::kBinary: {
      int level = LevelOf(n);
      // Comparisons do not chain: both operands sit one level up. Others are left-associative.
      PrintAt(*n.children[0], IsComparison(n.op) ? level + 1 : level, out);
      StrAppend(&out, " ", BinaryOpText(n.op), " ");
      PrintAt(*n.children[1], level + 1, out);
      return;
    }
    case AstKind::kIsNull:
      PrintAt(*n.children[0], kAddLevel, out);
      out += n.negated ? " is not null" : " is null";
      return;
    case AstKind::kIn: {
      PrintAt(*n.children[0], kAddLevel, out);
      out += n.negated ? " not in [" : " in [";
      for (size_t i = 0; i < n.list.size(); ++i) {
        if (i > 0) out += ", ";
        out += LiteralText(n.list[i]);
      }
      out.push_back(']');
      return;
    }
    case AstKind::kCall:
      out += n.name;
      out.push_back('(');
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out += ", ";
        Print(*n.children[i], out);
      }
      out.push_back(')');
      return;
  }
}

}  // namespace

std::string_view BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
  }
  return "?";
}

std::string LiteralText(const Value& v) {
  switch (v.type()) {
    case ValueType::kDouble: {
      std::string s = StrCat(v.double_value());
      if (s.find_first_of(".en") == std::string::npos) s += ".0";  // keep it a double
      return s;
    }
    case ValueType::kString: {
      std::string s = "'";
      for (char c : v.string_value()) {
        switch (c) {
          case '\\': s += "\\\\"; break;
          case '\'': s += "\\'"; break;
          case '\n': s += "\\n"; break;
          case '\t': s += "\\t"; break;
          case '\r': s += "\\r"; break;
          case '\0': s += "\\0"; break;
          default: s.push_back(c);
        }
      }
      s.push_back('\'');
      return s;
    }
    default: return v.ToString();  // null, true, false, integers (timestamps never are literals)
  }
}

std::string PrintAst(const AstNode& node) {
  std::string out;
  Print(node, out);
  return out;
}

}  // namespace plinth::features
