#include "plinth/server/router.h"

#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto [method, pattern] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/v1/models"},
             {"POST", "/api/v1/models"},
             {"GET", "/api/v1/models/{name}"},
             {"DELETE", "/api/v1/models/{name}"},
             {"GET", "/api/v1/models/{name}/versions/{version}"},
             {"POST", "/api/v1/models/{name}/versions/{version}/metrics"},
             // Literal added after the capture it overlaps: it must still win.
             {"GET", "/api/v1/models/search"},
             {"GET", "/"},
         }) {
      router_.Add({.method = method, .pattern = pattern});
    }
  }

  // "METHOD PATTERN [params]" of the match, "405" or "404".
  std::string Match(std::string_view method, std::string_view path) {
    std::vector<std::string> params = {"stale"};
    bool mismatch = true;
    const Route* r = router_.Match(method, path, &params, &mismatch);
    if (r == nullptr) return mismatch ? "405" : "404";
    EXPECT_FALSE(mismatch);
    std::string out = StrCat(r->method, " ", r->pattern);
    if (!params.empty()) StrAppend(&out, " [", StrJoin(params, "|"), "]");
    return out;
  }

  // Each case: method, path and the expected Match() result.
  void ExpectMatches(std::initializer_list<std::tuple<const char*, const char*, const char*>> cases) {
    for (const auto& [method, path, want] : cases) EXPECT_EQ(Match(method, path), want) << method << " " << path;
  }

  Router router_;
};

TEST_F(RouterTest, LiteralSegmentsBeatCaptures) {
  ExpectMatches({
      {"GET", "/api/v1/models/search", "GET /api/v1/models/search"},
      {"GET", "/api/v1/models/searches", "GET /api/v1/models/{name} [searches]"},
      // DELETE only has the capture route, which therefore matches "search" as a name.
      {"DELETE", "/api/v1/models/search", "DELETE /api/v1/models/{name} [search]"},
  });
}

TEST_F(RouterTest, CapturesFillParamsInOrder) {
  ExpectMatches({
      {"GET", "/api/v1/models", "GET /api/v1/models"},
      {"GET", "/api/v1/models/login-risk/versions/7", "GET /api/v1/models/{name}/versions/{version} [login-risk|7]"},
      {"POST", "/api/v1/models/m/versions/2/metrics", "POST /api/v1/models/{name}/versions/{version}/metrics [m|2]"},
      {"GET", "/", "GET /"},
  });
}

TEST_F(RouterTest, WrongMethodIs405UnknownPathIs404) {
  ExpectMatches({
      {"PUT", "/api/v1/models/m", "405"},
      {"DELETE", "/api/v1/models", "405"},
      {"get", "/api/v1/models", "405"},  // methods are case-sensitive
      {"GET", "/api/v1/nothing", "404"},
      {"GET", "/api/v1/models/m/versions", "404"},
      {"GET", "/api/v1/models/m/versions/1/extra", "404"},
      {"GET", "/API/v1/models", "404"},
  });
}

TEST_F(RouterTest, CapturesArePercentDecodedButEncodedSlashStaysInOneSegment) {
  ExpectMatches({
      {"GET", "/api/v1/models/a%20b", "GET /api/v1/models/{name} [a b]"},
      {"GET", "/api/v1/models/a%2Fb/versions/3", "GET /api/v1/models/{name}/versions/{version} [a/b|3]"},
      {"GET", "/api/v1/models/a%2fb", "GET /api/v1/models/{name} [a/b]"},
      {"GET", "/api/v1/models/a/b", "404"},
      // Literal segments are compared raw: an encoded literal is not the literal.
      {"GET", "/api/v1/models/%73earch", "GET /api/v1/models/{name} [search]"},
  });
}

TEST_F(RouterTest, EmptySegmentsNeverMatchACapture) {
  ExpectMatches({
      {"GET", "/api/v1/models//versions/3", "404"},
      {"GET", "/api/v1/models/m/versions/", "404"},
      {"GET", "/api/v1/models/", "GET /api/v1/models"},  // a trailing slash is ignored
  });
}

TEST_F(RouterTest, RootAndVeryLongPaths) {
  std::string long_path;
  for (int i = 0; i < 40; ++i) long_path += "/api";
  ExpectMatches({
      {"GET", "/", "GET /"},
      {"GET", "//", "GET /"},  // one empty segment, like "/"
      {"POST", "/", "405"},
      {"GET", "/api/v1/models/m/", "GET /api/v1/models/{name} [m]"},
      {"GET", long_path.c_str(), "404"},
      {"GET", (long_path + "/").c_str(), "404"},
  });
}

TEST(RouterEmptyTest, NoRoutesMatchNothing) {
  Router router;
  std::vector<std::string> params;
  bool mismatch = true;
  EXPECT_EQ(router.Match("GET", "/x", &params, &mismatch), nullptr);
  EXPECT_FALSE(mismatch);
  EXPECT_THAT(router.routes(), IsEmpty());
}

}  // namespace
}  // namespace plinth::server
