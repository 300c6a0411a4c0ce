// TEMPORARY (not committed): until the XGBoost loader lands.
#include "plinth/runtime/parsed_model.h"
namespace plinth::runtime {
absl::StatusOr<ParsedModel> ParseXgboostJson(std::string_view) { return absl::UnimplementedError("xgboost pending"); }
absl::StatusOr<ParsedModel> ParseXgboostUbj(std::string_view) { return absl::UnimplementedError("xgboost pending"); }
}
