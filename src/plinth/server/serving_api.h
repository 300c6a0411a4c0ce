// HTTP routes of model serving: deployments (/api/v1/deployments), the row-oriented predict
// API (/api/v1/deployments/{name}/predict) and the Open Inference Protocol V2 (/v2/...,
// oip_api.cc). Predict and infer are kWhenAsked routes: a small request (body up to
// kInlineBodyBytes) for a model already loaded and a tenant already resolved runs on the I/O
// thread; anything that would block (a registry lookup, a model load, a bigger batch) answers
// OffloadResponse() and runs on the bounded prediction executor, which also bounds the queue
// (503 + Retry-After). OIP metadata/ready and PUT of a deployment, which may load, always run
// there.
// Thread-safety: handlers are safe for concurrent use; the dependencies outlive the router.
#pragma once

#include <functional>
#include <string>

#include "plinth/features/feature_store.h"
#include "plinth/serving/predictor.h"
#include "plinth/serving/router.h"
#include "plinth/server/router.h"

namespace plinth::server {

// Bodies up to this size may be predicted on an I/O thread (tens of microseconds of work).
inline constexpr size_t kInlineBodyBytes = 32 << 10;

struct ServingDeps {
  serving::Router* router = nullptr;
  serving::Predictor* predictor = nullptr;
  std::function<bool()> stopping;  // /v2/health/ready answers not ready while shutting down
  std::string version;             // server version for GET /v2
  features::FeatureStore* features = nullptr;  // for deployments that name a feature service
};

void AddServingRoutes(Router& router, const ServingDeps& deps);
void AddOipRoutes(Router& router, const ServingDeps& deps);

}  // namespace plinth::server
