#include "plinth/server/http_types.h"

#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

using testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(HttpStatusForTest, MapsEveryCode) {
  using C = absl::StatusCode;
  const std::pair<C, int> cases[] = {
      {C::kOk, 200},           {C::kInvalidArgument, 400},   {C::kOutOfRange, 400},
      {C::kUnauthenticated, 401}, {C::kPermissionDenied, 403}, {C::kNotFound, 404},
      {C::kAlreadyExists, 409}, {C::kFailedPrecondition, 409}, {C::kAborted, 409},
      {C::kResourceExhausted, 429}, {C::kUnimplemented, 501}, {C::kUnavailable, 503},
      {C::kDeadlineExceeded, 503}, {C::kInternal, 500},       {C::kDataLoss, 500},
      {C::kUnknown, 500},      {C::kCancelled, 500},
  };
  for (auto [code, http] : cases) {
    EXPECT_EQ(HttpStatusFor(code), http) << absl::StatusCodeToString(code);
  }
}

TEST(ErrorResponseTest, BodyShapeAndStatus) {
  HttpResponse r = ErrorResponse(absl::NotFoundError("model 'x' not found"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"model 'x' not found\"}}\n");
  EXPECT_TRUE(r.headers.empty());

  r = ErrorResponse(absl::InvalidArgumentError("too big"), 413);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Json::parse(r.body), Json::parse(R"({"error": {"code": "INVALID_ARGUMENT", "message": "too big"}})"));

  r = ErrorResponse(absl::UnauthenticatedError("missing API token"));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.headers, ElementsAre(Pair("WWW-Authenticate", "Bearer")));

  r = ErrorResponse(absl::DataLossError(std::string("bad \xff byte")));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "DATA_LOSS");  // still valid JSON
}

TEST(JsonResponseTest, SerializesWithNewline) {
  HttpResponse r = JsonResponse(201, {{"name", "m"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"name\":\"m\"}\n");
}

TEST(PercentDecodeTest, DecodesEscapes) {
  EXPECT_EQ(*PercentDecode("a%20b", false), "a b");
  EXPECT_EQ(*PercentDecode("%41%42c", false), "ABc");
  EXPECT_EQ(*PercentDecode("%2f%2F", false), "//");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%2B", true), "+");
  EXPECT_EQ(*PercentDecode("%C3%A9", false), "\xc3\xa9");
  EXPECT_EQ(*PercentDecode("", false), "");
}

TEST(PercentDecodeTest, RejectsMalformedEscapesAndNul) {
  for (const char* bad : {"%", "%2", "a%", "%zz", "%g0", "%0g", "100%"}) {
    EXPECT_TRUE(StatusIs(PercentDecode(bad, false), absl::StatusCode::kInvalidArgument, "malformed percent-escape")) << bad;
  }
  EXPECT_TRUE(StatusIs(PercentDecode("a%00b", false), absl::StatusCode::kInvalidArgument, "NUL byte"));
}

TEST(PercentEncodeTest, RoundTripsEveryNonNulByte) {
  EXPECT_EQ(PercentEncode("a b/c~-_.Z9"), "a%20b%2Fc~-_.Z9");
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(*PercentDecode(PercentEncode(all), false), all);
}

TEST(ParseQueryStringTest, DecodesPairs) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto q, ParseQueryString("a=1&b=x%20y&c&d=&a=2&&e=p+q&f=1=2"));
  EXPECT_THAT(q, ElementsAre(Pair("a", "2"), Pair("b", "x y"), Pair("c", ""), Pair("d", ""), Pair("e", "p q"),
                             Pair("f", "1=2")));
  PLINTH_ASSERT_OK_AND_ASSIGN(q, ParseQueryString(""));
  EXPECT_TRUE(q.empty());
  PLINTH_ASSERT_OK_AND_ASSIGN(q, ParseQueryString("filter=name+%3D+%27a%26b%27"));
  EXPECT_THAT(q, ElementsAre(Pair("filter", "name = 'a&b'")));
  EXPECT_TRUE(StatusIs(ParseQueryString("x=%zz"), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(ParseQueryString("%=1"), absl::StatusCode::kInvalidArgument));
}

TEST(HttpRequestTest, HeaderAndQueryLookups) {
  HttpRequest req;
  req.headers = {{"authorization", "Bearer x"}};
  req.query = {{"page_size", "10"}};
  EXPECT_EQ(req.Header("authorization"), "Bearer x");
  EXPECT_EQ(req.Header("x-missing"), "");
  EXPECT_EQ(req.Query("page_size"), "10");
  EXPECT_EQ(req.Query("filter"), std::nullopt);
}

}  // namespace
}  // namespace plinth::server
