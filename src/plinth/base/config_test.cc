#include "plinth/base/config.h"

#include <fstream>

#include "plinth/testing/test_util.h"

namespace plinth {
namespace {

using testing::StatusIs;

class ConfigTest : public ::testing::Test {
 protected:
  Config config_{{"data_dir", "listen", "threads"}};
};

TEST_F(ConfigTest, LaterLayersOverrideEarlierOnes) {
  ASSERT_TRUE(config_.LoadYamlString("data_dir: /from/yaml\nthreads: 8\n", "plinth.yaml").ok());
  char e1[] = "PLINTH_DATA_DIR=/from/env", e2[] = "PLINTH_TOKEN=secret", e3[] = "HOME=/root", e4[] = "PLINTH_BROKEN";
  char* envp[] = {e1, e2, e3, e4, nullptr};
  config_.LoadEnvironment(envp);
  EXPECT_EQ(config_.Get("data_dir"), "/from/env");
  EXPECT_EQ(config_.Origin("data_dir"), "env PLINTH_DATA_DIR");
  EXPECT_EQ(config_.Get("threads"), "8");
  EXPECT_EQ(config_.Origin("threads"), "plinth.yaml");
  EXPECT_EQ(config_.Get("token"), std::nullopt);  // PLINTH_TOKEN is not a server key

  config_.Set("data_dir", "/from/flag");
  EXPECT_EQ(config_.Get("data_dir"), "/from/flag");
  EXPECT_EQ(config_.Origin("data_dir"), "flag");

  EXPECT_EQ(config_.Get("listen"), std::nullopt);
  EXPECT_EQ(config_.GetOr("listen", "127.0.0.1:7070"), "127.0.0.1:7070");
  EXPECT_EQ(config_.Origin("listen"), "default");
}

TEST_F(ConfigTest, YamlErrors) {
  EXPECT_TRUE(StatusIs(config_.LoadYamlString("bogus: 1\n", "x.yaml"), absl::StatusCode::kInvalidArgument,
                       "x.yaml: unknown key 'bogus'"));
  EXPECT_TRUE(StatusIs(config_.LoadYamlString("- a\n- b\n", "x.yaml"), absl::StatusCode::kInvalidArgument,
                       "top level must be a mapping"));
  EXPECT_TRUE(StatusIs(config_.LoadYamlString("listen: {host: a}\n", "x.yaml"), absl::StatusCode::kInvalidArgument,
                       "'listen' must be a scalar"));
  EXPECT_TRUE(StatusIs(config_.LoadYamlString("listen: [a,\n", "x.yaml"), absl::StatusCode::kInvalidArgument,
                       "invalid YAML in x.yaml"));
  EXPECT_TRUE(config_.LoadYamlString("", "empty.yaml").ok());
  EXPECT_EQ(config_.Get("listen"), std::nullopt);
}

TEST_F(ConfigTest, LoadsYamlFiles) {
  testing::TempDir dir;
  EXPECT_TRUE(StatusIs(config_.LoadYamlFile(dir.Sub("missing.yaml")), absl::StatusCode::kNotFound));
  std::string path = dir.Sub("plinth.yaml");
  std::ofstream(path) << "# comment\nlisten: \"0.0.0.0:80\"\n";
  ASSERT_TRUE(config_.LoadYamlFile(path).ok());
  EXPECT_EQ(config_.Get("listen"), "0.0.0.0:80");
  EXPECT_EQ(config_.Origin("listen"), path);
  std::ofstream(path) << "threads: [\n";
  EXPECT_TRUE(StatusIs(config_.LoadYamlFile(path), absl::StatusCode::kInvalidArgument));
}

TEST_F(ConfigTest, GetInt) {
  EXPECT_EQ(*config_.GetInt("threads", 4), 4);
  config_.Set("threads", " 16 ");
  EXPECT_EQ(*config_.GetInt("threads", 4), 16);
  for (const char* bad : {"sixteen", "1.5", "", "99999999999999999999"}) {
    config_.Set("threads", bad);
    EXPECT_TRUE(StatusIs(config_.GetInt("threads", 4), absl::StatusCode::kInvalidArgument,
                         StrCat("config 'threads' (flag) must be an integer, got '", bad, "'")));
  }
}

}  // namespace
}  // namespace plinth
