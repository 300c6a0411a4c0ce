// HTTP routes of model serving: deployments (/api/v1/deployments), the row-oriented predict
// API (/api/v1/deployments/{name}/predict) and the Open Inference Protocol V2 (/v2/...,
// oip_api.cc). Handlers that may load a model (predict, infer, OIP metadata/ready, PUT of a
// deployment) are `offload` routes: they run on the bounded prediction executor, not on the
// I/O threads.
// Thread-safety: handlers are safe for concurrent use; the dependencies outlive the router.
#pragma once

#include <functional>
#include <string>

#include "plinth/serving/predictor.h"
#include "plinth/serving/router.h"
#include "plinth/server/router.h"

namespace plinth::server {

struct ServingDeps {
  serving::Router* router = nullptr;
  serving::Predictor* predictor = nullptr;
  std::function<bool()> stopping;  // /v2/health/ready answers not ready while shutting down
  std::string version;             // server version for GET /v2
};

void AddServingRoutes(Router& router, const ServingDeps& deps);
void AddOipRoutes(Router& router, const ServingDeps& deps);

}  // namespace plinth::server
