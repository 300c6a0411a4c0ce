#include "plinth/storage/meta/audit_log.h"

#include <set>

#include "plinth/testing/meta_env.h"

namespace plinth::storage {
namespace {

using testing::StatusIs;
using ::testing::ElementsAre;

constexpr int64_t kT0 = 1'700'000'000'000'000;

class AuditLogTest : public testing::MetaStoreTest {
 protected:
  // Appends one entry at the fake clock's current time, then advances it by one second.
  void Append(const std::string& actor, const std::string& action, const std::string& resource,
              std::string_view details = "{}") {
    absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) {
      return audit_.Append(txn, AuditContext{actor, "10.0.0.1:5000"}, action, resource, details);
    });
    ASSERT_TRUE(st.ok()) << st;
    clock_.Advance(1'000'000);
  }

  // The actions of the entries matching `q` (newest first).
  std::vector<std::string> Actions(const AuditQuery& q) {
    auto page = audit_.List(*meta_, q);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& e : page->entries) out.push_back(e.action);
    }
    return out;
  }

  // A small history: five entries at kT0, kT0+1s, ... kT0+4s.
  void AppendSample() {
    Append("token:ci", "model.create", "models/a");
    Append("token:ci", "alias.set", "models/a/aliases/prod");
    Append("token:ops", "alias.delete", "models/b/aliases/prod");
    Append("token:ops", "aliases.reindex", "models/a");
    Append("local:root", "artifact.download", "models/b/versions/1");
  }

  AuditLog audit_{&clock_};
};

TEST_F(AuditLogTest, AppendRecordsEveryField) {
  Append("token:ci", "model.create", "models/a", R"({"description":"d"})");
  Append("anonymous", "model.delete", "models/a", "");
  PLINTH_ASSERT_OK_AND_ASSIGN(AuditPage page, audit_.List(*meta_, {}));
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.next_before_id, 0);
  const AuditEntry& newest = page.entries[0];
  EXPECT_EQ(newest.action, "model.delete");
  EXPECT_EQ(newest.details, "{}");  // empty details are stored as an empty object
  const AuditEntry& first = page.entries[1];
  EXPECT_LT(first.id, newest.id);
  EXPECT_EQ(first.ts, kT0);
  EXPECT_EQ(first.actor, "token:ci");
  EXPECT_EQ(first.action, "model.create");
  EXPECT_EQ(first.resource, "models/a");
  EXPECT_EQ(first.details, R"({"description":"d"})");
  EXPECT_EQ(first.client, "10.0.0.1:5000");
}

TEST_F(AuditLogTest, EntriesCannotBeUpdatedOrDeleted) {
  AppendSample();
  for (const char* sql : {"UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log",
                          "DELETE FROM audit_log WHERE action = 'alias.set'"}) {
    absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) { return txn.Exec(sql).status(); });
    EXPECT_TRUE(StatusIs(st, absl::StatusCode::kFailedPrecondition, "audit log is append-only")) << sql;
  }
  SqlRows rows = QueryOrDie("SELECT COUNT(*), COUNT(DISTINCT actor) FROM audit_log");
  EXPECT_EQ(rows[0].Int(0), 5);
  EXPECT_EQ(rows[0].Int(1), 3);
}

TEST_F(AuditLogTest, FiltersByActorActionAndResource) {
  AppendSample();
  EXPECT_THAT(Actions({.actor = "token:ops"}), ElementsAre("aliases.reindex", "alias.delete"));
  EXPECT_THAT(Actions({.action = "alias.set"}), ElementsAre("alias.set"));
  EXPECT_THAT(Actions({.action = "alias.*"}), ElementsAre("alias.delete", "alias.set"));
  EXPECT_THAT(Actions({.action = "alias*"}), ElementsAre("aliases.reindex", "alias.delete", "alias.set"));
  EXPECT_THAT(Actions({.action = "alias"}), ElementsAre());             // exact match only
  EXPECT_THAT(Actions({.action = "%.*"}), ElementsAre());               // no LIKE wildcards
  EXPECT_THAT(Actions({.resource_prefix = "models/a/"}), ElementsAre("alias.set"));
  EXPECT_THAT(Actions({.resource_prefix = "models/b"}), ElementsAre("artifact.download", "alias.delete"));
  EXPECT_THAT(Actions({.actor = "token:ci", .action = "alias.*", .resource_prefix = "models/a"}),
              ElementsAre("alias.set"));
  EXPECT_THAT(Actions({.actor = "nobody"}), ElementsAre());
}

TEST_F(AuditLogTest, SinceIsInclusiveUntilIsExclusive) {
  AppendSample();
  const int64_t s = 1'000'000;
  EXPECT_THAT(Actions({.since = kT0 + s, .until = kT0 + 3 * s}), ElementsAre("alias.delete", "alias.set"));
  EXPECT_THAT(Actions({.since = kT0 + 4 * s}), ElementsAre("artifact.download"));
  EXPECT_THAT(Actions({.until = kT0 + 1}), ElementsAre("model.create"));
  EXPECT_THAT(Actions({.since = kT0 + 10 * s}), ElementsAre());
}

TEST_F(AuditLogTest, PagesWalkBackwardsWithoutGapsOrDuplicates) {
  for (int i = 0; i < 25; ++i) Append("token:ci", StrCat("step.", i), "models/a");
  Append("token:other", "noise", "models/z");
  std::vector<std::string> seen;
  std::vector<size_t> sizes;
  AuditQuery q{.actor = "token:ci", .limit = 10};
  for (int guard = 0; guard < 10; ++guard) {
    PLINTH_ASSERT_OK_AND_ASSIGN(AuditPage page, audit_.List(*meta_, q));
    sizes.push_back(page.entries.size());
    for (const auto& e : page.entries) seen.push_back(e.action);
    if (page.next_before_id == 0) break;
    EXPECT_EQ(page.next_before_id, page.entries.back().id);
    q.before_id = page.next_before_id;
  }
  EXPECT_THAT(sizes, ElementsAre(10, 10, 5));
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], StrCat("step.", 24 - i));
}

TEST_F(AuditLogTest, LimitIsClamped) {
  AppendSample();
  PLINTH_ASSERT_OK_AND_ASSIGN(AuditPage page, audit_.List(*meta_, {.limit = 0}));
  EXPECT_EQ(page.entries.size(), 1u);
  EXPECT_NE(page.next_before_id, 0);
  PLINTH_ASSERT_OK_AND_ASSIGN(page, audit_.List(*meta_, {.limit = 5}));
  EXPECT_EQ(page.entries.size(), 5u);
  EXPECT_EQ(page.next_before_id, 0);  // exactly full: no further page
}

TEST_F(AuditLogTest, AppendRollsBackWithItsTransaction) {
  absl::Status st = meta_->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(audit_.Append(txn, {}, "model.create", "models/a"));
    return absl::InternalError("the audited change failed");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(Actions({}), ElementsAre());
}

}  // namespace
}  // namespace plinth::storage
