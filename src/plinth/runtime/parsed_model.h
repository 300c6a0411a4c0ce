// ParsedModel: what a model file says, before it is compiled for serving.
//
// Every loader (XGBoost JSON/UBJSON, LightGBM text, linear JSON) produces one of these; the
// model loader (model_loader.h) validates and compiles it into a runtime::Model.
// Thread-safety: value type.
#pragma once

#include <string_view>
#include <variant>

#include "plinth/runtime/linear_spec.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

using ParsedModel = std::variant<TreeEnsemble, LinearSpec>;

// XGBoost's JSON model (Booster.save_model("m.json")), 1.0 to 3.x: gbtree, dart, gblinear.
// (xgboost_model.cc)
absl::StatusOr<ParsedModel> ParseXgboostJson(std::string_view text);
// The same model saved as UBJSON (".ubj"). (xgboost_model.cc, ubjson.cc)
absl::StatusOr<ParsedModel> ParseXgboostUbj(std::string_view bytes);
// LightGBM's text model (Booster.save_model), format versions v2 to v4. (lightgbm_model.cc)
absl::StatusOr<TreeEnsemble> ParseLightgbmText(std::string_view text);
// Plinth's linear/logistic JSON format (docs/MODELS.md). (linear_json.cc)
absl::StatusOr<LinearSpec> ParseLinearJson(std::string_view text);

}  // namespace plinth::runtime
