// HTTP read routes of registered datasets (training sets; features/dataset_store.h).
//
//   GET /api/v1/datasets                            ?name=  latest version of each dataset,
//                                                   or every version of `name`, newest first
//   GET /api/v1/datasets/{name}                     the latest version, with its lineage
//   GET /api/v1/datasets/{name}/versions/{version}  one version
// Datasets are registered by `plinth features training-set` (a local command).
// Thread-safety: handlers are safe for concurrent use; the store outlives the router.
#pragma once

#include "plinth/features/dataset_store.h"
#include "plinth/server/router.h"

namespace plinth::server {

void AddDatasetsRoutes(Router& router, features::DatasetStore* store);

}  // namespace plinth::server
