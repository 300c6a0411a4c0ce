#include "plinth/features/transform_types.h"

#include <algorithm>

#include "plinth/features/transform_functions.h"
#include "plinth/features/transform_lexer.h"

namespace plinth::features {
namespace {

// Whether `a op b` is allowed for a comparison operator `op`.
absl::Status CheckComparable(const AstNode& node, const AstNode& a, const AstNode& b) {
  ValueType ta = a.type, tb = b.type;
  std::string_view op = BinaryOpText(node.op);
  if (ta == ValueType::kNull || tb == ValueType::kNull) return absl::OkStatus();
  if (IsNumeric(ta) && IsNumeric(tb)) return absl::OkStatus();
  if (ta == tb) {
    if (ta != ValueType::kBool || node.op == BinaryOp::kEq || node.op == BinaryOp::kNe) return absl::OkStatus();
    return ErrorAt(node.column, StrCat("'", op, "' cannot order bools (only == and != compare them), got ",
                                       DescribeOperand(a)));
  }
  return ErrorAt(node.column, StrCat("'", op, "' cannot compare ", DescribeOperand(a), " with ", DescribeOperand(b)));
}

class Checker {
 public:
  Checker(const InputTypeFn& input_types, std::vector<std::string>* inputs, std::vector<ValueType>* types)
      : input_types_(input_types), inputs_(inputs), types_(types) {}

  absl::Status Check(AstNode& n) {
    switch (n.kind) {
      case AstKind::kLiteral:
        n.type = n.literal.type();
        return absl::OkStatus();
      case AstKind::kInput: return CheckInput(n);
      default: break;
    }
    for (auto& c : n.children) PLINTH_RETURN_IF_ERROR(Check(*c));
    switch (n.kind) {
      case AstKind::kNeg: {
        const AstNode& a = *n.children[0];
        if (!IsNumeric(a.type)) return ErrorAt(n.column, StrCat("'-' needs a number, got ", DescribeOperand(a)));
        n.type = a.type;
        return absl::OkStatus();
      }
      case AstKind::kNot: {
        const AstNode& a = *n.children[0];
        if (!IsBoolish(a.type)) return ErrorAt(n.column, StrCat("'not' needs a bool, got ", DescribeOperand(a)));
        n.type = ValueType::kBool;
        return absl::OkStatus();
      }
      case AstKind::kAnd:
      case AstKind::kOr: {
        std::string_view op = n.kind == AstKind::kAnd ? "and" : "or";
        for (const auto& c : n.children) {
          if (!IsBoolish(c->type)) return ErrorAt(n.column, StrCat("'", op, "' needs bools, got ", DescribeOperand(*c)));
        }
        n.type = ValueType::kBool;
        return absl::OkStatus();
      }
      case AstKind::kIsNull:
        n.type = ValueType::kBool;
        return absl::OkStatus();
      case AstKind::kIn: return CheckIn(n);
      case AstKind::kBinary: return CheckBinary(n);
      case AstKind::kCall: {
        const FunctionInfo* info = FindFunction(n.name);
        if (info == nullptr) {
          return ErrorAt(n.column, StrCat("unknown function '", n.name, "' (known: ", FunctionNames(), ")"));
        }
        PLINTH_ASSIGN_OR_RETURN(n.type, CheckCall(*info, n));
        return absl::OkStatus();
      }
      default: return ErrorAt(n.column, "unsupported node");
    }
  }

 private:
  absl::Status CheckInput(AstNode& n) {
    auto it = std::find(inputs_->begin(), inputs_->end(), n.name);
    if (it != inputs_->end()) {
      n.input_index = static_cast<int>(it - inputs_->begin());
      n.type = (*types_)[n.input_index];
      return absl::OkStatus();
    }
    absl::StatusOr<ValueType> t = input_types_(n.name);
    if (!t.ok()) {
      if (absl::IsNotFound(t.status())) return ErrorAt(n.column, StrCat("unknown name '", n.name, "'"));
      return ErrorAt(n.column, StrCat("name '", n.name, "': ", t.status().message()));
    }
    if (*t == ValueType::kNull) return ErrorAt(n.column, StrCat("name '", n.name, "' has no type (null)"));
    n.input_index = static_cast<int>(inputs_->size());
    n.type = *t;
    inputs_->push_back(n.name);
    types_->push_back(*t);
    return absl::OkStatus();
  }

  absl::Status CheckBinary(AstNode& n) {
    const AstNode& a = *n.children[0];
    const AstNode& b = *n.children[1];
    std::string_view op = BinaryOpText(n.op);
    if (IsComparison(n.op)) {
      PLINTH_RETURN_IF_ERROR(CheckComparable(n, a, b));
      n.type = ValueType::kBool;
      return absl::OkStatus();
    }
    for (const AstNode* c : {&a, &b}) {
      if (!IsNumeric(c->type)) return ErrorAt(n.column, StrCat("'", op, "' needs numbers, got ", DescribeOperand(*c)));
    }
    bool any_double = a.type == ValueType::kDouble || b.type == ValueType::kDouble;
    bool all_null = a.type == ValueType::kNull && b.type == ValueType::kNull;
    switch (n.op) {
      case BinaryOp::kDiv: n.type = all_null ? ValueType::kNull : ValueType::kDouble; break;
      case BinaryOp::kMod:
        for (const AstNode* c : {&a, &b}) {
          if (c->type == ValueType::kDouble) {
            return ErrorAt(n.column, StrCat("'%' needs int64 operands, got ", DescribeOperand(*c)));
          }
        }
        n.type = all_null ? ValueType::kNull : ValueType::kInt64;
        break;
      default: n.type = all_null ? ValueType::kNull : any_double ? ValueType::kDouble : ValueType::kInt64;
    }
    return absl::OkStatus();
  }

  absl::Status CheckIn(AstNode& n) {
    const AstNode& a = *n.children[0];
    std::string_view op = n.negated ? "not in" : "in";
    if (a.type == ValueType::kTimestamp) {
      return ErrorAt(n.column, StrCat("'", op, "' cannot test ", DescribeOperand(a), ": lists hold numbers, strings or bools"));
    }
    for (const Value& item : n.list) {
      ValueType t = item.type();
      bool ok = a.type == ValueType::kNull || t == a.type || (IsNumeric(t) && IsNumeric(a.type));
      if (!ok) {
        return ErrorAt(n.column, StrCat("'", op, "' list item ", LiteralText(item), " is ", ValueTypeName(t),
                                        " but the left side is ", DescribeOperand(a)));
      }
    }
    n.type = ValueType::kBool;
    return absl::OkStatus();
  }

  const InputTypeFn& input_types_;
  std::vector<std::string>* inputs_;
  std::vector<ValueType>* types_;
};

}  // namespace

absl::Status CheckTypes(AstNode& root, const InputTypeFn& input_types, std::vector<std::string>* inputs,
                        std::vector<ValueType>* types) {
  Checker checker(input_types, inputs, types);
  return checker.Check(root);
}

}  // namespace plinth::features
