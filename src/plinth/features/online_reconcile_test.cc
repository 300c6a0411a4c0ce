#include "plinth/features/online_reconcile.h"

#include <map>
#include <sstream>

#include "plinth/base/time.h"
#include "plinth/features/online_record.h"
#include "plinth/storage/columnar/text_io.h"
#include "plinth/storage/kv/online_store_uri.h"
#include "plinth/testing/observed_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

using plinth::testing::TempDir;

constexpr char kSchema[] = "user_id int64, event_timestamp timestamp, n int64";

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.Sub("users");
    table_ = *delta::DeltaTable::Create({.root = root_, .fsync = false}, *columnar::Schema::Parse(kSchema), {});
    auto observed = std::make_unique<plinth::testing::ObservedStore>(*kv::OpenOnlineStore("memory://"));
    observed_ = observed.get();
    store_ = std::move(observed);
    writer_ = std::make_unique<OnlineWriter>(store_.get());
    view_.def.name = "users";
    view_.def.features.push_back({"n", ValueType::kInt64});
    view_.version = 1;
    view_.table_path = root_;
    view_.join_keys = {{"user_id", ValueType::kInt64}};
    view_.key_prefix = ViewKeyPrefix("users");
    view_.layout = LayoutId(view_.def);
  }

  // Appends rows "user,second,n" (event time 2026-01-01T00:00:<second>Z) as one file.
  void Append(const std::vector<std::tuple<int64_t, int, int64_t>>& rows) {
    std::string csv = "user_id,event_timestamp,n\n";
    for (const auto& [u, s, n] : rows) csv += StrCat(u, ",2026-01-01T00:", s / 60 < 10 ? "0" : "", s / 60, ":", s % 60 < 10 ? "0" : "", s % 60, "Z,", n, "\n");
    auto schema = std::make_shared<const columnar::Schema>(*columnar::Schema::Parse(kSchema));
    std::istringstream in(csv);
    columnar::TextBatchReader reader(&in, columnar::TextFormat::kCsv, schema, 1 << 20);
    columnar::RecordBatch batch(schema);
    ASSERT_TRUE(*reader.Next(&batch));
    bool done = false;
    PLINTH_ASSERT_OK(table_->Write([&](columnar::RecordBatch* out) -> absl::StatusOr<bool> {
      if (done) return false;
      *out = batch;
      done = true;
      return true;
    }, {}).status());
  }

  // Users 0..users-1, each with n = user at second 1 and n = 100 + user at second 2.
  void AppendTwoRowsPerUser(int64_t users) {
    std::vector<std::tuple<int64_t, int, int64_t>> rows;
    for (int64_t u = 0; u < users; ++u) {
      rows.emplace_back(u, 1, u);
      rows.emplace_back(u, 2, 100 + u);
    }
    Append(rows);
  }

  // The newest n per user in the table (distinct times per user in these tests).
  std::map<int64_t, int64_t> Newest() {
    auto snap = *table_->LatestSnapshot();
    auto scan = *delta::TableScan::Create(root_, *snap, {});
    std::map<int64_t, std::pair<int64_t, int64_t>> best;
    columnar::RecordBatch batch;
    while (*scan->Next(&batch)) {
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        const int64_t u = batch.columns[0].Get<int64_t>(r), t = batch.columns[1].Get<int64_t>(r);
        auto it = best.find(u);
        if (it == best.end() || t > it->second.first) best[u] = {t, batch.columns[2].Get<int64_t>(r)};
      }
    }
    std::map<int64_t, int64_t> out;
    for (const auto& [u, tn] : best) out[u] = tn.second;
    return out;
  }

  // What the online store holds: user -> n.
  std::map<int64_t, int64_t> Online() {
    std::map<int64_t, int64_t> out;
    std::vector<std::pair<std::string, std::string>> entries;
    PLINTH_EXPECT_OK(store_->ScanPrefix(view_.key_prefix, [&](std::string_view k, std::string_view v) {
      entries.emplace_back(k, v);
      return true;
    }));
    for (const auto& [k, v] : entries) {
      std::vector<Value> values;
      EXPECT_TRUE(DecodeRecord(v, &values).ok());
      // The int64 key: 8 big-endian bytes with the sign bit flipped.
      uint64_t bits = 0;
      for (size_t i = view_.key_prefix.size(); i < k.size(); ++i) bits = (bits << 8) | static_cast<uint8_t>(k[i]);
      out[static_cast<int64_t>(bits ^ (uint64_t{1} << 63))] = values[0].int64_value();
    }
    return out;
  }

  // The files the latest commit removed, as they were added.
  std::vector<delta::AddFile> RemovedBy(const delta::Snapshot& before) {
    auto after = *table_->LatestSnapshot();
    std::set<std::string> kept;
    for (const auto& f : after->files()) kept.insert(f.path);
    std::vector<delta::AddFile> out;
    for (const auto& f : before.files()) {
      if (!kept.count(f.path)) out.push_back(f);
    }
    return out;
  }

  TempDir dir_;
  std::string root_;
  std::unique_ptr<delta::DeltaTable> table_;
  std::unique_ptr<kv::OnlineStore> store_;
  plinth::testing::ObservedStore* observed_ = nullptr;
  std::unique_ptr<OnlineWriter> writer_;
  ViewPlan view_;
};

TEST_F(ReconcileTest, RebuildSplitsEntitiesIntoPassesAndDeletesWhatHasNoRows) {
  std::vector<std::tuple<int64_t, int, int64_t>> rows;
  for (int64_t u = 0; u < 300; ++u) rows.emplace_back(u, static_cast<int>(u % 50), u);
  Append(rows);
  rows.clear();
  for (int64_t u = 0; u < 300; u += 3) rows.emplace_back(u, 100, 1000 + u);
  Append(rows);
  // A record of an entity without rows in the table.
  kv::WriteBatch stale;
  std::string key;
  AppendInt64EntityKey(5000, &key);
  std::string record;
  EncodeRecord({view_.layout, 1, kNoTimestamp}, std::vector<Value>{Value::Int64(1)}, &record);
  stale.Put(StrCat(view_.key_prefix, key), record);
  PLINTH_ASSERT_OK(store_->Write(stale));

  auto snap = *table_->LatestSnapshot();
  PLINTH_ASSERT_OK_AND_ASSIGN(ReconcileResult r,
                              ReconcileOnline(view_, *table_, *snap, nullptr, *writer_, {.max_pass_entities = 64}));
  EXPECT_GE(r.passes, 4);  // 300 entities, at most 64 a pass: split 16 ways
  EXPECT_GE(r.restarts, 1);
  EXPECT_EQ(r.rows_deleted, 1);
  EXPECT_EQ(Online(), Newest());
  EXPECT_EQ(Online().size(), 300u);
  // Again: nothing differs.
  PLINTH_ASSERT_OK_AND_ASSIGN(r, ReconcileOnline(view_, *table_, *snap, nullptr, *writer_, {.max_pass_entities = 64}));
  EXPECT_EQ(r.rows_written + r.rows_deleted, 0);
}

TEST_F(ReconcileTest, DeletedRowsFallBackToOlderOnesAndPushesDuringThePassAreKept) {
  AppendTwoRowsPerUser(20);
  auto before = *table_->LatestSnapshot();
  PLINTH_ASSERT_OK(ReconcileOnline(view_, *table_, *before, nullptr, *writer_).status());
  PLINTH_ASSERT_OK(table_->Delete("n >= 100 OR user_id = 7").status());
  std::vector<delta::AddFile> removed = RemovedBy(*before);
  ASSERT_EQ(removed.size(), 1u);
  auto snap = *table_->LatestSnapshot();
  // Between the snapshot and the lock: a push for user 3 (online already, as a push writes
  // after its commit), then, on the second attempt, nothing.
  int calls = 0;
  ReconcileOptions options;
  options.before_lock = [&] {
    if (calls++ > 0) return;
    Append({{3, 30, 3000}});
    std::vector<PendingRow> pending(1);
    std::vector<Value> values{Value::Int64(3000)};
    AppendInt64EntityKey(3, &pending[0].key);
    pending[0].key = StrCat(view_.key_prefix, pending[0].key);
    pending[0].event_micros = *ParseTimestamp("2026-01-01T00:00:30Z");
    pending[0].created_micros = kNoTimestamp;
    EncodeRecord({view_.layout, pending[0].event_micros, kNoTimestamp}, values, &pending[0].record);
    ASSERT_TRUE(writer_->WriteLatest(pending, kv::Durability::kLogged).ok());
  };
  PLINTH_ASSERT_OK_AND_ASSIGN(ReconcileResult r, ReconcileOnline(view_, *table_, *snap, &removed, *writer_, options));
  EXPECT_EQ(r.rows_deleted, 1);  // user 7
  EXPECT_EQ(r.entities, 20);
  const auto online = Online();
  EXPECT_EQ(online, Newest());
  EXPECT_EQ(online.at(3), 3000);
  EXPECT_EQ(online.at(4), 4);
  EXPECT_FALSE(online.count(7));
}

TEST_F(ReconcileTest, ADeleteDuringThePassStartsItOver) {
  AppendTwoRowsPerUser(10);
  auto snap = *table_->LatestSnapshot();
  PLINTH_ASSERT_OK(ReconcileOnline(view_, *table_, *snap, nullptr, *writer_).status());
  int calls = 0;
  ReconcileOptions options;
  options.before_lock = [&] {
    if (calls++ == 0) ASSERT_TRUE(table_->Delete("n >= 105").ok());
  };
  PLINTH_ASSERT_OK_AND_ASSIGN(ReconcileResult r, ReconcileOnline(view_, *table_, *snap, nullptr, *writer_, options));
  EXPECT_EQ(r.restarts, 1);
  EXPECT_EQ(r.passes, 1);
  EXPECT_EQ(Online(), Newest());
  EXPECT_EQ(Online().at(6), 6);
}

// A compaction (remove with dataChange=false) during the pass rewrites rows without changing
// them: the pass catches up instead of starting over.
TEST_F(ReconcileTest, ACompactionDuringThePassDoesNotStartItOver) {
  AppendTwoRowsPerUser(10);
  Append({{3, 30, 3000}});
  auto snap = *table_->LatestSnapshot();
  ASSERT_EQ(snap->files().size(), 2u);
  int calls = 0;
  ReconcileOptions options;
  options.before_lock = [&] {
    if (calls++ > 0) return;
    auto r = table_->Optimize({});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->files_removed, 2);
  };
  PLINTH_ASSERT_OK_AND_ASSIGN(ReconcileResult r, ReconcileOnline(view_, *table_, *snap, nullptr, *writer_, options));
  EXPECT_EQ(r.restarts, 0);
  EXPECT_EQ(r.passes, 1);
  EXPECT_EQ(Online(), Newest());
  EXPECT_EQ(Online().at(3), 3000);
}

// A rebuild into an empty store writes every entity, newer-wins, one slice at a time: no write
// is larger than a slice, so a push waits for one slice, not for the whole pass. A record whose
// newer row was deleted goes back to the older row (the newer-wins writes cannot do that).
TEST_F(ReconcileTest, ARebuildWritesSliceBySliceAndRevertsDeletedRows) {
  const int64_t users = 5 * static_cast<int64_t>(OnlineWriter::kSliceKeys);
  AppendTwoRowsPerUser(users);
  size_t largest = 0;
  int64_t written = 0;
  observed_->on_write = [&](const kv::WriteBatch& b) {
    largest = std::max(largest, b.size());
    written += static_cast<int64_t>(b.size());
  };
  auto snap = *table_->LatestSnapshot();
  PLINTH_ASSERT_OK_AND_ASSIGN(ReconcileResult r, ReconcileOnline(view_, *table_, *snap, nullptr, *writer_));
  EXPECT_EQ(r.rows_written, users);
  EXPECT_EQ(written, users);
  EXPECT_LE(largest, OnlineWriter::kSliceKeys);
  EXPECT_EQ(Online(), Newest());
  // Delete the newer rows of ten users: their records go back to the older rows, in one write.
  PLINTH_ASSERT_OK(table_->Delete("n >= 100 AND user_id < 10").status());
  largest = 0;
  written = 0;
  snap = *table_->LatestSnapshot();
  PLINTH_ASSERT_OK_AND_ASSIGN(r, ReconcileOnline(view_, *table_, *snap, nullptr, *writer_));
  EXPECT_EQ(r.rows_written, 10);
  EXPECT_EQ(written, 10);
  EXPECT_EQ(Online(), Newest());
  EXPECT_EQ(Online().at(4), 4);
}

}  // namespace
}  // namespace plinth::features
