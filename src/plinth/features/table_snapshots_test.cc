#include "plinth/features/table_snapshots.h"

#include <filesystem>
#include <thread>

#include "plinth/testing/test_util.h"

namespace plinth::features {
namespace {

using columnar::RecordBatch;
using columnar::Schema;

std::unique_ptr<delta::DeltaTable> Create(const std::string& root, const std::string& schema) {
  auto t = delta::DeltaTable::Create({.root = root, .fsync = false}, *Schema::Parse(schema), {});
  EXPECT_TRUE(t.ok()) << t.status();
  return std::move(*t);
}

void AppendOne(delta::DeltaTable& t, int64_t id) {
  const auto schema = std::make_shared<const Schema>(delta::DeltaTable::ColumnarSchema(**t.LatestSnapshot()));
  RecordBatch b(schema);
  b.columns[0].Append<int64_t>(id);
  for (size_t c = 1; c < schema->size(); ++c) b.columns[c].AppendNull();
  b.num_rows = 1;
  bool done = false;
  auto w = t.Write(
      [&](RecordBatch* out) -> absl::StatusOr<bool> {
        if (done) return false;
        *out = b;
        done = true;
        return true;
      },
      {});
  ASSERT_TRUE(w.ok()) << w.status();
}

TEST(TableSnapshotsTest, FollowsCommitsAndNoticesAReplacedTable) {
  plinth::testing::TempDir dir;
  const std::string root = dir.Sub("t");
  TableSnapshots snapshots;
  auto t = Create(root, "id int64");
  for (int i = 0; i < 3; ++i) AppendOne(*t, i);
  auto s = snapshots.Latest(*t);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->version(), 3);
  AppendOne(*t, 3);  // another writer's commit
  auto advanced = snapshots.Latest(*t);
  ASSERT_TRUE(advanced.ok());
  EXPECT_EQ((*advanced)->version(), 4);
  EXPECT_EQ((*advanced)->files().size(), 4u);
  auto same = snapshots.Latest(*t);
  EXPECT_EQ(same->get(), advanced->get());  // nothing new: the same snapshot

  // The table is deleted and created again, with another schema, past the cached version.
  std::filesystem::remove_all(root);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto t2 = Create(root, "id int64, extra string");
  for (int i = 0; i < 6; ++i) AppendOne(*t2, 100 + i);
  auto replaced = snapshots.Latest(*t2);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ((*replaced)->version(), 6);
  EXPECT_EQ((*replaced)->files().size(), 6u);
  EXPECT_EQ(delta::DeltaTable::ColumnarSchema(**replaced).size(), 2u);
  // And created again with fewer versions than were cached.
  std::filesystem::remove_all(root);
  auto t3 = Create(root, "id int64");
  auto fewer = snapshots.Latest(*t3);
  ASSERT_TRUE(fewer.ok());
  EXPECT_EQ((*fewer)->version(), 0);
  EXPECT_TRUE((*fewer)->files().empty());
}

}  // namespace
}  // namespace plinth::features
