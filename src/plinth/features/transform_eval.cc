#include "plinth/features/transform_eval.h"

#include <algorithm>
#include <cmath>
#include <forward_list>
#include <limits>
#include <memory>

#include "plinth/features/transform_ast.h"
#include "plinth/features/transform_functions.h"

namespace plinth::features {
namespace {

constexpr int kLocalSlots = 48;

template <typename T>
bool Compare(uint32_t op, const T& a, const T& b) {
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::kEq: return a == b;
    case BinaryOp::kNe: return a != b;
    case BinaryOp::kLt: return a < b;
    case BinaryOp::kLe: return a <= b;
    case BinaryOp::kGt: return a > b;
    case BinaryOp::kGe: return a >= b;
    default: return false;
  }
}

double MinD(double a, double b) { return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::min(a, b); }
double MaxD(double a, double b) { return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b); }

// ASCII only, independent of the C locale (so every process maps the same bytes).
std::string AsciiCase(std::string_view s, bool upper) {
  std::string out(s);
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void SetString(Slot& s, std::forward_list<std::string>& scratch, std::string value) {
  const std::string& kept = scratch.emplace_front(std::move(value));
  s.str = kept.data();
  s.len = kept.size();
}

}  // namespace

Value RunProgram(const Program& p, std::span<const Value> values, const uint32_t* slot_of_input) {
  Slot local[kLocalSlots];
  std::unique_ptr<Slot[]> heap;
  Slot* stack = local;
  if (p.max_stack > kLocalSlots) {
    heap.reset(new Slot[p.max_stack]);
    stack = heap.get();
  }
  std::forward_list<std::string> scratch;  // strings made by lower()/upper(); empty costs nothing
  Slot* top = stack;                       // one past the top entry
  auto arg = [&](uint32_t i) -> const Value* {
    size_t at = slot_of_input != nullptr ? slot_of_input[i] : i;
    return at < values.size() ? &values[at] : nullptr;
  };

  const Instr* code = p.code.data();
  const size_t end = p.code.size();
  size_t pc = 0;
  while (pc < end) {
    const Instr in = code[pc++];
    switch (in.op) {
      case Op::kConst: *top++ = p.consts[in.a]; break;
      case Op::kInputBool: {
        const Value* v = arg(in.a);
        Slot& s = *top++;
        s.null = v == nullptr || v->type() != ValueType::kBool;
        if (!s.null) s.b = v->bool_value();
        break;
      }
      case Op::kInputInt: {
        const Value* v = arg(in.a);
        Slot& s = *top++;
        s.null = v == nullptr || v->type() != ValueType::kInt64;
        if (!s.null) s.i = v->int64_value();
        break;
      }
      case Op::kInputDouble: {
        const Value* v = arg(in.a);
        Slot& s = *top++;
        s.null = false;
        if (v != nullptr && v->type() == ValueType::kDouble) {
          s.d = v->double_value();
        } else if (v != nullptr && v->type() == ValueType::kInt64) {
          s.d = static_cast<double>(v->int64_value());
        } else {
          s.null = true;
        }
        break;
      }
      case Op::kInputString: {
        const Value* v = arg(in.a);
        Slot& s = *top++;
        s.null = v == nullptr || v->type() != ValueType::kString;
        if (!s.null) {
          s.str = v->string_value().data();
          s.len = v->string_value().size();
        }
        break;
      }
      case Op::kInputTime: {
        const Value* v = arg(in.a);
        Slot& s = *top++;
        s.null = v == nullptr || v->type() != ValueType::kTimestamp;
        if (!s.null) s.i = v->timestamp_micros();
        break;
      }
      case Op::kIntToDouble:
        if (!top[-1].null) top[-1].d = static_cast<double>(top[-1].i);
        break;

// Binary operations: pop y, operate on x in place; a null operand makes a null result.
#define PLINTH_BINARY                     \
  Slot& x = top[-2];                      \
  const Slot& y = top[-1];                \
  --top;                                  \
  if (x.null || y.null) {                 \
    x.null = true;                        \
    break;                                \
  }
// Unary operations on the top entry, skipped when it is null.
#define PLINTH_UNARY  \
  Slot& x = top[-1];  \
  if (x.null) break;

      case Op::kNegI: {
        PLINTH_UNARY
        if (x.i == std::numeric_limits<int64_t>::min()) x.null = true;
        else x.i = -x.i;
        break;
      }
      case Op::kNegD: {
        PLINTH_UNARY
        x.d = -x.d;
        break;
      }
      case Op::kAddI: {
        PLINTH_BINARY
        x.null = __builtin_add_overflow(x.i, y.i, &x.i);
        break;
      }
      case Op::kSubI: {
        PLINTH_BINARY
        x.null = __builtin_sub_overflow(x.i, y.i, &x.i);
        break;
      }
      case Op::kMulI: {
        PLINTH_BINARY
        x.null = __builtin_mul_overflow(x.i, y.i, &x.i);
        break;
      }
      case Op::kModI: {
        PLINTH_BINARY
        if (y.i == 0) x.null = true;
        else if (y.i == -1) x.i = 0;  // INT64_MIN % -1 would trap
        else x.i %= y.i;
        break;
      }
      case Op::kAddD: { PLINTH_BINARY x.d += y.d; break; }
      case Op::kSubD: { PLINTH_BINARY x.d -= y.d; break; }
      case Op::kMulD: { PLINTH_BINARY x.d *= y.d; break; }
      case Op::kDivD: {
        PLINTH_BINARY
        if (y.d == 0) x.null = true;
        else x.d /= y.d;
        break;
      }
      case Op::kCmpI:
      case Op::kCmpT: { PLINTH_BINARY x.b = Compare(in.a, x.i, y.i); break; }
      case Op::kCmpD: { PLINTH_BINARY x.b = Compare(in.a, x.d, y.d); break; }
      case Op::kCmpS: { PLINTH_BINARY x.b = Compare(in.a, x.s(), y.s()); break; }
      case Op::kCmpB: { PLINTH_BINARY x.b = Compare(in.a, x.b, y.b); break; }
      case Op::kNot: { PLINTH_UNARY x.b = !x.b; break; }
      case Op::kAndJump:
        if (!top[-1].null && !top[-1].b) pc = in.a;
        break;
      case Op::kOrJump:
        if (!top[-1].null && top[-1].b) pc = in.a;
        break;
      case Op::kAnd: {
        Slot& x = top[-2];
        const Slot& y = top[-1];
        --top;
        if ((!x.null && !x.b) || (!y.null && !y.b)) {
          x.null = false;
          x.b = false;
        } else if (x.null || y.null) {
          x.null = true;
        } else {
          x.b = true;
        }
        break;
      }
      case Op::kOr: {
        Slot& x = top[-2];
        const Slot& y = top[-1];
        --top;
        if ((!x.null && x.b) || (!y.null && y.b)) {
          x.null = false;
          x.b = true;
        } else if (x.null || y.null) {
          x.null = true;
        } else {
          x.b = false;
        }
        break;
      }
      case Op::kIsNull:
      case Op::kIsNotNull: {
        Slot& x = top[-1];
        x.b = x.null == (in.op == Op::kIsNull);
        x.null = false;
        break;
      }
      case Op::kInI: {
        PLINTH_UNARY
        const auto& v = p.sets[in.a].ints;
        x.b = std::binary_search(v.begin(), v.end(), x.i);
        break;
      }
      case Op::kInB: {
        PLINTH_UNARY
        const auto& v = p.sets[in.a].ints;
        x.b = std::find(v.begin(), v.end(), x.b ? 1 : 0) != v.end();
        break;
      }
      case Op::kInD: {
        PLINTH_UNARY
        const auto& v = p.sets[in.a].doubles;
        x.b = !std::isnan(x.d) && std::binary_search(v.begin(), v.end(), x.d);
        break;
      }
      case Op::kInS: {
        PLINTH_UNARY
        const auto& v = p.sets[in.a].strings;
        std::string_view needle = x.s();
        auto it = std::lower_bound(v.begin(), v.end(), needle,
                                   [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
        x.b = it != v.end() && std::string_view(*it) == needle;
        break;
      }
      case Op::kJump: pc = in.a; break;
      case Op::kJumpUnlessTrue: {
        const Slot& c = *--top;
        if (c.null || !c.b) pc = in.a;
        break;
      }
      case Op::kCoalesceJump:
        if (!top[-1].null) pc = in.a;
        else --top;
        break;
      case Op::kLog: {
        PLINTH_UNARY
        if (x.d <= 0) x.null = true;
        else x.d = std::log(x.d);
        break;
      }
      case Op::kLog10: {
        PLINTH_UNARY
        if (x.d <= 0) x.null = true;
        else x.d = std::log10(x.d);
        break;
      }
      case Op::kExp: { PLINTH_UNARY x.d = std::exp(x.d); break; }
      case Op::kSqrt: {
        PLINTH_UNARY
        if (x.d < 0) x.null = true;
        else x.d = std::sqrt(x.d);
        break;
      }
      case Op::kAbsI: {
        PLINTH_UNARY
        if (x.i == std::numeric_limits<int64_t>::min()) x.null = true;
        else x.i = x.i < 0 ? -x.i : x.i;
        break;
      }
      case Op::kAbsD: { PLINTH_UNARY x.d = std::fabs(x.d); break; }
      case Op::kFloor: { PLINTH_UNARY x.d = std::floor(x.d); break; }
      case Op::kCeil: { PLINTH_UNARY x.d = std::ceil(x.d); break; }
      case Op::kRound: { PLINTH_UNARY x.d = std::round(x.d); break; }
      case Op::kMinI: { PLINTH_BINARY x.i = std::min(x.i, y.i); break; }
      case Op::kMaxI: { PLINTH_BINARY x.i = std::max(x.i, y.i); break; }
      case Op::kMinD: { PLINTH_BINARY x.d = MinD(x.d, y.d); break; }
      case Op::kMaxD: { PLINTH_BINARY x.d = MaxD(x.d, y.d); break; }
      case Op::kClipI:
      case Op::kClipD: {
        Slot& x = top[-3];
        const Slot& lo = top[-2];
        const Slot& hi = top[-1];
        top -= 2;
        if (x.null || lo.null || hi.null) {
          x.null = true;
          break;
        }
        if (in.op == Op::kClipI) x.i = std::min(std::max(x.i, lo.i), hi.i);
        else x.d = MinD(MaxD(x.d, lo.d), hi.d);
        break;
      }
      case Op::kHour: { PLINTH_UNARY x.i = HourOf(x.i); break; }
      case Op::kMinute: { PLINTH_UNARY x.i = MinuteOf(x.i); break; }
      case Op::kSecond: { PLINTH_UNARY x.i = SecondOf(x.i); break; }
      case Op::kDayOfWeek: { PLINTH_UNARY x.i = IsoDayOfWeek(x.i); break; }
      case Op::kDayOfMonth: { PLINTH_UNARY x.i = DayOfMonthOf(x.i); break; }
      case Op::kMonth: { PLINTH_UNARY x.i = MonthOf(x.i); break; }
      case Op::kYear: { PLINTH_UNARY x.i = YearOf(x.i); break; }
      case Op::kLower: { PLINTH_UNARY SetString(x, scratch, AsciiCase(x.s(), false)); break; }
      case Op::kUpper: { PLINTH_UNARY SetString(x, scratch, AsciiCase(x.s(), true)); break; }
      case Op::kLength: { PLINTH_UNARY x.i = Utf8Length(x.s()); break; }
      case Op::kStartsWith: { PLINTH_BINARY x.b = x.s().starts_with(y.s()); break; }
      case Op::kEndsWith: { PLINTH_BINARY x.b = x.s().ends_with(y.s()); break; }
      case Op::kContains: { PLINTH_BINARY x.b = x.s().find(y.s()) != std::string_view::npos; break; }
#undef PLINTH_BINARY
#undef PLINTH_UNARY
    }
  }

  const Slot& r = top[-1];
  if (r.null) return Value();
  switch (p.type) {
    case ValueType::kBool: return Value::Bool(r.b);
    case ValueType::kInt64: return Value::Int64(r.i);
    case ValueType::kDouble: return Value::Double(r.d);
    case ValueType::kString: return Value::String(std::string(r.s()));
    case ValueType::kTimestamp: return Value::Time(r.i);
    case ValueType::kNull: break;
  }
  return Value();
}

}  // namespace plinth::features
