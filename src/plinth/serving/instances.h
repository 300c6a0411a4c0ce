// The row API's request rows: {"instances": [{"feature": value, ...}, ...]}.
//
// Each instance is an object keyed by feature name, or an array of values in the model's
// input order. Values follow the model's RowEncoder: null is a missing value (the model's
// missing-value rule applies), category names map to codes (unseen names are missing).
// Unknown features, absent features, wrong value types and arrays of the wrong length are
// InvalidArgument naming the field ("instances[2].age").
// Thread-safety: stateless.
#pragma once

#include <cstdint>

#include "plinth/base/json.h"
#include "plinth/serving/feature_matrix.h"
#include "plinth/serving/servable.h"

namespace plinth::serving {

// The number of rows in `instances`; InvalidArgument unless it is a non-empty array of at
// most `max_rows` entries.
absl::StatusOr<size_t> CountInstances(const Json* instances, int64_t max_rows);

// REQUIRES: CountInstances(&instances, ...) is OK.
absl::StatusOr<FeatureMatrix> DecodeInstances(const Json& instances, const Servable& model);

}  // namespace plinth::serving
