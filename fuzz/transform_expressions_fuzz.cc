// libFuzzer target over the on-demand transform language (features/transform_expression.h,
// transform_set.h). The input is one expression over a fixed schema (an input of each type,
// plain and dotted names); an input starting with "set\n" is instead a transform set, one
// "name = expression" per line. Invariants checked beyond "no crash, no sanitizer report":
//   - ExpressionInputs agrees with the compiled inputs;
//   - evaluation never yields a value of another type than the compiled type;
//   - ToString() compiles again to the same text, inputs and type, with the same results.
// A crash found becomes a regression input in fuzz/corpus/transform_expressions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/features/transform_expression.h"
#include "plinth/features/transform_set.h"

using namespace plinth;            // NOLINT
using namespace plinth::features;  // NOLINT

namespace {

struct Input {
  std::string_view name;
  ValueType type;
};
constexpr Input kSchema[] = {
    {"b", ValueType::kBool},      {"i", ValueType::kInt64},          {"j", ValueType::kInt64},
    {"d", ValueType::kDouble},    {"e", ValueType::kDouble},         {"s", ValueType::kString},
    {"t", ValueType::kTimestamp}, {"request.now", ValueType::kTimestamp}, {"user.country", ValueType::kString},
};

absl::StatusOr<ValueType> SchemaType(std::string_view name) {
  for (const Input& in : kSchema) {
    if (in.name == name) return in.type;
  }
  return absl::NotFoundError("unknown");
}

// Row `r` of the fixed test rows: a value of `type` (r = 0 is all null).
Value TestValue(ValueType type, int r) {
  if (r == 0) return Value();
  switch (type) {
    case ValueType::kBool: return Value::Bool(r % 2 == 1);
    case ValueType::kInt64: {
      constexpr int64_t kInts[] = {0, 7, -1, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
      return Value::Int64(kInts[r % 5]);
    }
    case ValueType::kDouble: {
      const double kDoubles[] = {0.0, 2.5, -0.0, std::numeric_limits<double>::quiet_NaN(),
                                 -std::numeric_limits<double>::infinity()};
      return Value::Double(kDoubles[r % 5]);
    }
    case ValueType::kString: {
      static const std::string kStrings[] = {"", "XX", "caf\xc3\xa9", std::string("a\0b", 3), "Hello World"};
      return Value::String(kStrings[r % 5]);
    }
    case ValueType::kTimestamp: {
      constexpr int64_t kTimes[] = {0, 1709251199000000, -1, std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max()};
      return Value::Time(kTimes[r % 5]);
    }
    default: return Value();
  }
}

constexpr int kRows = 6;

void CheckExpression(std::string_view source) {
  auto inputs = ExpressionInputs(source);
  auto e = Expression::Compile(source, SchemaType);
  if (!e.ok()) return;
  if (!inputs.ok() || *inputs != e->inputs()) std::abort();
  auto again = Expression::Compile(e->ToString(), SchemaType);
  if (!again.ok() || again->ToString() != e->ToString() || again->inputs() != e->inputs() ||
      again->type() != e->type()) {
    std::abort();
  }
  std::vector<Value> args(e->inputs().size());
  for (int r = 0; r < kRows; ++r) {
    for (size_t k = 0; k < args.size(); ++k) args[k] = TestValue(e->input_types()[k], r + static_cast<int>(k));
    Value v = e->Evaluate(args);
    if (!v.is_null() && v.type() != e->type()) std::abort();
    if (!v.SameAs(again->Evaluate(args))) std::abort();
  }
  // Wrong-typed and missing arguments read as null: must not crash.
  std::vector<Value> wrong(args.size(), Value::String("x"));
  (void)e->Evaluate(wrong);
  (void)e->Evaluate({});
}

void CheckSet(std::string_view text) {
  std::vector<std::pair<std::string, ValueType>> base;
  for (const Input& in : kSchema) base.emplace_back(std::string(in.name), in.type);
  std::vector<TransformDef> defs;
  for (std::string_view line : StrSplit(text, '\n', /*skip_empty=*/true)) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    defs.push_back({std::string(StripWhitespace(line.substr(0, eq))), std::string(line.substr(eq + 1)), std::nullopt});
    if (defs.size() > 64) break;
  }
  auto set = TransformSet::Create(base, defs);
  if (!set.ok()) return;
  if (set->output_size() != defs.size()) std::abort();
  std::vector<std::vector<Value>> rows(kRows, std::vector<Value>(base.size() + defs.size()));
  for (int r = 0; r < kRows; ++r) {
    for (size_t k = 0; k < base.size(); ++k) rows[r][k] = TestValue(base[k].second, r + static_cast<int>(k));
  }
  set->EvaluateRows(rows);
  for (const auto& row : rows) {
    for (size_t o = 0; o < defs.size(); ++o) {
      const Value& v = row[base.size() + o];
      if (!v.is_null() && v.type() != set->outputs()[o].second) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.starts_with("set\n")) {
    CheckSet(input.substr(4));
  } else {
    CheckExpression(input);
  }
  return 0;
}
