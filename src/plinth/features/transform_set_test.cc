#include "plinth/features/transform_set.h"

#include "plinth/features/transform_test_util.h"

namespace plinth::features {
namespace {

using ::testing::HasSubstr;
using testing::At;

using testing::Is;

const std::vector<std::pair<std::string, ValueType>> kBase = {
    {"amount_sum_7d", ValueType::kDouble},
    {"txn_count_7d", ValueType::kInt64},
    {"country", ValueType::kString},
    {"request.now", ValueType::kTimestamp},
};

std::string CreateError(const std::vector<TransformDef>& defs,
                        const std::vector<std::pair<std::string, ValueType>>& base = kBase) {
  auto set = TransformSet::Create(base, defs);
  if (set.ok()) return "";
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(set.status().message());
}

TEST(TransformSetTest, TheIssueExampleEvaluates) {
  // Declared in an order that needs reordering: risky uses avg_amount, defined after it.
  auto set = TransformSet::Create(
      kBase, {
                 {"risky", "if(country in ['XX', 'YY'] and avg_amount > 100, 1.0, 0.0)", std::nullopt},
                 {"avg_amount", "amount_sum_7d / txn_count_7d", ValueType::kDouble},
                 {"is_night", "hour(request.now) < 6 or hour(request.now) >= 22", std::nullopt},
             });
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->base_size(), 4u);
  EXPECT_EQ(set->output_size(), 3u);
  EXPECT_EQ(set->outputs(), (std::vector<std::pair<std::string, ValueType>>{
                                {"risky", ValueType::kDouble}, {"avg_amount", ValueType::kDouble},
                                {"is_night", ValueType::kBool}}));
  EXPECT_EQ(set->evaluation_order(), (std::vector<size_t>{1, 0, 2}));

  std::vector<Value> row{Value::Double(1500), Value::Int64(10), Value::String("XX"), At("2026-11-24T23:10:00Z"),
                         Value(), Value(), Value()};
  set->Evaluate(row);
  EXPECT_THAT(row[4], Is(Value::Double(1)));
  EXPECT_THAT(row[5], Is(Value::Double(150)));
  EXPECT_THAT(row[6], Is(Value::Bool(true)));

  // Offline: the same code over a batch; nulls flow through.
  std::vector<std::vector<Value>> rows = {
      {Value::Double(50), Value::Int64(1), Value::String("YY"), At("2026-11-24T12:00:00Z"), Value(), Value(), Value()},
      {Value(), Value::Int64(0), Value(), Value(), Value(), Value(), Value()},
  };
  set->EvaluateRows(rows);
  EXPECT_THAT(rows[0][4], Is(Value::Double(0)));
  EXPECT_THAT(rows[0][5], Is(Value::Double(50)));
  EXPECT_THAT(rows[0][6], Is(Value::Bool(false)));
  EXPECT_THAT(rows[1][4], Is(Value::Double(0)));  // null condition: else branch
  EXPECT_THAT(rows[1][5], Is(Value()));
  EXPECT_THAT(rows[1][6], Is(Value()));
}

TEST(TransformSetTest, ChainsAreOrderedAndInt64DeclaredDoubleIsConverted) {
  auto set = TransformSet::Create(kBase, {
                                             {"c", "b * 2", ValueType::kDouble},
                                             {"b", "a + 1", std::nullopt},
                                             {"a", "txn_count_7d", std::nullopt},
                                         });
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->evaluation_order(), (std::vector<size_t>{2, 1, 0}));
  EXPECT_EQ(set->outputs()[0].second, ValueType::kDouble);
  EXPECT_EQ(set->outputs()[1].second, ValueType::kInt64);
  std::vector<Value> row{Value(), Value::Int64(4), Value(), Value(), Value(), Value(), Value()};
  set->Evaluate(row);
  EXPECT_THAT(row[4], Is(Value::Double(10)));
  EXPECT_THAT(row[5], Is(Value::Int64(5)));
  EXPECT_THAT(row[6], Is(Value::Int64(4)));
}

TEST(TransformSetTest, CyclesAreRejectedWithTheirPath) {
  EXPECT_EQ(CreateError({{"a", "b + 1", {}}, {"b", "a + 1", {}}}), "transform 'a': cycle: a -> b -> a");
  EXPECT_EQ(CreateError({{"a", "a + 1", {}}}), "transform 'a': cycle: a -> a");
  EXPECT_EQ(CreateError({{"x", "1", {}}, {"a", "x + c", {}}, {"b", "a", {}}, {"c", "b", {}}}),
            "transform 'a': cycle: a -> c -> b -> a");
}

TEST(TransformSetTest, UnknownReferencesAndBadExpressions) {
  EXPECT_EQ(CreateError({{"avg", "amount_sum_7d / txn_cnt", {}}}), "transform 'avg': at column 17: unknown name 'txn_cnt'");
  EXPECT_EQ(CreateError({{"avg", "amount_sum_7d / ", {}}}), "transform 'avg': at column 17: expression ends early: expected a value");
  EXPECT_EQ(CreateError({{"bad", "country + 1", {}}}), "transform 'bad': at column 9: '+' needs numbers, got string 'country'");
}

TEST(TransformSetTest, NamesMustBeValidDistinctAndNotClash) {
  EXPECT_EQ(CreateError({{"a", "1", {}}, {"a", "2", {}}}), "transform 'a': defined twice");
  EXPECT_EQ(CreateError({{"country", "'x'", {}}}), "transform 'country': name clashes with a base input of the same name");
  EXPECT_THAT(CreateError({{"2x", "1", {}}}), HasSubstr("transform '2x': invalid name"));
  EXPECT_THAT(CreateError({{"not", "1", {}}}), HasSubstr("invalid name"));
  EXPECT_EQ(CreateError({{"", "1", {}}}), "transform 1 has no name");
  EXPECT_EQ(CreateError({}, {{"a", ValueType::kInt64}, {"a", ValueType::kInt64}}), "base input 'a' appears twice");
  EXPECT_EQ(CreateError({{"user.ratio", "1.0", {}}}), "");  // dotted names are fine
}

TEST(TransformSetTest, DeclaredTypesMustAgree) {
  EXPECT_EQ(CreateError({{"n", "txn_count_7d * 2", ValueType::kString}}),
            "transform 'n': declared string but the expression gives int64");
  EXPECT_EQ(CreateError({{"n", "amount_sum_7d", ValueType::kInt64}}),
            "transform 'n': declared int64 but the expression gives double");
  EXPECT_EQ(CreateError({{"n", "null", {}}}), "transform 'n': the expression is always null: declare its type");
  EXPECT_EQ(CreateError({{"n", "null", ValueType::kString}}), "");
  EXPECT_EQ(CreateError({{"n", "1", ValueType::kNull}}), "transform 'n': null is not a declarable type");
  EXPECT_EQ(CreateError({{"n", "txn_count_7d", ValueType::kDouble}}), "");
}

TEST(TransformSetTest, DeclaredTypeIsWhatReferencesSee) {
  // 'half' is int64 declared double, so 'h2' (half % 2) must fail: '%' needs int64.
  EXPECT_EQ(CreateError({{"half", "txn_count_7d", ValueType::kDouble}, {"h2", "half % 2", {}}}),
            "transform 'h2': at column 6: '%' needs int64 operands, got double 'half'");
  auto set = TransformSet::Create(kBase, {{"s", "null", ValueType::kString}, {"t", "coalesce(s, country)", {}}});
  ASSERT_TRUE(set.ok()) << set.status();
  std::vector<Value> row{Value(), Value(), Value::String("FR"), Value(), Value(), Value()};
  set->Evaluate(row);
  EXPECT_THAT(row[4], Is(Value()));
  EXPECT_THAT(row[5], Is(Value::String("FR")));
}

TEST(TransformSetTest, ShortSlotsAreLeftAlone) {
  auto set = TransformSet::Create(kBase, {{"a", "1", {}}});
  ASSERT_TRUE(set.ok());
  std::vector<Value> row(4);
  set->Evaluate(row);  // no room for the output: nothing written, no crash
  EXPECT_EQ(row.size(), 4u);
}

TEST(TransformSetTest, LongChainsNeedNoRecursion) {
  std::vector<TransformDef> defs;
  defs.push_back({"t0", "txn_count_7d", {}});
  for (int i = 1; i < 5000; ++i) defs.push_back({StrCat("t", i), StrCat("t", i - 1, " + 1"), {}});
  std::reverse(defs.begin(), defs.end());
  auto set = TransformSet::Create(kBase, defs);
  ASSERT_TRUE(set.ok()) << set.status();
  std::vector<Value> row(4 + defs.size());
  row[1] = Value::Int64(0);
  set->Evaluate(row);
  EXPECT_THAT(row[4], Is(Value::Int64(4999)));
  // ... and a long cycle is reported.
  defs.back().expr = "t4999 + 1";  // t0 now depends on t4999
  EXPECT_THAT(CreateError(defs), HasSubstr("cycle: t4999 -> t4998 -> "));
}

}  // namespace
}  // namespace plinth::features
