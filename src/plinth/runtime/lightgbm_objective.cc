#include "plinth/runtime/lightgbm_objective.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "plinth/base/strings.h"

namespace plinth::runtime {
namespace {

enum class Family : uint8_t {
  kIdentity,
  kSquaredIfSqrt,
  kExp,
  kBinary,
  kCrossEntropy,
  kXentLambda,
  kSoftmax,
  kOva
};

struct Objective {
  std::string_view name;
  Family family;
};

constexpr std::array<Objective, 17> kObjectives = {{
    {"regression", Family::kSquaredIfSqrt},
    {"regression_l1", Family::kSquaredIfSqrt},
    {"quantile", Family::kSquaredIfSqrt},
    {"fair", Family::kSquaredIfSqrt},
    {"mape", Family::kSquaredIfSqrt},
    {"huber", Family::kIdentity},  // LightGBM turns sqrt off for huber
    {"lambdarank", Family::kIdentity},
    {"rank_xendcg", Family::kIdentity},
    {"custom", Family::kIdentity},
    {"poisson", Family::kExp},
    {"gamma", Family::kExp},
    {"tweedie", Family::kExp},
    {"binary", Family::kBinary},
    {"cross_entropy", Family::kCrossEntropy},
    {"cross_entropy_lambda", Family::kXentLambda},
    {"multiclass", Family::kSoftmax},
    {"multiclassova", Family::kOva},
}};

absl::Status ObjectiveInvalid(std::string_view objective, std::string_view why) {
  return absl::InvalidArgumentError(
      StrCat("LightGBM model: objective '", objective.substr(0, 64), "': ", why));
}

// Value of the `key:value` parameter among `params`, if present.
std::optional<std::string_view> Param(const std::vector<std::string_view>& params,
                                      std::string_view key) {
  for (std::string_view p : params) {
    if (p.size() > key.size() && p[key.size()] == ':' && StartsWith(p, key))
      return p.substr(key.size() + 1);
  }
  return std::nullopt;
}

absl::StatusOr<double> SigmoidParam(std::string_view objective,
                                    const std::vector<std::string_view>& params) {
  auto text = Param(params, "sigmoid");
  if (!text) return ObjectiveInvalid(objective, "has no sigmoid:<scale> parameter");
  double s = 0;
  auto [next, ec] = std::from_chars(text->data(), text->data() + text->size(), s);
  if (ec != std::errc() || next != text->data() + text->size() || !std::isfinite(s) || s <= 0) {
    return ObjectiveInvalid(objective, "sigmoid must be a positive number");
  }
  return s;
}

absl::Status CheckNumClass(std::string_view objective, const std::vector<std::string_view>& params,
                           int32_t num_class) {
  auto text = Param(params, "num_class");
  if (!text) return ObjectiveInvalid(objective, "has no num_class:<K> parameter");
  int64_t k = 0;
  auto [next, ec] = std::from_chars(text->data(), text->data() + text->size(), k);
  if (ec != std::errc() || next != text->data() + text->size() || k != num_class) {
    return ObjectiveInvalid(objective,
                   StrCat("num_class does not match the header's num_class=", num_class));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyLightgbmObjective(std::optional<std::string_view> objective, int32_t num_class,
                                    TreeEnsemble* e) {
  e->transform = OutputTransform::kIdentity;
  e->sigmoid_scale = 1.0;
  if (!objective) {
    e->objective = "custom";
    return absl::OkStatus();
  }
  std::vector<std::string_view> params = StrSplit(*objective, ' ', /*skip_empty=*/true);
  if (params.empty())
    return absl::InvalidArgumentError("LightGBM model: the objective line is empty");
  const std::string_view name = params.front();
  auto it = std::find_if(kObjectives.begin(), kObjectives.end(),
                         [&](const Objective& o) { return o.name == name; });
  if (it == kObjectives.end())
    return ObjectiveInvalid(*objective, StrCat("unknown objective '", name.substr(0, 64), "'"));
  const bool multiclass = it->family == Family::kSoftmax || it->family == Family::kOva;
  if (!multiclass && it->name != "custom" && num_class != 1) {
    return ObjectiveInvalid(*objective, StrCat("needs num_class=1, the header says ", num_class));
  }
  switch (it->family) {
    case Family::kSquaredIfSqrt:
      if (std::find(params.begin(), params.end(), "sqrt") != params.end()) {
        return ObjectiveInvalid(*objective,
                       "reg_sqrt models (the prediction is the signed square of the margin) are "
                       "not supported");
      }
      break;
    case Family::kIdentity:
      break;
    case Family::kExp:
      e->transform = OutputTransform::kExp;
      break;
    case Family::kBinary: {
      PLINTH_ASSIGN_OR_RETURN(e->sigmoid_scale, SigmoidParam(*objective, params));
      e->transform = OutputTransform::kSigmoid;
      break;
    }
    case Family::kCrossEntropy:
      e->transform = OutputTransform::kSigmoid;
      break;
    case Family::kXentLambda:
      e->transform = OutputTransform::kLog1pExp;
      break;
    case Family::kSoftmax:
      PLINTH_RETURN_IF_ERROR(CheckNumClass(*objective, params, num_class));
      e->transform = OutputTransform::kSoftmax;
      break;
    case Family::kOva: {
      PLINTH_RETURN_IF_ERROR(CheckNumClass(*objective, params, num_class));
      PLINTH_ASSIGN_OR_RETURN(e->sigmoid_scale, SigmoidParam(*objective, params));
      e->transform = OutputTransform::kSigmoid;
      break;
    }
  }
  e->objective = std::string(*objective);
  return absl::OkStatus();
}

}  // namespace plinth::runtime
