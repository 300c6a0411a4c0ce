#include "plinth/serving/router.h"

#include <atomic>

#include "plinth/registry/registry_test_fixture.h"
#include "plinth/testing/fake_model.h"

namespace plinth::serving {
namespace {

using registry::kSecond;
using registry::RegistryTest;
using ::testing::ElementsAre;
using testing::FakeModel;
using testing::StatusIs;

// Models predict 100 * version (+ the sum of their inputs), so answers name their version.
class RouterTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    PLINTH_ASSERT_OK_AND_ASSIGN(store_, DeploymentStore::Create({.meta = meta_.get(), .clock = &clock_}));
    PLINTH_ASSERT_OK_AND_ASSIGN(cache_, ModelCache::Create({.budget_bytes = 10'000}));
    router_ = NewRouter();
    ASSERT_NE(router_, nullptr);
  }

  std::unique_ptr<Router> NewRouter() {
    auto router = Router::Create({.store = store_.get(),
                                  .registry = registry_.get(),
                                  .cache = cache_.get(),
                                  .load = [this](const ResolvedModel& m) -> absl::StatusOr<std::unique_ptr<runtime::Model>> {
                                    loads_.fetch_add(1);
                                    if (m.key.name == "broken") return absl::FailedPreconditionError("cannot parse");
                                    return std::make_unique<FakeModel>(std::vector<std::string>{"x"},
                                                                       100.0 * static_cast<double>(m.key.version), 1000);
                                  },
                                  .meta = meta_.get(),
                                  .clock = &clock_});
    EXPECT_TRUE(router.ok()) << router.status();
    return router.ok() ? std::move(*router) : nullptr;
  }

  // Whether the cache holds "name/version" loaded (whatever its artifact).
  bool Loaded(const std::string& name_version) const {
    for (const auto& e : cache_->Entries()) {
      if (e.key.ToString() == name_version) return true;
    }
    return false;
  }

  void SetAlias(const std::string& model, const std::string& alias, int64_t version) {
    PLINTH_ASSERT_OK(registry_->SetAlias(model, alias, version, ctx_));
  }

  DeploymentSpec Spec(const std::string& model) {
    DeploymentSpec s;
    s.model = model;
    return s;
  }
  DeploymentSpec TemplateSpec(const std::string& tmpl, const std::string& fallback = "",
                              std::vector<std::string> pinned = {}) {
    DeploymentSpec s;
    s.model_template = tmpl;
    s.fallback = fallback;
    s.pinned_tenants = std::move(pinned);
    return s;
  }

  // "name/version" of the model answering, or the error code.
  std::string Answer(const std::string& deployment, std::optional<std::string> tenant = std::nullopt,
                     std::optional<int64_t> version = std::nullopt) {
    auto t = router_->Acquire(deployment, tenant, version);
    if (!t.ok()) return std::string(absl::StatusCodeToString(t.status().code()));
    double x = 0, out = 0;
    EXPECT_TRUE(t->handle->model().Predict(&x, 1, &out, {}).ok());
    EXPECT_EQ(out, 100.0 * static_cast<double>(t->model->key.version)) << "model answered for another version";
    return t->model->key.ToString();
  }

  std::unique_ptr<DeploymentStore> store_;
  std::unique_ptr<ModelCache> cache_;
  std::unique_ptr<Router> router_;
  std::atomic<int> loads_{0};
};

TEST_F(RouterTest, ModelDeploymentServesTheAliasAndFollowsItsMoves) {
  Register("risk");
  Register("risk");
  SetAlias("risk", "champion", 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto applied, router_->Apply("risk", Spec("risk@champion"), ctx_));
  EXPECT_TRUE(applied.created);
  EXPECT_TRUE(applied.status.ready);
  EXPECT_EQ(applied.status.deployment.generation, 1);
  EXPECT_EQ(Answer("risk"), "risk/1");

  PLINTH_ASSERT_OK_AND_ASSIGN(Target before, router_->Acquire("risk", std::nullopt));
  SetAlias("risk", "champion", 2);
  EXPECT_EQ(Answer("risk"), "risk/1");  // not yet polled
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("risk"), "risk/2");
  // The request that began on version 1 finishes on it.
  double x = 1, out = 0;
  PLINTH_ASSERT_OK(before.handle->model().Predict(&x, 1, &out, {}));
  EXPECT_EQ(out, 101);
  // The new version was loaded before the swap; the old one is no longer pinned.
  EXPECT_TRUE(Loaded("risk/2"));
  EXPECT_EQ(cache_->GetStats().pinned_bytes, 1000);
}

TEST_F(RouterTest, ApplyRefusesWhatCannotServeAndChangesNothing) {
  EXPECT_TRUE(StatusIs(router_->Apply("d", Spec("nope@champion"), ctx_), absl::StatusCode::kNotFound, "nope@champion"));
  Register("broken");
  EXPECT_TRUE(StatusIs(router_->Apply("d", Spec("broken/1"), ctx_), absl::StatusCode::kFailedPrecondition, "cannot parse"));
  EXPECT_TRUE(StatusIs(router_->Get("d"), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(store_->Get("d"), absl::StatusCode::kNotFound));
  EXPECT_TRUE(StatusIs(router_->Apply("Bad Name", Spec("broken/1"), ctx_), absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(cache_->GetStats().pinned_bytes, 0);
}

TEST_F(RouterTest, UpdatingADeploymentSwapsAndBumpsItsGeneration) {
  Register("a");
  Register("b");
  Register("b");
  PLINTH_ASSERT_OK(router_->Apply("d", Spec("a/1"), ctx_));
  EXPECT_EQ(Answer("d"), "a/1");
  PLINTH_ASSERT_OK_AND_ASSIGN(auto applied, router_->Apply("d", Spec("b/2"), ctx_));
  EXPECT_FALSE(applied.created);
  EXPECT_EQ(applied.status.deployment.generation, 2);
  EXPECT_EQ(Answer("d"), "b/2");
  EXPECT_THAT(AuditActions("deployment."), ElementsAre("deployment.update deployments/d", "deployment.create deployments/d"));
}

TEST_F(RouterTest, TemplateRoutesTenantsToTheirModelsOrTheFallback) {
  Register("risk-acme");
  Register("risk-acme");
  SetAlias("risk-acme", "champion", 2);
  Register("risk-globex");  // no champion alias: falls back
  Register("risk-global");
  SetAlias("risk-global", "champion", 1);
  PLINTH_ASSERT_OK(router_->Apply("risk", TemplateSpec("risk-{tenant}@champion", "risk-global@champion"), ctx_));
  EXPECT_EQ(Answer("risk", "acme"), "risk-acme/2");
  EXPECT_EQ(Answer("risk", "globex"), "risk-global/1");
  EXPECT_EQ(Answer("risk", "initech"), "risk-global/1");
  EXPECT_EQ(Answer("risk"), "risk-global/1");  // no tenant: the fallback
  EXPECT_EQ(Answer("risk", "Not A Tenant"), "INVALID_ARGUMENT");
  PLINTH_ASSERT_OK_AND_ASSIGN(Target t, router_->Acquire("risk", std::string("initech")));
  EXPECT_TRUE(t.fallback);

  // A tenant's first model appears: served within one refresh.
  Register("risk-initech");
  SetAlias("risk-initech", "champion", 1);
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("risk", "initech"), "risk-initech/1");
  // And its alias moves.
  Register("risk-initech");
  SetAlias("risk-initech", "champion", 2);
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("risk", "initech"), "risk-initech/2");
  // The alias is deleted: back to the fallback.
  PLINTH_ASSERT_OK(registry_->DeleteAlias("risk-initech", "champion", ctx_));
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("risk", "initech"), "risk-global/1");
}

TEST_F(RouterTest, TemplateWithoutFallback) {
  Register("risk-acme");
  PLINTH_ASSERT_OK(router_->Apply("risk", TemplateSpec("risk-{tenant}/1"), ctx_));
  EXPECT_EQ(Answer("risk", "acme"), "risk-acme/1");
  EXPECT_TRUE(StatusIs(router_->Acquire("risk", std::string("zeta")), absl::StatusCode::kNotFound, "risk-zeta/1"));
  EXPECT_TRUE(StatusIs(router_->Acquire("risk", std::nullopt), absl::StatusCode::kInvalidArgument, "'tenant' is required"));
  EXPECT_TRUE(StatusIs(router_->Acquire("nope", std::nullopt), absl::StatusCode::kNotFound, "deployment 'nope'"));
}

TEST_F(RouterTest, PinnedTenantsStayLoaded) {
  Register("risk-acme");
  Register("risk-global");
  PLINTH_ASSERT_OK_AND_ASSIGN(auto applied,
                              router_->Apply("risk", TemplateSpec("risk-{tenant}/1", "risk-global/1", {"acme", "zeta"}), ctx_));
  ASSERT_EQ(applied.status.pinned_tenants.size(), 2u);
  EXPECT_EQ(applied.status.pinned_tenants[0].second.ToString(), "risk-acme/1");
  EXPECT_EQ(applied.status.pinned_tenants[1].second.ToString(), "risk-global/1");
  // Flood the 10-model cache with other models: the pinned ones survive.
  for (int i = 0; i < 20; ++i) {
    Register(StrCat("risk-t", i));
    EXPECT_EQ(Answer("risk", StrCat("t", i)), StrCat("risk-t", i, "/1"));
  }
  EXPECT_TRUE(Loaded("risk-acme/1"));
  EXPECT_TRUE(Loaded("risk-global/1"));
  EXPECT_GT(cache_->GetStats().evictions, 0u);
  // Deleting the deployment releases its pins.
  PLINTH_ASSERT_OK(router_->Delete("risk", ctx_));
  EXPECT_EQ(cache_->GetStats().pinned_bytes, 0);
  EXPECT_TRUE(StatusIs(router_->Delete("risk", ctx_), absl::StatusCode::kNotFound));
}

TEST_F(RouterTest, NonBlockingAcquireStopsShortOfTheRegistryAndLoads) {
  Register("risk-acme");
  Register("risk-acme");
  PLINTH_ASSERT_OK(router_->Apply("risk", TemplateSpec("risk-{tenant}@latest"), ctx_));
  auto quick = [&](std::optional<int64_t> version = std::nullopt) {
    return router_->Acquire("risk", std::string("acme"), version, /*may_block=*/false);
  };
  PLINTH_ASSERT_OK_AND_ASSIGN(Target t, quick());
  EXPECT_TRUE(t.would_block);  // the tenant was never resolved
  EXPECT_EQ(Answer("risk", "acme"), "risk-acme/2");
  PLINTH_ASSERT_OK_AND_ASSIGN(t, quick());
  ASSERT_FALSE(t.would_block);
  EXPECT_EQ(t.model->key.ToString(), "risk-acme/2");
  EXPECT_NE(t.handle, nullptr);
  PLINTH_ASSERT_OK_AND_ASSIGN(t, quick(1));
  EXPECT_TRUE(t.would_block);  // version 1 was never looked up
  EXPECT_EQ(Answer("risk", "acme", 1), "risk-acme/1");
  PLINTH_ASSERT_OK_AND_ASSIGN(t, quick(1));
  EXPECT_FALSE(t.would_block);
  // Errors that need no blocking are still errors.
  EXPECT_TRUE(StatusIs(router_->Acquire("nope", std::nullopt, std::nullopt, false), absl::StatusCode::kNotFound));
  EXPECT_EQ(loads_.load(), 2);
}

TEST_F(RouterTest, VersionPinServesAnotherVersionOfTheResolvedModel) {
  Register("risk");
  Register("risk");
  PLINTH_ASSERT_OK(router_->Apply("d", Spec("risk@latest"), ctx_));
  EXPECT_EQ(Answer("d"), "risk/2");
  EXPECT_EQ(Answer("d", std::nullopt, 1), "risk/1");
  EXPECT_EQ(Answer("d", std::nullopt, 9), "NOT_FOUND");
}

TEST_F(RouterTest, DeploymentsSurviveARestartAndOtherProcessesChanges) {
  Register("a");
  Register("b");
  PLINTH_ASSERT_OK(router_->Apply("d", Spec("a/1"), ctx_));
  router_.reset();
  router_ = NewRouter();
  ASSERT_NE(router_, nullptr);
  EXPECT_EQ(Answer("d"), "a/1");
  // Another process (here: the store directly) updates and deletes: picked up by the feed.
  DeploymentSpec spec = Spec("b/1");
  PLINTH_ASSERT_OK(store_->Put("d", spec, ctx_));
  PLINTH_ASSERT_OK(store_->Put("e", spec, ctx_));
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("d"), "b/1");
  EXPECT_EQ(Answer("e"), "b/1");
  PLINTH_ASSERT_OK(store_->Delete("e", ctx_));
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("e"), "NOT_FOUND");
  EXPECT_EQ(router_->List().size(), 1u);
}

TEST_F(RouterTest, StoredDeploymentThatCannotLoadIsUnavailableAndRetried) {
  Register("a");
  EXPECT_TRUE(StatusIs(router_->Apply("d", Spec("a@champion"), ctx_), absl::StatusCode::kNotFound));
  // Stored directly (as if the alias was deleted while the server was down).
  PLINTH_ASSERT_OK(store_->Put("d", Spec("a@champion"), ctx_));
  router_.reset();
  router_ = NewRouter();
  EXPECT_EQ(Answer("d"), "UNAVAILABLE");
  PLINTH_ASSERT_OK_AND_ASSIGN(auto status, router_->Get("d"));
  EXPECT_FALSE(status.ready);
  EXPECT_THAT(status.error, ::testing::HasSubstr("a@champion"));
  SetAlias("a", "champion", 1);
  clock_.Advance(10 * kSecond);
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  EXPECT_EQ(Answer("d"), "a/1");
}

TEST_F(RouterTest, HotSwapUnderConcurrentRequests) {
  Register("m");
  Register("m");
  SetAlias("m", "champion", 1);
  PLINTH_ASSERT_OK(router_->Apply("d", Spec("m@champion"), ctx_));
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0}, v1{0}, v2{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      while (!stop) {
        std::string a = Answer("d");
        if (a == "m/1") v1.fetch_add(1);
        else if (a == "m/2") v2.fetch_add(1);
        else errors.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  SetAlias("m", "champion", 2);
  PLINTH_ASSERT_OK(router_->RefreshOnce());
  int at_swap = v2.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(v1.load(), 0);
  EXPECT_GT(v2.load(), at_swap);
}

}  // namespace
}  // namespace plinth::serving
