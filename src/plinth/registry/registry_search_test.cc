// Registry: search, ordering and page tokens.
#include <algorithm>
#include <set>
#include <thread>

#include "plinth/base/sha256.h"
#include "plinth/base/time.h"
#include "plinth/registry/registry_test_fixture.h"

namespace plinth::registry {
namespace {

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

}  // namespace
}  // namespace plinth::registry
