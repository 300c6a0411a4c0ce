// Registry: models, versions, metrics, artifacts and garbage collection.
#include <algorithm>
#include <set>
#include <thread>

#include "plinth/base/sha256.h"
#include "plinth/base/time.h"
#include "plinth/registry/registry_test_fixture.h"

namespace plinth::registry {
namespace {

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

TEST_F(RegistryTest, DeletesLeaveNoRowsBehind) {
  Register("m", {{"team", "risk"}}, {{"auc", 0.9}});
  Register("m", {{"team", "risk"}}, {{"auc", 0.8}});
  PLINTH_ASSERT_OK(registry_->UpdateModel("m", {.set_tags = {{"owner", "x"}}}, ctx_));
  PLINTH_ASSERT_OK(registry_->SetAlias("m", "champion", 1, ctx_).status());
  PLINTH_ASSERT_OK(registry_->DeleteVersion(Ref("m/2"), ctx_));
  EXPECT_EQ(CountRows("version_tags"), 1);
  EXPECT_EQ(CountRows("version_metrics"), 1);
  EXPECT_EQ(CountRows("metric_history"), 1);
  PLINTH_ASSERT_OK(registry_->DeleteModel("m", /*force=*/true, ctx_));
  for (const char* table : {"models", "model_tags", "model_versions", "version_tags", "version_params",
                            "version_metrics", "metric_history", "aliases", "alias_history"}) {
    EXPECT_EQ(CountRows(table), 0) << table;
  }
}

}  // namespace
}  // namespace plinth::registry
