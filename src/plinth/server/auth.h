// Request authorization: API tokens with scopes, an optional per-actor rate limit.
//
// Mode kRequired: every non-public route needs "Authorization: Bearer <token>" whose scopes
// cover the route's access level (401 without a valid token, 403 with too little scope).
// Mode kOff: every request acts as "anonymous" with full access; only allowed on loopback.
// Thread-safety: safe for concurrent use.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "plinth/security/token_store.h"
#include "plinth/server/router.h"

namespace plinth::server {

enum class AuthMode { kRequired, kOff };

absl::StatusOr<AuthMode> ParseAuthMode(std::string_view text);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

class RequestAuthorizer {
 public:
  struct Options {
    AuthMode mode = AuthMode::kRequired;
    security::TokenStore* tokens = nullptr;
    double rate_limit_per_second = 0;  // per actor; 0 disables
    double rate_limit_burst = 0;       // bucket size; defaults to 2x the rate
  };
  explicit RequestAuthorizer(Options options) : options_(options) {}

  absl::Status Authorize(HttpRequest& req, const Route& route);

 private:
  absl::Status RateLimit(const std::string& actor);

  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  Options options_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace plinth::server
