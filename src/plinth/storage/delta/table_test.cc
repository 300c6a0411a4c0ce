#include "plinth/storage/delta/table.h"
#include "plinth/storage/delta/data_file_writer.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "plinth/storage/columnar/value_format.h"
#include "plinth/testing/test_util.h"

namespace plinth::delta {
namespace {

using columnar::RecordBatch;
using columnar::Schema;

class TableTest : public ::testing::Test {
 protected:
  TableOptions Options() {
    TableOptions o;
    o.root = dir_.Sub("t");
    o.fsync = false;
    return o;
  }
  static std::shared_ptr<const Schema> EventSchema() {
    return std::make_shared<const Schema>(*Schema::Parse("id int64 not null, name string, score double, day date"));
  }
  // Rows [from, to): day cycles over 3 days, name null every 5th row.
  static RecordBatch Rows(int64_t from, int64_t to, const std::shared_ptr<const Schema>& schema = EventSchema()) {
    RecordBatch b(schema);
    for (int64_t i = from; i < to; ++i) {
      b.columns[0].Append<int64_t>(i);
      if (i % 5 == 0) b.columns[1].AppendNull();
      else b.columns[1].AppendBytes(StrCat("n", i));
      b.columns[2].Append<double>(i * 0.5);
      b.columns[3].Append<int32_t>(19700 + static_cast<int32_t>(i % 3));
      for (size_t c = 4; c < schema->size(); ++c) b.columns[c].AppendNull();
    }
    b.num_rows = to - from;
    return b;
  }
  static BatchSource Source(std::vector<RecordBatch> batches) {
    auto shared = std::make_shared<std::vector<RecordBatch>>(std::move(batches));
    auto next = std::make_shared<size_t>(0);
    return [shared, next](RecordBatch* out) -> absl::StatusOr<bool> {
      if (*next >= shared->size()) return false;
      *out = (*shared)[(*next)++];
      return true;
    };
  }
  static std::vector<std::string> Ids(DeltaTable& t, const Snapshot& s, const std::string& where = "") {
    ScanSpec spec;
    spec.where = where;
    spec.columns = {"id"};
    auto scan = t.Scan(s, spec);
    EXPECT_TRUE(scan.ok()) << scan.status();
    auto all = ReadAll(**scan);
    EXPECT_TRUE(all.ok()) << all.status();
    std::vector<std::string> out;
    for (int64_t r = 0; r < all->num_rows; ++r) {
      std::string v;
      columnar::AppendTextValue(all->columns[0], r, &v);
      out.push_back(v);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  ::plinth::testing::TempDir dir_;
};

TEST_F(TableTest, AppendScanAndPrune) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {"day"});
  ASSERT_TRUE(t.ok()) << t.status();
  auto w = (*t)->Write(Source({Rows(0, 30), Rows(30, 60)}), {});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->version, 1);
  EXPECT_EQ(w->rows, 60);
  EXPECT_EQ(w->files, 3);  // one per day
  auto snap = (*t)->LatestSnapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(Ids(**t, **snap).size(), 60u);
  // Partition pruning and stats pruning.
  ScanSpec spec;
  spec.where = "day = '2023-12-09' AND id >= 10";  // 19700 = 2023-12-09
  auto scan = (*t)->Scan(**snap, spec);
  ASSERT_TRUE(scan.ok()) << scan.status();
  auto rows = ReadAll(**scan);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->num_rows, 16);  // ids 12, 15, ..., 57
  EXPECT_EQ((*scan)->stats().files_skipped, 2);
  EXPECT_EQ(Ids(**t, **snap, "name IS NULL").size(), 12u);
  EXPECT_EQ(Ids(**t, **snap, "id > 1000").size(), 0u);
}

// defer_sync: Finish returns before the files are durable; the gate waits for their sync (and
// answers the same each time). Without deferral, or without fsync, there is nothing to wait for.
TEST_F(TableTest, DeferredSyncGateWaitsForTheDataFiles) {
  for (const bool defer : {false, true}) {
    for (const bool fsync : {false, true}) {
      ::plinth::testing::TempDir dir;
      DataFileWriter::Options o;
      o.root = dir.Sub("t");
      o.schema = EventSchema();
      o.partition_columns = {"day"};
      o.fsync = fsync;
      o.defer_sync = defer;
      DataFileWriter writer(o);
      PLINTH_ASSERT_OK(writer.Write(Rows(0, 30)));
      PLINTH_ASSERT_OK_AND_ASSIGN(auto adds, writer.Finish());
      EXPECT_EQ(adds.size(), 3u);  // one per day, each in its partition directory
      PublishGate gate = writer.DurableGate();
      EXPECT_EQ(static_cast<bool>(gate), defer && fsync);
      if (gate) {
        PLINTH_EXPECT_OK(gate());
        PLINTH_EXPECT_OK(gate());
      }
      for (const AddFile& a : adds) EXPECT_TRUE(std::filesystem::exists(StrCat(o.root, "/", *a.DecodedPath())));
    }
  }
}

// A scan decodes into the buffers of the batch it handed out last (TableScan::Recycle):
// whatever the caller did with that batch, each batch must hold exactly the next rows.
TEST_F(TableTest, ScanReusingItsBatchesReturnsEveryRowWhateverTheCallerDidWithThem) {
  for (const bool partitioned : {false, true}) {
    SCOPED_TRACE(partitioned ? "partitioned" : "flat");
    ::plinth::testing::TempDir dir;
    TableOptions o = Options();
    o.root = dir.Sub("t");
    o.writer.row_group_rows = 900;
    auto t = DeltaTable::Create(o, *EventSchema(), partitioned ? std::vector<std::string>{"day"} : std::vector<std::string>{});
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_TRUE((*t)->Write(Source({Rows(0, 2500)}), {}).ok());
    ASSERT_TRUE((*t)->Write(Source({Rows(2500, 4000)}), {}).ok());
    auto snap = (*t)->LatestSnapshot();
    ASSERT_TRUE(snap.ok());
    for (const std::string where : {"", "score >= 100"}) {
      SCOPED_TRACE(where);
      ScanSpec spec;
      spec.where = where;
      spec.columns = {"id", "name", "score", "day"};
      spec.batch_rows = 700;
      auto scan = (*t)->Scan(**snap, spec);
      ASSERT_TRUE(scan.ok()) << scan.status();
      RecordBatch batch;
      std::vector<int64_t> seen;
      for (int call = 0;; ++call) {
        auto more = (*scan)->Next(&batch);
        ASSERT_TRUE(more.ok()) << more.status();
        if (!*more) break;
        ASSERT_EQ(batch.columns.size(), 4u);
        for (int64_t r = 0; r < batch.num_rows; ++r) {
          const int64_t id = batch.columns[0].Get<int64_t>(r);
          seen.push_back(id);
          ASSERT_EQ(batch.columns[1].IsNull(r), id % 5 == 0) << id;
          if (id % 5 != 0) ASSERT_EQ(batch.columns[1].GetBytes(r), StrCat("n", id));
          ASSERT_EQ(batch.columns[2].Get<double>(r), id * 0.5);
          ASSERT_EQ(batch.columns[3].Get<int32_t>(r), 19700 + id % 3);
        }
        // What a caller may do with a batch before asking for the next one.
        if (call % 4 == 1) {
          columnar::Column taken = std::move(batch.columns[2]);  // keeps a column
          ASSERT_GT(taken.length(), 0);
        } else if (call % 4 == 2) {
          batch.columns[0].Append<int64_t>(-1);  // scribbles on one
          batch.columns[1].AppendBytes("junk");
        } else if (call % 4 == 3) {
          batch.columns.pop_back();
        }
      }
      std::sort(seen.begin(), seen.end());
      std::vector<int64_t> want;
      for (int64_t i = 0; i < 4000; ++i) {
        if (where.empty() || i * 0.5 >= 100) want.push_back(i);
      }
      EXPECT_EQ(seen, want);
    }
  }
}

TEST_F(TableTest, DeleteOverwriteAndTimeTravel) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->Write(Source({Rows(0, 100)}), {}).ok());
  auto d = (*t)->Delete("id < 10 OR name = 'n56'");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->rows_deleted, 11);
  EXPECT_EQ(d->files_removed, 1);
  EXPECT_EQ(d->files_added, 1);
  auto none = (*t)->Delete("id = 12345");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->version, -1);
  auto latest = (*t)->LatestSnapshot();
  EXPECT_EQ(Ids(**t, **latest).size(), 89u);
  auto v1 = (*t)->SnapshotAt(1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(Ids(**t, **v1).size(), 100u);
  WriteOptions over;
  over.overwrite = true;
  auto o = (*t)->Write(Source({Rows(1000, 1003)}), over);
  ASSERT_TRUE(o.ok()) << o.status();
  auto after = (*t)->LatestSnapshot();
  EXPECT_EQ(Ids(**t, **after), (std::vector<std::string>{"1000", "1001", "1002"}));
  auto history = (*t)->History(0);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[0]["operation"], "WRITE");
  EXPECT_EQ((*history)[1]["operation"], "DELETE");
  EXPECT_EQ((*history)[1]["operationMetrics"]["numDeletedRows"], "11");
  EXPECT_EQ((*history)[3]["operation"], "CREATE TABLE");
}

TEST_F(TableTest, AppTransactionsCommitOnce) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  WriteOptions wo;
  wo.app_transaction = std::make_pair(std::string("daily-job"), int64_t{7});
  auto first = (*t)->Write(Source({Rows(0, 5)}), wo);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->already_committed);
  auto retry = (*t)->Write(Source({Rows(0, 5)}), wo);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->already_committed);
  auto snap = (*t)->LatestSnapshot();
  EXPECT_EQ(Ids(**t, **snap).size(), 5u);
  EXPECT_EQ((*snap)->AppTransactionVersion("daily-job"), 7);
}

TEST_F(TableTest, WriteFromAnOlderSnapshotAndCheckpointLater) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  auto base = (*t)->LatestSnapshot();
  ASSERT_TRUE(base.ok());
  // Another commit lands after `base` was read: the append from `base` still commits on top.
  ASSERT_TRUE((*t)->Write(Source({Rows(0, 3)}), {}).ok());
  WriteOptions wo;
  wo.read_snapshot = base->get();
  wo.checkpoint = false;
  auto w = (*t)->Write(Source({Rows(3, 5)}), wo);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->version, 2);
  auto snap = (*t)->LatestSnapshot();
  EXPECT_EQ(Ids(**t, **snap), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  // Versions 3..10 without inline checkpoints; version 10 is due, written only when asked.
  for (int i = 3; i <= 10; ++i) ASSERT_TRUE((*t)->Write(Source({Rows(i * 10, i * 10 + 1)}), wo).ok());
  const std::string cp = Options().root + "/_delta_log/00000000000000000010.checkpoint.parquet";
  EXPECT_FALSE(std::filesystem::exists(cp));
  auto latest = (*t)->LatestSnapshot();
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(DeltaTable::CheckpointDue((*latest)->metadata(), 10));
  EXPECT_FALSE(DeltaTable::CheckpointDue((*latest)->metadata(), 9));
  (*t)->CheckpointAt(10);
  EXPECT_TRUE(std::filesystem::exists(cp));
  auto reread = (*t)->LatestSnapshot();
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(Ids(**t, **reread).size(), 13u);
}

TEST_F(TableTest, AdvancedSnapshotEqualsAFreshOne) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  auto base = (*t)->LatestSnapshot();
  ASSERT_TRUE(base.ok());
  auto same = (*t)->AdvanceSnapshot(**base);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, nullptr);  // nothing committed since
  auto same_as_fresh = [&](const Snapshot& a, const Snapshot& b) {
    EXPECT_EQ(a.version(), b.version());
    EXPECT_EQ(a.latest_version(), b.latest_version());
    ASSERT_EQ(a.files().size(), b.files().size());
    for (size_t i = 0; i < a.files().size(); ++i) EXPECT_EQ(a.files()[i].path, b.files()[i].path);
    EXPECT_EQ(a.tombstones().size(), b.tombstones().size());
    EXPECT_EQ(a.app_transactions(), b.app_transactions());
    EXPECT_EQ(DeltaTable::ColumnarSchema(a), DeltaTable::ColumnarSchema(b));
    EXPECT_EQ(a.timestamp_micros(), b.timestamp_micros());
    EXPECT_EQ(a.commit_timestamps().at(a.version()), b.timestamp_micros());
  };
  // Appends, a delete (removes and re-adds), a schema change, an app transaction, a checkpoint.
  ASSERT_TRUE((*t)->Write(Source({Rows(0, 10)}), {}).ok());
  auto step = (*t)->AdvanceSnapshot(**base);
  ASSERT_TRUE(step.ok() && *step != nullptr);
  ASSERT_TRUE((*t)->Write(Source({Rows(10, 20)}), {}).ok());
  ASSERT_TRUE((*t)->Delete("id < 15").ok());
  ASSERT_TRUE((*t)->AddColumns(*Schema::Parse("extra string")).ok());
  WriteOptions wo;
  wo.app_transaction = std::make_pair(std::string("job"), int64_t{3});
  ASSERT_TRUE((*t)->Write(Source({Rows(20, 25, std::make_shared<const Schema>(*Schema::Parse(
                                                 "id int64 not null, name string, score double, day date, extra string")))}),
                          wo)
                  .ok());
  ASSERT_TRUE((*t)->Checkpoint().ok());
  auto fresh = (*t)->LatestSnapshot();
  ASSERT_TRUE(fresh.ok());
  auto from_base = (*t)->AdvanceSnapshot(**base);
  ASSERT_TRUE(from_base.ok() && *from_base != nullptr) << from_base.status();
  same_as_fresh(**from_base, **fresh);
  auto from_step = (*t)->AdvanceSnapshot(**step);
  ASSERT_TRUE(from_step.ok() && *from_step != nullptr);
  same_as_fresh(**from_step, **fresh);
  EXPECT_EQ(Ids(**t, **from_step), Ids(**t, **fresh));
  EXPECT_EQ((*from_step)->AppTransactionVersion("job"), 3);
}

TEST_F(TableTest, OptimizeCompactsSmallFilesPerPartitionKeepingRows) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {"day"});
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE((*t)->Write(Source({Rows(i * 10, i * 10 + 10)}), {}).ok());
  auto before = (*t)->LatestSnapshot();
  ASSERT_TRUE(before.ok());
  ASSERT_EQ((*before)->files().size(), 12u);  // 4 appends x 3 days
  // Nothing qualifies: no file is under 1 byte; or too few small files per partition.
  auto none = (*t)->Optimize({.target_file_bytes = 1, .min_files = 2});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->version, -1);
  auto few = (*t)->Optimize({.target_file_bytes = int64_t{1} << 30, .min_files = 5});
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->version, -1);
  EXPECT_FALSE((*t)->Optimize({.target_file_bytes = 0, .min_files = 2}).ok());
  auto only_tiny = (*t)->Optimize({.target_file_bytes = int64_t{1} << 30, .small_file_bytes = 1, .min_files = 2});
  ASSERT_TRUE(only_tiny.ok());
  EXPECT_EQ(only_tiny->version, -1);  // no file is under 1 byte

  auto r = (*t)->Optimize({});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, 5);
  EXPECT_EQ(r->files_removed, 12);
  EXPECT_EQ(r->files_added, 3);  // one per day
  EXPECT_EQ(r->partitions, 3);
  EXPECT_EQ(r->rows, 40);
  auto after = (*t)->LatestSnapshot();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)->files().size(), 3u);
  for (const AddFile& f : (*after)->files()) EXPECT_FALSE(f.data_change);
  EXPECT_EQ(Ids(**t, **after), Ids(**t, **before));
  EXPECT_EQ(Ids(**t, **after, "day = '2023-12-10'"), Ids(**t, **before, "day = '2023-12-10'"));
  EXPECT_EQ(Ids(**t, **after, "day = '2023-12-10'").size(), 13u);
  // The version before still reads its own files; a second run has nothing left to do.
  auto old = (*t)->SnapshotAt(4);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ((*old)->files().size(), 12u);
  auto again = (*t)->Optimize({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, -1);
  auto history = (*t)->History(1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0]["operation"], "OPTIMIZE");
  // Appends after compaction land as usual.
  ASSERT_TRUE((*t)->Write(Source({Rows(40, 45)}), {}).ok());
  auto latest = (*t)->LatestSnapshot();
  EXPECT_EQ(Ids(**t, **latest).size(), 45u);
}

TEST_F(TableTest, SchemaEvolutionAddsNullableColumns) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {"day"});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->Write(Source({Rows(0, 6)}), {}).ok());
  EXPECT_FALSE((*t)->AddColumns(*Schema::Parse("bad int64 not null")).ok());
  auto v = (*t)->AddColumns(*Schema::Parse("country string"));
  ASSERT_TRUE(v.ok()) << v.status();
  auto wide = std::make_shared<const Schema>(*Schema::Parse("id int64 not null, name string, score double, day date, country string, extra int32"));
  WriteOptions wo;
  wo.schema = *wide;
  RecordBatch b = Rows(100, 103, wide);
  b.columns[4] = columnar::Column(columnar::DataType{columnar::TypeId::kString});
  for (int i = 0; i < 3; ++i) b.columns[4].AppendBytes("nl");
  auto w = (*t)->Write(Source({b}), wo);
  ASSERT_TRUE(w.ok()) << w.status();
  auto snap = (*t)->LatestSnapshot();
  EXPECT_EQ(DeltaTable::ColumnarSchema(**snap).ToString(),
            "id int64 not null, name string, score double, day date, country string, extra int32");
  EXPECT_EQ(Ids(**t, **snap, "country IS NULL").size(), 6u);
  EXPECT_EQ(Ids(**t, **snap, "country = 'nl'").size(), 3u);
}

TEST_F(TableTest, RejectsBadInput) {
  EXPECT_FALSE(DeltaTable::Open(Options()).ok());
  EXPECT_FALSE(DeltaTable::Create(Options(), *Schema::Parse("a uint32"), {}).ok());
  EXPECT_FALSE(DeltaTable::Create(Options(), *Schema::Parse("a int64"), {"b"}).ok());
  EXPECT_FALSE(DeltaTable::Create(Options(), *Schema::Parse("a int64"), {"a"}).ok());
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  auto again = DeltaTable::Create(Options(), *EventSchema(), {});
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();
  RecordBatch b = Rows(0, 3);
  b.columns[0] = columnar::Column(columnar::DataType{columnar::TypeId::kInt64});
  b.columns[0].Append<int64_t>(1);
  b.columns[0].AppendNull();
  b.columns[0].Append<int64_t>(3);
  auto w = (*t)->Write(Source({b}), {});
  EXPECT_THAT(std::string(w.status().message()), ::testing::HasSubstr("not nullable"));
  auto snap = (*t)->LatestSnapshot();
  EXPECT_EQ((*snap)->version(), 0);  // nothing committed
  EXPECT_FALSE((*t)->Delete("nope = 1").ok());
  ScanSpec spec;
  spec.columns = {"missing"};
  EXPECT_FALSE((*t)->Scan(**snap, spec).ok());
}

TEST_F(TableTest, ConcurrentWritersAllLand) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      auto mine = DeltaTable::Open(Options());
      if (!mine.ok()) {
        ++failures;
        return;
      }
      for (int k = 0; k < 10; ++k) {
        int64_t base = w * 1000 + k * 10;
        if (!(*mine)->Write(Source({Rows(base, base + 10)}), {}).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto snap = (*t)->LatestSnapshot();
  EXPECT_EQ((*snap)->version(), 40);
  auto ids = Ids(**t, **snap);
  EXPECT_EQ(ids.size(), 400u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 400u);
}

TEST_F(TableTest, OptimizeRacingAppendsAndDeletesLosesAndDuplicatesNothing) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {"day"});
  ASSERT_TRUE(t.ok());
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0}, compactions{0}, aborted{0};
  std::thread appender([&] {
    auto mine = DeltaTable::Open(Options());
    if (!mine.ok()) {
      ++failures;
      return;
    }
    for (int k = 0; k < 60; ++k) {
      if (!(*mine)->Write(Source({Rows(k * 10, k * 10 + 10)}), {}).ok()) ++failures;
      if (k == 30 && !(*mine)->Delete("id >= 100 AND id < 110").ok()) ++failures;  // may race a compaction
    }
    writing = false;
  });
  std::thread compactor([&] {
    auto mine = DeltaTable::Open(Options());
    if (!mine.ok()) {
      ++failures;
      return;
    }
    while (writing) {
      auto r = (*mine)->Optimize({});
      if (r.ok()) {
        compactions += r->version >= 0;
      } else if (absl::IsAborted(r.status())) {
        ++aborted;  // a concurrent delete removed a file it compacted: nothing committed
      } else {
        ++failures;
      }
    }
  });
  appender.join();
  compactor.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(compactions.load(), 0);
  auto snap = (*t)->LatestSnapshot();
  ASSERT_TRUE(snap.ok());
  auto ids = Ids(**t, **snap);
  EXPECT_EQ(ids.size(), 590u);  // 600 appended, 10 deleted, each once
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 590u);
  EXPECT_TRUE(Ids(**t, **snap, "id >= 100 AND id < 110").empty());
}

TEST_F(TableTest, VacuumKeepsWhatRetainedVersionsNeed) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {"day"});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->Write(Source({Rows(0, 30)}), {}).ok());
  WriteOptions over;
  over.overwrite = true;
  ASSERT_TRUE((*t)->Write(Source({Rows(100, 130)}), over).ok());
  // An orphan file (a writer that died before committing).
  std::string orphan = dir_.Sub("t") + "/day=2023-12-09/part-99999-orphan-c000.snappy.parquet";
  { std::ofstream(orphan) << "x"; }
  // The default retention keeps everything young.
  auto refused = (*t)->Vacuum(3600LL * 1000000, false, false);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  auto keep_all = (*t)->Vacuum(int64_t{7} * 24 * 3600 * 1000000, false, false);
  ASSERT_TRUE(keep_all.ok()) << keep_all.status();
  EXPECT_TRUE(keep_all->deleted.empty());
  // Retention 0 (forced): only the latest version stays readable.
  auto dry = (*t)->Vacuum(0, true, true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->deleted.size(), 4u);  // 3 overwritten files + the orphan
  EXPECT_TRUE(std::filesystem::exists(orphan));
  auto done = (*t)->Vacuum(0, false, true);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->deleted, dry->deleted);
  EXPECT_FALSE(std::filesystem::exists(orphan));
  auto latest = (*t)->LatestSnapshot();
  EXPECT_EQ(Ids(**t, **latest).size(), 30u);
  auto old = (*t)->SnapshotAt(1);
  ASSERT_TRUE(old.ok());
  auto scan = (*t)->Scan(**old, {});
  ASSERT_TRUE(scan.ok());
  auto rows = ReadAll(**scan);
  EXPECT_THAT(std::string(rows.status().message()), ::testing::HasSubstr("vacuumed"));
}

TEST_F(TableTest, RefusesDataFilePathsOutsideTheTable) {
  auto t = DeltaTable::Create(Options(), *EventSchema(), {});
  ASSERT_TRUE(t.ok());
  // A hand-written commit whose add path climbs out of the table directory.
  std::ofstream(dir_.Sub("t") + "/_delta_log/00000000000000000001.json")
      << R"({"add":{"path":"../../etc/passwd","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true}})"
      << "\n";
  auto snap = (*t)->LatestSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status();
  auto scan = (*t)->Scan(**snap, {});
  ASSERT_TRUE(scan.ok());
  auto rows = ReadAll(**scan);
  EXPECT_THAT(std::string(rows.status().message()), ::testing::HasSubstr("leaves the table directory"));
}

}  // namespace
}  // namespace plinth::delta
