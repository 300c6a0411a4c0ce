#include "plinth/registry/model_ref.h"

#include "plinth/testing/test_util.h"

namespace plinth::registry {
namespace {

using testing::StatusIs;

TEST(ParseModelRefTest, ThreeForms) {
  PLINTH_ASSERT_OK_AND_ASSIGN(ModelRef model, ParseModelRef("login-risk"));
  EXPECT_EQ(model.name, "login-risk");
  EXPECT_FALSE(model.version.has_value());
  EXPECT_FALSE(model.alias.has_value());
  EXPECT_FALSE(model.names_version());

  PLINTH_ASSERT_OK_AND_ASSIGN(ModelRef version, ParseModelRef("login-risk/7"));
  EXPECT_EQ(version.name, "login-risk");
  EXPECT_EQ(version.version, 7);
  EXPECT_FALSE(version.alias.has_value());
  EXPECT_TRUE(version.names_version());

  PLINTH_ASSERT_OK_AND_ASSIGN(ModelRef alias, ParseModelRef("login-risk@champion"));
  EXPECT_EQ(alias.name, "login-risk");
  EXPECT_FALSE(alias.version.has_value());
  EXPECT_EQ(alias.alias, "champion");
  EXPECT_TRUE(alias.names_version());

  PLINTH_ASSERT_OK_AND_ASSIGN(ModelRef latest, ParseModelRef("m@latest"));
  EXPECT_EQ(latest.alias, std::string(kLatestAlias));
}

TEST(ParseModelRefTest, ToStringRoundTrips) {
  for (const char* text : {"login-risk", "login-risk/7", "login-risk@champion", "a.b_c/9223372036854775807"}) {
    PLINTH_ASSERT_OK_AND_ASSIGN(ModelRef ref, ParseModelRef(text));
    EXPECT_EQ(ref.ToString(), text);
  }
}

TEST(ParseModelRefTest, RejectsMalformedReferences) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"", "invalid model name ''"},
      {"Login", "invalid model name 'Login'"},
      {"../x", "invalid model name '..'"},
      {"m/0", "the version after '/' must be a number >= 1"},
      {"m/-1", "the version after '/' must be a number >= 1"},
      {"m/abc", "the version after '/' must be a number >= 1"},
      {"m/ 7", "the version after '/' must be a number >= 1"},
      {"m/+7", "the version after '/' must be a number >= 1"},
      {"m/", "the version after '/' must be a number >= 1"},
      {"m/1/2", "the version after '/' must be a number >= 1"},
      {"m/99999999999999999999", "the version after '/' must be a number >= 1"},
      {"m@", "invalid alias ''"},
      {"m@Champion", "invalid alias 'Champion'"},
      {"m@a@b", "invalid alias 'a@b'"},
      {"m/1@x", "use NAME, NAME/VERSION or NAME@ALIAS"},
      {"m@x/1", "use NAME, NAME/VERSION or NAME@ALIAS"},
      {"@x", "invalid model name ''"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(StatusIs(ParseModelRef(c.text), absl::StatusCode::kInvalidArgument, c.message)) << c.text;
  }
}

TEST(ParseVersionSelectorTest, NumbersAndAliases) {
  struct Case {
    const char* text;
    std::optional<int64_t> version;
    std::optional<std::string> alias;
  } cases[] = {
      {"7", 7, std::nullopt},
      {"@7", 7, std::nullopt},
      {"champion", std::nullopt, "champion"},
      {"@champion", std::nullopt, "champion"},
      {"@latest", std::nullopt, "latest"},
  };
  for (const auto& c : cases) {
    ModelRef ref{"m"};
    PLINTH_ASSERT_OK(ParseVersionSelector(c.text, ref));
    EXPECT_EQ(ref.version, c.version) << c.text;
    EXPECT_EQ(ref.alias, c.alias) << c.text;
  }
  ModelRef ref{"m"};
  EXPECT_TRUE(StatusIs(ParseVersionSelector("0", ref), absl::StatusCode::kInvalidArgument, "versions start at 1"));
  EXPECT_TRUE(StatusIs(ParseVersionSelector("-3", ref), absl::StatusCode::kInvalidArgument, "versions start at 1"));
  EXPECT_TRUE(StatusIs(ParseVersionSelector("Prod", ref), absl::StatusCode::kInvalidArgument, "invalid alias"));
  EXPECT_TRUE(StatusIs(ParseVersionSelector("", ref), absl::StatusCode::kInvalidArgument, "invalid alias"));
  EXPECT_FALSE(ref.names_version());
}

}  // namespace
}  // namespace plinth::registry
