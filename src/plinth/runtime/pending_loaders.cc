// TEMPORARY (not committed): until the XGBoost and LightGBM loaders land.
#include "plinth/runtime/parsed_model.h"
namespace plinth::runtime {
absl::StatusOr<ParsedModel> ParseXgboostJson(std::string_view) { return absl::UnimplementedError("xgboost pending"); }
absl::StatusOr<ParsedModel> ParseXgboostUbj(std::string_view) { return absl::UnimplementedError("xgboost pending"); }
absl::StatusOr<TreeEnsemble> ParseLightgbmText(std::string_view) { return absl::UnimplementedError("lightgbm pending"); }
}
