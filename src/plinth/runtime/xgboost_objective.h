// XGBoost objectives: the output transform each applies to margins, and how its stored
// base_score becomes a margin.
//
// XGBoost stores base_score in the objective's output space (a probability for logistic
// objectives, a mean for log-link ones) and converts it with the objective's ProbToMargin when
// it loads the model, in float32. Checked against libxgboost 1.7.4 (tests/xgboost_oracle.py):
//   logit  reg:logistic, binary:logistic (NOT binary:logitraw: identity since XGBoost 1.6/1.7)
//   log    count:poisson, reg:gamma, reg:tweedie, survival:aft, survival:cox
//   none   everything else, including multi:softmax/softprob (3.x stores centred log-priors,
//          already margins) and the ranking objectives.
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "plinth/base/status.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime::xgb {

enum class Link : uint8_t { kIdentity, kLogit, kLog };

struct Objective {
  OutputTransform transform = OutputTransform::kIdentity;
  Link link = Link::kIdentity;
};

// InvalidArgument naming `name` when XGBoost has no such objective (or Plinth does not know it).
absl::StatusOr<Objective> LookupObjective(std::string_view name);

// base_score (as stored) -> margin, computed in float32 as XGBoost does. InvalidArgument when the
// result is not finite (a logistic base_score outside (0, 1), a log-link one <= 0).
absl::StatusOr<double> BaseScoreMargin(Link link, double base_score);

}  // namespace plinth::runtime::xgb
