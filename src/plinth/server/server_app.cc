#include "plinth/server/server_app.h"

#include <cstdio>
#include <filesystem>

#include "plinth/base/logging.h"
#include "plinth/registry/metrics_lake.h"
#include "plinth/registry/registry.h"
#include "plinth/security/token_store.h"
#include "plinth/server/admin_api.h"
#include "plinth/server/auth.h"
#include "plinth/server/http_server.h"
#include "plinth/server/model_inspection.h"
#include "plinth/server/registry_api.h"
#include "plinth/storage/backends.h"

namespace plinth::server {

absl::StatusOr<Stores> OpenStores(const ServerConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return absl::InternalError(StrCat("cannot create data dir ", config.data_dir, ": ", ec.message()));
  storage::StorageBackends backends = storage::StorageBackends::WithBuiltins();
  Stores s;
  PLINTH_ASSIGN_OR_RETURN(s.meta, backends.OpenMetaStore(config.meta_uri));
  PLINTH_ASSIGN_OR_RETURN(s.objects, backends.OpenObjectStore(config.objects_uri));
  return s;
}

absl::Status RunServer(const ServerConfig& config) {
  InitLogging(*ParseLogLevel(config.log_level));
  PLINTH_ASSIGN_OR_RETURN(Stores stores, OpenStores(config));
  PLINTH_ASSIGN_OR_RETURN(auto reg, registry::Registry::Create({.meta = stores.meta.get(),
                                                                 .objects = stores.objects.get(),
                                                                 .inspect_artifact = MakeArtifactInspector(*stores.objects)}));
  security::TokenStore tokens({.meta = stores.meta.get()});
  // Every logged metric also lands in a Delta table for analysts (exported in the background).
  std::string metrics_table = (std::filesystem::path(config.data_dir) / "lake" / "registry" / "model_metrics").string();
  PLINTH_ASSIGN_OR_RETURN(auto metrics_export,
                          registry::MetricsLakeExporter::Create({.meta = stores.meta.get(), .table_root = metrics_table}));
  metrics_export->Start();
  PLINTH_ASSIGN_OR_RETURN(auto access_log, LineSink::Open(config.access_log));
  HttpMetrics metrics;
  RequestAuthorizer authorizer({.mode = config.auth, .tokens = &tokens, .rate_limit_per_second = config.rate_limit});

  Router router;
  HttpServer* server_ptr = nullptr;
  AddAdminRoutes(router, AdminDeps{.meta = stores.meta.get(),
                                   .tokens = &tokens,
                                   .metrics = &metrics,
                                   .stopping = [&server_ptr] { return server_ptr != nullptr && server_ptr->stopping(); },
                                   .version = kPlinthVersion});
  AddRegistryRoutes(router, *reg, *stores.objects);

  HttpServer::Options opts;
  opts.host = config.host;
  opts.port = config.port;
  opts.threads = config.threads;
  opts.max_body_bytes = config.max_body_bytes;
  opts.max_upload_bytes = config.max_upload_bytes;
  opts.max_header_bytes = static_cast<uint32_t>(config.max_header_bytes);
  opts.request_timeout_seconds = config.request_timeout_seconds;
  opts.idle_timeout_seconds = config.idle_timeout_seconds;
  opts.shutdown_grace_seconds = config.shutdown_grace_seconds;
  opts.max_connections = config.max_connections;
  opts.router = &router;
  opts.authorizer = [&authorizer](HttpRequest& req, const Route& route) { return authorizer.Authorize(req, route); };
  opts.uploads = stores.objects.get();
  opts.metrics = &metrics;
  opts.access_log = access_log.get();
  PLINTH_ASSIGN_OR_RETURN(auto server, HttpServer::Create(opts));
  server_ptr = server.get();

  if (config.auth_forced) LogWarn(StrCat("listening on non-loopback address ", config.host, ": auth is required"));
  LogInfo(StrCat("data dir ", std::filesystem::absolute(config.data_dir).string(), ", meta ", config.meta_uri, ", objects ",
                 config.objects_uri, ", auth ", config.auth == AuthMode::kRequired ? "required" : "off"));
  std::string host = config.host.find(':') != std::string::npos ? StrCat("[", config.host, "]") : config.host;
  std::printf("plinth server listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  server->Run();
  metrics_export->Stop();
  access_log->Flush();
  LogInfo("server stopped");
  FlushLogs();
  return absl::OkStatus();
}

}  // namespace plinth::server
