// XGBoost models (Booster.save_model as ".json" or ".ubj", XGBoost 1.0 to 3.x) -> ParsedModel.
//
// ParseXgboostJson / ParseXgboostUbj (declared in parsed_model.h) decode the file and call
// ParseXgboostDocument, which reads:
//   learner.learner_model_param  num_feature, num_class, num_target, base_score (a scalar string
//                                in <= 2.x, "[v,...]" per output in 3.x), converted to margins by
//                                the objective (xgboost_objective.h);
//   learner.objective.name       the output transform; unknown objectives are refused;
//   learner.feature_names/types  the signature (xgboost_signature.h), plus the 3.x `cats` encoder;
//   learner.attributes.best_iteration;
//   learner.gradient_booster     "gbtree": model.trees (xgboost_tree.h), tree_info (the output a
//                                tree adds to: class, or target when num_target > 1),
//                                num_parallel_tree (summed), optional model.weight_drop (3.x saves
//                                DART this way); "dart": gbtree.model + weight_drop (<= 2.x);
//                                "gblinear": model.weights, (num_feature + 1) x outputs,
//                                feature-major with the bias row last.
// Trees per iteration = num_parallel_tree x max(num_class, num_target, 1); an iteration_indptr
// (2.x+) that disagrees is refused. The result has precision kFloat32 and passes
// ValidateEnsemble / ValidateLinear. Vector-leaf trees, num_class and num_target both above 1,
// unknown boosters or objectives and malformed arrays are InvalidArgument naming the field.
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "plinth/base/json.h"
#include "plinth/runtime/parsed_model.h"

namespace plinth::runtime {

// `source_format` ("xgboost-json" / "xgboost-ubj") is recorded in the result.
absl::StatusOr<ParsedModel> ParseXgboostDocument(const Json& doc, std::string_view source_format);

}  // namespace plinth::runtime
