#include "plinth/features/transform_codegen.h"

#include <algorithm>

#include "plinth/features/transform_functions.h"

namespace plinth::features {
namespace {

class Generator {
 public:
  explicit Generator(Program* p) : p_(p) {}

  // Emits `n` so that its value ends on top of the stack, converted to `want` when `want` is
  // double and `n` is int64 (any other `want` leaves the value as it is).
  void Emit(const AstNode& n, ValueType want) {
    EmitNode(n);
    if (want == ValueType::kDouble && n.type == ValueType::kInt64) Add(Op::kIntToDouble);
  }

 private:
  void Push(int n = 1) {
    depth_ += n;
    p_->max_stack = std::max(p_->max_stack, depth_);
  }
  void Add(Op op, uint32_t a = 0, int stack_effect = 0) {
    p_->code.push_back(Instr{op, a});
    Push(stack_effect);
  }
  size_t Here() const { return p_->code.size(); }
  void PatchToHere(size_t at) { p_->code[at].a = static_cast<uint32_t>(Here()); }

  void EmitConst(const Value& v) {
    Slot s{};
    s.null = v.is_null();
    switch (v.type()) {
      case ValueType::kBool: s.b = v.bool_value(); break;
      case ValueType::kInt64: s.i = v.int64_value(); break;
      case ValueType::kDouble: s.d = v.double_value(); break;
      case ValueType::kString: {
        const std::string& str = p_->const_strings.emplace_back(v.string_value());
        s.str = str.data();
        s.len = str.size();
        break;
      }
      default: break;
    }
    p_->consts.push_back(s);
    Add(Op::kConst, static_cast<uint32_t>(p_->consts.size() - 1), 1);
  }

  void EmitNode(const AstNode& n) {
    // Always null: no need to compute the operands (evaluation has no side effects).
    if (n.type == ValueType::kNull) {
      EmitConst(Value());
      return;
    }
    switch (n.kind) {
      case AstKind::kLiteral: EmitConst(n.literal); return;
      case AstKind::kInput: {
        static constexpr Op kLoads[] = {Op::kConst, Op::kInputBool, Op::kInputInt, Op::kInputDouble,
                                        Op::kInputString, Op::kInputTime};
        Add(kLoads[static_cast<int>(n.type)], static_cast<uint32_t>(n.input_index), 1);
        return;
      }
      case AstKind::kNeg:
        Emit(*n.children[0], n.type);
        Add(n.type == ValueType::kDouble ? Op::kNegD : Op::kNegI);
        return;
      case AstKind::kNot:
        Emit(*n.children[0], ValueType::kBool);
        Add(Op::kNot);
        return;
      case AstKind::kAnd:
      case AstKind::kOr: {
        bool is_and = n.kind == AstKind::kAnd;
        Emit(*n.children[0], ValueType::kBool);
        size_t jump = Here();
        Add(is_and ? Op::kAndJump : Op::kOrJump);
        Emit(*n.children[1], ValueType::kBool);
        Add(is_and ? Op::kAnd : Op::kOr, 0, -1);
        PatchToHere(jump);
        return;
      }
      case AstKind::kIsNull:
        Emit(*n.children[0], n.children[0]->type);
        Add(n.negated ? Op::kIsNotNull : Op::kIsNull);
        return;
      case AstKind::kIn: EmitIn(n); return;
      case AstKind::kBinary: EmitBinary(n); return;
      case AstKind::kCall: EmitCall(n); return;
    }
  }

  void EmitBinary(const AstNode& n) {
    const AstNode& a = *n.children[0];
    const AstNode& b = *n.children[1];
    if (IsComparison(n.op)) {
      if (a.type == ValueType::kNull || b.type == ValueType::kNull) {
        EmitConst(Value());  // comparing with null is null
        return;
      }
      Op op = Op::kCmpB;
      ValueType want = a.type;
      if (a.type == ValueType::kDouble || b.type == ValueType::kDouble) {
        op = Op::kCmpD;
        want = ValueType::kDouble;
      } else if (a.type == ValueType::kInt64) {
        op = Op::kCmpI;
      } else if (a.type == ValueType::kString) {
        op = Op::kCmpS;
      } else if (a.type == ValueType::kTimestamp) {
        op = Op::kCmpT;
      }
      Emit(a, want);
      Emit(b, want);
      Add(op, static_cast<uint32_t>(n.op), -1);
      return;
    }
    // Arithmetic: n.type is int64 or double (null was handled by the caller).
    bool dbl = n.type == ValueType::kDouble;
    Emit(a, n.type);
    Emit(b, n.type);
    Op op;
    switch (n.op) {
      case BinaryOp::kAdd: op = dbl ? Op::kAddD : Op::kAddI; break;
      case BinaryOp::kSub: op = dbl ? Op::kSubD : Op::kSubI; break;
      case BinaryOp::kMul: op = dbl ? Op::kMulD : Op::kMulI; break;
      case BinaryOp::kDiv: op = Op::kDivD; break;
      default: op = Op::kModI; break;
    }
    Add(op, 0, -1);
  }

  void EmitIn(const AstNode& n) {
    const AstNode& a = *n.children[0];
    if (a.type == ValueType::kNull) {
      EmitConst(Value());  // null [not] in [...] is null, whatever the list holds
      return;
    }
    InSet set;
    Op op;
    bool any_double = std::any_of(n.list.begin(), n.list.end(),
                                  [](const Value& v) { return v.type() == ValueType::kDouble; });
    ValueType want = a.type;
    switch (a.type) {
      case ValueType::kInt64:
      case ValueType::kDouble:
        if (a.type == ValueType::kDouble || any_double) {
          want = ValueType::kDouble;
          op = Op::kInD;
          for (const Value& v : n.list) set.doubles.push_back(*v.AsDouble());
        } else {
          op = Op::kInI;
          for (const Value& v : n.list) set.ints.push_back(v.int64_value());
        }
        break;
      case ValueType::kString:
        op = Op::kInS;
        for (const Value& v : n.list) set.strings.push_back(v.string_value());
        break;
      default:  // bool
        op = Op::kInB;
        for (const Value& v : n.list) set.ints.push_back(v.bool_value() ? 1 : 0);
        break;
    }
    std::sort(set.ints.begin(), set.ints.end());
    std::sort(set.doubles.begin(), set.doubles.end());
    std::sort(set.strings.begin(), set.strings.end());
    p_->sets.push_back(std::move(set));
    Emit(a, want);
    Add(op, static_cast<uint32_t>(p_->sets.size() - 1));
    if (n.negated) Add(Op::kNot);
  }

  void EmitCall(const AstNode& n) {
    const FunctionInfo* info = FindFunction(n.name);
    const auto& args = n.children;
    bool dbl = n.type == ValueType::kDouble;
    auto unary = [&](Op op, ValueType want) {
      Emit(*args[0], want);
      Add(op);
    };
    switch (info->function) {
      case Function::kIf: {
        Emit(*args[0], ValueType::kBool);
        size_t to_else = Here();
        Add(Op::kJumpUnlessTrue, 0, -1);
        Emit(*args[1], n.type);
        size_t to_end = Here();
        Add(Op::kJump);
        depth_ -= 1;  // the else branch starts from the same depth as the then branch did
        PatchToHere(to_else);
        Emit(*args[2], n.type);
        PatchToHere(to_end);
        return;
      }
      case Function::kCoalesce: {
        std::vector<size_t> jumps;
        for (size_t i = 0; i + 1 < args.size(); ++i) {
          if (args[i]->type == ValueType::kNull) continue;  // always null: skip it
          Emit(*args[i], n.type);
          jumps.push_back(Here());
          Add(Op::kCoalesceJump, 0, -1);
        }
        Emit(*args.back(), n.type);
        for (size_t j : jumps) PatchToHere(j);
        return;
      }
      case Function::kLog: unary(Op::kLog, ValueType::kDouble); return;
      case Function::kLog10: unary(Op::kLog10, ValueType::kDouble); return;
      case Function::kExp: unary(Op::kExp, ValueType::kDouble); return;
      case Function::kSqrt: unary(Op::kSqrt, ValueType::kDouble); return;
      case Function::kAbs: unary(dbl ? Op::kAbsD : Op::kAbsI, n.type); return;
      case Function::kFloor:
      case Function::kCeil:
      case Function::kRound:
        Emit(*args[0], n.type);
        if (dbl) Add(info->function == Function::kFloor ? Op::kFloor : info->function == Function::kCeil ? Op::kCeil : Op::kRound);
        return;  // an int64 is already whole
      case Function::kMin:
      case Function::kMax: {
        bool is_min = info->function == Function::kMin;
        Op op = is_min ? (dbl ? Op::kMinD : Op::kMinI) : (dbl ? Op::kMaxD : Op::kMaxI);
        Emit(*args[0], n.type);
        for (size_t i = 1; i < args.size(); ++i) {
          Emit(*args[i], n.type);
          Add(op, 0, -1);
        }
        return;
      }
      case Function::kClip:
        for (const auto& arg : args) Emit(*arg, n.type);
        Add(dbl ? Op::kClipD : Op::kClipI, 0, -2);
        return;
      case Function::kHour: unary(Op::kHour, ValueType::kTimestamp); return;
      case Function::kMinute: unary(Op::kMinute, ValueType::kTimestamp); return;
      case Function::kSecond: unary(Op::kSecond, ValueType::kTimestamp); return;
      case Function::kDayOfWeek: unary(Op::kDayOfWeek, ValueType::kTimestamp); return;
      case Function::kDayOfMonth: unary(Op::kDayOfMonth, ValueType::kTimestamp); return;
      case Function::kMonth: unary(Op::kMonth, ValueType::kTimestamp); return;
      case Function::kYear: unary(Op::kYear, ValueType::kTimestamp); return;
      case Function::kLower: unary(Op::kLower, ValueType::kString); return;
      case Function::kUpper: unary(Op::kUpper, ValueType::kString); return;
      case Function::kLength: unary(Op::kLength, ValueType::kString); return;
      case Function::kStartsWith:
      case Function::kEndsWith:
      case Function::kContains: {
        Emit(*args[0], ValueType::kString);
        Emit(*args[1], ValueType::kString);
        Op op = info->function == Function::kStartsWith ? Op::kStartsWith
                : info->function == Function::kEndsWith ? Op::kEndsWith
                                                        : Op::kContains;
        Add(op, 0, -1);
        return;
      }
    }
  }

  Program* p_;
  int depth_ = 0;
};

}  // namespace

void GenerateCode(const AstNode& root, Program* program) {
  Generator g(program);
  g.Emit(root, root.type);
}

}  // namespace plinth::features
