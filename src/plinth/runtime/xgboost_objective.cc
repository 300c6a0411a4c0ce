#include "plinth/runtime/xgboost_objective.h"

#include <cmath>

namespace plinth::runtime::xgb {
namespace {

struct Entry {
  std::string_view name;
  OutputTransform transform;
  Link link;
};

constexpr Entry kObjectives[] = {
    {"reg:squarederror", OutputTransform::kIdentity, Link::kIdentity},
    {"reg:linear", OutputTransform::kIdentity, Link::kIdentity},  // pre-1.0 name of squarederror
    {"reg:squaredlogerror", OutputTransform::kIdentity, Link::kIdentity},
    {"reg:pseudohubererror", OutputTransform::kIdentity, Link::kIdentity},
    {"reg:absoluteerror", OutputTransform::kIdentity, Link::kIdentity},
    {"reg:quantileerror", OutputTransform::kIdentity, Link::kIdentity},
    {"reg:expectileerror", OutputTransform::kIdentity, Link::kIdentity},
    {"reg:logistic", OutputTransform::kSigmoid, Link::kLogit},
    {"binary:logistic", OutputTransform::kSigmoid, Link::kLogit},
    {"binary:logitraw", OutputTransform::kIdentity, Link::kIdentity},
    {"binary:hinge", OutputTransform::kStep, Link::kIdentity},
    {"count:poisson", OutputTransform::kExp, Link::kLog},
    {"reg:gamma", OutputTransform::kExp, Link::kLog},
    {"reg:tweedie", OutputTransform::kExp, Link::kLog},
    {"survival:aft", OutputTransform::kExp, Link::kLog},
    {"survival:cox", OutputTransform::kExp, Link::kLog},
    {"multi:softmax", OutputTransform::kArgmax, Link::kIdentity},
    {"multi:softprob", OutputTransform::kSoftmax, Link::kIdentity},
    {"rank:pairwise", OutputTransform::kIdentity, Link::kIdentity},
    {"rank:ndcg", OutputTransform::kIdentity, Link::kIdentity},
    {"rank:map", OutputTransform::kIdentity, Link::kIdentity},
};

}  // namespace

absl::StatusOr<Objective> LookupObjective(std::string_view name) {
  for (const Entry& e : kObjectives) {
    if (e.name == name) return Objective{e.transform, e.link};
  }
  return absl::InvalidArgumentError(StrCat("XGBoost objective '", name, "' is not supported"));
}

absl::StatusOr<double> BaseScoreMargin(Link link, double base_score) {
  const float b = static_cast<float>(base_score);
  float m = b;
  switch (link) {
    case Link::kIdentity: break;
    case Link::kLogit: m = -std::log(1.0f / b - 1.0f); break;
    case Link::kLog: m = std::log(b); break;
  }
  if (!std::isfinite(m)) {
    return absl::InvalidArgumentError(StrCat("base_score ", base_score, " has no finite margin for this objective"));
  }
  return static_cast<double>(m);
}

}  // namespace plinth::runtime::xgb
