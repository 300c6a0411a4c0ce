#include "plinth/server/server_config.h"

#include <filesystem>
#include <limits>

#include "plinth/base/logging.h"
#include "plinth/base/time.h"

namespace plinth::server {

const std::vector<std::string>& ServerConfigKeys() {
  static const std::vector<std::string> kKeys = {
      "data_dir",        "listen",       "auth",           "meta",           "objects",        "online",        "threads",
      "max_body_bytes",  "max_upload_bytes", "max_header_bytes", "request_timeout", "idle_timeout", "shutdown_grace",
      "max_connections", "rate_limit",   "access_log",     "log_level",      "model_cache_bytes",
      "max_inflight_predictions", "max_queued_predictions", "max_inflight_writes", "max_queued_writes",
      "max_io_lag_ms"};
  return kKeys;
}

absl::Status ParseListen(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(StrCat("invalid listen address '", listen, "': use HOST:PORT, e.g. 127.0.0.1:7070"));
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto p = ParseInt64(listen.substr(colon + 1));
  if (!p || *p < 0 || *p > 65535) return absl::InvalidArgumentError(StrCat("invalid port in listen address '", listen, "'"));
  *host = h == "localhost" ? "127.0.0.1" : h;
  *port = static_cast<uint16_t>(*p);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseByteSize(std::string_view text) {
  std::string t = ToLower(StripWhitespace(text));
  size_t digits = t.find_first_not_of("0123456789");
  std::string_view number = std::string_view(t).substr(0, digits);
  std::string_view suffix = digits == std::string::npos ? std::string_view() : std::string_view(t).substr(digits);
  int shift = -1;
  if (suffix.empty() || suffix == "b") shift = 0;
  else if (suffix == "k" || suffix == "kb" || suffix == "kib") shift = 10;
  else if (suffix == "m" || suffix == "mb" || suffix == "mib") shift = 20;
  else if (suffix == "g" || suffix == "gb" || suffix == "gib") shift = 30;
  else if (suffix == "t" || suffix == "tb" || suffix == "tib") shift = 40;
  auto n = ParseInt64(number);
  if (number.empty() || shift < 0 || !n || *n > (std::numeric_limits<int64_t>::max() >> shift)) {
    return absl::InvalidArgumentError(StrCat("invalid byte size '", text, "': use a number with an optional KiB, MiB or GiB suffix"));
  }
  return *n << shift;
}

namespace {
absl::StatusOr<int> Seconds(const Config& c, const std::string& key, int fallback) {
  auto v = c.Get(key);
  if (!v) return fallback;
  auto d = ParseDuration(*v);
  if (!d.ok() || *d <= 0) return absl::InvalidArgumentError(StrCat("config '", key, "' (", c.Origin(key), "): invalid duration '", *v, "'"));
  if (*d / 1'000'000 > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(StrCat("config '", key, "' (", c.Origin(key), "): duration '", *v, "' is too long"));
  }
  return static_cast<int>(std::max<int64_t>(1, *d / 1'000'000));
}

absl::StatusOr<int64_t> Positive(const Config& c, const std::string& key, int64_t fallback) {
  PLINTH_ASSIGN_OR_RETURN(int64_t v, c.GetInt(key, fallback));
  if (v <= 0) return absl::InvalidArgumentError(StrCat("config '", key, "' (", c.Origin(key), ") must be positive"));
  return v;
}
}  // namespace

absl::StatusOr<ServerConfig> ResolveServerConfig(const Config& c) {
  ServerConfig s;
  s.data_dir = c.GetOr("data_dir", s.data_dir);
  if (s.data_dir.empty()) return absl::InvalidArgumentError("data_dir is empty");
  PLINTH_RETURN_IF_ERROR(ParseListen(c.GetOr("listen", "127.0.0.1:7070"), &s.host, &s.port));
  std::string auth = c.GetOr("auth", "");
  bool loopback = IsLoopbackHost(s.host);
  if (auth.empty()) {
    s.auth = loopback ? AuthMode::kOff : AuthMode::kRequired;
    s.auth_forced = !loopback;
  } else {
    PLINTH_ASSIGN_OR_RETURN(s.auth, ParseAuthMode(auth));
    if (s.auth == AuthMode::kOff && !loopback) {
      // Safe by default: an exposed server always checks tokens.
      s.auth = AuthMode::kRequired;
      s.auth_forced = true;
    }
  }
  std::string abs_data = std::filesystem::absolute(s.data_dir).lexically_normal().string();
  s.meta_uri = c.GetOr("meta", StrCat("sqlite://", abs_data, "/meta.db"));
  s.objects_uri = c.GetOr("objects", StrCat("file://", abs_data, "/objects"));
  s.online_uri = c.GetOr("online", StrCat("rocksdb://", abs_data, "/online"));
  PLINTH_ASSIGN_OR_RETURN(int64_t threads, Positive(c, "threads", s.threads));
  s.threads = static_cast<int>(std::min<int64_t>(threads, 256));
  PLINTH_ASSIGN_OR_RETURN(s.max_body_bytes, Positive(c, "max_body_bytes", s.max_body_bytes));
  PLINTH_ASSIGN_OR_RETURN(s.max_upload_bytes, Positive(c, "max_upload_bytes", s.max_upload_bytes));
  PLINTH_ASSIGN_OR_RETURN(s.max_header_bytes, Positive(c, "max_header_bytes", s.max_header_bytes));
  PLINTH_ASSIGN_OR_RETURN(s.request_timeout_seconds, Seconds(c, "request_timeout", s.request_timeout_seconds));
  PLINTH_ASSIGN_OR_RETURN(s.idle_timeout_seconds, Seconds(c, "idle_timeout", s.idle_timeout_seconds));
  PLINTH_ASSIGN_OR_RETURN(s.shutdown_grace_seconds, Seconds(c, "shutdown_grace", s.shutdown_grace_seconds));
  PLINTH_ASSIGN_OR_RETURN(int64_t maxc, Positive(c, "max_connections", s.max_connections));
  s.max_connections = static_cast<int>(maxc);
  if (auto rl = c.Get("rate_limit")) {
    auto v = ParseDouble(*rl);
    if (!v || *v < 0) return absl::InvalidArgumentError(StrCat("config 'rate_limit' (", c.Origin("rate_limit"), ") must be >= 0"));
    s.rate_limit = *v;
  }
  if (auto v = c.Get("model_cache_bytes")) {
    auto bytes = ParseByteSize(*v);
    if (!bytes.ok() || *bytes <= 0) {
      return absl::InvalidArgumentError(StrCat("config 'model_cache_bytes' (", c.Origin("model_cache_bytes"),
                                               ") must be a positive byte size such as 2GiB"));
    }
    s.model_cache_bytes = *bytes;
  }
  PLINTH_ASSIGN_OR_RETURN(int64_t inflight, c.GetInt("max_inflight_predictions", s.max_inflight_predictions));
  if (inflight < 0 || inflight > 1024) {
    return absl::InvalidArgumentError(StrCat("config 'max_inflight_predictions' (", c.Origin("max_inflight_predictions"),
                                             ") must be from 0 (one per core) to 1024"));
  }
  s.max_inflight_predictions = static_cast<int>(inflight);
  PLINTH_ASSIGN_OR_RETURN(s.max_queued_predictions, c.GetInt("max_queued_predictions", s.max_queued_predictions));
  if (s.max_queued_predictions < 0) {
    return absl::InvalidArgumentError(StrCat("config 'max_queued_predictions' (", c.Origin("max_queued_predictions"), ") must be >= 0"));
  }
  PLINTH_ASSIGN_OR_RETURN(int64_t write_threads, c.GetInt("max_inflight_writes", s.max_inflight_writes));
  if (write_threads < 1 || write_threads > 1024) {
    return absl::InvalidArgumentError(
        StrCat("config 'max_inflight_writes' (", c.Origin("max_inflight_writes"), ") must be from 1 to 1024"));
  }
  s.max_inflight_writes = static_cast<int>(write_threads);
  PLINTH_ASSIGN_OR_RETURN(s.max_queued_writes, c.GetInt("max_queued_writes", s.max_queued_writes));
  if (s.max_queued_writes < 0) {
    return absl::InvalidArgumentError(StrCat("config 'max_queued_writes' (", c.Origin("max_queued_writes"), ") must be >= 0"));
  }
  PLINTH_ASSIGN_OR_RETURN(int64_t lag, c.GetInt("max_io_lag_ms", s.max_io_lag_ms));
  if (lag < 0 || lag > 60000) {
    return absl::InvalidArgumentError(StrCat("config 'max_io_lag_ms' (", c.Origin("max_io_lag_ms"),
                                             ") must be from 0 (never shed) to 60000"));
  }
  s.max_io_lag_ms = static_cast<int>(lag);
  s.access_log = c.GetOr("access_log", s.access_log);
  s.log_level = c.GetOr("log_level", s.log_level);
  PLINTH_RETURN_IF_ERROR(ParseLogLevel(s.log_level).status());
  return s;
}

}  // namespace plinth::server
