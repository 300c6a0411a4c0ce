// Operational and administrative routes: /healthz, /readyz, /metrics, /api/v1/audit,
// /api/v1/tokens, /api/v1/whoami.
// Thread-safety: handlers are safe for concurrent use; dependencies outlive the router.
#pragma once

#include <atomic>
#include <functional>

#include "plinth/security/token_store.h"
#include "plinth/server/metrics.h"
#include "plinth/server/router.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::server {

struct AdminDeps {
  storage::MetaStore* meta = nullptr;
  security::TokenStore* tokens = nullptr;
  HttpMetrics* metrics = nullptr;
  Clock* clock = Clock::Real();
  std::function<bool()> stopping;  // readyz answers 503 while shutting down
  std::string version;
  std::function<std::string()> extra_metrics;  // appended to /metrics (e.g. serving metrics)
};

void AddAdminRoutes(Router& router, AdminDeps deps);

// A token as the API and the CLI show it (never the secret).
Json TokenJson(const security::TokenInfo& token);

}  // namespace plinth::server
