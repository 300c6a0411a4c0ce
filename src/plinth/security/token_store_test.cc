#include "plinth/security/token_store.h"

#include "plinth/base/sha256.h"
#include "plinth/testing/meta_env.h"

namespace plinth::security {
namespace {

using storage::AuditContext;
using testing::StatusIs;
using ::testing::ElementsAre;

constexpr int64_t kMinute = 60'000'000;

class TokenStoreTest : public testing::MetaStoreTest {
 protected:
  void SetUp() override {
    MetaStoreTest::SetUp();
    tokens_ = std::make_unique<TokenStore>(TokenStore::Options{.meta = meta_.get(), .clock = &clock_});
  }

  CreatedToken CreateOrDie(const std::string& name, const std::string& scopes) {
    auto created = tokens_->Create(name, scopes, admin_ctx_);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : CreatedToken{};
  }

  AuditContext admin_ctx_{"local:root", ""};
  std::unique_ptr<TokenStore> tokens_;
};

TEST_F(TokenStoreTest, CreateReturnsTheSecretOnce) {
  CreatedToken t = CreateOrDie("ci", "read, write");
  ASSERT_EQ(t.secret.size(), 4u + 64u);
  EXPECT_TRUE(StartsWith(t.secret, "plt_"));
  EXPECT_TRUE(IsSha256Hex(t.secret.substr(4)));  // 64 lowercase hex characters
  EXPECT_EQ(t.info.name, "ci");
  EXPECT_EQ(t.info.scopes, (std::vector<Scope>{Scope::kRead, Scope::kWrite}));
  EXPECT_EQ(t.info.created_at, clock_.NowMicros());
  EXPECT_EQ(t.info.created_by, "local:root");
  EXPECT_FALSE(t.info.revoked_at.has_value());
  EXPECT_NE(CreateOrDie("other", "read").secret, t.secret);
}

TEST_F(TokenStoreTest, OnlyTheHashIsStored) {
  CreatedToken t = CreateOrDie("ci", "admin");
  storage::SqlRows rows = QueryOrDie("SELECT * FROM api_tokens");
  ASSERT_EQ(rows.size(), 1u);
  bool hash_found = false;
  for (size_t i = 0; i < rows[0].size(); ++i) {
    std::string cell = rows[0].Text(i);
    EXPECT_EQ(cell.find(t.secret.substr(4)), std::string::npos) << "column " << i << " holds the secret";
    hash_found = hash_found || cell == Sha256Hex(t.secret);
  }
  EXPECT_TRUE(hash_found);
  // Nor does the audit log hold it.
  for (const auto& r : QueryOrDie("SELECT details FROM audit_log")) {
    EXPECT_EQ(r.Text(0).find(t.secret.substr(4)), std::string::npos);
  }
}

TEST_F(TokenStoreTest, AuthenticateAcceptsOnlyLiveTokens) {
  CreatedToken t = CreateOrDie("ci", "write");
  PLINTH_ASSERT_OK_AND_ASSIGN(TokenInfo info, tokens_->Authenticate(t.secret));
  EXPECT_EQ(info.name, "ci");
  EXPECT_EQ(info.id, t.info.id);
  EXPECT_EQ(info.scopes, std::vector<Scope>{Scope::kWrite});

  std::string wrong = t.secret;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& bad : {wrong, std::string(""), t.secret.substr(4), std::string("plt_"), t.secret + " "}) {
    EXPECT_TRUE(StatusIs(tokens_->Authenticate(bad), absl::StatusCode::kUnauthenticated)) << bad;
  }

  PLINTH_ASSERT_OK(tokens_->Revoke("ci", admin_ctx_));
  EXPECT_TRUE(StatusIs(tokens_->Authenticate(t.secret), absl::StatusCode::kUnauthenticated,
                       "invalid or revoked API token"));
}

TEST_F(TokenStoreTest, LastUsedIsUpdatedAtMostOnceAMinute) {
  CreatedToken t = CreateOrDie("ci", "read");
  auto last_used = [&] {
    auto list = tokens_->List();
    EXPECT_TRUE(list.ok());
    return list->at(0).last_used_at;
  };
  EXPECT_EQ(last_used(), std::nullopt);
  const int64_t first = clock_.NowMicros();
  PLINTH_ASSERT_OK(tokens_->Authenticate(t.secret));
  EXPECT_EQ(last_used(), first);
  clock_.Advance(kMinute / 2);
  PLINTH_ASSERT_OK(tokens_->Authenticate(t.secret));
  EXPECT_EQ(last_used(), first);
  clock_.Advance(kMinute);
  PLINTH_ASSERT_OK(tokens_->Authenticate(t.secret));
  EXPECT_EQ(last_used(), first + kMinute * 3 / 2);
}

TEST(TokenInfoTest, ScopesAreOrdered) {
  struct Case {
    std::vector<Scope> scopes;
    bool read, write, admin;
  } cases[] = {
      {{Scope::kRead}, true, false, false},
      {{Scope::kWrite}, true, true, false},
      {{Scope::kAdmin}, true, true, true},
      {{Scope::kRead, Scope::kAdmin}, true, true, true},
      {{}, false, false, false},
  };
  for (const auto& c : cases) {
    TokenInfo t;
    t.scopes = c.scopes;
    EXPECT_EQ(t.Allows(Scope::kRead), c.read);
    EXPECT_EQ(t.Allows(Scope::kWrite), c.write);
    EXPECT_EQ(t.Allows(Scope::kAdmin), c.admin);
  }
}

TEST(ScopeTest, ParseAndName) {
  for (Scope s : {Scope::kRead, Scope::kWrite, Scope::kAdmin}) EXPECT_EQ(*ParseScope(ScopeName(s)), s);
  EXPECT_TRUE(StatusIs(ParseScope("Admin"), absl::StatusCode::kInvalidArgument, "unknown scope 'Admin'"));
}

TEST_F(TokenStoreTest, CreateValidatesInput) {
  CreateOrDie("ci", "read");
  EXPECT_TRUE(StatusIs(tokens_->Create("ci", "admin", admin_ctx_), absl::StatusCode::kAlreadyExists,
                       "token 'ci' already exists"));
  EXPECT_TRUE(StatusIs(tokens_->Create("x", "root", admin_ctx_), absl::StatusCode::kInvalidArgument,
                       "unknown scope 'root': use read, write or admin"));
  EXPECT_TRUE(StatusIs(tokens_->Create("x", "read,sudo", admin_ctx_), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(tokens_->Create("x", " , ", admin_ctx_), absl::StatusCode::kInvalidArgument,
                       "at least one scope"));
  EXPECT_TRUE(StatusIs(tokens_->Create("CI Bot", "read", admin_ctx_), absl::StatusCode::kInvalidArgument,
                       "invalid token name"));
  CreatedToken dup = CreateOrDie("dup", "read,read,write,read");
  EXPECT_EQ(dup.info.scopes, (std::vector<Scope>{Scope::kRead, Scope::kWrite}));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto list, tokens_->List());
  ASSERT_EQ(list.size(), 2u);  // failed attempts left nothing
  EXPECT_EQ(list[0].name, "ci");
  EXPECT_EQ(list[1].name, "dup");
  EXPECT_EQ(list[1].scopes, (std::vector<Scope>{Scope::kRead, Scope::kWrite}));
}

TEST_F(TokenStoreTest, RevokeOnceThenFailedPrecondition) {
  CreateOrDie("ci", "read");
  clock_.Advance(kMinute);
  PLINTH_ASSERT_OK(tokens_->Revoke("ci", admin_ctx_));
  EXPECT_TRUE(StatusIs(tokens_->Revoke("ci", admin_ctx_), absl::StatusCode::kFailedPrecondition,
                       "token 'ci' is already revoked"));
  EXPECT_TRUE(StatusIs(tokens_->Revoke("ghost", admin_ctx_), absl::StatusCode::kNotFound, "token 'ghost' not found"));
  PLINTH_ASSERT_OK_AND_ASSIGN(auto list, tokens_->List());
  EXPECT_EQ(list.at(0).revoked_at, clock_.NowMicros());
}

TEST_F(TokenStoreTest, CreateAndRevokeAreAudited) {
  CreateOrDie("ci", "write,read");
  EXPECT_FALSE(tokens_->Create("ci", "read", admin_ctx_).ok());
  PLINTH_ASSERT_OK(tokens_->Revoke("ci", {"token:admin", "10.1.1.1:1"}));
  EXPECT_FALSE(tokens_->Revoke("ci", admin_ctx_).ok());
  EXPECT_THAT(AuditActions(), ElementsAre("token.revoke tokens/ci", "token.create tokens/ci"));
  storage::SqlRows rows = QueryOrDie("SELECT actor, client, details FROM audit_log ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Text(0), "local:root");
  EXPECT_EQ(rows[0].Text(2), R"({"scopes":"write,read"})");
  EXPECT_EQ(rows[1].Text(0), "token:admin");
  EXPECT_EQ(rows[1].Text(1), "10.1.1.1:1");
}

}  // namespace
}  // namespace plinth::security
