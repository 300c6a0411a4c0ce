// Internal to the filter language (predicate.h): the syntax tree shared by the parser
// (predicate_parse.cc) and the evaluator (predicate.cc). Not for use elsewhere.
// Thread-safety: a bound tree is immutable.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/data_type.h"
#include "plinth/storage/columnar/value.h"

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

// Deepest nesting of parentheses and NOTs accepted (the parser and evaluator recurse per level).
inline constexpr int kMaxPredicateNesting = 128;

// Parses `text` and binds its columns and literals to `schema`.
absl::StatusOr<std::shared_ptr<PredicateNode>> ParseAndBindPredicate(std::string_view text, const Schema& schema);

}  // namespace plinth::columnar
