#include "plinth/features/push_commit.h"

#include <atomic>
#include <set>
#include <thread>

#include "plinth/storage/delta/table.h"
#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

using columnar::RecordBatch;
using columnar::Schema;

RecordBatch Rows(const columnar::SchemaPtr& schema, int64_t first, int64_t n) {
  RecordBatch b(schema);
  for (int64_t i = first; i < first + n; ++i) {
    b.columns[0].Append<int64_t>(i);
    for (size_t c = 1; c < schema->size(); ++c) b.columns[c].AppendNull();
  }
  b.num_rows = n;
  return b;
}

// Rows `first`.. for the table at `root` as it is now (as a push builds them).
PreparedPush Prepare(const std::string& root, int64_t first, int64_t n) {
  auto t = delta::DeltaTable::Open({.root = root});
  EXPECT_TRUE(t.ok()) << t.status();
  std::shared_ptr<const delta::Snapshot> snapshot = *(*t)->LatestSnapshot();
  auto schema = std::make_shared<const Schema>(delta::DeltaTable::ColumnarSchema(*snapshot));
  return {std::move(*t), std::move(snapshot), Rows(schema, first, n)};
}

// id -> the version that holds it, read back from the table's data files at each version.
std::map<int64_t, int64_t> IdsByVersion(const std::string& root) {
  std::map<int64_t, int64_t> out;
  auto t = *delta::DeltaTable::Open({.root = root});
  const int64_t latest = (*t->LatestSnapshot())->version();
  std::set<int64_t> seen;
  for (int64_t v = 1; v <= latest; ++v) {
    auto snap = t->SnapshotAt(v);
    EXPECT_TRUE(snap.ok()) << snap.status();
    auto scan = t->Scan(**snap, {});
    EXPECT_TRUE(scan.ok()) << scan.status();
    RecordBatch b;
    while (*(*scan)->Next(&b)) {
      for (int64_t r = 0; r < b.num_rows; ++r) {
        const int64_t id = b.columns[0].Get<int64_t>(r);
        if (seen.insert(id).second) out[id] = v;
      }
    }
  }
  return out;
}

TEST(PushCommitterTest, ConcurrentPushesShareCommitsAndLoseNothing) {
  plinth::testing::TempDir dir;
  const std::string root = dir.Sub("t");
  ASSERT_TRUE(delta::DeltaTable::Create({.root = root}, *Schema::Parse("id int64 not null, v double"), {}).ok());
  PushCommitter committer;
  constexpr int kThreads = 8;
  constexpr int kPushes = 25;  // per thread, 3 rows each
  std::vector<std::vector<GroupCommit>> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int p = 0; p < kPushes; ++p) {
        auto c = committer.Append(root, Prepare(root, (t * kPushes + p) * 3, 3));
        ASSERT_TRUE(c.ok()) << c.status();
        outcomes[t].push_back(*c);
      }
    });
  }
  for (auto& th : threads) th.join();

  const auto ids = IdsByVersion(root);
  ASSERT_EQ(ids.size(), size_t{kThreads * kPushes * 3});  // every row, once
  std::map<int64_t, int> pushes_at;                      // version -> pushes that reported it
  for (int t = 0; t < kThreads; ++t) {
    for (int p = 0; p < kPushes; ++p) {
      const GroupCommit& c = outcomes[t][p];
      const int64_t first = (t * kPushes + p) * 3;
      for (int64_t id = first; id < first + 3; ++id) EXPECT_EQ(ids.at(id), c.version) << "row " << id;
      EXPECT_GE(c.pushes, 1);
      EXPECT_EQ(c.rows, int64_t{c.pushes} * 3);
      ++pushes_at[c.version];
    }
  }
  for (const auto& [version, n] : pushes_at) {
    int64_t rows = 0;
    for (const auto& [id, v] : ids) rows += v == version ? 1 : 0;
    EXPECT_EQ(rows, int64_t{n} * 3) << "version " << version;  // a commit holds exactly its pushes
  }
  // Eight threads pushing at once share commits: fewer versions than pushes.
  EXPECT_LT(pushes_at.size(), size_t{kThreads * kPushes});
}

TEST(PushCommitterTest, ABatchForOldColumnsIsAbortedAndNothingOfItWritten) {
  plinth::testing::TempDir dir;
  const std::string root = dir.Sub("t");
  ASSERT_TRUE(delta::DeltaTable::Create({.root = root}, *Schema::Parse("id int64 not null"), {}).ok());
  PreparedPush stale_push = Prepare(root, 1, 1);
  // The table gains a column (schema evolution) after the push built its batch.
  {
    auto t = *delta::DeltaTable::Open({.root = root});
    const auto wider = std::make_shared<const Schema>(*Schema::Parse("id int64 not null, extra string"));
    bool done = false;
    delta::WriteOptions o;
    o.schema = *wider;
    ASSERT_TRUE(t->Write(
                     [&](RecordBatch* out) -> absl::StatusOr<bool> {
                       if (done) return false;
                       done = true;
                       *out = Rows(wider, 1000, 1);
                       return true;
                     },
                     o)
                    .ok());
  }
  PushCommitter committer;
  auto stale = committer.Append(root, std::move(stale_push));
  EXPECT_TRUE(absl::IsAborted(stale.status())) << stale.status();
  // The committer is not stuck after a failed commit.
  auto fresh = committer.Append(root, Prepare(root, 2, 1));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->version, 2);
  EXPECT_EQ(fresh->pushes, 1);
  const auto ids = IdsByVersion(root);
  EXPECT_EQ(ids.count(1), 0u);  // nothing of the stale push was written
  EXPECT_EQ(ids.at(2), 2);
}

}  // namespace
}  // namespace plinth::features
