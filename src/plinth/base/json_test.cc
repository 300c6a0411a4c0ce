#include "plinth/base/json.h"

#include "plinth/testing/test_util.h"

namespace plinth {
namespace {

using testing::StatusIs;

TEST(ParseJsonTest, ParsesAndReportsErrors) {
  auto ok = ParseJson(R"({"a": [1, 2]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["a"][1], 2);
  EXPECT_TRUE(StatusIs(ParseJson("{\"a\": "), absl::StatusCode::kInvalidArgument, "malformed JSON"));
  EXPECT_TRUE(StatusIs(ParseJson(""), absl::StatusCode::kInvalidArgument, "malformed JSON"));
  EXPECT_TRUE(StatusIs(ParseJsonObject("[1]"), absl::StatusCode::kInvalidArgument, "must be a JSON object"));
  EXPECT_TRUE(ParseJsonObject("{}").ok());
}

class JsonFieldsTest : public ::testing::Test {
 protected:
  Json obj_ = Json::parse(R"({"s": "text", "i": 7, "f": 2.5, "whole": 3.0, "b": true, "n": null, "o": {}, "a": []})");
};

TEST_F(JsonFieldsTest, MissingAndNullAreNullopt) {
  for (const char* key : {"missing", "n"}) {
    EXPECT_EQ(*JsonOptString(obj_, key), std::nullopt);
    EXPECT_EQ(*JsonOptInt(obj_, key), std::nullopt);
    EXPECT_EQ(*JsonOptDouble(obj_, key), std::nullopt);
    EXPECT_EQ(*JsonOptBool(obj_, key), std::nullopt);
  }
  EXPECT_EQ(*JsonOptString(Json::array(), "s"), std::nullopt);  // not an object: nothing there
}

TEST_F(JsonFieldsTest, RightTypesAreReturned) {
  EXPECT_EQ(*JsonOptString(obj_, "s"), "text");
  EXPECT_EQ(*JsonOptInt(obj_, "i"), 7);
  EXPECT_EQ(*JsonOptInt(obj_, "whole"), 3);
  EXPECT_EQ(*JsonOptDouble(obj_, "f"), 2.5);
  EXPECT_EQ(*JsonOptDouble(obj_, "i"), 7.0);
  EXPECT_EQ(*JsonOptBool(obj_, "b"), true);
}

TEST_F(JsonFieldsTest, WrongTypesNameTheKey) {
  for (const char* key : {"i", "b", "o", "a"}) {
    EXPECT_TRUE(StatusIs(JsonOptString(obj_, key), absl::StatusCode::kInvalidArgument,
                         StrCat("'", key, "' must be a string")));
  }
  for (const char* key : {"s", "f", "b", "o"}) {
    EXPECT_TRUE(StatusIs(JsonOptInt(obj_, key), absl::StatusCode::kInvalidArgument,
                         StrCat("'", key, "' must be an integer")));
  }
  for (const char* key : {"s", "b", "a"}) {
    EXPECT_TRUE(StatusIs(JsonOptDouble(obj_, key), absl::StatusCode::kInvalidArgument,
                         StrCat("'", key, "' must be a number")));
  }
  for (const char* key : {"s", "i"}) {
    EXPECT_TRUE(StatusIs(JsonOptBool(obj_, key), absl::StatusCode::kInvalidArgument,
                         StrCat("'", key, "' must be a boolean")));
  }
}

TEST(JsonOptIntTest, RejectsValuesOutsideInt64) {
  Json obj = Json::parse(R"({"max": 9223372036854775807, "min": -9223372036854775808,
                             "big": 9223372036854775808, "huge": 18446744073709551615, "f": 1e300, "nf": -1e300})");
  EXPECT_EQ(*JsonOptInt(obj, "max"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*JsonOptInt(obj, "min"), std::numeric_limits<int64_t>::min());
  for (const char* key : {"big", "huge", "f", "nf"}) {
    EXPECT_TRUE(StatusIs(JsonOptInt(obj, key), absl::StatusCode::kInvalidArgument, "must be an integer")) << key;
  }
}

TEST(JsonCheckKeysTest, RejectsUnknownKeys) {
  Json obj = {{"name", "m"}, {"descripton", "typo"}};
  EXPECT_TRUE(JsonCheckKeys(obj, {"name", "descripton"}, "request").ok());
  EXPECT_TRUE(JsonCheckKeys(Json::object(), {}, "request").ok());
  EXPECT_TRUE(StatusIs(JsonCheckKeys(obj, {"name", "description"}, "create model request"),
                       absl::StatusCode::kInvalidArgument, "unknown field 'descripton' in create model request"));
  EXPECT_TRUE(StatusIs(JsonCheckKeys(Json(5), {"a"}, "body"), absl::StatusCode::kInvalidArgument,
                       "body must be a JSON object"));
}

TEST(DumpJsonTest, ReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_EQ(DumpJson(Json{{"a", 1}}), R"({"a":1})");
  EXPECT_EQ(DumpJson(Json(std::string("ok\xff"))), "\"ok\xEF\xBF\xBD\"");
  EXPECT_EQ(DumpJson(Json{{"a", 1}}, 2), "{\n  \"a\": 1\n}");
}

TEST(ParseJsonTest, RefusesNestingPastTheLimit) {
  // 100000 levels used to parse, then overflow the stack when the document was copied.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(StatusIs(ParseJson(deep), absl::StatusCode::kInvalidArgument, "nested deeper than 1000 levels"));
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  // Brackets inside strings do not nest.
  EXPECT_TRUE(ParseJson("\"" + std::string(5000, '{') + "\\\"[\"").ok());
}

}  // namespace
}  // namespace plinth
