// The Signature of an XGBoost model: inputs from learner.feature_names / feature_types and
// the XGBoost 3.x category encoder (`cats`), outputs named after the objective.
//
// Inputs: one per feature, named by feature_names or "f0".."f{N-1}" when the model has none
// (XGBoost's own default names). feature_types "q", "int", "float" and "i" (indicator) are
// numeric, "c" is categorical; any other type is InvalidArgument. Names must be unique and
// non-empty so that requests can address features by name.
// Categories: the 3.x encoder stores, per feature, either strings (UTF-8 bytes in int8
// `values` cut by `offsets`, which has one more entry than there are categories) or integers
// (`values` with a `type` code). A tree's category code is the index into that list, so the
// list becomes FeatureSpec::categories in stored order; integers are named by their decimal form.
// Outputs: "prediction" for one value, "class_0".. for multi:softprob, "class" for
// multi:softmax, "target_0".. for multi-target models.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/runtime/signature.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime::xgb {

// A model without feature_names may declare at most this many features: its names are made up
// here, so nothing in the file bounds the memory they take (named features are bounded by the
// file itself). 2^20 covers hashed feature spaces of that size.
inline constexpr int32_t kMaxUnnamedFeatures = 1 << 20;

// REQUIRES: num_features > 0 (checked by the caller against the model's limits).
absl::StatusOr<std::vector<FeatureSpec>> ReadInputs(const Json& learner, int32_t num_features);

// Fills categories from a `cats` object (gradient_booster...model.cats); an empty encoder, as
// models without categorical data carry, changes nothing.
absl::Status ReadCategoryEncoder(const Json& cats, std::string_view path, std::vector<FeatureSpec>* inputs);

std::vector<std::string> OutputNames(OutputTransform transform, int32_t num_outputs, bool multi_target);

}  // namespace plinth::runtime::xgb
