#include "plinth/storage/meta/sqlite_meta_store.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "plinth/storage/meta/migrations.h"
#include "plinth/testing/meta_env.h"

namespace plinth::storage {
namespace {

using testing::StatusIs;

class SqliteMetaStoreTest : public testing::MetaStoreTest {
 protected:
  void SetUp() override {
    MetaStoreTest::SetUp();
    QueryOrDie("CREATE TABLE kv (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  }

  // Like CountRows, but in a read transaction (on a reader connection).
  int64_t Count(const std::string& table) {
    int64_t n = -1;
    absl::Status st = meta_->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(StrCat("SELECT COUNT(*) FROM ", table)));
      n = rows.at(0).Int(0);
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return n;
  }

  absl::Status Insert(const std::string& k, int64_t n) {
    return meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
      return txn.Exec("INSERT INTO kv (k, n) VALUES (?, ?)", {k, n}).status();
    });
  }
};

TEST_F(SqliteMetaStoreTest, MigrationsAreAppliedOnce) {
  const auto& migrations = MetaMigrations();
  EXPECT_EQ(meta_->schema_version(), migrations.back().version);
  EXPECT_EQ(meta_->dialect(), "sqlite");
  SqlRows before = QueryOrDie("SELECT version, description, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(before.size(), migrations.size());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(before[i].Int(0), migrations[i].version);
    EXPECT_EQ(before[i].Text(1), migrations[i].description);
  }

  meta_.reset();
  meta_ = testing::OpenTestMetaStore(db_path());
  ASSERT_NE(meta_, nullptr);
  EXPECT_EQ(meta_->schema_version(), migrations.back().version);
  SqlRows after = QueryOrDie("SELECT version, description, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].Int(2), before[i].Int(2));  // not re-applied
  EXPECT_EQ(Count("kv"), 0);  // data survives reopening
}

TEST_F(SqliteMetaStoreTest, RefusesADatabaseFromANewerBinary) {
  QueryOrDie("INSERT INTO schema_migrations (version, description, applied_at) VALUES (999, 'future', 0)");
  meta_.reset();
  EXPECT_TRUE(StatusIs(SqliteMetaStore::Create({.path = db_path()}), absl::StatusCode::kFailedPrecondition,
                       "database schema version 999 is newer than this binary supports"));
}

TEST(SqliteMetaStoreCreateTest, NeedsAFilePath) {
  EXPECT_TRUE(StatusIs(SqliteMetaStore::Create({.path = ""}), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(SqliteMetaStore::Create({.path = ":memory:"}), absl::StatusCode::kInvalidArgument));
}

TEST_F(SqliteMetaStoreTest, OkCommitsAndErrorRollsBack) {
  PLINTH_ASSERT_OK(Insert("a", 1));
  absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO kv (k, n) VALUES ('b', 2)").status());
    PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE kv SET n = 100 WHERE k = 'a'").status());
    return absl::AbortedError("changed my mind");
  });
  EXPECT_TRUE(StatusIs(st, absl::StatusCode::kAborted, "changed my mind"));
  SqlRows rows = QueryOrDie("SELECT k, n FROM kv ORDER BY k");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "a");
  EXPECT_EQ(rows[0].Int(1), 1);
}

TEST_F(SqliteMetaStoreTest, ExecReturnsChangedRowCount) {
  PLINTH_ASSERT_OK(Insert("a", 1));
  PLINTH_ASSERT_OK(Insert("b", 1));
  PLINTH_ASSERT_OK(Insert("c", 2));
  int64_t changed = -1;
  PLINTH_ASSERT_OK(meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(changed, txn.Exec("UPDATE kv SET n = n + 10 WHERE n = ?", {int64_t{1}}));
    return absl::OkStatus();
  }));
  EXPECT_EQ(changed, 2);
}

TEST_F(SqliteMetaStoreTest, ConstraintViolationsMapToStatusCodes) {
  PLINTH_ASSERT_OK(Insert("a", 1));
  EXPECT_TRUE(StatusIs(Insert("a", 2), absl::StatusCode::kAlreadyExists, "UNIQUE constraint failed: kv.k"));
  // Through Query (INSERT ... RETURNING) as well.
  absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    return txn.Query("INSERT INTO kv (k, n) VALUES (?, ?) RETURNING k", {std::string("a"), int64_t{3}}).status();
  });
  EXPECT_TRUE(StatusIs(st, absl::StatusCode::kAlreadyExists));
  // Other constraints are FailedPrecondition.
  st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    return txn.Exec("INSERT INTO kv (k, n) VALUES (?, ?)", {std::string("z"), SqlValue()}).status();
  });
  EXPECT_TRUE(StatusIs(st, absl::StatusCode::kFailedPrecondition, "NOT NULL"));
  EXPECT_EQ(Count("kv"), 1);
}

TEST_F(SqliteMetaStoreTest, BadStatementsAreInternalErrors) {
  absl::Status st = meta_->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    return txn.Query("SELEKT 1").status();
  });
  EXPECT_TRUE(StatusIs(st, absl::StatusCode::kInternal, "prepare [SELEKT 1]"));
  st = meta_->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    return txn.Query("SELECT ? + ?", {int64_t{1}}).status();
  });
  EXPECT_TRUE(StatusIs(st, absl::StatusCode::kInternal, "statement expects 2 parameters, got 1"));
}

TEST_F(SqliteMetaStoreTest, ValuesRoundTripWithTheirTypes) {
  const std::string with_nul("a\0b", 3);
  SqlRows rows = QueryOrDie("SELECT ?, ?, ?, ?, ?",
                            {SqlValue(), std::numeric_limits<int64_t>::min(), 1.5, with_nul, std::string("42")});
  ASSERT_EQ(rows.size(), 1u);
  const SqlRow& r = rows[0];
  ASSERT_EQ(r.size(), 5u);
  EXPECT_TRUE(r.IsNull(0));
  EXPECT_EQ(r.Int(0), 0);
  EXPECT_EQ(r.Text(0), "");
  EXPECT_EQ(std::get<int64_t>(r.Value(1)), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<double>(r.Value(2)), 1.5);
  EXPECT_EQ(std::get<std::string>(r.Value(3)), with_nul);
  // Lenient conversions between types.
  EXPECT_EQ(r.Int(4), 42);
  EXPECT_EQ(r.Double(4), 42.0);
  EXPECT_EQ(r.Int(2), 1);
  EXPECT_EQ(r.Text(2), "1.5");
  EXPECT_EQ(r.Text(1), "-9223372036854775808");
  EXPECT_EQ(r.Double(1), -9223372036854775808.0);
  EXPECT_THROW((void)r.Int(5), std::out_of_range);
}

TEST_F(SqliteMetaStoreTest, ConcurrentWritersNeverLoseAnUpdate) {
  PLINTH_ASSERT_OK(Insert("counter", 0));
  constexpr int kThreads = 8, kIncrements = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        // Read-modify-write: only correct if write transactions are serialized.
        absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
          PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT n FROM kv WHERE k = 'counter'"));
          return txn.Exec("UPDATE kv SET n = ? WHERE k = 'counter'", {rows.at(0).Int(0) + 1}).status();
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(QueryOrDie("SELECT n FROM kv WHERE k = 'counter'").at(0).Int(0), kThreads * kIncrements);
}

TEST_F(SqliteMetaStoreTest, ReadersRunWhileAWriterHoldsATransaction) {
  PLINTH_ASSERT_OK(Insert("before", 1));
  std::promise<void> inside, release;
  std::shared_future<void> release_f = release.get_future().share();
  std::thread writer([&] {
    absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
      PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO kv (k, n) VALUES ('during', 2)").status());
      inside.set_value();
      release_f.wait_for(std::chrono::seconds(10));
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
  });
  inside.get_future().wait();

  // Several readers at once, each on its own connection, none blocked by the writer and
  // none seeing its uncommitted row.
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<int64_t>> readers;
  for (int i = 0; i < 6; ++i) readers.push_back(std::async(std::launch::async, [&] { return Count("kv"); }));
  for (auto& r : readers) EXPECT_EQ(r.get(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  release.set_value();
  writer.join();
  EXPECT_EQ(Count("kv"), 2);
}

}  // namespace
}  // namespace plinth::storage
