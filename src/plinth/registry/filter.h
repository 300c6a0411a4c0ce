// The registry's search filter language: parsing to an AST.
//
//   filter     := or
//   or         := and ("or" and)*
//   and        := not ("and" not)*
//   not        := "not" not | "(" filter ")" | comparison
//   comparison := field op literal
//               | field ["not"] "like" string
//               | field ["not"] "in" "(" literal ("," literal)* ")"
//               | field "is" ["not"] "null"
//   op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//   field      := ident ("." (ident | `quoted` | "quoted"))*     e.g. name, tags.team, metrics.auc
//   literal    := 'string' | number | true | false
// Keywords are case-insensitive. Strings use single quotes; '' inside a string is a quote.
// The parser knows nothing of fields' meaning; search_query.h checks and compiles them.
// Thread-safety: stateless functions; ASTs are immutable values.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::registry {

struct FilterLiteral {
  enum class Kind { kString, kNumber, kBool };
  Kind kind = Kind::kString;
  std::string text;    // string value, or the number's source text
  double number = 0;   // for kNumber
  bool boolean = false;
};

struct FilterComparison {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kLike, kNotLike, kIn, kNotIn, kIsNull, kIsNotNull };
  std::vector<std::string> field;  // path segments: {"metrics", "auc"}
  Op op = Op::kEq;
  std::vector<FilterLiteral> values;  // one, several for IN, none for IS NULL
};

struct FilterNode {
  enum class Kind { kAnd, kOr, kNot, kComparison };
  Kind kind = Kind::kComparison;
  std::vector<std::unique_ptr<FilterNode>> children;  // kAnd/kOr: 2+, kNot: 1
  FilterComparison comparison;                        // kComparison
};

// InvalidArgument with the position and what was expected on a syntax error.
// An empty or all-blank filter returns nullptr (matches everything).
absl::StatusOr<std::unique_ptr<FilterNode>> ParseFilter(std::string_view text);

struct OrderTerm {
  std::vector<std::string> field;
  bool descending = false;
};

// "metrics.auc desc, name" -> terms. Empty text gives an empty list.
absl::StatusOr<std::vector<OrderTerm>> ParseOrderBy(std::string_view text);

}  // namespace plinth::registry
