// ServerConfig: every setting of `plinth server`, resolved from plinth.yaml, then PLINTH_*
// environment variables, then flags (later wins). README.md lists the keys.
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/base/config.h"
#include "plinth/server/auth.h"

namespace plinth::server {

struct ServerConfig {
  std::string data_dir = "./plinth-data";
  std::string host = "127.0.0.1";
  uint16_t port = 7070;
  AuthMode auth = AuthMode::kOff;
  bool auth_forced = false;  // auth was required because the address is not loopback
  std::string meta_uri;      // default sqlite://<data_dir>/meta.db
  std::string objects_uri;   // default file://<data_dir>/objects
  std::string online_uri;    // online feature store, default rocksdb://<data_dir>/online
  int threads = 4;
  int64_t max_body_bytes = 16 << 20;
  int64_t max_upload_bytes = int64_t{2} << 30;
  int64_t max_header_bytes = 16 << 10;
  int request_timeout_seconds = 30;
  int idle_timeout_seconds = 60;
  int shutdown_grace_seconds = 30;
  int max_connections = 1024;
  double rate_limit = 0;
  int64_t model_cache_bytes = int64_t{2} << 30;  // byte budget of loaded models
  int max_inflight_predictions = 0;              // prediction threads; 0 = one per core
  int64_t max_queued_predictions = 256;          // waiting beyond those before 503
  int max_inflight_writes = 32;                  // feature-store write threads (pushes, materializations)
  int64_t max_queued_writes = 256;               // writes waiting beyond those before 503
  int max_io_lag_ms = 50;                        // I/O thread behind by more: predictions get 503; 0 = never
  std::string access_log = "stderr";
  std::string log_level = "info";
};

// The keys accepted in plinth.yaml and as PLINTH_<KEY>.
const std::vector<std::string>& ServerConfigKeys();

// Builds the configuration from a layered Config. InvalidArgument names the bad key.
absl::StatusOr<ServerConfig> ResolveServerConfig(const Config& config);

// "2147483648", "512MiB", "2GiB", "64k": a byte count with an optional binary suffix.
absl::StatusOr<int64_t> ParseByteSize(std::string_view text);

// Splits "host:port" ("[::1]:7070" for IPv6).
absl::Status ParseListen(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace plinth::server
