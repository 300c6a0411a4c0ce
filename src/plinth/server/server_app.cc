#include "plinth/server/server_app.h"

#include <cstdio>
#include <filesystem>
#include <thread>

#include "plinth/base/bounded_executor.h"
#include "plinth/base/logging.h"
#include "plinth/registry/metrics_lake.h"
#include "plinth/registry/registry.h"
#include "plinth/security/token_store.h"
#include "plinth/server/admin_api.h"
#include "plinth/server/auth.h"
#include "plinth/server/datasets_api.h"
#include "plinth/server/features_api.h"
#include "plinth/storage/kv/online_store_uri.h"
#include "plinth/server/http_server.h"
#include "plinth/server/model_inspection.h"
#include "plinth/server/registry_api.h"
#include "plinth/server/serving_api.h"
#include "plinth/serving/artifact_loader.h"
#include "plinth/serving/compiled_model_dir.h"
#include "plinth/serving/deployment_spec.h"
#include "plinth/serving/deployment_store.h"
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
  // Compiled-model cache dir and loader first: registration compiles models into it.
  PLINTH_ASSIGN_OR_RETURN(auto compiled, serving::CompiledModelDir::Create(
                                             {.dir = (std::filesystem::path(config.data_dir) / "cache" / "compiled").string()}));
  serving::ArtifactLoader loader({.objects = stores.objects.get(), .compiled = compiled.get()});
  PLINTH_ASSIGN_OR_RETURN(auto reg, registry::Registry::Create({.meta = stores.meta.get(),
                                                                 .objects = stores.objects.get(),
                                                                 .inspect_artifact = MakeArtifactInspector(*stores.objects, &loader)}));
  security::TokenStore tokens({.meta = stores.meta.get()});
  const std::string lake_root = (std::filesystem::path(config.data_dir) / "lake").string();
  PLINTH_ASSIGN_OR_RETURN(auto feature_registry,
                          features::FeatureRegistry::Create({.meta = stores.meta.get(), .lake_root = lake_root}));
  PLINTH_ASSIGN_OR_RETURN(auto online_store, kv::OpenOnlineStore(config.online_uri));
  PLINTH_ASSIGN_OR_RETURN(auto feature_store, features::FeatureStore::Create({.meta = stores.meta.get(),
                                                                              .registry = feature_registry.get(),
                                                                              .online = online_store.get()}));
  // Every logged metric also lands in a Delta table for analysts (exported in the background).
  std::string metrics_table = (std::filesystem::path(lake_root) / "registry" / "model_metrics").string();
  PLINTH_ASSIGN_OR_RETURN(auto metrics_export,
                          registry::MetricsLakeExporter::Create({.meta = stores.meta.get(), .table_root = metrics_table}));
  metrics_export->Start();
  PLINTH_ASSIGN_OR_RETURN(auto access_log, LineSink::Open(config.access_log));
  HttpMetrics metrics;
  RequestAuthorizer authorizer({.mode = config.auth, .tokens = &tokens, .rate_limit_per_second = config.rate_limit});

  // Serving: loader -> model cache -> router (deployments).
  PLINTH_ASSIGN_OR_RETURN(auto model_cache, serving::ModelCache::Create({.budget_bytes = config.model_cache_bytes}));
  PLINTH_ASSIGN_OR_RETURN(auto deployments, serving::DeploymentStore::Create({.meta = stores.meta.get()}));
  PLINTH_ASSIGN_OR_RETURN(auto serving_router,
                          serving::Router::Create({.store = deployments.get(),
                                                   .registry = reg.get(),
                                                   .cache = model_cache.get(),
                                                   .load = [&loader](const serving::ResolvedModel& m) { return loader.Load(m); },
                                                   .meta = stores.meta.get()}));
  serving_router->Start();
  serving::ServingMetrics serving_metrics;
  serving::Predictor predictor({.router = serving_router.get(), .metrics = &serving_metrics});
  // Predictions run here, never on the I/O threads; past the queue they are refused with 503.
  int workers = config.max_inflight_predictions > 0 ? config.max_inflight_predictions
                                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  BoundedExecutor predictions({.threads = workers, .max_queued = config.max_queued_predictions});
  // Feature-store writes (pushes, materializations, applies) run here: they wait on disk and
  // may run for minutes, and must not take the prediction workers while they do.
  BoundedExecutor writes({.threads = config.max_inflight_writes, .max_queued = config.max_queued_writes});

  Router router;
  HttpServer* server_ptr = nullptr;
  auto stopping = [&server_ptr] { return server_ptr != nullptr && server_ptr->stopping(); };
  AddAdminRoutes(router, AdminDeps{.meta = stores.meta.get(),
                                   .tokens = &tokens,
                                   .metrics = &metrics,
                                   .stopping = stopping,
                                   .version = kPlinthVersion,
                                   .extra_metrics = [&] {
                                     std::string out = serving_metrics.Render(
                                         model_cache->GetStats(), {loader.compiled_loads(), loader.parsed_loads()});
                                     StrAppend(&out, "# HELP plinth_predict_workers Prediction worker threads.\n",
                                               "# TYPE plinth_predict_workers gauge\nplinth_predict_workers ",
                                               predictions.threads(), "\n",
                                               "# HELP plinth_predict_inflight Predictions running.\n",
                                               "# TYPE plinth_predict_inflight gauge\nplinth_predict_inflight ",
                                               predictions.running(), "\n",
                                               "# HELP plinth_predict_queued Predictions waiting for a worker.\n",
                                               "# TYPE plinth_predict_queued gauge\nplinth_predict_queued ",
                                               predictions.queued(), "\n",
                                               "# HELP plinth_predict_rejected_total Predictions refused with 503 (queue full).\n",
                                               "# TYPE plinth_predict_rejected_total counter\nplinth_predict_rejected_total ",
                                               predictions.rejected(), "\n",
                                               "# HELP plinth_write_workers Feature-store write threads.\n",
                                               "# TYPE plinth_write_workers gauge\nplinth_write_workers ", writes.threads(), "\n",
                                               "# HELP plinth_write_inflight Feature-store writes running.\n",
                                               "# TYPE plinth_write_inflight gauge\nplinth_write_inflight ", writes.running(), "\n",
                                               "# HELP plinth_write_queued Feature-store writes waiting for a thread.\n",
                                               "# TYPE plinth_write_queued gauge\nplinth_write_queued ", writes.queued(), "\n",
                                               "# HELP plinth_write_rejected_total Feature-store writes refused with 503 (queue full).\n",
                                               "# TYPE plinth_write_rejected_total counter\nplinth_write_rejected_total ",
                                               writes.rejected(), "\n");
                                     return out;
                                   }});
  // A deployment's own model or fallback ref cannot be deleted from under it: it would keep
  // serving what it has loaded and fail at the next restart. (Checked before the registry's
  // transaction, not inside it: a deployment created in between is not seen. Deploying
  // checks that its ref resolves, so only a race of the two within milliseconds slips by.)
  auto in_use = [store = deployments.get()](const std::string& model, const std::optional<std::string>& alias,
                                            std::optional<int64_t> version) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(auto all, store->List());
    std::vector<std::string> users;
    for (const auto& d : all) {
      if (auto ref = serving::SpecRefTo(d.spec, model, alias, version)) users.push_back(StrCat(d.name, " (", *ref, ")"));
    }
    if (users.empty()) return absl::OkStatus();
    const std::string what = alias ? StrCat("alias ", model, "@", *alias) : version ? StrCat("version ", model, "/", *version)
                                                                                    : StrCat("model ", model);
    return absl::FailedPreconditionError(StrCat(what, " is served by deployment", users.size() > 1 ? "s " : " ",
                                                StrJoin(users, ", "), "; update or delete the deployment first"));
  };
  AddRegistryRoutes(router, *reg, *stores.objects, compiled.get(), in_use);
  ServingDeps serving_deps{.router = serving_router.get(),
                           .predictor = &predictor,
                           .stopping = stopping,
                           .version = kPlinthVersion,
                           .features = feature_store.get()};
  AddServingRoutes(router, serving_deps);
  AddOipRoutes(router, serving_deps);
  AddFeaturesRoutes(router, FeaturesDeps{.registry = feature_registry.get(), .store = feature_store.get()});
  PLINTH_ASSIGN_OR_RETURN(auto datasets, features::DatasetStore::Create({.meta = stores.meta.get()}));
  AddDatasetsRoutes(router, datasets.get(), reg.get());

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
  opts.offload = &predictions;
  opts.writes = &writes;
  opts.max_io_lag_ms = config.max_io_lag_ms;
  PLINTH_ASSIGN_OR_RETURN(auto server, HttpServer::Create(opts));
  server_ptr = server.get();

  if (config.auth_forced) LogWarn(StrCat("listening on non-loopback address ", config.host, ": auth is required"));
  LogInfo(StrCat("data dir ", std::filesystem::absolute(config.data_dir).string(), ", meta ", config.meta_uri, ", objects ",
                 config.objects_uri, ", online ", online_store->Describe(), ", auth ", config.auth == AuthMode::kRequired ? "required" : "off"));
  std::string host = config.host.find(':') != std::string::npos ? StrCat("[", config.host, "]") : config.host;
  std::printf("plinth server listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  server->Run();
  serving_router->Stop();
  metrics_export->Stop();
  access_log->Flush();
  LogInfo("server stopped");
  FlushLogs();
  return absl::OkStatus();
}

}  // namespace plinth::server
