#include "plinth/cli/server_flags.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "plinth/base/config.h"

extern char** environ;

namespace plinth::cli {

void AddServerFlags(CLI::App* cmd, ServerFlags* f, bool all) {
  cmd->add_option("--config,-c", f->config_file, "YAML config file (default ./plinth.yaml if present; env PLINTH_CONFIG)");
  auto flag = [&](const std::string& name, const std::string& key, const std::string& help) {
    cmd->add_option_function<std::string>(name, [f, key](const std::string& v) { f->values[key] = v; }, help);
  };
  flag("--data-dir", "data_dir", "Data directory (default ./plinth-data)");
  flag("--meta", "meta", "Meta store URI (default sqlite://<data-dir>/meta.db)");
  flag("--online", "online", "Online feature store URI (default rocksdb://<data-dir>/online; memory:// for a scratch store)");
  flag("--objects", "objects", "Object store URI (default file://<data-dir>/objects)");
  if (!all) return;
  flag("--listen", "listen", "HOST:PORT to listen on (default 127.0.0.1:7070; port 0 picks a free one)");
  flag("--auth", "auth", "required|off (required is forced on non-loopback addresses)");
  flag("--threads", "threads", "Worker threads (default 4)");
  flag("--max-body-bytes", "max_body_bytes", "Largest JSON request body (default 16 MiB)");
  flag("--max-upload-bytes", "max_upload_bytes", "Largest artifact upload (default 2 GiB)");
  flag("--max-header-bytes", "max_header_bytes", "Largest request header (default 16 KiB)");
  flag("--request-timeout", "request_timeout", "Time to receive a request (default 30s)");
  flag("--idle-timeout", "idle_timeout", "Keep-alive idle and upload stall timeout (default 60s)");
  flag("--shutdown-grace", "shutdown_grace", "How long in-flight requests may finish on shutdown (default 30s)");
  flag("--max-connections", "max_connections", "Open connections before new ones get 503 (default 1024)");
  flag("--rate-limit", "rate_limit", "Requests per second per token or client, 0 = off (default 0)");
  flag("--access-log", "access_log", "stderr, stdout, off or a file path (default stderr)");
  flag("--log-level", "log_level", "debug, info, warn, error (default info)");
  flag("--model-cache-bytes", "model_cache_bytes", "Memory budget of loaded models, e.g. 512MiB (default 2GiB)");
  flag("--max-inflight-predictions", "max_inflight_predictions", "Predictions running at once (default: one per core)");
  flag("--max-queued-predictions", "max_queued_predictions", "Predictions waiting before new ones get 503 (default 256)");
  flag("--max-inflight-writes", "max_inflight_writes",
       "Feature-store writes (pushes, materializations, applies) running at once (default 32)");
  flag("--max-queued-writes", "max_queued_writes", "Feature-store writes waiting before new ones get 503 (default 256)");
  flag("--max-io-lag-ms", "max_io_lag_ms",
       "Refuse predictions with 503 while an I/O thread runs ready work this late, 0 = never (default 50)");
}

absl::StatusOr<server::ServerConfig> LoadConfig(const ServerFlags& f) {
  Config config(server::ServerConfigKeys());
  std::string file = f.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("PLINTH_CONFIG")) file = env;
  }
  if (!file.empty()) {
    PLINTH_RETURN_IF_ERROR(config.LoadYamlFile(file));
  } else if (std::filesystem::exists("plinth.yaml")) {
    PLINTH_RETURN_IF_ERROR(config.LoadYamlFile("plinth.yaml"));
  }
  config.LoadEnvironment(environ);
  for (const auto& [k, v] : f.values) config.Set(k, v);
  return server::ResolveServerConfig(config);
}

std::string LocalActor() {
  const char* user = std::getenv("USER");
  if (user == nullptr) {
    if (passwd* pw = getpwuid(getuid())) user = pw->pw_name;
  }
  return StrCat("local:", user ? user : "unknown");
}

}  // namespace plinth::cli
