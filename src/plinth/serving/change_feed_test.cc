#include "plinth/serving/change_feed.h"

#include "plinth/storage/meta/audit_log.h"
#include "plinth/testing/meta_env.h"

namespace plinth::serving {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ChangeFeedTest : public testing::MetaStoreTest {
 protected:
  void Audit(const std::string& action, const std::string& resource) {
    storage::AuditLog log(&clock_);
    PLINTH_ASSERT_OK(meta_->Run(storage::TxnMode::kWrite, [&](storage::SqlTransaction& txn) {
      return log.Append(txn, {"test", ""}, action, resource);
    }));
  }
};

TEST_F(ChangeFeedTest, ReportsModelsAndDeploymentsChangedSinceThePreviousPoll) {
  Audit("model.create", "models/before");  // before the feed starts: not reported
  PLINTH_ASSERT_OK_AND_ASSIGN(auto feed, ChangeFeed::Create({.meta = meta_.get()}));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto none, feed->Poll());
  EXPECT_TRUE(none.empty());
  Audit("alias.set", "models/risk-acme/aliases/champion");
  Audit("version.register", "models/risk/versions/3");
  Audit("deployment.update", "deployments/risk");
  Audit("artifact.download", "models/other/versions/1");  // reads change nothing
  Audit("token.create", "tokens/ci");
  PLINTH_ASSERT_OK_AND_ASSIGN(auto changes, feed->Poll());
  EXPECT_THAT(changes.models, ElementsAre("risk", "risk-acme"));
  EXPECT_THAT(changes.deployments, ElementsAre("risk"));
  EXPECT_FALSE(changes.everything);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto again, feed->Poll());
  EXPECT_TRUE(again.empty());
}

TEST_F(ChangeFeedTest, ABurstBeyondTheBatchMeansEverything) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto feed, ChangeFeed::Create({.meta = meta_.get(), .batch_limit = 3}));
  for (int i = 0; i < 5; ++i) Audit("model.create", StrCat("models/m", i));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto changes, feed->Poll());
  EXPECT_TRUE(changes.everything);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto after, feed->Poll());  // the cursor jumped to the end
  EXPECT_TRUE(after.empty());
  EXPECT_THAT(after.models, IsEmpty());
}

}  // namespace
}  // namespace plinth::serving
