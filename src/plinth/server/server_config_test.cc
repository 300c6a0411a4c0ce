#include "plinth/server/server_config.h"

#include <filesystem>

#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

using testing::StatusIs;

class ServerConfigTest : public ::testing::Test {
 protected:
  absl::StatusOr<ServerConfig> Resolve(std::map<std::string, std::string> flags) {
    Config config(ServerConfigKeys());
    for (const auto& [k, v] : flags) config.Set(k, v);
    return ResolveServerConfig(config);
  }
};

TEST_F(ServerConfigTest, Defaults) {
  PLINTH_ASSERT_OK_AND_ASSIGN(ServerConfig s, Resolve({}));
  const std::string data = std::filesystem::absolute("./plinth-data").lexically_normal().string();
  EXPECT_EQ(s.data_dir, "./plinth-data");
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 7070);
  EXPECT_EQ(s.auth, AuthMode::kOff);
  EXPECT_FALSE(s.auth_forced);
  EXPECT_EQ(s.meta_uri, StrCat("sqlite://", data, "/meta.db"));
  EXPECT_EQ(s.objects_uri, StrCat("file://", data, "/objects"));
  EXPECT_EQ(s.threads, 4);
  EXPECT_EQ(s.max_body_bytes, 16 << 20);
  EXPECT_EQ(s.max_upload_bytes, int64_t{2} << 30);
  EXPECT_EQ(s.max_header_bytes, 16 << 10);
  EXPECT_EQ(s.request_timeout_seconds, 30);
  EXPECT_EQ(s.idle_timeout_seconds, 60);
  EXPECT_EQ(s.shutdown_grace_seconds, 30);
  EXPECT_EQ(s.max_connections, 1024);
  EXPECT_EQ(s.rate_limit, 0);
  EXPECT_EQ(s.access_log, "stderr");
  EXPECT_EQ(s.log_level, "info");
}

TEST_F(ServerConfigTest, AuthIsForcedOnNonLoopbackAddresses) {
  struct Case {
    const char* listen;
    const char* auth;  // "" = not set
    AuthMode want;
    bool forced;
  } cases[] = {
      {"0.0.0.0:8080", "", AuthMode::kRequired, true},
      {"0.0.0.0:8080", "off", AuthMode::kRequired, true},
      {"0.0.0.0:8080", "required", AuthMode::kRequired, false},
      {"[::]:8080", "off", AuthMode::kRequired, true},
      {"10.1.2.3:80", "", AuthMode::kRequired, true},
      {"127.0.0.1:7070", "required", AuthMode::kRequired, false},
      {"127.0.0.1:7070", "off", AuthMode::kOff, false},
      {"localhost:7070", "", AuthMode::kOff, false},
      {"[::1]:7070", "", AuthMode::kOff, false},
  };
  for (const auto& c : cases) {
    std::map<std::string, std::string> flags = {{"listen", c.listen}};
    if (*c.auth) flags["auth"] = c.auth;
    PLINTH_ASSERT_OK_AND_ASSIGN(ServerConfig s, Resolve(flags));
    EXPECT_EQ(s.auth, c.want) << c.listen << " auth=" << c.auth;
    EXPECT_EQ(s.auth_forced, c.forced) << c.listen << " auth=" << c.auth;
  }
  EXPECT_TRUE(StatusIs(Resolve({{"auth", "maybe"}}), absl::StatusCode::kInvalidArgument, "invalid auth mode 'maybe'"));
}

TEST_F(ServerConfigTest, ExplicitValues) {
  PLINTH_ASSERT_OK_AND_ASSIGN(ServerConfig s, Resolve({{"data_dir", "/srv/plinth"},
                                                       {"meta", "sqlite:///db/meta.db"},
                                                       {"threads", "1000"},
                                                       {"request_timeout", "90s"},
                                                       {"idle_timeout", "2m"},
                                                       {"shutdown_grace", "500ms"},
                                                       {"rate_limit", "2.5"},
                                                       {"max_connections", "10"},
                                                       {"log_level", "debug"}}));
  EXPECT_EQ(s.meta_uri, "sqlite:///db/meta.db");
  EXPECT_EQ(s.objects_uri, "file:///srv/plinth/objects");
  EXPECT_EQ(s.threads, 256);  // clamped
  EXPECT_EQ(s.request_timeout_seconds, 90);
  EXPECT_EQ(s.idle_timeout_seconds, 120);
  EXPECT_EQ(s.shutdown_grace_seconds, 1);  // rounded up to a whole second
  EXPECT_EQ(s.rate_limit, 2.5);
  EXPECT_EQ(s.max_connections, 10);
  EXPECT_EQ(s.log_level, "debug");
}

TEST_F(ServerConfigTest, BadValuesNameTheKey) {
  struct Case {
    const char* key;
    const char* value;
    const char* message;
  } cases[] = {
      {"request_timeout", "0s", "config 'request_timeout' (flag): invalid duration '0s'"},
      {"idle_timeout", "soon", "config 'idle_timeout' (flag): invalid duration 'soon'"},
      {"shutdown_grace", "-1s", "invalid duration"},
      {"request_timeout", "30000d", "request_timeout"},  // more seconds than an int holds
      {"threads", "0", "config 'threads' (flag) must be positive"},
      {"threads", "four", "config 'threads' (flag) must be an integer"},
      {"max_body_bytes", "-5", "must be positive"},
      {"max_connections", "1.5", "must be an integer"},
      {"rate_limit", "-1", "config 'rate_limit' (flag) must be >= 0"},
      {"rate_limit", "fast", "must be >= 0"},
      {"rate_limit", "nan", "must be >= 0"},  // NaN would switch rate limiting off
      {"rate_limit", "inf", "must be >= 0"},
      {"log_level", "loud", "loud"},
      {"data_dir", "", "data_dir is empty"},
      {"listen", "7070", "invalid listen address '7070'"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(StatusIs(Resolve({{c.key, c.value}}), absl::StatusCode::kInvalidArgument, c.message))
        << c.key << "=" << c.value;
  }
}

TEST(ParseListenTest, HostsAndPorts) {
  struct Case {
    const char* listen;
    const char* host;
    uint16_t port;
  } cases[] = {
      {"127.0.0.1:7070", "127.0.0.1", 7070}, {"[::1]:7070", "::1", 7070},       {"localhost:80", "127.0.0.1", 80},
      {"0.0.0.0:0", "0.0.0.0", 0},           {"[::]:65535", "::", 65535},       {"example.com:443", "example.com", 443},
  };
  for (const auto& c : cases) {
    std::string host;
    uint16_t port = 1;
    PLINTH_ASSERT_OK(ParseListen(c.listen, &host, &port));
    EXPECT_EQ(host, c.host) << c.listen;
    EXPECT_EQ(port, c.port) << c.listen;
  }
  for (const char* bad : {"7070", ":7070", "host:", "host:65536", "host:-1", "host:http", "[::1]", ""}) {
    std::string host;
    uint16_t port = 0;
    EXPECT_TRUE(StatusIs(ParseListen(bad, &host, &port), absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace plinth::server
