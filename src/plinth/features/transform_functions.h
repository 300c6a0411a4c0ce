// Built-in functions of the on-demand transform language: their names, arities and typing
// rules, and the scalar helpers the evaluator calls (time parts, string functions).
//
// Typing (documented for users in docs/FEATURES.md):
//   if(c, a, b)            c bool; a and b of one type (int64 and double mix to double)
//   coalesce(a, b, ...)    1+ arguments of one type
//   log, log10, exp, sqrt  number -> double
//   abs, floor, ceil, round  number -> same type (int64 stays int64)
//   min, max (2+), clip(x, lo, hi)  numbers -> int64, or double if any is double
//   hour, minute, second, day_of_week, day_of_month, month, year  timestamp -> int64 (UTC)
//   lower, upper  string -> string;  length  string -> int64
//   starts_with, ends_with, contains  (string, string) -> bool
// The literal `null` fits any argument slot. Thread-safety: stateless; the table is constant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plinth/base/status.h"
#include "plinth/features/transform_ast.h"

namespace plinth::features {

enum class Function : uint8_t {
  kIf, kCoalesce,
  kLog, kLog10, kExp, kSqrt, kAbs, kFloor, kCeil, kRound, kMin, kMax, kClip,
  kHour, kMinute, kSecond, kDayOfWeek, kDayOfMonth, kMonth, kYear,
  kLower, kUpper, kLength, kStartsWith, kEndsWith, kContains,
};

struct FunctionInfo {
  std::string_view name;
  Function function;
  int min_args;
  int max_args;  // -1: any number
};

// nullptr when `name` is not a built-in function.
const FunctionInfo* FindFunction(std::string_view name);

// The names of all built-in functions, comma separated (for "unknown function" messages).
std::string FunctionNames();

// Checks the arguments of `call` (their types already set) against `info`; returns the
// result type or InvalidArgument "at column N: <name>(): ...".
absl::StatusOr<ValueType> CheckCall(const FunctionInfo& info, const AstNode& call);

// The common type of two branches or arguments: equal types, null with anything, int64 with
// double (gives double). nullopt when they do not mix.
std::optional<ValueType> UnifyTypes(ValueType a, ValueType b);
inline bool IsNumeric(ValueType t) {
  return t == ValueType::kInt64 || t == ValueType::kDouble || t == ValueType::kNull;
}
inline bool IsBoolish(ValueType t) { return t == ValueType::kBool || t == ValueType::kNull; }

// "string 'country'" or "int64 length(name)": an operand in type error messages.
std::string DescribeOperand(const AstNode& n);

// Time parts of micros since the epoch, UTC (floor semantics before 1970).
int64_t HourOf(int64_t micros);
int64_t MinuteOf(int64_t micros);
int64_t SecondOf(int64_t micros);
int64_t IsoDayOfWeek(int64_t micros);  // 1 = Monday ... 7 = Sunday
int64_t DayOfMonthOf(int64_t micros);
int64_t MonthOf(int64_t micros);
int64_t YearOf(int64_t micros);

// Length in Unicode code points (bytes that are not UTF-8 continuation bytes).
int64_t Utf8Length(std::string_view s);

}  // namespace plinth::features
