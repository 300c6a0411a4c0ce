// Registry: aliases, alias history, bulk alias moves and model deletion.
#include <algorithm>
#include <set>
#include <thread>

#include "plinth/base/sha256.h"
#include "plinth/base/time.h"
#include "plinth/registry/registry_test_fixture.h"

namespace plinth::registry {
namespace {

TEST_F(RegistryTest, AliasesSetMoveDeleteAndHistory) {
  Register("m");
  Register("m");
  PLINTH_ASSERT_OK_AND_ASSIGN(AliasInfo set, registry_->SetAlias("m", "champion", 1, ctx_));
  EXPECT_EQ(set.version, 1);
  EXPECT_EQ(set.updated_by, "token:test");
  EXPECT_EQ(registry_->GetVersion(Ref("m@champion"))->version, 1);
  EXPECT_THAT(registry_->GetVersion(Ref("m/1"))->aliases, ElementsAre("champion"));

  clock_.Advance(kSecond);
  PLINTH_ASSERT_OK(registry_->SetAlias("m", "champion", 2, ctx_));
  PLINTH_ASSERT_OK(registry_->SetAlias("m", "champion", 2, ctx_));  // no-op: no history entry
  PLINTH_ASSERT_OK(registry_->SetAlias("m", "challenger", 1, {"token:other", ""}));
  EXPECT_EQ(registry_->GetVersion(Ref("m@champion"))->version, 2);
  EXPECT_THAT(registry_->GetVersion(Ref("m/1"))->aliases, ElementsAre("challenger"));
  EXPECT_THAT(registry_->GetModel("m")->aliases, ElementsAre(Pair("challenger", 1), Pair("champion", 2)));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto list, registry_->ListAliases("m"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].alias, "challenger");
  EXPECT_EQ(list[0].updated_by, "token:other");
  EXPECT_EQ(list[1].alias, "champion");
  EXPECT_EQ(list[1].version, 2);

  PLINTH_ASSERT_OK(registry_->DeleteAlias("m", "champion", ctx_));
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("m@champion")), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(registry_->DeleteAlias("m", "champion", ctx_), absl::StatusCode::kNotFound,
                       "alias 'champion' not found on model 'm'"));

  auto describe = [](const std::vector<AliasEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
      out.push_back(StrCat(e.alias, " ", e.old_version ? StrCat(*e.old_version) : "-", "->",
                           e.new_version ? StrCat(*e.new_version) : "-", " by ", e.actor));
    }
    return out;
  };
  PLINTH_ASSERT_OK_AND_ASSIGN(auto history, registry_->AliasHistory("m", std::nullopt));
  EXPECT_THAT(describe(history), ElementsAre("champion 2->- by token:test", "challenger -->1 by token:other",
                                             "champion 1->2 by token:test", "champion -->1 by token:test"));
  PLINTH_ASSERT_OK_AND_ASSIGN(history, registry_->AliasHistory("m", std::string("challenger")));
  EXPECT_THAT(describe(history), ElementsAre("challenger -->1 by token:other"));
  EXPECT_THAT(AuditActions("alias."),
              ElementsAre("alias.delete models/m/aliases/champion", "alias.set models/m/aliases/challenger",
                          "alias.set models/m/aliases/champion", "alias.set models/m/aliases/champion"));
}

TEST_F(RegistryTest, AliasErrors) {
  Register("m");
  for (const char* reserved : {"latest", "123", "007"}) {
    EXPECT_TRUE(StatusIs(registry_->SetAlias("m", reserved, 1, ctx_), absl::StatusCode::kInvalidArgument)) << reserved;
  }
  EXPECT_TRUE(StatusIs(registry_->SetAlias("m", "latest", 1, ctx_), absl::StatusCode::kInvalidArgument, "reserved"));
  EXPECT_TRUE(StatusIs(registry_->SetAlias("m", "42", 1, ctx_), absl::StatusCode::kInvalidArgument,
                       "would read as a version number"));
  EXPECT_TRUE(StatusIs(registry_->SetAlias("m", "Prod", 1, ctx_), absl::StatusCode::kInvalidArgument, "invalid alias"));
  EXPECT_TRUE(StatusIs(registry_->SetAlias("m", "prod", 0, ctx_), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(registry_->SetAlias("m", "prod", 9, ctx_), absl::StatusCode::kNotFound, "version 9 of model 'm'"));
  EXPECT_TRUE(StatusIs(registry_->SetAlias("ghost", "prod", 1, ctx_), absl::StatusCode::kNotFound, "model 'ghost'"));
  EXPECT_TRUE(StatusIs(registry_->BulkSetAlias("latest", "name = 'm'", false, ctx_), absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(CountRows("aliases"), 0);
  EXPECT_EQ(CountRows("alias_history"), 0);
}

TEST_F(RegistryTest, DeleteModel) {
  Register("m", {{"stage", "prod"}}, {{"auc", 0.5}});
  Register("m");
  Register("keep");
  PLINTH_ASSERT_OK(registry_->SetAlias("m", "prod", 1, ctx_));
  EXPECT_TRUE(StatusIs(registry_->DeleteModel("m", false, ctx_), absl::StatusCode::kFailedPrecondition,
                       "model 'm' has aliases (prod->1); delete them first or pass force"));
  PLINTH_ASSERT_OK(registry_->GetVersion(Ref("m@prod")));

  PLINTH_ASSERT_OK(registry_->DeleteModel("m", true, ctx_));
  EXPECT_TRUE(StatusIs(registry_->GetModel("m"), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("m/1")), absl::StatusCode::kNotFound));
  for (const char* table : {"aliases", "alias_history", "version_tags", "version_metrics", "metric_history"}) {
    EXPECT_EQ(CountRows(table), 0) << table;
  }
  EXPECT_EQ(CountRows("model_versions"), 1);  // "keep" is untouched
  EXPECT_EQ(QueryOrDie("SELECT details FROM audit_log WHERE action = 'model.delete'").at(0).Text(0),
            R"({"aliases_removed":1,"force":true,"versions":2})");

  PLINTH_ASSERT_OK(registry_->DeleteModel("keep", false, ctx_));  // no aliases: no force needed
  EXPECT_TRUE(StatusIs(registry_->DeleteModel("keep", false, ctx_), absl::StatusCode::kNotFound));
  // The name can be reused, and numbering starts again.
  EXPECT_EQ(Register("m"), 1);
}

TEST_F(RegistryTest, BulkSetAliasPicksNewestMatchingVersionPerModel) {
  Register("a", {{"stage", "prod"}});  // a/1
  Register("a", {{"stage", "prod"}});  // a/2
  Register("a", {{"stage", "dev"}});   // a/3
  Register("b", {{"stage", "prod"}});  // b/1
  Register("c", {{"stage", "dev"}});   // c/1
  auto moved = [](const BulkAliasResult& r) {
    std::vector<std::string> out;
    for (const auto& a : r.moved) out.push_back(StrCat(a.model_name, "@", a.alias, "=", a.version));
    return out;
  };

  PLINTH_ASSERT_OK_AND_ASSIGN(BulkAliasResult dry, registry_->BulkSetAlias("prod", "tags.stage = 'prod'", true, ctx_));
  EXPECT_THAT(moved(dry), ElementsAre("a@prod=2", "b@prod=1"));
  EXPECT_EQ(dry.unchanged, 0);
  EXPECT_EQ(CountRows("aliases"), 0);  // dry run changes nothing
  EXPECT_EQ(CountRows("alias_history"), 0);
  EXPECT_THAT(AuditActions("alias."), IsEmpty());

  PLINTH_ASSERT_OK_AND_ASSIGN(BulkAliasResult real, registry_->BulkSetAlias("prod", "tags.stage = 'prod'", false, ctx_));
  EXPECT_THAT(moved(real), ElementsAre("a@prod=2", "b@prod=1"));
  EXPECT_EQ(registry_->GetVersion(Ref("a@prod"))->version, 2);
  EXPECT_EQ(registry_->GetVersion(Ref("b@prod"))->version, 1);
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("c@prod")), absl::StatusCode::kNotFound));
  EXPECT_THAT(AuditActions("alias."), ElementsAre("alias.bulk_set aliases/prod", "alias.set models/b/aliases/prod",
                                                  "alias.set models/a/aliases/prod"));

  Register("b", {{"stage", "prod"}});  // b/2
  PLINTH_ASSERT_OK_AND_ASSIGN(dry, registry_->BulkSetAlias("prod", "tags.stage = 'prod'", true, ctx_));
  EXPECT_THAT(moved(dry), ElementsAre("b@prod=2"));
  EXPECT_EQ(dry.unchanged, 1);
  EXPECT_EQ(registry_->GetVersion(Ref("b@prod"))->version, 1);

  PLINTH_ASSERT_OK_AND_ASSIGN(real, registry_->BulkSetAlias("prod", "tags.stage = 'prod'", false, ctx_));
  EXPECT_THAT(moved(real), ElementsAre("b@prod=2"));
  EXPECT_EQ(real.unchanged, 1);
  EXPECT_EQ(registry_->GetVersion(Ref("b@prod"))->version, 2);

  EXPECT_TRUE(StatusIs(registry_->BulkSetAlias("prod", " ", false, ctx_), absl::StatusCode::kInvalidArgument,
                       "needs a filter"));
  EXPECT_TRUE(StatusIs(registry_->BulkSetAlias("prod", "bogus = 1", false, ctx_), absl::StatusCode::kInvalidArgument,
                       "unknown field"));
}

TEST_F(RegistryTest, BulkSetAliasIsAtomic) {
  Register("a");
  Register("b");
  Register("c");
  int64_t b_id = registry_->GetModel("b")->id;
  // Make the move on "b" (the second, in name order) fail inside the transaction.
  QueryOrDie(StrCat("CREATE TRIGGER fail_b BEFORE INSERT ON aliases WHEN NEW.model_id = ", b_id,
                    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"));
  EXPECT_TRUE(StatusIs(registry_->BulkSetAlias("prod", "name like '%'", false, ctx_), absl::StatusCode::kFailedPrecondition,
                       "injected failure"));
  EXPECT_EQ(CountRows("aliases"), 0);  // "a" was moved first and rolled back
  EXPECT_EQ(CountRows("alias_history"), 0);
  EXPECT_THAT(AuditActions("alias."), IsEmpty());
}

}  // namespace
}  // namespace plinth::registry
