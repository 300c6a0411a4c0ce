// Parser of the on-demand transform language (docs/FEATURES.md, "On-demand transforms").
//
// Grammar, loosest binding first:
//   expr       := and ('or' and)*
//   and        := not ('and' not)*
//   not        := 'not' not | comparison
//   comparison := additive [ ('=='|'!='|'<'|'<='|'>'|'>=') additive
//                          | ['not'] 'in' '[' [item (',' item)*] ']'
//                          | 'is' ['not'] 'null' ]          (comparisons do not chain)
//   additive   := term (('+'|'-') term)*
//   term       := unary (('*'|'/'|'%') unary)*
//   unary      := '-' unary | primary
//   primary    := number | string | 'true' | 'false' | 'null' | name | name '(' args ')' | '(' expr ')'
//   item       := ['-'] number | string | 'true' | 'false'
// A minus sign directly before a number literal is part of the literal (so the smallest int64
// is writable). Limits, checked before anything deep happens: source at most kMaxSourceBytes,
// at most kMaxNesting levels of parentheses, calls, lists and unary operators, at most
// kMaxTreeHeight levels in the whole tree, at most kMaxInList items in one 'in' list.
// Thread-safety: stateless functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/features/transform_ast.h"

namespace plinth::features {

inline constexpr size_t kMaxSourceBytes = 4096;
inline constexpr int kMaxNesting = 64;
inline constexpr int kMaxTreeHeight = 256;
inline constexpr size_t kMaxInList = 1024;

// InvalidArgument "at column N: ..." on any syntax error or exceeded limit.
absl::StatusOr<std::unique_ptr<AstNode>> ParseExpression(std::string_view source);

// The distinct identifiers of `root`, in first-use order (pre-order, left to right).
std::vector<std::string> CollectInputs(const AstNode& root);

}  // namespace plinth::features
