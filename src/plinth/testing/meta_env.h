// Test fixture: a SqliteMetaStore in a fresh temp directory and a FakeClock.
// For tests of storage/meta and the layers above it. Header-only, test-only.
#pragma once

#include <memory>

#include "plinth/base/clock.h"
#include "plinth/storage/meta/sqlite_meta_store.h"
#include "plinth/testing/test_util.h"

namespace plinth::testing {

inline std::unique_ptr<storage::SqliteMetaStore> OpenTestMetaStore(const std::string& path) {
  auto store = storage::SqliteMetaStore::Create({.path = path});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

class MetaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = OpenTestMetaStore(db_path());
    ASSERT_NE(meta_, nullptr);
  }

  std::string db_path() const { return dir_.Sub("meta.db"); }

  // Runs `sql` in its own write transaction and returns the rows (asserting success).
  storage::SqlRows QueryOrDie(const std::string& sql, const std::vector<storage::SqlValue>& params = {}) {
    storage::SqlRows rows;
    absl::Status st = meta_->Run(storage::TxnMode::kWrite, [&](storage::SqlTransaction& txn) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(rows, txn.Query(sql, params));
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st << " for " << sql;
    return rows;
  }

  int64_t CountRows(const std::string& table) { return QueryOrDie(StrCat("SELECT COUNT(*) FROM ", table)).at(0).Int(0); }

  // "action resource" of each audit entry, newest first, keeping those whose action starts
  // with `prefix`.
  std::vector<std::string> AuditActions(const std::string& prefix = "") {
    std::vector<std::string> out;
    for (const auto& r : QueryOrDie("SELECT action, resource FROM audit_log ORDER BY id DESC")) {
      if (StartsWith(r.Text(0), prefix)) out.push_back(StrCat(r.Text(0), " ", r.Text(1)));
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteMetaStore> meta_;  // declared last: closed before dir_ goes
};

}  // namespace plinth::testing
