#include "plinth/features/transform_functions.h"

#include "plinth/base/time.h"

namespace plinth::features {
namespace {

constexpr FunctionInfo kFunctions[] = {
    {"if", Function::kIf, 3, 3},
    {"coalesce", Function::kCoalesce, 1, -1},
    {"log", Function::kLog, 1, 1},
    {"log10", Function::kLog10, 1, 1},
    {"exp", Function::kExp, 1, 1},
    {"sqrt", Function::kSqrt, 1, 1},
    {"abs", Function::kAbs, 1, 1},
    {"floor", Function::kFloor, 1, 1},
    {"ceil", Function::kCeil, 1, 1},
    {"round", Function::kRound, 1, 1},
    {"min", Function::kMin, 2, -1},
    {"max", Function::kMax, 2, -1},
    {"clip", Function::kClip, 3, 3},
    {"hour", Function::kHour, 1, 1},
    {"minute", Function::kMinute, 1, 1},
    {"second", Function::kSecond, 1, 1},
    {"day_of_week", Function::kDayOfWeek, 1, 1},
    {"day_of_month", Function::kDayOfMonth, 1, 1},
    {"month", Function::kMonth, 1, 1},
    {"year", Function::kYear, 1, 1},
    {"lower", Function::kLower, 1, 1},
    {"upper", Function::kUpper, 1, 1},
    {"length", Function::kLength, 1, 1},
    {"starts_with", Function::kStartsWith, 2, 2},
    {"ends_with", Function::kEndsWith, 2, 2},
    {"contains", Function::kContains, 2, 2},
};

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
int64_t MicrosOfDay(int64_t micros) {
  int64_t r = micros % kMicrosPerDay;  // never overflows, unlike micros - days * kMicrosPerDay
  return r < 0 ? r + kMicrosPerDay : r;
}

absl::Status CallError(const AstNode& call, std::string_view message) {
  return absl::InvalidArgumentError(StrCat("at column ", call.column, ": ", call.name, "(): ", message));
}

std::string_view Ordinal(size_t i) {
  static constexpr std::string_view kNames[] = {"first", "second", "third"};
  return i < 3 ? kNames[i] : "";
}

std::string ArgName(size_t i) {
  return i < 3 ? StrCat(Ordinal(i), " argument") : StrCat("argument ", i + 1);
}

// Every argument must satisfy `ok`; `wanted` names the expectation ("a number").
absl::Status RequireAll(const AstNode& call, bool (*ok)(ValueType), std::string_view wanted) {
  for (size_t i = 0; i < call.children.size(); ++i) {
    if (!ok(call.children[i]->type)) {
      return CallError(call, StrCat(ArgName(i), " must be ", wanted, ", got ", DescribeOperand(*call.children[i])));
    }
  }
  return absl::OkStatus();
}

bool IsStringish(ValueType t) { return t == ValueType::kString || t == ValueType::kNull; }
bool IsTimeish(ValueType t) { return t == ValueType::kTimestamp || t == ValueType::kNull; }

// Result of numbers mixed in one operation: double if any double, else int64 if any int64,
// else null (every argument is the literal null).
ValueType NumericResult(const AstNode& call) {
  ValueType out = ValueType::kNull;
  for (const auto& c : call.children) {
    if (c->type == ValueType::kDouble) return ValueType::kDouble;
    if (c->type == ValueType::kInt64) out = ValueType::kInt64;
  }
  return out;
}

}  // namespace

const FunctionInfo* FindFunction(std::string_view name) {
  for (const FunctionInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string FunctionNames() {
  std::vector<std::string_view> names;
  for (const FunctionInfo& f : kFunctions) names.push_back(f.name);
  return StrJoin(names, ", ");
}

std::optional<ValueType> UnifyTypes(ValueType a, ValueType b) {
  if (a == b) return a;
  if (a == ValueType::kNull) return b;
  if (b == ValueType::kNull) return a;
  if (IsNumeric(a) && IsNumeric(b)) return ValueType::kDouble;
  return std::nullopt;
}

std::string DescribeOperand(const AstNode& n) {
  std::string text = n.kind == AstKind::kInput ? StrCat("'", n.name, "'") : PrintAst(n);
  if (text.size() > 40) text = StrCat(text.substr(0, 37), "...");
  if (n.kind == AstKind::kLiteral && n.literal.is_null()) return "null";
  return StrCat(ValueTypeName(n.type), " ", text);
}

absl::StatusOr<ValueType> CheckCall(const FunctionInfo& info, const AstNode& call) {
  size_t n = call.children.size();
  if (static_cast<int>(n) < info.min_args || (info.max_args >= 0 && static_cast<int>(n) > info.max_args)) {
    std::string wanted = info.max_args < 0 ? StrCat("at least ", info.min_args)
                         : info.min_args == info.max_args ? StrCat(info.min_args)
                                                          : StrCat(info.min_args, " to ", info.max_args);
    return CallError(call, StrCat("takes ", wanted, info.min_args == 1 && info.max_args == 1 ? " argument" : " arguments",
                                  ", got ", n));
  }
  const auto& args = call.children;
  switch (info.function) {
    case Function::kIf: {
      if (!IsBoolish(args[0]->type)) {
        return CallError(call, StrCat("condition must be bool, got ", DescribeOperand(*args[0])));
      }
      auto t = UnifyTypes(args[1]->type, args[2]->type);
      if (!t) {
        return CallError(call, StrCat("branches have types ", ValueTypeName(args[1]->type), " and ",
                                      ValueTypeName(args[2]->type)));
      }
      return *t;
    }
    case Function::kCoalesce: {
      ValueType t = ValueType::kNull;
      for (size_t i = 0; i < n; ++i) {
        auto u = UnifyTypes(t, args[i]->type);
        if (!u) {
          return CallError(call, StrCat("arguments have types ", ValueTypeName(t), " and ",
                                        ValueTypeName(args[i]->type), " (", ArgName(i), ": ",
                                        DescribeOperand(*args[i]), ")"));
        }
        t = *u;
      }
      return t;
    }
    case Function::kLog:
    case Function::kLog10:
    case Function::kExp:
    case Function::kSqrt:
      PLINTH_RETURN_IF_ERROR(RequireAll(call, IsNumeric, "a number"));
      return ValueType::kDouble;
    case Function::kAbs:
    case Function::kFloor:
    case Function::kCeil:
    case Function::kRound:
    case Function::kMin:
    case Function::kMax:
    case Function::kClip:
      PLINTH_RETURN_IF_ERROR(RequireAll(call, IsNumeric, "a number"));
      return NumericResult(call);
    case Function::kHour:
    case Function::kMinute:
    case Function::kSecond:
    case Function::kDayOfWeek:
    case Function::kDayOfMonth:
    case Function::kMonth:
    case Function::kYear:
      PLINTH_RETURN_IF_ERROR(RequireAll(call, IsTimeish, "a timestamp"));
      return ValueType::kInt64;
    case Function::kLower:
    case Function::kUpper:
      PLINTH_RETURN_IF_ERROR(RequireAll(call, IsStringish, "a string"));
      return ValueType::kString;
    case Function::kLength:
      PLINTH_RETURN_IF_ERROR(RequireAll(call, IsStringish, "a string"));
      return ValueType::kInt64;
    case Function::kStartsWith:
    case Function::kEndsWith:
    case Function::kContains:
      PLINTH_RETURN_IF_ERROR(RequireAll(call, IsStringish, "a string"));
      return ValueType::kBool;
  }
  return CallError(call, "unsupported");
}

int64_t HourOf(int64_t micros) { return MicrosOfDay(micros) / (3600 * kMicrosPerSecond); }
int64_t MinuteOf(int64_t micros) { return MicrosOfDay(micros) / (60 * kMicrosPerSecond) % 60; }
int64_t SecondOf(int64_t micros) { return MicrosOfDay(micros) / kMicrosPerSecond % 60; }
int64_t IsoDayOfWeek(int64_t micros) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);  // day 0, 1970-01-01, was a Thursday (4)
  return (days % 7 + 7 + 3) % 7 + 1;
}

namespace {
void Civil(int64_t micros, int64_t* y, unsigned* m, unsigned* d) {
  CivilFromDays(FloorDiv(micros, kMicrosPerDay), y, m, d);
}
}  // namespace

int64_t DayOfMonthOf(int64_t micros) {
  int64_t y;
  unsigned m, d;
  Civil(micros, &y, &m, &d);
  return d;
}
int64_t MonthOf(int64_t micros) {
  int64_t y;
  unsigned m, d;
  Civil(micros, &y, &m, &d);
  return m;
}
int64_t YearOf(int64_t micros) {
  int64_t y;
  unsigned m, d;
  Civil(micros, &y, &m, &d);
  return y;
}

int64_t Utf8Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace plinth::features
