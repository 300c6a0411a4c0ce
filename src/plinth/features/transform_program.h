// The flat, compiled form of one transform expression: a postfix instruction list over a
// small stack of untyped slots, with every type decision already made (opcodes are
// specialized per type, int64 -> double conversions are explicit instructions), so the
// evaluator (transform_eval.h) does no name lookups and no dispatch on value types.
//
// Built once by transform_codegen.h, then immutable and shared by every copy of the
// Expression that owns it. Thread-safety: a Program is read-only after construction, so any
// number of threads may evaluate it at once.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/features/value.h"

namespace plinth::features {

enum class Op : uint8_t {
  kConst,  // push consts[a]
  kInputBool, kInputInt, kInputDouble, kInputString, kInputTime,  // push input a (wrong type -> null)
  kIntToDouble,                                                    // top = double(top)
  kNegI, kNegD, kAddI, kSubI, kMulI, kModI, kAddD, kSubD, kMulD, kDivD,
  kCmpI, kCmpD, kCmpS, kCmpT, kCmpB,  // a = BinaryOp
  kNot,
  kAndJump,  // top is false: jump to a (keeping it); else fall through to the right side
  kAnd,      // pop b, a; push a and b (three-valued)
  kOrJump, kOr,
  kIsNull, kIsNotNull,
  kInI, kInD, kInS, kInB,  // top = top in sets[a]
  kJump,                   // jump to a
  kJumpUnlessTrue,         // pop; jump to a unless it was true
  kCoalesceJump,           // top not null: jump to a; else pop
  kLog, kLog10, kExp, kSqrt, kAbsI, kAbsD, kFloor, kCeil, kRound,
  kMinI, kMinD, kMaxI, kMaxD, kClipI, kClipD,
  kHour, kMinute, kSecond, kDayOfWeek, kDayOfMonth, kMonth, kYear,
  kLower, kUpper, kLength, kStartsWith, kEndsWith, kContains,
};

struct Instr {
  Op op;
  uint32_t a = 0;
};

// One stack entry. Trivial (uninitialized arrays of it cost nothing); strings are views into
// the inputs, the program's constants or the evaluation's own scratch strings.
struct Slot {
  union {
    bool b;
    int64_t i;  // int64 and timestamp micros
    double d;
  };
  const char* str;
  size_t len;
  bool null;

  std::string_view s() const { return {str, len}; }
};

// The items of one 'in' list, sorted for binary search.
struct InSet {
  std::vector<int64_t> ints;  // int64 needles (bools as 0/1)
  std::vector<double> doubles;
  std::vector<std::string> strings;
};

struct Program {
  std::vector<Instr> code;
  std::vector<Slot> consts;               // string constants point into const_strings
  std::deque<std::string> const_strings;  // stable addresses
  std::vector<InSet> sets;
  int max_stack = 0;

  ValueType type = ValueType::kNull;
  std::vector<std::string> inputs;
  std::vector<ValueType> input_types;
  std::string text;  // canonical source
};

}  // namespace plinth::features
