#include "plinth/server/auth.h"

#include <algorithm>

namespace plinth::server {

absl::StatusOr<AuthMode> ParseAuthMode(std::string_view text) {
  if (text == "required") return AuthMode::kRequired;
  if (text == "off") return AuthMode::kOff;
  return absl::InvalidArgumentError(StrCat("invalid auth mode '", text, "': use required or off"));
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // A dotted-quad IPv4 address in 127.0.0.0/8; not a host name like "127.example.com".
  std::vector<std::string_view> parts = StrSplit(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (std::string_view p : parts) {
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos) return false;
    if (*ParseInt64(p) > 255) return false;
  }
  return true;
}

absl::Status RequestAuthorizer::Authorize(HttpRequest& req, const Route& route) {
  if (route.access == Access::kPublic) return absl::OkStatus();
  if (options_.mode == AuthMode::kOff) {
    req.actor = "anonymous";
    return RateLimit(StrCat("client:", req.client.substr(0, req.client.rfind(':'))));
  }
  std::string header = req.Header("authorization");
  std::string_view value = StripWhitespace(header);
  if (value.empty()) return absl::UnauthenticatedError("missing API token: send 'Authorization: Bearer <token>'");
  if (value.size() < 7 || !EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
    return absl::UnauthenticatedError("the Authorization header must be 'Bearer <token>'");
  }
  PLINTH_ASSIGN_OR_RETURN(security::TokenInfo token, options_.tokens->Authenticate(StripWhitespace(value.substr(7))));
  req.actor = StrCat("token:", token.name);
  security::Scope needed = route.access == Access::kAdmin   ? security::Scope::kAdmin
                           : route.access == Access::kWrite ? security::Scope::kWrite
                                                            : security::Scope::kRead;
  if (!token.Allows(needed)) {
    return absl::PermissionDeniedError(StrCat("token '", token.name, "' lacks the '", security::ScopeName(needed),
                                              "' scope needed for ", route.method, " ", route.pattern));
  }
  return RateLimit(req.actor);
}

absl::Status RequestAuthorizer::RateLimit(const std::string& actor) {
  if (options_.rate_limit_per_second <= 0) return absl::OkStatus();
  double burst = options_.rate_limit_burst > 0 ? options_.rate_limit_burst : 2 * options_.rate_limit_per_second;
  burst = std::max(burst, 1.0);  // a bucket smaller than one request would refuse every request
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(actor, Bucket{burst, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst, b.tokens + elapsed * options_.rate_limit_per_second);
  b.last = now;
  if (b.tokens < 1) {
    return absl::ResourceExhaustedError(StrCat("rate limit of ", options_.rate_limit_per_second,
                                               " requests/s exceeded for ", actor, "; slow down"));
  }
  b.tokens -= 1;
  return absl::OkStatus();
}

}  // namespace plinth::server
