// HTTP routes of the feature store (/api/v1/features/...).
//
//   POST /api/v1/features/apply          {"yaml": "..."} or {"definitions": {...}},
//                                        "dry_run"?, "prune"? -> changes (diff when dry_run)
//   GET  /api/v1/features                ?kind=  live objects
//   GET  /api/v1/features/{kind}/{name}  ?version=  one object (live, or a given version)
//   GET  /api/v1/features/{kind}/{name}/history     every version, newest first
//   POST /api/v1/features/materialize    {"views"?, "full"?, "start"?, "end"?} -> per view counts
//   POST /api/v1/features/push           {"view", "rows": [{column: value, ...}]}
//   POST /api/v1/features/online         {"service", "entities": {"key": [..]} | [{"key": v}, ..],
//                                         "request"?: {...}, "as_of"?} -> values, statuses, times
// Thread-safety: handlers are safe for concurrent use; the registry outlives the router.
#pragma once

#include "plinth/features/feature_store.h"
#include "plinth/server/router.h"

namespace plinth::server {

struct FeaturesDeps {
  features::FeatureRegistry* registry = nullptr;
  features::FeatureStore* store = nullptr;
};

void AddFeaturesRoutes(Router& router, const FeaturesDeps& deps);

}  // namespace plinth::server
