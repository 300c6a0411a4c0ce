// HTTP routes of the model registry under /api/v1 (see docs/API.md for the reference).
// Thread-safety: handlers are safe for concurrent use; the registry and stores outlive the router.
#pragma once

#include "plinth/registry/registry.h"
#include "plinth/serving/compiled_model_dir.h"
#include "plinth/server/router.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

// `compiled` (optional): the serving layer's compiled-model cache, swept by POST /api/v1/admin/gc
// of the files whose artifact no longer exists.
void AddRegistryRoutes(Router& router, registry::Registry& registry, storage::ObjectStore& objects,
                       serving::CompiledModelDir* compiled = nullptr);

}  // namespace plinth::server
