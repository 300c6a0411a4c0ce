// HTTP routes of the model registry under /api/v1 (see docs/API.md for the reference).
// Thread-safety: handlers are safe for concurrent use; the registry and stores outlive the router.
#pragma once

#include "plinth/registry/registry.h"
#include "plinth/server/router.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

void AddRegistryRoutes(Router& router, registry::Registry& registry, storage::ObjectStore& objects);

}  // namespace plinth::server
