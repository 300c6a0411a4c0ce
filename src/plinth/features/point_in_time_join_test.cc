#include "plinth/features/point_in_time_join.h"

#include <random>
#include <sstream>

#include "plinth/base/time.h"
#include "plinth/features/column_values.h"
#include "plinth/features/definitions_validate.h"
#include "plinth/storage/columnar/text_io.h"
#include "plinth/storage/delta/table.h"
#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

using plinth::testing::StatusIs;
using plinth::testing::TempDir;

columnar::RecordBatch ParseCsv(const std::string& schema_text, const std::string& csv) {
  auto schema = columnar::Schema::Parse(schema_text);
  EXPECT_TRUE(schema.ok()) << schema.status();
  auto ptr = std::make_shared<const columnar::Schema>(*schema);
  std::istringstream in(csv);
  columnar::TextBatchReader reader(&in, columnar::TextFormat::kCsv, ptr, 1 << 20);
  columnar::RecordBatch batch(ptr);
  auto more = reader.Next(&batch);
  EXPECT_TRUE(more.ok()) << more.status();
  if (!more.ok() || !*more) batch = columnar::RecordBatch(ptr);
  return batch;
}

// A source table with one commit per CSV text.
struct Table {
  std::string root;
  std::unique_ptr<delta::DeltaTable> table;
  void Append(const std::string& schema, const std::string& csv) {
    columnar::RecordBatch batch = ParseCsv(schema, csv);
    bool done = false;
    auto written = table->Write([&](columnar::RecordBatch* out) -> absl::StatusOr<bool> {
      if (done) return false;
      *out = batch;
      done = true;
      return true;
    }, {});
    ASSERT_TRUE(written.ok()) << written.status();
  }
};

class PitJoinTest : public ::testing::Test {
 protected:
  Table MakeTable(const std::string& name, const std::string& schema) {
    Table t;
    t.root = dir_.Sub(name);
    auto created = delta::DeltaTable::Create({.root = t.root, .fsync = false}, *columnar::Schema::Parse(schema), {});
    EXPECT_TRUE(created.ok()) << created.status();
    t.table = std::move(*created);
    return t;
  }

  // A view over `table`; features "name:type" pairs.
  ViewPlan& AddView(const std::string& name, const Table& table, std::vector<JoinKey> keys,
                    std::vector<std::pair<std::string, ValueType>> features, int64_t ttl = 0, std::string created = "",
                    std::vector<RequestValueDef> request = {}, std::vector<TransformDef> transforms = {}) {
    auto v = std::make_unique<ViewPlan>();
    v->def.name = name;
    v->def.ttl_micros = ttl;
    for (auto& [f, t] : features) v->def.features.push_back({f, t});
    v->def.request = request;
    for (auto& t : transforms) v->def.transforms.push_back({t.name, t.expr, t.declared_type});
    v->version = 1;
    v->source.name = name;
    v->source.created_timestamp_column = created;
    v->table_path = table.root;
    v->join_keys = keys;
    if (!transforms.empty()) {
      auto set = TransformSet::Create(TransformInputs(v->def), transforms);
      EXPECT_TRUE(set.ok()) << set.status();
      v->transforms = std::move(*set);
    }
    views_.push_back(std::move(v));
    return *views_.back();
  }

  // A service over every output of the given views.
  ServicePlan Service(const std::vector<const ViewPlan*>& views) {
    ServicePlan s;
    s.def.name = "svc";
    s.views = views;
    for (size_t v = 0; v < views.size(); ++v) {
      for (size_t o = 0; o < views[v]->output_count(); ++o) {
        s.features.push_back({v, o, StrCat(views[v]->def.name, ":", views[v]->OutputName(o)), views[v]->OutputType(o)});
      }
    }
    return s;
  }

  absl::StatusOr<PitJoinResult> Join(const ServicePlan& service, const columnar::RecordBatch& labels, int64_t budget = 1 << 30) {
    snapshots_.clear();
    std::vector<PitViewSource> sources;
    for (const ViewPlan* v : service.views) {
      auto table = delta::DeltaTable::Open({.root = v->table_path});
      if (!table.ok()) return table.status();
      auto snap = (*table)->LatestSnapshot();
      if (!snap.ok()) return snap.status();
      sources.push_back({v->table_path, snap->get()});
      snapshots_.push_back(std::move(*snap));
    }
    PitJoinOptions options;
    options.memory_budget_bytes = budget;
    options.spill_dir = dir_.Sub("spill");
    return PointInTimeJoin(service, labels, sources, options);
  }

  // Column `c` of the result as text per row ("null" for nulls).
  static std::vector<std::string> Col(const PitJoinResult& r, size_t c, ValueType type) {
    std::vector<std::string> out;
    for (int64_t i = 0; i < r.columns[c].length(); ++i) out.push_back(ColumnValue(r.columns[c], i, type).ToString());
    return out;
  }

  TempDir dir_;
  std::vector<std::unique_ptr<ViewPlan>> views_;
  std::vector<std::unique_ptr<delta::Snapshot>> snapshots_;
};

const char kUserSchema[] = "user_id int64, event_timestamp timestamp, created timestamp, clicks int64";
const std::vector<JoinKey> kUser = {{"user_id", ValueType::kInt64}};

TEST_F(PitJoinTest, EqualTimestampsMatchAndNothingLaterLeaks) {
  Table t = MakeTable("users", kUserSchema);
  t.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n"
                        "1,2024-01-01T00:00:10Z,,10\n1,2024-01-01T00:00:20Z,,20\n2,2024-01-01T00:00:05Z,,5\n");
  const ViewPlan& v = AddView("u", t, kUser, {{"clicks", ValueType::kInt64}});
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp",
                         "user_id,event_timestamp\n1,2024-01-01T00:00:20Z\n1,2024-01-01T00:00:19.999999Z\n"
                         "1,2024-01-01T00:00:09Z\n2,2024-01-02T00:00:00Z\n3,2024-01-02T00:00:00Z\n");
  auto r = Join(Service({&v}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Col(*r, 0, ValueType::kInt64), (std::vector<std::string>{"20", "10", "null", "5", "null"}));
  EXPECT_EQ(r->fields[0].name, "clicks");
  EXPECT_EQ(r->views[0].labels_matched, 3);
}

TEST_F(PitJoinTest, CreatedTimeBreaksTiesNullCreatedLowestFullTieLastRow) {
  Table t = MakeTable("users", kUserSchema);
  t.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n"
                        "1,2024-01-01T00:00:10Z,2024-01-05T00:00:00Z,1\n"
                        "1,2024-01-01T00:00:10Z,2024-01-07T00:00:00Z,2\n"
                        "1,2024-01-01T00:00:10Z,,3\n"
                        "2,2024-01-01T00:00:10Z,,4\n2,2024-01-01T00:00:10Z,2024-01-01T00:00:00Z,5\n"
                        "3,2024-01-01T00:00:10Z,2024-01-01T00:00:00Z,6\n3,2024-01-01T00:00:10Z,2024-01-01T00:00:00Z,7\n"
                        "4,2024-01-01T00:00:10Z,,8\n4,2024-01-01T00:00:10Z,,9\n");
  const ViewPlan& v = AddView("u", t, kUser, {{"clicks", ValueType::kInt64}}, 0, "created");
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp",
                         "user_id,event_timestamp\n1,2024-01-02T00:00:00Z\n2,2024-01-02T00:00:00Z\n"
                         "3,2024-01-02T00:00:00Z\n4,2024-01-02T00:00:00Z\n");
  auto r = Join(Service({&v}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  // Greatest created wins; a null created loses to any; a full tie goes to the row read last.
  EXPECT_EQ(Col(*r, 0, ValueType::kInt64), (std::vector<std::string>{"2", "5", "7", "9"}));
}

TEST_F(PitJoinTest, TtlBoundaryIsInclusive) {
  Table t = MakeTable("users", kUserSchema);
  t.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n1,2024-01-01T00:00:00Z,,1\n2,2024-01-01T00:00:00Z,,2\n"
                        "2,2024-01-01T00:00:05Z,,3\n");
  const ViewPlan& v = AddView("u", t, kUser, {{"clicks", ValueType::kInt64}}, 10'000'000);
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp",
                         "user_id,event_timestamp\n1,2024-01-01T00:00:10Z\n1,2024-01-01T00:00:10.000001Z\n"
                         "2,2024-01-01T00:00:15Z\n2,2024-01-01T00:00:15.000001Z\n");
  auto r = Join(Service({&v}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  // Exactly ttl old is inside; an older row inside the TTL never stands in for an expired newer one.
  EXPECT_EQ(Col(*r, 0, ValueType::kInt64), (std::vector<std::string>{"1", "null", "3", "null"}));
}

TEST_F(PitJoinTest, NullKeysTimesAndValues) {
  const char schema[] = "user_id int64, event_timestamp timestamp, clicks int64";
  Table t = MakeTable("users", schema);
  t.Append(schema, "user_id,event_timestamp,clicks\n1,2024-01-01T00:00:01Z,1\n,2024-01-01T00:00:02Z,2\n"
                   "1,,3\n2,2024-01-01T00:00:01Z,\n");
  const ViewPlan& v = AddView("u", t, kUser, {{"clicks", ValueType::kInt64}});
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp",
                         "user_id,event_timestamp\n1,2024-01-02T00:00:00Z\n,2024-01-02T00:00:00Z\n1,\n"
                         "2,2024-01-02T00:00:00Z\n");
  auto r = Join(Service({&v}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Col(*r, 0, ValueType::kInt64), (std::vector<std::string>{"1", "null", "null", "null"}));
  EXPECT_EQ(r->views[0].labels_matched, 2);  // user 2 matched a row whose value is null
}

TEST_F(PitJoinTest, SeveralViewsCompositeKeysAndNameClashes) {
  Table u = MakeTable("users", kUserSchema);
  u.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n1,2024-01-01T00:00:00Z,,11\n2,2024-01-01T00:00:00Z,,22\n");
  const char mschema[] = "merchant_id int32, region string, event_timestamp date, clicks int64, risk float";
  Table m = MakeTable("merchants", mschema);
  m.Append(mschema, "merchant_id,region,event_timestamp,clicks,risk\n7,eu,2024-01-01,70,0.5\n7,us,2024-01-01,71,0.25\n"
                    "7,eu,2024-01-03,72,0.75\n");
  const ViewPlan& vu = AddView("users", u, kUser, {{"clicks", ValueType::kInt64}});
  const ViewPlan& vm = AddView("merchants", m, {{"merchant_id", ValueType::kInt64}, {"region", ValueType::kString}},
                               {{"clicks", ValueType::kInt64}, {"risk", ValueType::kDouble}});
  auto labels = ParseCsv("user_id int64, merchant_id int64, region string, event_timestamp timestamp, risk int64",
                         "user_id,merchant_id,region,event_timestamp,risk\n1,7,eu,2024-01-02T00:00:00Z,0\n"
                         "2,7,us,2024-01-04T00:00:00Z,1\n2,7,eu,2024-01-04T00:00:00Z,1\n1,8,eu,2024-01-04T00:00:00Z,0\n");
  auto r = Join(Service({&vu, &vm}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->fields[0].name, "users__clicks");
  EXPECT_EQ(r->fields[1].name, "merchants__clicks");
  EXPECT_EQ(r->fields[2].name, "merchants__risk");  // clashes with a label column
  EXPECT_EQ(Col(*r, 0, ValueType::kInt64), (std::vector<std::string>{"11", "22", "22", "11"}));
  EXPECT_EQ(Col(*r, 1, ValueType::kInt64), (std::vector<std::string>{"70", "71", "72", "null"}));
  EXPECT_EQ(Col(*r, 2, ValueType::kDouble), (std::vector<std::string>{"0.5", "0.25", "0.75", "null"}));
  // A label table without a join key column names it.
  auto missing = ParseCsv("user_id int64, event_timestamp timestamp", "user_id,event_timestamp\n1,2024-01-02T00:00:00Z\n");
  EXPECT_TRUE(StatusIs(Join(Service({&vu, &vm}), missing), absl::StatusCode::kInvalidArgument,
                       "labels have no column 'merchant_id' (join key of feature view 'merchants')"));
}

TEST_F(PitJoinTest, AnErrorInOneOfViewsRunningAtOnceIsReturned) {
  Table u = MakeTable("users", kUserSchema);
  u.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n1,2024-01-01T00:00:00Z,,11\n");
  Table v = MakeTable("visits", kUserSchema);
  v.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n1,2024-01-01T00:00:00Z,,12\n");
  const ViewPlan& good = AddView("users", u, kUser, {{"clicks", ValueType::kInt64}});
  const ViewPlan& bad = AddView("visits", v, kUser, {{"no_such_column", ValueType::kInt64}});
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp", "user_id,event_timestamp\n1,2024-01-02T00:00:00Z\n");
  for (int round = 0; round < 3; ++round) {  // either view may finish first
    auto r = Join(Service({&good, &bad}), labels);
    EXPECT_TRUE(StatusIs(r, absl::StatusCode::kFailedPrecondition, "feature view 'visits'")) << r.status();
    auto r2 = Join(Service({&bad, &good}), labels);
    EXPECT_TRUE(StatusIs(r2, absl::StatusCode::kFailedPrecondition, "no_such_column")) << r2.status();
  }
}

TEST_F(PitJoinTest, LateArrivingRowsAreUsed) {
  Table t = MakeTable("users", kUserSchema);
  t.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n1,2024-01-01T00:01:40Z,,100\n");
  t.Append(kUserSchema, "user_id,event_timestamp,created,clicks\n1,2024-01-01T00:00:50Z,,50\n");
  const ViewPlan& v = AddView("u", t, kUser, {{"clicks", ValueType::kInt64}});
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp",
                         "user_id,event_timestamp\n1,2024-01-01T00:01:00Z\n1,2024-01-01T00:03:20Z\n1,2024-01-01T00:00:40Z\n");
  auto r = Join(Service({&v}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Col(*r, 0, ValueType::kInt64), (std::vector<std::string>{"50", "100", "null"}));
  EXPECT_EQ(r->views[0].files, 2);
}

TEST_F(PitJoinTest, TransformsSeeRequestValuesAndNullFeatures) {
  const char schema[] = "user_id int64, event_timestamp timestamp, score double";
  Table t = MakeTable("users", schema);
  t.Append(schema, "user_id,event_timestamp,score\n1,2024-01-01T00:00:00Z,2.5\n");
  const ViewPlan& v = AddView("u", t, kUser, {{"score", ValueType::kDouble}}, 0, "", {{"amount", ValueType::kDouble}},
                              {{"scaled", "score * request.amount", ValueType::kDouble},
                               {"has_score", "score is not null", std::nullopt}});
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp, amount int64",
                         "user_id,event_timestamp,amount\n1,2024-01-02T00:00:00Z,4\n2,2024-01-02T00:00:00Z,4\n"
                         "1,2024-01-02T00:00:00Z,\n");
  auto r = Join(Service({&v}), labels);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->fields.size(), 3u);
  EXPECT_EQ(Col(*r, 1, ValueType::kDouble), (std::vector<std::string>{"10", "null", "null"}));
  EXPECT_EQ(Col(*r, 2, ValueType::kBool), (std::vector<std::string>{"true", "false", "true"}));
  auto no_amount = ParseCsv("user_id int64, event_timestamp timestamp", "user_id,event_timestamp\n1,2024-01-02T00:00:00Z\n");
  EXPECT_TRUE(StatusIs(Join(Service({&v}), no_amount), absl::StatusCode::kInvalidArgument,
                       "labels have no column 'amount' (request value of feature view 'u')"));
}

TEST_F(PitJoinTest, StreamingSortedAndSpilledMatchesAgree) {
  const char schema[] = "user_id int64, event_timestamp timestamp, created timestamp, clicks int64, tag string";
  Table t = MakeTable("users", schema);
  std::mt19937_64 rng(42);
  auto ts = [](int64_t sec) { return FormatTimestamp(int64_t{1'700'000'000'000'000} + sec * 1'000'000); };
  // Few distinct seconds: many equal event times, broken by created times (or null ones) and
  // by the position of the row (several files).
  for (int commit = 0; commit < 4; ++commit) {
    std::string csv = "user_id,event_timestamp,created,clicks,tag\n";
    for (int i = 0; i < 600; ++i) {
      const int64_t sec = static_cast<int64_t>(rng() % 800);
      const bool null_created = rng() % 3 == 0;
      csv += StrCat(rng() % 500, ",", ts(sec), ",", null_created ? "" : ts(sec + static_cast<int64_t>(rng() % 3)), ",",
                    rng() % 1000, ",t", rng() % 7, "\n");
    }
    t.Append(schema, csv);
  }
  std::string labels_csv = "user_id,event_timestamp\n";
  for (int i = 0; i < 4000; ++i) labels_csv += StrCat(rng() % 520, ",", ts(static_cast<int64_t>(rng() % 900)), "\n");
  auto labels = ParseCsv("user_id int64, event_timestamp timestamp", labels_csv);
  // With created times breaking ties, and without (ties go to the last row read).
  for (const std::string created : {"created", ""}) {
    SCOPED_TRACE(created);
    const ViewPlan& v = AddView("u", t, kUser, {{"clicks", ValueType::kInt64}, {"tag", ValueType::kString}}, 300'000'000,
                                created);
    // 4000 labels take more than 200,000 bytes of slots; 2400 rows take less in memory.
    auto streaming = Join(Service({&v}), labels);
    ASSERT_TRUE(streaming.ok()) << streaming.status();
    auto sorted = Join(Service({&v}), labels, 200'000);
    ASSERT_TRUE(sorted.ok()) << sorted.status();
    auto spilled = Join(Service({&v}), labels, 4096);
    ASSERT_TRUE(spilled.ok()) << spilled.status();
    EXPECT_TRUE(streaming->views[0].streaming);
    EXPECT_FALSE(sorted->views[0].streaming);
    EXPECT_EQ(sorted->views[0].partitions, 1);
    EXPECT_FALSE(spilled->views[0].streaming);
    EXPECT_GT(spilled->views[0].partitions, 1);
    EXPECT_GT(spilled->views[0].spilled_bytes, 0);
    EXPECT_GT(streaming->views[0].labels_matched, 1000);
    EXPECT_LT(streaming->views[0].labels_matched, 3800);  // some labels come before any row or after the TTL
    for (const auto* other : {&*sorted, &*spilled}) {
      EXPECT_EQ(Col(*streaming, 0, ValueType::kInt64), Col(*other, 0, ValueType::kInt64));
      EXPECT_EQ(Col(*streaming, 1, ValueType::kString), Col(*other, 1, ValueType::kString));
      EXPECT_EQ(streaming->views[0].labels_matched, other->views[0].labels_matched);
    }
  }
  // The spill directory is gone.
  for (const auto& e : std::filesystem::directory_iterator(dir_.Sub("spill"))) ADD_FAILURE() << "left behind: " << e.path();
}

}  // namespace
}  // namespace plinth::features
