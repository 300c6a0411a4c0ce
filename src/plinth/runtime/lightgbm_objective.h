// LightGBM objective line -> output transform of a TreeEnsemble.
//
// The header line `objective=NAME [param:value ...]` (as LightGBM's ObjectiveFunction::ToString
// writes it) decides how margins become predictions:
//   binary sigmoid:s        -> kSigmoid, sigmoid_scale s (s > 0 required)
//   multiclassova num_class:K sigmoid:s -> kSigmoid per class, scale s
//   multiclass num_class:K  -> kSoftmax
//   cross_entropy           -> kSigmoid, scale 1
//   cross_entropy_lambda    -> kLog1pExp
//   poisson, gamma, tweedie -> kExp
//   regression, regression_l1, quantile, huber, fair, mape, lambdarank, rank_xendcg -> identity
//   no objective line, or "custom" (a custom objective) -> identity (raw margins)
// num_class:K must equal the header's num_class; the single-output objectives need num_class=1.
// "regression sqrt" (reg_sqrt=true: LightGBM squares the margin, keeping its sign) has no IR
// transform and is refused, as is an unknown objective name.
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string_view>

#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

// Sets e->transform, e->sigmoid_scale and e->objective (the line as written, or "custom").
absl::Status ApplyLightgbmObjective(std::optional<std::string_view> objective, int32_t num_class,
                                    TreeEnsemble* e);

}  // namespace plinth::runtime
