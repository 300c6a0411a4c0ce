// Syntax tree of the on-demand transform language, as the parser builds it and the type
// checker annotates it (docs/FEATURES.md, "On-demand transforms").
//
// The tree is a compile-time structure only: evaluation runs the flat program that
// transform_codegen.h makes from it. PrintAst gives the canonical text, which parses back to
// the same tree. Ownership: each node owns its children. Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plinth/features/value.h"

namespace plinth::features {

enum class AstKind : uint8_t {
  kLiteral,  // literal
  kInput,    // name (an identifier resolved by the caller)
  kNeg,      // -children[0]
  kNot,      // not children[0]
  kBinary,   // children[0] op children[1]
  kAnd,      // children[0] and children[1]
  kOr,       // children[0] or children[1]
  kIsNull,   // children[0] is [not] null  (negated = "is not")
  kIn,       // children[0] [not] in [list...]  (negated = "not in")
  kCall,     // name(children...)
};

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe };

// "+", "==", ...
std::string_view BinaryOpText(BinaryOp op);
inline bool IsComparison(BinaryOp op) { return op >= BinaryOp::kEq; }

struct AstNode {
  AstKind kind = AstKind::kLiteral;
  int column = 0;  // 1-based column of the token that names the node (operator, name, literal)
  BinaryOp op = BinaryOp::kAdd;
  bool negated = false;
  Value literal;                                  // kLiteral
  std::string name;                               // kInput, kCall
  std::vector<std::unique_ptr<AstNode>> children;  // operands; kCall: arguments
  std::vector<Value> list;                        // kIn: the literal items
  int height = 1;                                 // levels of nodes in this subtree

  // Set by the type checker (transform_types.h).
  ValueType type = ValueType::kNull;
  int input_index = -1;  // kInput: position in the expression's inputs
};

// Canonical text: minimal parentheses, single spaces around binary operators, strings in
// single quotes, doubles always with '.' or an exponent. Parses back to an equal tree.
std::string PrintAst(const AstNode& node);

// A literal as canonical source text ('it''s' is written 'it\'s'; 2.0 as 2.0).
std::string LiteralText(const Value& v);

}  // namespace plinth::features
