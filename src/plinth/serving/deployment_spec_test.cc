#include "plinth/serving/deployment_spec.h"

#include "plinth/testing/test_util.h"

namespace plinth::serving {
namespace {

using testing::StatusIs;

absl::StatusOr<DeploymentSpec> Parse(const char* text) { return ParseDeploymentSpec(*ParseJson(text)); }

TEST(DeploymentSpecTest, AcceptsModelOrTemplate) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto a, Parse(R"({"model": "risk@champion"})"));
  EXPECT_EQ(a.model, "risk@champion");
  EXPECT_FALSE(a.routes_by_tenant());
  EXPECT_EQ(a.max_batch_rows, kDefaultMaxBatchRows);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto b, Parse(R"({"model_template": "risk-{tenant}@champion", "fallback": "risk/3",
                                                "pinned_tenants": ["zeta", "acme", "acme"], "max_batch_rows": 5})"));
  EXPECT_TRUE(b.routes_by_tenant());
  EXPECT_THAT(b.pinned_tenants, ::testing::ElementsAre("acme", "zeta"));
  // Round trip.
  PLINTH_ASSERT_OK_AND_ASSIGN(auto c, ParseDeploymentSpec(b.ToJson()));
  EXPECT_EQ(c.ToJson(), b.ToJson());
  // The tenant may sit in the alias too.
  PLINTH_ASSERT_OK(Parse(R"({"model_template": "risk@{tenant}"})"));
}

TEST(DeploymentSpecTest, RefusesBadSpecsNamingTheField) {
  EXPECT_TRUE(StatusIs(Parse(R"({})"), absl::StatusCode::kInvalidArgument, "exactly one of 'model'"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "a/1", "model_template": "a-{tenant}/1"})"), absl::StatusCode::kInvalidArgument,
                       "exactly one"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "risk"})"), absl::StatusCode::kInvalidArgument, "'model' must name a version"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "Risk/1"})"), absl::StatusCode::kInvalidArgument, "'model'"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model_template": "risk@champion"})"), absl::StatusCode::kInvalidArgument, "{tenant}"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model_template": "{tenant}-{tenant}@c"})"), absl::StatusCode::kInvalidArgument, "once"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model_template": "risk-{tenant}"})"), absl::StatusCode::kInvalidArgument, "name a version"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "a/1", "fallback": "b"})"), absl::StatusCode::kInvalidArgument, "'fallback'"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "a/1", "pinned_tenants": ["x"]})"), absl::StatusCode::kInvalidArgument,
                       "'pinned_tenants' needs"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model_template": "a-{tenant}/1", "pinned_tenants": ["Bad!"]})"),
                       absl::StatusCode::kInvalidArgument, "tenant"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "a/1", "max_batch_rows": 0})"), absl::StatusCode::kInvalidArgument,
                       "'max_batch_rows'"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": "a/1", "replicas": 3})"), absl::StatusCode::kInvalidArgument, "replicas"));
  EXPECT_TRUE(StatusIs(Parse(R"({"model": 7})"), absl::StatusCode::kInvalidArgument, "model"));
}

TEST(DeploymentSpecTest, TenantModelRef) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto spec, Parse(R"({"model_template": "risk-{tenant}@champion"})"));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto ref, TenantModelRef(spec, "acme"));
  EXPECT_EQ(ref.ToString(), "risk-acme@champion");
  EXPECT_TRUE(StatusIs(TenantModelRef(spec, "../etc"), absl::StatusCode::kInvalidArgument, "tenant"));
  EXPECT_TRUE(StatusIs(TenantModelRef(spec, std::string(127, 'a')), absl::StatusCode::kInvalidArgument, "tenant"));
  EXPECT_TRUE(StatusIs(TenantModelRef(spec, ""), absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace plinth::serving
