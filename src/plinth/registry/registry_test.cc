#include "plinth/registry/registry.h"

#include <algorithm>
#include <set>
#include <thread>

#include "plinth/base/sha256.h"
#include "plinth/base/time.h"
#include "plinth/storage/file_object_store.h"
#include "plinth/testing/meta_env.h"

namespace plinth::registry {
namespace {

using storage::AuditContext;
using testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr int64_t kSecond = 1'000'000;

// A Registry over a real SqliteMetaStore and FileObjectStore in a temp directory.
class RegistryTest : public testing::MetaStoreTest {
 protected:
  void SetUp() override {
    MetaStoreTest::SetUp();
    auto objects = storage::FileObjectStore::Create({.root = dir_.Sub("objects"), .fsync = false});
    ASSERT_TRUE(objects.ok()) << objects.status();
    objects_ = std::move(*objects);
    auto registry = Registry::Create({.meta = meta_.get(), .objects = objects_.get(), .clock = &clock_});
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::move(*registry);
    artifact_ = Upload("model bytes");
  }

  std::string Upload(std::string_view bytes) {
    auto writer = objects_->NewWriter();
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->Append(bytes).ok());
    auto info = (*writer)->Commit();
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? info->sha256 : "";
  }

  RegisterVersionRequest Request(std::map<std::string, std::string> tags = {},
                                 std::map<std::string, double> metrics = {}) const {
    RegisterVersionRequest req;
    req.format = "xgboost-json";
    req.artifact_sha256 = artifact_;
    req.tags = std::move(tags);
    req.metrics = std::move(metrics);
    req.create_model = true;
    return req;
  }

  // Registers a version (creating the model if needed) and advances the clock one second.
  int64_t Register(const std::string& model, std::map<std::string, std::string> tags = {},
                   std::map<std::string, double> metrics = {}) {
    auto v = registry_->RegisterVersion(model, Request(std::move(tags), std::move(metrics)), ctx_);
    EXPECT_TRUE(v.ok()) << v.status();
    clock_.Advance(kSecond);
    return v.ok() ? v->version : 0;
  }

  std::vector<std::string> Refs(const std::vector<ModelVersion>& versions) {
    std::vector<std::string> out;
    for (const auto& v : versions) out.push_back(StrCat(v.model_name, "/", v.version));
    return out;
  }

  std::vector<std::string> SearchRefs(const std::string& filter, const std::string& order_by = "") {
    auto page = registry_->SearchVersions({.filter = filter, .order_by = order_by});
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status();
    return page.ok() ? Refs(page->items) : std::vector<std::string>{"<error>"};
  }

  std::vector<std::string> SearchModelNames(const std::string& filter, const std::string& order_by = "") {
    auto page = registry_->SearchModels({.filter = filter, .order_by = order_by});
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& m : page->items) out.push_back(m.name);
    }
    return out;
  }

  static ModelRef Ref(const std::string& text) { return *ParseModelRef(text); }

  AuditContext ctx_{"token:test", "192.0.2.1:4000"};
  std::unique_ptr<storage::FileObjectStore> objects_;
  std::unique_ptr<Registry> registry_;
  std::string artifact_;
};

TEST_F(RegistryTest, CreateRequiresStores) {
  EXPECT_TRUE(StatusIs(Registry::Create({.meta = meta_.get()}), absl::StatusCode::kInvalidArgument));
}

TEST_F(RegistryTest, CreateAndGetModel) {
  PLINTH_ASSERT_OK_AND_ASSIGN(
      Model created, registry_->CreateModel({"login-risk", "scores logins", {{"team", "risk"}, {"tier", "1"}}}, ctx_));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.name, "login-risk");
  EXPECT_EQ(created.description, "scores logins");
  EXPECT_THAT(created.tags, ElementsAre(Pair("team", "risk"), Pair("tier", "1")));
  EXPECT_EQ(created.created_at, clock_.NowMicros());
  EXPECT_EQ(created.updated_at, clock_.NowMicros());
  EXPECT_EQ(created.created_by, "token:test");
  EXPECT_EQ(created.latest_version, 0);
  EXPECT_THAT(created.aliases, IsEmpty());

  PLINTH_ASSERT_OK_AND_ASSIGN(Model got, registry_->GetModel("login-risk"));
  EXPECT_EQ(got.id, created.id);
  EXPECT_EQ(got.tags, created.tags);
  EXPECT_EQ(got.description, created.description);
  EXPECT_THAT(AuditActions(), ElementsAre("model.create models/login-risk"));
}

TEST_F(RegistryTest, CreateModelErrors) {
  PLINTH_ASSERT_OK(registry_->CreateModel({"m"}, ctx_));
  EXPECT_TRUE(StatusIs(registry_->CreateModel({"m"}, ctx_), absl::StatusCode::kAlreadyExists, "model 'm' already exists"));
  EXPECT_TRUE(StatusIs(registry_->CreateModel({"Bad Name"}, ctx_), absl::StatusCode::kInvalidArgument, "invalid model name"));
  EXPECT_TRUE(StatusIs(registry_->CreateModel({"x", "", {{"bad key", "v"}}}, ctx_), absl::StatusCode::kInvalidArgument,
                       "invalid tag key 'bad key'"));
  EXPECT_TRUE(StatusIs(registry_->CreateModel({"x", std::string(65537, 'd')}, ctx_), absl::StatusCode::kInvalidArgument,
                       "description is longer than 65536 bytes"));
  EXPECT_TRUE(StatusIs(registry_->GetModel("nope"), absl::StatusCode::kNotFound, "model 'nope' not found"));
  EXPECT_TRUE(StatusIs(registry_->GetModel("../etc"), absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(CountRows("models"), 1);
  EXPECT_EQ(AuditActions().size(), 1u);
}

TEST_F(RegistryTest, UpdateModel) {
  PLINTH_ASSERT_OK_AND_ASSIGN(Model created, registry_->CreateModel({"m", "old", {{"a", "1"}, {"b", "2"}}}, ctx_));
  clock_.Advance(5 * kSecond);
  PLINTH_ASSERT_OK_AND_ASSIGN(
      Model updated, registry_->UpdateModel("m", {.description = "new", .set_tags = {{"a", "10"}, {"c", "3"}}, .remove_tags = {"b", "zz"}}, ctx_));
  EXPECT_EQ(updated.description, "new");
  EXPECT_THAT(updated.tags, ElementsAre(Pair("a", "10"), Pair("c", "3")));
  EXPECT_EQ(updated.created_at, created.created_at);
  EXPECT_EQ(updated.updated_at, created.created_at + 5 * kSecond);
  // Without a description the old one stays.
  PLINTH_ASSERT_OK_AND_ASSIGN(updated, registry_->UpdateModel("m", {.set_tags = {{"d", "4"}}}, ctx_));
  EXPECT_EQ(updated.description, "new");
  EXPECT_EQ(updated.tags.size(), 3u);
  EXPECT_TRUE(StatusIs(registry_->UpdateModel("ghost", {}, ctx_), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(registry_->UpdateModel("m", {.remove_tags = {"a b"}}, ctx_), absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AuditActions("model.update"), ElementsAre("model.update models/m", "model.update models/m"));
}

TEST_F(RegistryTest, RegisterVersionNumbersAndFields) {
  PLINTH_ASSERT_OK(registry_->CreateModel({"m"}, ctx_));
  RegisterVersionRequest req = Request({{"stage", "dev"}}, {{"auc", 0.91}});
  req.create_model = false;
  req.description = "first";
  req.params = {{"lr", "0.1"}};
  req.signature = Json::parse(R"({"inputs": [{"name": "amount", "type": "float64"}], "outputs": [{"name": "score", "type": "float"}]})");
  req.lineage = {"run-42", "logins@v3", "abc123", "m/0-none"};
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion v1, registry_->RegisterVersion("m", req, ctx_));
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.model_name, "m");
  EXPECT_EQ(v1.format, "xgboost-json");
  EXPECT_EQ(v1.artifact_sha256, Sha256Hex("model bytes"));
  EXPECT_EQ(v1.artifact_size, 11);
  EXPECT_EQ(v1.signature, req.signature);
  EXPECT_EQ(v1.description, "first");
  EXPECT_EQ(v1.lineage.source_run, "run-42");
  EXPECT_EQ(v1.lineage.training_dataset, "logins@v3");
  EXPECT_EQ(v1.lineage.git_commit, "abc123");
  EXPECT_EQ(v1.lineage.parent, "m/0-none");
  EXPECT_THAT(v1.params, ElementsAre(Pair("lr", "0.1")));
  EXPECT_THAT(v1.tags, ElementsAre(Pair("stage", "dev")));
  ASSERT_EQ(v1.metrics.count("auc"), 1u);
  EXPECT_EQ(v1.metrics["auc"].value, 0.91);
  EXPECT_EQ(v1.metrics["auc"].step, 0);
  EXPECT_EQ(v1.created_by, "token:test");
  EXPECT_EQ(v1.created_at, clock_.NowMicros());

  EXPECT_EQ(Register("m"), 2);
  EXPECT_EQ(Register("m"), 3);
  EXPECT_EQ(Register("other"), 1);  // numbering is per model
  PLINTH_ASSERT_OK_AND_ASSIGN(Model m, registry_->GetModel("m"));
  EXPECT_EQ(m.latest_version, 3);
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion got, registry_->GetVersion(Ref("m/1")));
  EXPECT_EQ(got.signature, req.signature);
  EXPECT_EQ(got.metrics["auc"].value, 0.91);
}

TEST_F(RegistryTest, ConcurrentRegistrationsGetDistinctConsecutiveVersions) {
  constexpr int kThreads = 20;
  std::vector<absl::StatusOr<ModelVersion>> results(kThreads, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = registry_->RegisterVersion("racy", Request(), ctx_); });
  }
  for (auto& t : threads) t.join();
  std::vector<int64_t> versions;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    versions.push_back(r->version);
  }
  std::sort(versions.begin(), versions.end());
  std::vector<int64_t> expected(kThreads);
  for (int i = 0; i < kThreads; ++i) expected[i] = i + 1;
  EXPECT_EQ(versions, expected);
  PLINTH_ASSERT_OK_AND_ASSIGN(Model m, registry_->GetModel("racy"));
  EXPECT_EQ(m.latest_version, kThreads);
  EXPECT_EQ(CountRows("models"), 1);  // create_model raced too: one model
  EXPECT_EQ(QueryOrDie("SELECT COUNT(DISTINCT version) FROM model_versions").at(0).Int(0), kThreads);
}

TEST_F(RegistryTest, CreateModelOnRegister) {
  RegisterVersionRequest req = Request();
  req.create_model = false;
  EXPECT_TRUE(StatusIs(registry_->RegisterVersion("new", req, ctx_), absl::StatusCode::kNotFound, "model 'new' not found"));
  EXPECT_EQ(CountRows("models"), 0);
  req.create_model = true;
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion v, registry_->RegisterVersion("new", req, ctx_));
  EXPECT_EQ(v.version, 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(Model m, registry_->GetModel("new"));
  EXPECT_EQ(m.created_by, "token:test");
  EXPECT_EQ(m.latest_version, 1);
  EXPECT_THAT(AuditActions(), ElementsAre("version.register models/new/versions/1", "model.create models/new"));
}

TEST_F(RegistryTest, RegisterVersionValidation) {
  PLINTH_ASSERT_OK(registry_->CreateModel({"m"}, ctx_));
  auto with = [&](auto mutate) {
    RegisterVersionRequest req = Request();
    mutate(req);
    return registry_->RegisterVersion("m", req, ctx_).status();
  };
  EXPECT_TRUE(StatusIs(with([&](auto& r) { r.artifact_sha256 = Sha256Hex("never uploaded"); }),
                       absl::StatusCode::kFailedPrecondition, "has not been uploaded"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.artifact_sha256 = "../../etc/passwd"; }), absl::StatusCode::kInvalidArgument,
                       "64 lowercase hex"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.format = "onnx"; }), absl::StatusCode::kInvalidArgument, "unknown format 'onnx'"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.signature = Json::array(); }), absl::StatusCode::kInvalidArgument,
                       "signature must be a JSON object"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.signature = {{"input", Json::array()}}; }), absl::StatusCode::kInvalidArgument,
                       "signature: unknown field 'input'"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.signature = Json::parse(R"({"inputs": [{"name": "x", "type": "complex"}]})"); }),
                       absl::StatusCode::kInvalidArgument, "signature.inputs[0] ('x') needs 'type'"));
  EXPECT_TRUE(StatusIs(with([](auto& r) {
                         r.signature = Json::parse(R"({"outputs": [{"name": "y", "type": "float"}, {"name": "y", "type": "int32"}]})");
                       }),
                       absl::StatusCode::kInvalidArgument, "signature.outputs[1]: duplicate name 'y'"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.signature = Json::parse(R"({"inputs": [{"type": "float"}]})"); }),
                       absl::StatusCode::kInvalidArgument, "needs a non-empty string 'name'"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.metrics = {{"auc", std::nan("")}}; }), absl::StatusCode::kInvalidArgument,
                       "metric 'auc' must be a finite number"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.params = {{"bad key", "1"}}; }), absl::StatusCode::kInvalidArgument,
                       "invalid param key"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.lineage.training_dataset = "logins"; }), absl::StatusCode::kInvalidArgument,
                       "must be TABLE@VERSION"));
  EXPECT_TRUE(StatusIs(with([](auto& r) { r.lineage.training_dataset = "logins@"; }), absl::StatusCode::kInvalidArgument,
                       "must be TABLE@VERSION"));
  EXPECT_TRUE(StatusIs(registry_->RegisterVersion("Bad", Request(), ctx_), absl::StatusCode::kInvalidArgument));
  // Nothing was registered and no number was used up.
  EXPECT_EQ(CountRows("model_versions"), 0);
  EXPECT_EQ(Register("m"), 1);
}

TEST_F(RegistryTest, GetVersionByNumberAliasAndLatest) {
  PLINTH_ASSERT_OK(registry_->CreateModel({"m"}, ctx_));
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("m@latest")), absl::StatusCode::kNotFound, "model 'm' has no versions"));
  Register("m");
  Register("m");
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion latest, registry_->GetVersion(Ref("m@latest")));
  EXPECT_EQ(latest.version, 2);
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion v1, registry_->GetVersion(Ref("m/1")));
  EXPECT_EQ(v1.version, 1);
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("m/3")), absl::StatusCode::kNotFound, "version 3 of model 'm' not found"));
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("m@prod")), absl::StatusCode::kNotFound, "alias 'prod' not found on model 'm'"));
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("ghost/1")), absl::StatusCode::kNotFound, "model 'ghost' not found"));
  EXPECT_TRUE(StatusIs(registry_->GetVersion(Ref("m")), absl::StatusCode::kInvalidArgument, "names a model"));
}

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

TEST_F(RegistryTest, SearchVersionsWithFilterAndOrder) {
  Register("fraud", {{"stage", "prod"}}, {{"auc", 0.91}});  // t0
  Register("fraud", {{"stage", "dev"}}, {{"auc", 0.95}});   // t0+1s
  Register("fraud", {}, {{"auc", 0.80}});                   // t0+2s
  Register("churn", {{"stage", "prod"}}, {{"auc", 0.70}});  // t0+3s
  Register("churn", {}, {});                                // t0+4s
  PLINTH_ASSERT_OK(registry_->SetAlias("fraud", "champion", 1, ctx_));
  const std::string t2 = FormatTimestamp(1'700'000'000'000'000 + 2 * kSecond);

  EXPECT_THAT(SearchRefs(""), ElementsAre("churn/2", "churn/1", "fraud/3", "fraud/2", "fraud/1"));
  EXPECT_THAT(SearchRefs("metrics.auc > 0.85", "metrics.auc desc"), ElementsAre("fraud/2", "fraud/1"));
  EXPECT_THAT(SearchRefs("", "metrics.auc asc"), ElementsAre("churn/1", "fraud/3", "fraud/1", "fraud/2", "churn/2"));
  EXPECT_THAT(SearchRefs("tags.stage = 'prod'", "name, version"), ElementsAre("churn/1", "fraud/1"));
  EXPECT_THAT(SearchRefs("tags.stage is null", "name, version"), ElementsAre("churn/2", "fraud/3"));
  EXPECT_THAT(SearchRefs("name = 'fraud' and not tags.stage = 'dev'", "version"), ElementsAre("fraud/1", "fraud/3"));
  EXPECT_THAT(SearchRefs("alias = 'champion'"), ElementsAre("fraud/1"));
  EXPECT_THAT(SearchRefs("alias != 'champion' and name = 'fraud'", "version"), ElementsAre("fraud/2", "fraud/3"));
  EXPECT_THAT(SearchRefs(StrCat("created_at >= '", t2, "'"), "version desc, name"),
              ElementsAre("fraud/3", "churn/2", "churn/1"));
  EXPECT_THAT(SearchRefs("version in (2, 3) and name like 'fr%'", "version"), ElementsAre("fraud/2", "fraud/3"));
  EXPECT_THAT(SearchRefs("name like 'FR%'"), IsEmpty());  // LIKE is case-sensitive
  EXPECT_THAT(SearchRefs("name = 'nobody'"), IsEmpty());
  EXPECT_TRUE(StatusIs(registry_->SearchVersions({.filter = "metrics.auc > 'x'"}), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(registry_->SearchVersions({.order_by = "nope"}), absl::StatusCode::kInvalidArgument));
}

TEST_F(RegistryTest, SearchModels) {
  PLINTH_ASSERT_OK(registry_->CreateModel({"zeta", "", {{"team", "risk"}}}, ctx_));
  PLINTH_ASSERT_OK(registry_->CreateModel({"alpha", "payments model", {{"team", "pay"}}}, ctx_));
  PLINTH_ASSERT_OK(registry_->CreateModel({"mid"}, ctx_));
  Register("mid");
  PLINTH_ASSERT_OK(registry_->SetAlias("mid", "prod", 1, ctx_));
  EXPECT_THAT(SearchModelNames(""), ElementsAre("alpha", "mid", "zeta"));
  EXPECT_THAT(SearchModelNames("", "tags.team desc"), ElementsAre("zeta", "alpha", "mid"));
  EXPECT_THAT(SearchModelNames("tags.team in ('risk', 'pay')"), ElementsAre("alpha", "zeta"));
  EXPECT_THAT(SearchModelNames("tags.team is null"), ElementsAre("mid"));
  EXPECT_THAT(SearchModelNames("description like '%payments%'"), ElementsAre("alpha"));
  EXPECT_THAT(SearchModelNames("latest_version >= 1"), ElementsAre("mid"));
  EXPECT_THAT(SearchModelNames("alias = 'prod'"), ElementsAre("mid"));
  EXPECT_THAT(SearchModelNames("alias is null"), ElementsAre("alpha", "zeta"));
}

TEST_F(RegistryTest, SearchPagesWalkWithoutDuplicates) {
  for (int i = 0; i < 7; ++i) Register(i % 2 ? "odd" : "even", {}, {{"auc", 0.5 + i / 100.0}});
  SearchRequest req{.filter = "version >= 1", .order_by = "metrics.auc desc", .page_size = 3};
  std::vector<std::string> seen;
  std::vector<size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    PLINTH_ASSERT_OK_AND_ASSIGN(auto page, registry_->SearchVersions(req));
    sizes.push_back(page.items.size());
    for (const auto& r : Refs(page.items)) seen.push_back(r);
    if (page.next_page_token.empty()) break;
    req.page_token = page.next_page_token;
  }
  EXPECT_THAT(sizes, ElementsAre(3, 3, 1));
  EXPECT_THAT(seen, ElementsAre("even/4", "odd/3", "even/3", "odd/2", "even/2", "odd/1", "even/1"));

  // A token only works for the query it came from.
  PLINTH_ASSERT_OK_AND_ASSIGN(auto first, registry_->SearchVersions({.filter = "version >= 1", .page_size = 3}));
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_TRUE(StatusIs(registry_->SearchVersions({.filter = "version >= 2", .page_size = 3, .page_token = first.next_page_token}),
                       absl::StatusCode::kInvalidArgument, "page_token belongs to a different query"));
  EXPECT_TRUE(StatusIs(registry_->SearchModels({.page_token = first.next_page_token}),
                       absl::StatusCode::kInvalidArgument, "page_token belongs to a different query"));
  for (const char* bad : {"garbage!", "AAAA", "x"}) {
    EXPECT_TRUE(StatusIs(registry_->SearchVersions({.page_token = bad}), absl::StatusCode::kInvalidArgument,
                         "invalid page_token")) << bad;
  }
}

TEST_F(RegistryTest, ListVersionsPagesNewestFirst) {
  for (int i = 0; i < 5; ++i) Register("m");
  PLINTH_ASSERT_OK_AND_ASSIGN(auto page1, registry_->ListVersions("m", 2, ""));
  EXPECT_THAT(Refs(page1.items), ElementsAre("m/5", "m/4"));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto page2, registry_->ListVersions("m", 2, page1.next_page_token));
  EXPECT_THAT(Refs(page2.items), ElementsAre("m/3", "m/2"));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto page3, registry_->ListVersions("m", 2, page2.next_page_token));
  EXPECT_THAT(Refs(page3.items), ElementsAre("m/1"));
  EXPECT_EQ(page3.next_page_token, "");
  Register("other");
  EXPECT_TRUE(StatusIs(registry_->ListVersions("other", 2, page1.next_page_token), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(registry_->ListVersions("ghost", 2, ""), absl::StatusCode::kNotFound));
}

// Known limitation, not fixed here: page tokens carry an OFFSET (registry_sql.h), so a
// version registered between two page requests shifts the newest-first list and the next
// page repeats an item (here m/3). A fix needs keyset tokens (last sort key + id) in
// ListVersions and SearchVersions. Run with --gtest_also_run_disabled_tests to see it fail.
TEST_F(RegistryTest, PagesDoNotRepeatItemsWhenVersionsAreAddedMeanwhile) {
  for (int i = 0; i < 4; ++i) Register("m");
  PLINTH_ASSERT_OK_AND_ASSIGN(auto page1, registry_->ListVersions("m", 2, ""));
  EXPECT_THAT(Refs(page1.items), ElementsAre("m/4", "m/3"));
  Register("m");  // m/5 arrives between the two requests
  PLINTH_ASSERT_OK_AND_ASSIGN(auto page2, registry_->ListVersions("m", 2, page1.next_page_token));
  EXPECT_THAT(Refs(page2.items), ElementsAre("m/2", "m/1"));
}

// Keyset paging over a metric order with ties and missing values: walking pages of every
// size gives exactly the unpaged order, and rows added mid-walk do not shift later pages.
TEST_F(RegistryTest, SearchPagesWalkTiesAndNullsAndIgnoreInsertsMeanwhile) {
  const double aucs[] = {0.9, 0.8, 0.9, -1, 0.7, 0.9, -1, 0.8};
  for (double auc : aucs) {
    if (auc < 0) Register("m");
    else Register("m", {}, {{"auc", auc}});
  }
  ASSERT_EQ(SearchRefs("", "metrics.auc desc, name").size(), 8u);
  for (int size = 1; size <= 8; ++size) {
    const std::vector<std::string> all = SearchRefs("", "metrics.auc desc, name");
    std::vector<std::string> walked;
    registry::SearchRequest req{.order_by = "metrics.auc desc, name", .page_size = size};
    bool inserted = false;
    for (int guard = 0; guard < 20; ++guard) {
      PLINTH_ASSERT_OK_AND_ASSIGN(auto page, registry_->SearchVersions(req));
      for (const auto& ref : Refs(page.items)) walked.push_back(ref);
      if (page.next_page_token.empty()) break;
      req.page_token = page.next_page_token;
      if (!inserted && size == 3) {
        Register("m", {}, {{"auc", 0.95}});  // sorts before every page already read
        inserted = true;
      }
    }
    EXPECT_EQ(walked, all) << "page size " << size;
  }
}

TEST_F(RegistryTest, LogMetricsKeepsHighestStepAndFullHistory) {
  Register("m", {}, {{"auc", 0.1}});
  const int64_t t = clock_.NowMicros();
  PLINTH_ASSERT_OK(registry_->LogMetrics(Ref("m/1"), {{"auc", 0.5, 1, t}, {"auc", 0.7, 3, t}, {"auc", 0.9, 2, t}}, ctx_));
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion v, registry_->GetVersion(Ref("m/1")));
  EXPECT_EQ(v.metrics["auc"].value, 0.7);
  EXPECT_EQ(v.metrics["auc"].step, 3);
  // At the same step the later timestamp wins; an earlier one does not.
  PLINTH_ASSERT_OK(registry_->LogMetrics(Ref("m@latest"), {{"auc", 0.75, 3, t + 5}, {"auc", 0.2, 3, t - 5}}, ctx_));
  EXPECT_EQ(registry_->GetVersion(Ref("m/1"))->metrics["auc"].value, 0.75);

  EXPECT_THAT(SearchRefs("metrics.auc > 0.8"), IsEmpty());  // 0.9 was logged at an older step
  EXPECT_THAT(SearchRefs("metrics.auc = 0.75"), ElementsAre("m/1"));

  PLINTH_ASSERT_OK_AND_ASSIGN(auto history, registry_->MetricHistory(Ref("m/1"), "auc"));
  std::vector<std::string> points;
  for (const auto& p : history) points.push_back(StrCat(p.step, ":", p.value));
  EXPECT_THAT(points, ElementsAre("0:0.1", "1:0.5", "2:0.9", "3:0.2", "3:0.7", "3:0.75"));
  PLINTH_ASSERT_OK_AND_ASSIGN(history, registry_->MetricHistory(Ref("m/1"), "loss"));
  EXPECT_THAT(history, IsEmpty());

  EXPECT_TRUE(StatusIs(registry_->LogMetrics(Ref("m/1"), {}, ctx_), absl::StatusCode::kInvalidArgument, "no metrics"));
  EXPECT_TRUE(StatusIs(registry_->LogMetrics(Ref("m/1"), {{"auc", std::nan(""), 1, 0}}, ctx_),
                       absl::StatusCode::kInvalidArgument, "finite"));
  EXPECT_TRUE(StatusIs(registry_->LogMetrics(Ref("m/1"), {{"bad key", 1, 1, 0}}, ctx_), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(registry_->LogMetrics(Ref("m/9"), {{"auc", 1, 1, 0}}, ctx_), absl::StatusCode::kNotFound));
  EXPECT_THAT(AuditActions("metrics."), ElementsAre("metrics.log models/m/versions/1", "metrics.log models/m/versions/1"));
}

TEST_F(RegistryTest, UpdateVersion) {
  Register("m", {{"a", "1"}, {"b", "2"}});
  clock_.Advance(kSecond);
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelVersion v,
                              registry_->UpdateVersion(Ref("m/1"), {.description = "tuned", .set_tags = {{"c", "3"}}, .remove_tags = {"a"}}, ctx_));
  EXPECT_EQ(v.description, "tuned");
  EXPECT_THAT(v.tags, ElementsAre(Pair("b", "2"), Pair("c", "3")));
  EXPECT_EQ(v.updated_at, clock_.NowMicros());
  EXPECT_EQ(v.created_at, clock_.NowMicros() - 2 * kSecond);
  EXPECT_TRUE(StatusIs(registry_->UpdateVersion(Ref("m/2"), {}, ctx_), absl::StatusCode::kNotFound));
  EXPECT_THAT(AuditActions("version.update"), ElementsAre("version.update models/m/versions/1"));
}

TEST_F(RegistryTest, ArtifactForDownloadIsAudited) {
  Register("m");
  PLINTH_ASSERT_OK(registry_->SetAlias("m", "prod", 1, ctx_));
  PLINTH_ASSERT_OK_AND_ASSIGN(Artifact a, registry_->ArtifactForDownload(Ref("m@prod"), {"token:reader", "10.0.0.9:1"}));
  EXPECT_EQ(a.model_name, "m");
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.format, "xgboost-json");
  EXPECT_EQ(a.sha256, artifact_);
  EXPECT_EQ(a.size, 11);
  storage::SqlRows rows = QueryOrDie("SELECT actor, resource, details, client FROM audit_log WHERE action = 'artifact.download'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "token:reader");
  EXPECT_EQ(rows[0].Text(1), "models/m/versions/1");
  EXPECT_EQ(rows[0].Text(2), StrCat(R"({"requested":"m@prod","sha256":")", artifact_, R"(","size":11})"));
  EXPECT_EQ(rows[0].Text(3), "10.0.0.9:1");
  EXPECT_TRUE(StatusIs(registry_->ArtifactForDownload(Ref("m/2"), ctx_), absl::StatusCode::kNotFound));
}

TEST_F(RegistryTest, CollectGarbageDeletesOnlyOldUnreferencedArtifacts) {
  Register("m");  // uses artifact_
  const std::string orphan = Upload("never registered");
  const int64_t now = Clock::Real()->NowMicros();
  clock_.Set(now);
  // Younger than the grace period: kept.
  PLINTH_ASSERT_OK_AND_ASSIGN(GarbageReport recent, registry_->CollectGarbage(3600 * kSecond, false, ctx_));
  EXPECT_EQ(recent.objects, 2);
  EXPECT_EQ(recent.unreferenced, 1);
  EXPECT_EQ(recent.kept_recent, 1);
  EXPECT_EQ(recent.deleted, 0);
  clock_.Set(now + 7200 * kSecond);
  // A dry run reports without deleting.
  PLINTH_ASSERT_OK_AND_ASSIGN(GarbageReport dry, registry_->CollectGarbage(3600 * kSecond, true, ctx_));
  EXPECT_EQ(dry.deleted, 0);
  EXPECT_EQ(dry.deleted_bytes, 16);
  PLINTH_ASSERT_OK(objects_->Stat(orphan).status());
  PLINTH_ASSERT_OK_AND_ASSIGN(GarbageReport done, registry_->CollectGarbage(3600 * kSecond, false, ctx_));
  EXPECT_EQ(done.deleted, 1);
  EXPECT_EQ(done.deleted_bytes, 16);
  EXPECT_TRUE(absl::IsNotFound(objects_->Stat(orphan).status()));
  PLINTH_ASSERT_OK(objects_->Stat(artifact_).status());  // still used by m/1
  EXPECT_TRUE(StatusIs(registry_->CollectGarbage(-1, false, ctx_), absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace plinth::registry
