// HTTP routes of the model registry under /api/v1 (see docs/API.md for the reference).
// Thread-safety: handlers are safe for concurrent use; the registry and stores outlive the router.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "plinth/registry/registry.h"
#include "plinth/serving/compiled_model_dir.h"
#include "plinth/server/router.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

// Asked before a model, one of its aliases or one of its versions is deleted: FAILED_PRECONDITION
// naming what still uses it (a deployment that serves it), or OK.
using InUseCheck = std::function<absl::Status(const std::string& model, const std::optional<std::string>& alias,
                                              std::optional<int64_t> version)>;

// `compiled` (optional): the serving layer's compiled-model cache, swept by POST /api/v1/admin/gc
// of the files whose artifact no longer exists. `in_use` (optional): see InUseCheck.
void AddRegistryRoutes(Router& router, registry::Registry& registry, storage::ObjectStore& objects,
                       serving::CompiledModelDir* compiled = nullptr, InUseCheck in_use = nullptr);

}  // namespace plinth::server
