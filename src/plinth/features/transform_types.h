// Type checker of the on-demand transform language (docs/FEATURES.md, "On-demand transforms").
//
// Resolves every identifier through the caller's `input_types`, numbers the distinct ones in
// first-use order, and sets the static type of every node, rejecting operations whose operand
// types do not fit (messages name the operator, the operand and its column). Rules:
//   - + - * : numbers; int64 op int64 is int64, double if either side is double
//   - /     : numbers, always double;  % : int64 only
//   - == != < <= > >= : two numbers, two strings or two timestamps; bools only == and !=
//   - in / not in : list items comparable with the left side (numbers, strings or bools)
//   - and, or, not : bools;  is [not] null : anything
//   - the literal null fits any operand; an operation whose operands are all the literal null
//     has type null (it is always null)
// Thread-safety: stateless functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/features/transform_ast.h"

namespace plinth::features {

using InputTypeFn = std::function<absl::StatusOr<ValueType>(std::string_view)>;

// Annotates `root` in place; fills `inputs` and `input_types` (first-use order).
// InvalidArgument "at column N: ..." on an unknown name (NotFound from `input_types`), an
// unknown function, a wrong arity or a type mismatch.
absl::Status CheckTypes(AstNode& root, const InputTypeFn& input_types, std::vector<std::string>* inputs,
                        std::vector<ValueType>* types);

}  // namespace plinth::features
