#include <cmath>

#include "plinth/storage/columnar/data_type.h"
#include "plinth/storage/columnar/predicate.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/columnar/value.h"
#include "plinth/storage/columnar/value_format.h"
#include "plinth/testing/test_util.h"

namespace plinth::columnar {
namespace {

TEST(SchemaTest, ParsesAndPrints) {
  auto s = Schema::Parse("id int64 not null, name string, price decimal(10, 2), ts timestamp");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_FALSE(s->field(0).nullable);
  EXPECT_EQ(s->field(2).type, DataType::Decimal(10, 2));
  EXPECT_EQ(s->ToString(), "id int64 not null, name string, price decimal(10,2), ts timestamp");
  auto again = Schema::Parse(s->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *s);
}

TEST(SchemaTest, RejectsBadDefinitions) {
  EXPECT_FALSE(Schema::Parse("id").ok());
  EXPECT_FALSE(Schema::Parse("id int64, id string").ok());
  EXPECT_FALSE(Schema::Parse("id int65").ok());
  EXPECT_FALSE(Schema::Parse("x decimal(40,2)").ok());
  EXPECT_FALSE(Schema::Parse("bad-name int64").ok());
  auto st = Schema::Parse("a int64, b wat").status();
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("unknown type 'wat'"));
}

TEST(ValueFormatTest, Conventions) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatTimestampMicros(1704141296123456, true), "2024-01-01T20:34:56.123456Z");
  EXPECT_EQ(FormatTimestampMicros(-1, false), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatTimestampMicros(9089380393200000000, true), "+290000-12-30T23:00:00.000000Z");
  EXPECT_EQ(FormatDecimal(100, 2), "1.00");
  EXPECT_EQ(FormatDecimal(-99999, 2), "-999.99");
  EXPECT_EQ(FormatDecimal(4, 5), "0.00004");
  EXPECT_EQ(FormatDecimal(-4, 5), "-0.00004");

  Column f(DataType{TypeId::kFloat});
  f.Append<float>(1.1f);
  f.Append<float>(std::nanf(""));
  f.AppendNull();
  std::string out;
  AppendJsonValue(f, 0, &out);
  out += ",";
  AppendJsonValue(f, 1, &out);
  out += ",";
  AppendJsonValue(f, 2, &out);
  EXPECT_EQ(out, "1.1,\"NaN\",null");

  Column s(DataType{TypeId::kString});
  s.AppendBytes("a\"b\n");
  out.clear();
  AppendJsonValue(s, 0, &out);
  EXPECT_EQ(out, "\"a\\\"b\\n\"");
}

TEST(ValueTest, ParseAndCompare) {
  auto d = ParseValue(DataType::Decimal(5, 2), "-12.5");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(static_cast<int64_t>(d->dec), -1250);
  EXPECT_FALSE(ParseValue(DataType::Decimal(5, 2), "1.234").ok());
  EXPECT_FALSE(ParseValue(DataType::Decimal(5, 2), "12345").ok());
  EXPECT_FALSE(ParseValue(DataType{TypeId::kInt8}, "300").ok());
  EXPECT_FALSE(ParseValue(DataType::Decimal(5, 2), ".").ok());
  EXPECT_FALSE(ParseValue(DataType::Decimal(5, 2), "-").ok());
  // Leading zeros do not count against the 38 digits: 0.<37 zeros>1 and 0.<38 digits> fit decimal(38,38).
  auto tiny = ParseValue(DataType::Decimal(38, 38), "0.00000000000000000000000000000000000001");
  ASSERT_TRUE(tiny.ok()) << tiny.status();
  EXPECT_EQ(static_cast<int64_t>(tiny->dec), 1);
  auto full = ParseValue(DataType::Decimal(38, 38), "-0.99999999999999999999999999999999999999");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(FormatDecimal(full->dec, 38), "-0.99999999999999999999999999999999999999");
  auto padded = ParseValue(DataType::Decimal(3, 1), "0000000000000000000000000000000000000012.5");
  ASSERT_TRUE(padded.ok()) << padded.status();
  EXPECT_EQ(static_cast<int64_t>(padded->dec), 125);
  EXPECT_FALSE(ParseValue(DataType::Decimal(38, 0), "123456789012345678901234567890123456789").ok());
  // Scaling up must not wrap: 38 integer digits at scale 10 are 48 digits, past any precision
  // (this used to overflow the 128-bit value and could come back as a wrong number).
  for (const char* big : {"99999999999999999999999999999999999999", "17014118346046923173168730371588410572",
                           "34028236692093846346337460743176821146"}) {
    auto wide = ParseValue(DataType::Decimal(38, 10), big);
    EXPECT_FALSE(wide.ok()) << big << " parsed as " << FormatDecimal(wide->dec, 10);
  }
  // The largest values that fit still parse, at every scale.
  auto max38 = ParseValue(DataType::Decimal(38, 10), "9999999999999999999999999999.9999999999");
  ASSERT_TRUE(max38.ok()) << max38.status();
  EXPECT_EQ(FormatDecimal(max38->dec, 10), "9999999999999999999999999999.9999999999");
  auto int38 = ParseValue(DataType::Decimal(38, 0), "-99999999999999999999999999999999999999");
  ASSERT_TRUE(int38.ok()) << int38.status();
  EXPECT_EQ(FormatDecimal(int38->dec, 0), "-99999999999999999999999999999999999999");
  EXPECT_FALSE(ParseValue(DataType::Decimal(38, 0), "1999999999999999999999999999999999999999999999999999999999.0000000001").ok());
  auto ts = ParseValue(DataType{TypeId::kTimestamp}, "2024-01-01T00:00:00Z");
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(ts->i, 1704067200000000);
  auto date = ParseValue(DataType{TypeId::kDate}, "1969-12-31");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(date->i, -1);
  auto c = Compare(Value::Int(DataType{TypeId::kInt32}, 3), Value::Double(DataType{TypeId::kDouble}, 2.5));
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, std::partial_ordering::greater);
  EXPECT_FALSE(Compare(Value::Int(DataType{TypeId::kInt32}, 3), Value::Bytes(DataType{TypeId::kString}, "x")));
}

RecordBatch SampleBatch() {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("id int64, name string, score double, day date"));
  RecordBatch b(schema);
  const char* names[] = {"a", "b", "c", "d"};
  for (int i = 0; i < 4; ++i) {
    b.columns[0].Append<int64_t>(i);
    if (i == 2) b.columns[1].AppendNull();
    else b.columns[1].AppendBytes(names[i]);
    b.columns[2].Append<double>(i * 1.5);
    b.columns[3].Append<int32_t>(19000 + i);
  }
  b.num_rows = 4;
  return b;
}

std::vector<uint8_t> Eval(const std::string& text, const RecordBatch& b) {
  auto p = Predicate::Parse(text, *b.schema);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  if (!p.ok()) return {};
  auto r = p->Evaluate(b);
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(PredicateTest, EvaluatesWithSqlNullSemantics) {
  RecordBatch b = SampleBatch();
  using V = std::vector<uint8_t>;
  EXPECT_EQ(Eval("id >= 2", b), (V{0, 0, 1, 1}));
  EXPECT_EQ(Eval("2 < id", b), (V{0, 0, 0, 1}));
  EXPECT_EQ(Eval("name = 'b' OR id = 0", b), (V{1, 1, 0, 0}));
  EXPECT_EQ(Eval("name != 'b'", b), (V{1, 0, 0, 1}));  // null row is unknown, not selected
  EXPECT_EQ(Eval("NOT (name = 'b')", b), (V{1, 0, 0, 1}));
  EXPECT_EQ(Eval("name IS NULL", b), (V{0, 0, 1, 0}));
  EXPECT_EQ(Eval("name is not null and score > 1", b), (V{0, 1, 0, 1}));
  EXPECT_EQ(Eval("id IN (1, 3, 5)", b), (V{0, 1, 0, 1}));
  EXPECT_EQ(Eval("id NOT IN (1, 3)", b), (V{1, 0, 1, 0}));
  EXPECT_EQ(Eval("score BETWEEN 1.5 AND 3", b), (V{0, 1, 1, 0}));
  EXPECT_EQ(Eval("id > 1.5", b), (V{0, 0, 1, 1}));
  EXPECT_EQ(Eval("day >= '2022-01-10'", b), (V{0, 0, 1, 1}));  // 19000 = 2022-01-08
  EXPECT_EQ(Eval("\"id\" = 3", b), (V{0, 0, 0, 1}));
}

TEST(PredicateTest, UuidLiteralsInCanonicalForm) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("u uuid"));
  RecordBatch b(schema);
  b.columns[0].AppendBytes(std::string(16, '\0'));
  b.columns[0].AppendBytes(std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16));
  b.columns[0].AppendBytes(std::string(16, '\xff'));
  b.num_rows = 3;
  using V = std::vector<uint8_t>;
  EXPECT_EQ(Eval("u = '12345678-9abc-def0-0123-456789abcdef'", b), (V{0, 1, 0}));
  EXPECT_EQ(Eval("u = '123456789ABCDEF00123456789ABCDEF'", b), (V{0, 1, 0}));
  EXPECT_EQ(Eval("u < '80000000-0000-0000-0000-000000000000'", b), (V{1, 1, 0}));
  EXPECT_EQ(Eval("u IN ('ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-0000-0000-000000000000')", b),
            (V{1, 0, 1}));
  EXPECT_FALSE(Predicate::Parse("u = 'not-a-uuid'", *schema).ok());
  EXPECT_FALSE(Predicate::Parse("u = '12345678-9abc-def0-0123-456789abcde'", *schema).ok());
}

TEST(PredicateTest, NaNEqualsNaNAndSortsAboveNumbers) {
  auto schema = std::make_shared<const Schema>(*Schema::Parse("x double"));
  RecordBatch b(schema);
  for (double v : {1.0, std::nan(""), 5.0}) b.columns[0].Append<double>(v);
  b.num_rows = 3;
  using V = std::vector<uint8_t>;
  EXPECT_EQ(Eval("x > 2", b), (V{0, 1, 1}));
  EXPECT_EQ(Eval("x = 'NaN'", b), (V{0, 1, 0}));
  EXPECT_EQ(Eval("x < 'NaN'", b), (V{1, 0, 1}));
  EXPECT_EQ(Eval("x != 1", b), (V{0, 1, 1}));
  // Statistics leave NaN out of the max: a row group with max 5 may still hold NaN > 10.
  auto p = Predicate::Parse("x > 10", *schema);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->MayMatch([](const std::string&) -> std::optional<ColumnRangeStats> {
    ColumnRangeStats s;
    s.min = Value::Double(DataType{TypeId::kDouble}, 1);
    s.max = Value::Double(DataType{TypeId::kDouble}, 5);
    return s;
  }));
  EXPECT_FALSE(Predicate::Parse("x < 0", *schema)->MayMatch([](const std::string&) -> std::optional<ColumnRangeStats> {
    ColumnRangeStats s;
    s.min = Value::Double(DataType{TypeId::kDouble}, 1);
    s.max = Value::Double(DataType{TypeId::kDouble}, 5);
    return s;
  }));
}

TEST(PredicateTest, ReportsErrors) {
  RecordBatch b = SampleBatch();
  auto unknown = Predicate::Parse("nope = 1", *b.schema).status();
  EXPECT_THAT(std::string(unknown.message()), ::testing::HasSubstr("unknown column 'nope'"));
  EXPECT_FALSE(Predicate::Parse("id = 'abc'", *b.schema).ok());
  EXPECT_FALSE(Predicate::Parse("id = ", *b.schema).ok());
  EXPECT_FALSE(Predicate::Parse("(id = 1", *b.schema).ok());
  EXPECT_FALSE(Predicate::Parse("name > 3", *b.schema).ok());
  EXPECT_FALSE(Predicate::Parse("", *b.schema).ok());
  EXPECT_FALSE(Predicate::Parse("'unterminated", *b.schema).ok());
}

TEST(PredicateTest, SkipsByStatistics) {
  RecordBatch b = SampleBatch();
  auto p = Predicate::Parse("id > 10 OR name = 'zz'", *b.schema);
  ASSERT_TRUE(p.ok());
  auto stats = [](const std::string& col) -> std::optional<ColumnRangeStats> {
    ColumnRangeStats s;
    if (col == "id") {
      s.min = Value::Int(DataType{TypeId::kInt64}, 0);
      s.max = Value::Int(DataType{TypeId::kInt64}, 10);
    } else if (col == "name") {
      s.min = Value::Bytes(DataType{TypeId::kString}, "a");
      s.max = Value::Bytes(DataType{TypeId::kString}, "d");
    } else {
      return std::nullopt;
    }
    return s;
  };
  EXPECT_FALSE(p->MayMatch(stats));
  EXPECT_TRUE(Predicate::Parse("id >= 10", *b.schema)->MayMatch(stats));
  EXPECT_TRUE(Predicate::Parse("score > 100", *b.schema)->MayMatch(stats));  // no stats: may match
  EXPECT_FALSE(Predicate::Parse("id IN (-1, 11)", *b.schema)->MayMatch(stats));
  EXPECT_EQ(Predicate::Parse("id > 1 and name = 'x'", *b.schema)->Columns(), (std::vector<std::string>{"id", "name"}));
}

TEST(PredicateTest, DeepOrLongFiltersDoNotOverflowTheStack) {
  RecordBatch b = SampleBatch();
  // Found by delta_log_fuzz: 50000 parentheses or NOTs, or 100000 ANDs, recursed once each.
  EXPECT_FALSE(Predicate::Parse(std::string(50000, '(') + "id = 1" + std::string(50000, ')'), *b.schema).ok());
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "NOT ";
  EXPECT_FALSE(Predicate::Parse(nots + "id = 1", *b.schema).ok());
  EXPECT_TRUE(Predicate::Parse(std::string(128, '(') + "id = 1" + std::string(128, ')'), *b.schema).ok());
  std::string chain = "id = 3";
  for (int i = 0; i < 100000; ++i) chain += i % 2 ? " AND id >= 0" : " OR id = 7";
  auto p = Predicate::Parse(chain, *b.schema);
  ASSERT_TRUE(p.ok()) << p.status();
  // id = 3 OR (id = 7 AND id >= 0) OR ...: AND binds tighter than OR.
  EXPECT_EQ(Eval(chain, b), (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_TRUE(p->MayMatch([](const std::string&) { return std::nullopt; }));
}

TEST(PredicateTest, FloatLiteralsMatchStatisticsOfTheValuesTheyMatch) {
  // Found by delta_log_fuzz: "f = 0.1" selected the float 0.1f but MayMatch, comparing it with
  // min = max = 0.1f in double precision, ruled the row group out.
  auto schema = std::make_shared<const Schema>(*Schema::Parse("f float, h float16"));
  RecordBatch b(schema);
  b.columns[0].Append<float>(0.1f);
  b.columns[1].Append<float>(0.099975586f);  // the float16 nearest 0.1
  b.num_rows = 1;
  auto stats = [&](const std::string& col) -> std::optional<ColumnRangeStats> {
    ColumnRangeStats s;
    s.min = s.max = ValueAt(b.columns[col == "f" ? 0 : 1], 0);
    return s;
  };
  for (const char* text : {"f = 0.1", "f = '0.1'", "f <= 0.1", "f IN (0.1, 2)", "f BETWEEN 0.1 AND 0.1"}) {
    EXPECT_EQ(Eval(text, b), (std::vector<uint8_t>{1})) << text;
    EXPECT_TRUE(Predicate::Parse(text, *schema)->MayMatch(stats)) << text;
  }
  EXPECT_TRUE(Predicate::Parse("h >= 0.099975586", *schema)->MayMatch(stats));
  EXPECT_FALSE(Predicate::Parse("f < 0.1", *schema)->MayMatch(stats));
  EXPECT_FALSE(Predicate::Parse("f = 0.2", *schema)->MayMatch(stats));
}

TEST(ColumnTest, FilterAndAppend) {
  RecordBatch b = SampleBatch();
  RecordBatch f = b.Filter({1, 0, 1, 0});
  EXPECT_EQ(f.num_rows, 2);
  EXPECT_TRUE(f.columns[1].IsNull(1));
  EXPECT_EQ(f.columns[1].GetBytes(0), "a");
  Column c(DataType{TypeId::kString});
  c.AppendFrom(b.columns[1], 1, 3);
  EXPECT_EQ(c.length(), 3);
  EXPECT_EQ(c.GetBytes(0), "b");
  EXPECT_TRUE(c.IsNull(1));
  EXPECT_EQ(c.GetBytes(2), "d");
}

}  // namespace
}  // namespace plinth::columnar
