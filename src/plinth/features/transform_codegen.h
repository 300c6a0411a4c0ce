// Turns a type-checked syntax tree (transform_types.h) into a flat Program
// (transform_program.h): postfix order, jumps for the short-circuit forms (and, or, if,
// coalesce), explicit int64 -> double conversions, and a constant null for any subtree whose
// type is null. Thread-safety: stateless functions.
#pragma once

#include "plinth/features/transform_ast.h"
#include "plinth/features/transform_program.h"

namespace plinth::features {

// Appends the code of `root` to `program` (which owns the constants and sets it creates) and
// sets program->max_stack. REQUIRES: CheckTypes succeeded on `root`.
void GenerateCode(const AstNode& root, Program* program);

}  // namespace plinth::features
