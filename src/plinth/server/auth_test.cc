#include "plinth/server/auth.h"

#include "plinth/testing/meta_env.h"

namespace plinth::server {
namespace {

using testing::StatusIs;

class RequestAuthorizerTest : public testing::MetaStoreTest {
 protected:
  void SetUp() override {
    MetaStoreTest::SetUp();
    tokens_ = std::make_unique<security::TokenStore>(security::TokenStore::Options{.meta = meta_.get(), .clock = &clock_});
    for (const char* scope : {"read", "write", "admin"}) {
      auto created = tokens_->Create(StrCat(scope, "-bot"), scope, {});
      ASSERT_TRUE(created.ok()) << created.status();
      secrets_[scope] = created->secret;
    }
  }

  RequestAuthorizer Authorizer(AuthMode mode, double rate = 0, double burst = 0) {
    return RequestAuthorizer({.mode = mode, .tokens = tokens_.get(), .rate_limit_per_second = rate, .rate_limit_burst = burst});
  }

  static HttpRequest Request(const std::string& authorization, const std::string& client = "10.0.0.1:5000") {
    HttpRequest req;
    if (!authorization.empty()) req.headers["authorization"] = authorization;
    req.client = client;
    return req;
  }

  std::string Bearer(const std::string& scope) { return StrCat("Bearer ", secrets_[scope]); }

  const Route kPublic{.method = "GET", .pattern = "/healthz", .access = Access::kPublic};
  const Route kRead{.method = "GET", .pattern = "/api/v1/models", .access = Access::kRead};
  const Route kWrite{.method = "POST", .pattern = "/api/v1/models", .access = Access::kWrite};
  const Route kAdmin{.method = "POST", .pattern = "/api/v1/tokens", .access = Access::kAdmin};

  std::unique_ptr<security::TokenStore> tokens_;
  std::map<std::string, std::string> secrets_;
};

TEST_F(RequestAuthorizerTest, PublicRoutesNeedNoToken) {
  RequestAuthorizer auth = Authorizer(AuthMode::kRequired);
  HttpRequest req = Request("");
  PLINTH_EXPECT_OK(auth.Authorize(req, kPublic));
  EXPECT_EQ(req.actor, "anonymous");
  req = Request("Bearer garbage");
  PLINTH_EXPECT_OK(auth.Authorize(req, kPublic));
}

TEST_F(RequestAuthorizerTest, OffModeGrantsEverythingAnonymously) {
  RequestAuthorizer auth = Authorizer(AuthMode::kOff);
  for (const Route* route : {&kRead, &kWrite, &kAdmin}) {
    HttpRequest req = Request("");
    PLINTH_EXPECT_OK(auth.Authorize(req, *route));
    EXPECT_EQ(req.actor, "anonymous");
  }
}

TEST_F(RequestAuthorizerTest, MissingOrInvalidTokenIsUnauthenticated) {
  RequestAuthorizer auth = Authorizer(AuthMode::kRequired);
  struct Case {
    std::string header;
    const char* message;
  } cases[] = {
      {"", "missing API token"},
      {"   ", "missing API token"},
      {StrCat("Basic ", secrets_["admin"]), "the Authorization header must be 'Bearer <token>'"},
      {secrets_["admin"], "the Authorization header must be 'Bearer <token>'"},
      {"Bearer", "the Authorization header must be 'Bearer <token>'"},
      {"Bearer plt_0000", "invalid or revoked API token"},
      {"Bearer ", "the Authorization header must be 'Bearer <token>'"},
  };
  for (const auto& c : cases) {
    HttpRequest req = Request(c.header);
    absl::Status st = auth.Authorize(req, kRead);
    EXPECT_TRUE(StatusIs(st, absl::StatusCode::kUnauthenticated, c.message)) << "'" << c.header << "'";
    EXPECT_EQ(HttpStatusFor(st.code()), 401);
    EXPECT_EQ(req.actor, "anonymous");
  }
  PLINTH_ASSERT_OK(tokens_->Revoke("admin-bot", {}));
  HttpRequest req = Request(Bearer("admin"));
  EXPECT_TRUE(StatusIs(auth.Authorize(req, kRead), absl::StatusCode::kUnauthenticated, "invalid or revoked"));
}

TEST_F(RequestAuthorizerTest, ValidTokenSetsTheActor) {
  RequestAuthorizer auth = Authorizer(AuthMode::kRequired);
  for (const std::string& header :
       {Bearer("read"), StrCat("bearer ", secrets_["read"]), StrCat("  BEARER   ", secrets_["read"], "  ")}) {
    HttpRequest req = Request(header);
    PLINTH_EXPECT_OK(auth.Authorize(req, kRead)) << header;
    EXPECT_EQ(req.actor, "token:read-bot");
  }
}

TEST_F(RequestAuthorizerTest, InsufficientScopeIsPermissionDenied) {
  RequestAuthorizer auth = Authorizer(AuthMode::kRequired);
  struct Case {
    const char* scope;
    bool read, write, admin;
  } cases[] = {{"read", true, false, false}, {"write", true, true, false}, {"admin", true, true, true}};
  for (const auto& c : cases) {
    for (auto [route, allowed] : {std::pair{&kRead, c.read}, std::pair{&kWrite, c.write}, std::pair{&kAdmin, c.admin}}) {
      HttpRequest req = Request(Bearer(c.scope));
      absl::Status st = auth.Authorize(req, *route);
      if (allowed) {
        EXPECT_TRUE(st.ok()) << c.scope << " " << route->pattern << ": " << st;
      } else {
        EXPECT_TRUE(StatusIs(st, absl::StatusCode::kPermissionDenied, "lacks the")) << c.scope << " " << route->pattern;
        EXPECT_EQ(HttpStatusFor(st.code()), 403);
      }
    }
  }
  HttpRequest req = Request(Bearer("read"));
  EXPECT_TRUE(StatusIs(auth.Authorize(req, kWrite), absl::StatusCode::kPermissionDenied,
                       "token 'read-bot' lacks the 'write' scope needed for POST /api/v1/models"));
}

TEST_F(RequestAuthorizerTest, RateLimitPerActor) {
  RequestAuthorizer auth = Authorizer(AuthMode::kRequired, /*rate=*/1, /*burst=*/2);
  auto call = [&](const std::string& scope) {
    HttpRequest req = Request(Bearer(scope));
    return auth.Authorize(req, kRead);
  };
  PLINTH_EXPECT_OK(call("read"));
  PLINTH_EXPECT_OK(call("read"));
  absl::Status st = call("read");
  EXPECT_TRUE(StatusIs(st, absl::StatusCode::kResourceExhausted,
                       "rate limit of 1 requests/s exceeded for token:read-bot; slow down"));
  EXPECT_EQ(HttpStatusFor(st.code()), 429);
  PLINTH_EXPECT_OK(call("write"));  // another actor has its own bucket
}

TEST_F(RequestAuthorizerTest, OffModeRateLimitsByClientAddress) {
  RequestAuthorizer auth = Authorizer(AuthMode::kOff, /*rate=*/1, /*burst=*/1);
  HttpRequest a = Request("", "10.0.0.1:5000"), b = Request("", "10.0.0.1:5001"), c = Request("", "10.0.0.2:5000");
  PLINTH_EXPECT_OK(auth.Authorize(a, kRead));
  EXPECT_TRUE(StatusIs(auth.Authorize(b, kRead), absl::StatusCode::kResourceExhausted, "client:10.0.0.1"));
  PLINTH_EXPECT_OK(auth.Authorize(c, kRead));
}

TEST_F(RequestAuthorizerTest, DefaultBurstIsTwiceTheRate) {
  RequestAuthorizer auth = Authorizer(AuthMode::kOff, /*rate=*/2);
  HttpRequest req = Request("");
  for (int i = 0; i < 4; ++i) PLINTH_EXPECT_OK(auth.Authorize(req, kRead)) << i;
  EXPECT_TRUE(StatusIs(auth.Authorize(req, kRead), absl::StatusCode::kResourceExhausted));
}

TEST_F(RequestAuthorizerTest, RatesBelowOnePerSecondStillAllowARequest) {
  // A bucket smaller than one request would refuse everything forever.
  for (double burst : {0.0, 0.5}) {
    RequestAuthorizer auth = Authorizer(AuthMode::kOff, /*rate=*/0.2, burst);
    HttpRequest req = Request("");
    PLINTH_EXPECT_OK(auth.Authorize(req, kRead)) << "burst " << burst;
    EXPECT_TRUE(StatusIs(auth.Authorize(req, kRead), absl::StatusCode::kResourceExhausted)) << "burst " << burst;
  }
}

TEST(AuthModeTest, Parse) {
  EXPECT_EQ(*ParseAuthMode("required"), AuthMode::kRequired);
  EXPECT_EQ(*ParseAuthMode("off"), AuthMode::kOff);
  EXPECT_TRUE(StatusIs(ParseAuthMode("Off"), absl::StatusCode::kInvalidArgument, "invalid auth mode 'Off'"));
  EXPECT_TRUE(StatusIs(ParseAuthMode(""), absl::StatusCode::kInvalidArgument));
}

TEST(IsLoopbackHostTest, OnlyLoopbackAddresses) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "::", "", "1270.0.0.1", "128.0.0.1", "example.com",
                           "127.example.com", "127.0.0.1.nip.io", "127.0.0.256", "127.0.0"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace plinth::server
