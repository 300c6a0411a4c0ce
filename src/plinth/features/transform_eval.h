// Evaluator of compiled transform programs (transform_program.h): one loop over the
// instructions with a stack of trivially copyable slots held on the C++ stack (a heap buffer
// only for unusually deep expressions). Strings are passed around as views; only functions
// that make a new string (lower, upper) and a string result allocate.
//
// Never fails and never throws: an input of the wrong type, or missing, reads as null (an
// int64 passed for a double input is converted). Thread-safety: reentrant; the program is
// only read.
#pragma once

#include <cstdint>
#include <span>

#include "plinth/features/transform_program.h"
#include "plinth/features/value.h"

namespace plinth::features {

// Runs `program` with input i bound to values[i], or to values[slot_of_input[i]] when
// `slot_of_input` is not null (it must then have one entry per program input).
Value RunProgram(const Program& program, std::span<const Value> values, const uint32_t* slot_of_input);

}  // namespace plinth::features
