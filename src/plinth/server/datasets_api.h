// HTTP read routes of registered datasets (training sets; features/dataset_store.h).
//
//   GET /api/v1/datasets                            ?name=  latest version of each dataset,
//                                                   or every version of `name`, newest first
//   GET /api/v1/datasets/{name}                     the latest version, with its lineage and the
//                                                   model versions trained on it
//   GET /api/v1/datasets/{name}/versions/{version}  one version (the same fields)
// Datasets are registered by `plinth features training-set` (a local command).
// Thread-safety: handlers are safe for concurrent use; the stores outlive the router.
#pragma once

#include "plinth/features/dataset_store.h"
#include "plinth/registry/registry.h"
#include "plinth/server/router.h"

namespace plinth::server {

void AddDatasetsRoutes(Router& router, features::DatasetStore* store, registry::Registry* models);

// A dataset version's JSON with "model_versions": the model versions whose lineage names it as
// their training dataset ("name@version"), as [{"model", "version"}] in registration order.
absl::StatusOr<Json> DatasetJson(const features::Dataset& dataset, registry::Registry& models);

}  // namespace plinth::server
