#include "plinth/base/names.h"

#include "plinth/testing/test_util.h"

namespace plinth {
namespace {

using testing::StatusIs;

TEST(ValidateNameTest, AcceptsValidNames) {
  for (std::string name : {std::string("a"), std::string("0"), std::string("login-risk"), std::string("model_v2.1"),
                           std::string("a-"), std::string("a.b.c"), std::string(128, 'x')}) {
    EXPECT_TRUE(ValidateName("model name", name).ok()) << name;
  }
}

TEST(ValidateNameTest, RejectsInvalidNamesWithReason) {
  struct Case {
    std::string name;
    const char* why;
  } cases[] = {
      {"", "empty"},
      {std::string(129, 'x'), "longer than 128 characters"},
      {"Login", "must start with a lowercase letter or digit"},
      {"-a", "must start with a lowercase letter or digit"},
      {".a", "must start with a lowercase letter or digit"},
      {"_a", "must start with a lowercase letter or digit"},
      {".", "must start with a lowercase letter or digit"},
      {"..", "must start with a lowercase letter or digit"},
      {"loginRisk", "contains a character not allowed"},
      {"a/b", "contains a character not allowed"},
      {"a b", "contains a character not allowed"},
      {"a%2f", "contains a character not allowed"},
      {"a..b", "contains '..'"},
      {"a..", "contains '..'"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(StatusIs(ValidateName("alias", c.name), absl::StatusCode::kInvalidArgument, c.why)) << c.name;
  }
  EXPECT_EQ(testing::Message(ValidateName("model name", "Bad")),
            "invalid model name 'Bad': must start with a lowercase letter or digit (names match "
            "[a-z0-9][a-z0-9._-]{0,127})");
}

TEST(ValidateKeyTest, AcceptsAndRejects) {
  for (std::string key : {std::string("auc"), std::string("val/auc"), std::string("Team:Owner"),
                          std::string("a-b_c.d"), std::string(250, 'k')}) {
    EXPECT_TRUE(ValidateKey("tag key", key).ok()) << key;
  }
  for (std::string key : {std::string(""), std::string(251, 'k'), std::string("a b"), std::string("a=b"),
                          std::string("a..b"), std::string("caf\xc3\xa9"), std::string("x'y")}) {
    EXPECT_TRUE(StatusIs(ValidateKey("tag key", key), absl::StatusCode::kInvalidArgument, "invalid tag key")) << key;
  }
}

}  // namespace
}  // namespace plinth
