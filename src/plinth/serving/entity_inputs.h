// Entity rows as model inputs: the predict API's {"entities": [...], "request": {...}} for a
// deployment that names a feature service.
//
// For each entity the service's features are read from the online store (same code as
// POST /api/v1/features/online, so TTLs and transforms apply), then each model input is
// filled by name from: the service feature with that name ("feature", "view__feature" or
// "view:feature"), else a request value of that name, else a field of the entity row. Missing
// and expired feature values are null, i.e. missing for the model. A model input found
// nowhere is InvalidArgument naming it and what the service offers.
// Thread-safety: stateless; the catalog passed in must stay alive for the call.
#pragma once

#include "plinth/base/json.h"
#include "plinth/features/feature_store.h"
#include "plinth/serving/feature_matrix.h"
#include "plinth/serving/servable.h"

namespace plinth::serving {

struct EntityInputs {
  FeatureMatrix matrix{0, 0};
  // With `want_features`: per row, {"input name": value, ...} as used, and the statuses of the
  // service features.
  Json features = Json::array();
};

// `entities`: a non-empty array of objects (at most `max_rows`); `request`: an object or null.
absl::StatusOr<EntityInputs> DecodeEntities(const Json& entities, const Json& request, const Servable& model,
                                            features::FeatureStore& store, const std::string& service_name,
                                            int64_t max_rows, bool want_features);

// The tenant named by the entity rows' "tenant" fields (all equal), or nullopt when none has one.
absl::StatusOr<std::optional<std::string>> TenantOfEntities(const Json& entities);

}  // namespace plinth::serving
