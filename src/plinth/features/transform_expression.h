// On-demand transform expressions: one compiled expression over named inputs, evaluated by
// the same code for one online request and for every row of an offline batch.
// Users' reference: docs/FEATURES.md, "On-demand transforms".
//
// Language
//   Literals: integers (int64), decimals and exponents (double: 1.5, 2e3, .5), strings in
//   'single' or "double" quotes with the escapes \\ \' \" \n \t \r \0, true, false, null.
//   Names: [A-Za-z_][A-Za-z0-9_]* segments joined by '.', e.g. amount, request.now,
//   user_stats.clicks; resolved by the caller. Keywords are lower case.
//   Operators, loosest first: or; and; not; comparisons == != < <= > >= (also <>), in [...],
//   not in [...], is null, is not null (comparisons do not chain); + -; * / %; unary -.
//   Functions: if(c, a, b), coalesce(a, ...), log, log10, exp, sqrt, abs, floor, ceil, round,
//   min(a, b, ...), max(a, b, ...), clip(x, lo, hi), hour, minute, second, day_of_week,
//   day_of_month, month, year, lower, upper, length, starts_with, ends_with, contains.
//
// Types (checked at compile time; see transform_types.h and transform_functions.h)
//   int64 + - * int64 is int64; with a double it is double; / is always double; % is int64
//   only. Numbers compare across int64 and double (the int64 converted to double); strings
//   with strings (bytewise), timestamps with timestamps, bools only with == and !=. 'in'
//   lists hold literals of the left side's kind. The literal null fits any operand (null + 1
//   is an int64 that is always null); only an operation whose operands are all the literal
//   null has type null.
//
// Null and special values (identical online and offline)
//   Null propagates through arithmetic, comparisons, 'in' and functions, except:
//   coalesce (first non-null), `is [not] null` (never null), if (a null condition takes the
//   else branch), and three-valued and/or (false and null = false, true or null = true,
//   otherwise null if either side is null). int64 overflow (+ - * unary - abs) gives null;
//   / and % by zero give null (also 0.0 / 0.0); % truncates toward zero (sign of the left
//   side); log and log10 of x <= 0 and sqrt of x < 0 give null; other NaN and infinity
//   results stay as they are (comparisons with NaN are false, except !=; min, max and clip
//   with a NaN give NaN). round is half away from zero. Time parts are UTC; day_of_week is
//   ISO (1 = Monday ... 7 = Sunday). lower and upper change ASCII letters only; length
//   counts Unicode code points.
//
// Limits (hostile input cannot exhaust the stack): source at most 4096 bytes, nesting at most
// 64 levels (parentheses, calls, unary operators), at most 256 levels of operations in the
// tree, 'in' lists at most 1024 items.
//
// Evaluation is a flat postfix program (transform_program.h): no name lookups and no type
// dispatch by string; it allocates only for string results. Thread-safety: an Expression is
// immutable; copies share the compiled program; Evaluate may run on many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/features/value.h"

namespace plinth::features {

struct Program;

class Expression {
 public:
  using InputTypes = std::function<absl::StatusOr<ValueType>(std::string_view)>;

  // Parses and type-checks `source`; `input_types(name)` returns the type of an identifier
  // or NotFound. InvalidArgument naming the problem and its column, e.g.
  // "at column 12: unknown name 'amout'", "at column 8: '+' needs numbers, got string 'country'",
  // "at column 1: if(): branches have types double and string".
  static absl::StatusOr<Expression> Compile(std::string_view source, const InputTypes& input_types);

  // Result type: kNull only for expressions that are always null (the literal `null`).
  ValueType type() const;
  // Distinct identifiers referenced, in first-use order, and their types.
  const std::vector<std::string>& inputs() const;
  const std::vector<ValueType>& input_types() const;

  // Evaluates with inputs()[i] bound to args[i]. Never fails and never throws: a missing
  // argument, or one whose type is not input_types()[i], reads as null (except that an int64
  // is accepted for a double input). The result has type type() or is null.
  Value Evaluate(std::span<const Value> args) const;
  // Same, with inputs()[i] bound to slots[slot_of_input[i]] (no copying of the inputs).
  // REQUIRES: slot_of_input.size() == inputs().size().
  Value EvaluateSlots(std::span<const Value> slots, std::span<const uint32_t> slot_of_input) const;

  // Canonical text: compiling it again gives an expression with the same ToString and the
  // same results.
  std::string ToString() const;

 private:
  explicit Expression(std::shared_ptr<const Program> p) : program_(std::move(p)) {}
  std::shared_ptr<const Program> program_;
};

// Just the identifiers `source` references, in first-use order (for dependency analysis
// before types are known). InvalidArgument on a syntax error.
absl::StatusOr<std::vector<std::string>> ExpressionInputs(std::string_view source);

}  // namespace plinth::features
