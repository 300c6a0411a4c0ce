#include "plinth/runtime/xgboost_model.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "plinth/runtime/ubjson.h"
#include "plinth/runtime/xgboost_document.h"
#include "plinth/runtime/xgboost_objective.h"
#include "plinth/runtime/xgboost_signature.h"
#include "plinth/runtime/xgboost_tree.h"

namespace plinth::runtime {
namespace {

using xgb::IntParam;
using xgb::Member;
using xgb::RequireArray;
using xgb::RequireObject;

constexpr int64_t kMaxFeatures = (1 << 24) - 2;  // as ValidateEnsemble
constexpr int64_t kMaxOutputs = 1 << 16;
constexpr int64_t kMaxParallelTrees = 1 << 20;

// What the learner says, independent of the booster.
struct Learner {
  int32_t num_features = 0;
  int32_t num_outputs = 1;
  bool multi_target = false;
  std::string objective_name;
  xgb::Objective objective;
  std::vector<double> base_score;  // margins, one per output
  std::vector<FeatureSpec> inputs;
  int64_t best_iteration = -1;
};

absl::StatusOr<int64_t> IntMember(const Json& obj, std::string_view key, std::string_view path, int64_t fallback,
                                  int64_t lo, int64_t hi) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return fallback;
  const std::string where = StrCat(path, ".", key);
  PLINTH_ASSIGN_OR_RETURN(int64_t n, IntParam(*v, where));
  if (n < lo || n > hi) return absl::InvalidArgumentError(StrCat(where, " is ", n, " (must be ", lo, "..", hi, ")"));
  return n;
}

absl::StatusOr<Learner> ReadLearner(const Json& learner) {
  Learner l;
  constexpr std::string_view kParam = "learner.learner_model_param";
  PLINTH_ASSIGN_OR_RETURN(const Json* param, RequireObject(learner, "learner_model_param", "learner"));
  if (Member(*param, "num_feature") == nullptr) return absl::InvalidArgumentError(StrCat(kParam, ".num_feature is missing"));
  PLINTH_ASSIGN_OR_RETURN(int64_t num_features, IntMember(*param, "num_feature", kParam, 0, 1, kMaxFeatures));
  PLINTH_ASSIGN_OR_RETURN(int64_t num_class, IntMember(*param, "num_class", kParam, 0, 0, kMaxOutputs));
  PLINTH_ASSIGN_OR_RETURN(int64_t num_target, IntMember(*param, "num_target", kParam, 1, 1, kMaxOutputs));
  if (num_class > 1 && num_target > 1) {
    return absl::InvalidArgumentError(StrCat("model has num_class ", num_class, " and num_target ", num_target,
                                             " (multi-class multi-target models are not supported)"));
  }
  l.num_features = static_cast<int32_t>(num_features);
  l.num_outputs = static_cast<int32_t>(std::max<int64_t>({num_class, num_target, 1}));
  l.multi_target = num_target > 1;

  PLINTH_ASSIGN_OR_RETURN(const Json* objective, RequireObject(learner, "objective", "learner"));
  const Json* name = Member(*objective, "name");
  if (name == nullptr || !name->is_string()) {
    return absl::InvalidArgumentError("learner.objective.name must be a string");
  }
  l.objective_name = name->get<std::string>();
  PLINTH_ASSIGN_OR_RETURN(l.objective, xgb::LookupObjective(l.objective_name));

  const Json* base = Member(*param, "base_score");
  if (base == nullptr) return absl::InvalidArgumentError(StrCat(kParam, ".base_score is missing"));
  PLINTH_ASSIGN_OR_RETURN(std::vector<double> scores, xgb::VectorParam(*base, StrCat(kParam, ".base_score")));
  if (scores.size() != 1 && scores.size() != static_cast<size_t>(l.num_outputs)) {
    return absl::InvalidArgumentError(
        StrCat(kParam, ".base_score has ", scores.size(), " values for ", l.num_outputs, " outputs"));
  }
  for (int32_t k = 0; k < l.num_outputs; ++k) {
    PLINTH_ASSIGN_OR_RETURN(double m, xgb::BaseScoreMargin(l.objective.link, scores[scores.size() == 1 ? 0 : k]));
    l.base_score.push_back(m);
  }

  if (const Json* attributes = Member(learner, "attributes")) {
    if (const Json* best = Member(*attributes, "best_iteration")) {
      auto it = IntParam(*best, "learner.attributes.best_iteration");
      if (it.ok() && *it >= 0) l.best_iteration = *it;  // informational: a malformed one is ignored
    }
  }
  PLINTH_ASSIGN_OR_RETURN(l.inputs, xgb::ReadInputs(learner, l.num_features));
  return l;
}

Signature MakeSignature(Learner& l, OutputTransform transform) {
  Signature s;
  s.inputs = std::move(l.inputs);
  s.outputs = xgb::OutputNames(transform, l.num_outputs, l.multi_target);
  return s;
}

absl::StatusOr<std::vector<double>> TreeWeights(const Json& weights, std::string_view path, size_t num_trees) {
  PLINTH_ASSIGN_OR_RETURN(std::vector<float> w, xgb::FloatArray(weights, path));
  if (w.size() != num_trees) {
    return absl::InvalidArgumentError(StrCat(path, " has ", w.size(), " weights for ", num_trees, " trees"));
  }
  for (size_t i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i])) return absl::InvalidArgumentError(StrCat(path, "[", i, "] is not finite"));
  }
  return std::vector<double>(w.begin(), w.end());
}

// gbtree (and DART: `weight_drop`, null for plain gbtree) from the booster's model object.
absl::StatusOr<TreeEnsemble> ReadTrees(const Json& model, const std::string& path, const Json* weight_drop,
                                       std::string weight_path, Learner& l) {
  TreeEnsemble e;
  PLINTH_ASSIGN_OR_RETURN(const Json* trees, RequireArray(model, "trees", path));
  PLINTH_ASSIGN_OR_RETURN(const Json* info_json, RequireArray(model, "tree_info", path));
  PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> info, xgb::IntArray(*info_json, StrCat(path, ".tree_info")));
  const size_t num_trees = trees->size();
  if (info.size() != num_trees) {
    return absl::InvalidArgumentError(StrCat(path, ".tree_info has ", info.size(), " entries for ", num_trees, " trees"));
  }
  int64_t parallel = 1;
  if (const Json* p = Member(model, "gbtree_model_param")) {
    const std::string ppath = StrCat(path, ".gbtree_model_param");
    PLINTH_ASSIGN_OR_RETURN(parallel, IntMember(*p, "num_parallel_tree", ppath, 1, 1, kMaxParallelTrees));
    PLINTH_ASSIGN_OR_RETURN(int64_t declared, IntMember(*p, "num_trees", ppath, num_trees, 0, INT64_MAX));
    if (declared != static_cast<int64_t>(num_trees)) {
      return absl::InvalidArgumentError(StrCat(ppath, ".num_trees is ", declared, " but ", num_trees, " trees follow"));
    }
  }
  const int64_t per_iteration = parallel * l.num_outputs;
  if (per_iteration > INT32_MAX) return absl::InvalidArgumentError(StrCat(path, " has too many trees per iteration"));
  if (const Json* indptr_json = Member(model, "iteration_indptr")) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> indptr, xgb::IntArray(*indptr_json, StrCat(path, ".iteration_indptr")));
    bool uniform = !indptr.empty() && indptr.front() == 0 && indptr.back() == static_cast<int64_t>(num_trees);
    for (size_t i = 1; uniform && i < indptr.size(); ++i) uniform = indptr[i] - indptr[i - 1] == per_iteration;
    if (!uniform) {
      return absl::InvalidArgumentError(StrCat(path, ".iteration_indptr does not give ", per_iteration,
                                               " trees to each iteration (num_parallel_tree x outputs)"));
    }
  }
  if (weight_drop == nullptr && (weight_drop = Member(model, "weight_drop")) != nullptr) {
    weight_path = StrCat(path, ".weight_drop");  // XGBoost 3.x saves DART as gbtree + weight_drop
  }
  std::vector<double> weights(num_trees, 1.0);
  if (weight_drop != nullptr) {
    PLINTH_ASSIGN_OR_RETURN(weights, TreeWeights(*weight_drop, weight_path, num_trees));
  }
  e.trees.reserve(num_trees);
  for (size_t i = 0; i < num_trees; ++i) {
    const std::string tree_path = StrCat(path, ".trees[", i, "]");
    PLINTH_ASSIGN_OR_RETURN(Tree tree, xgb::ParseTree((*trees)[i], l.num_features, tree_path));
    if (info[i] < 0 || info[i] >= l.num_outputs) {
      return absl::InvalidArgumentError(
          StrCat(path, ".tree_info[", i, "] is ", info[i], " for a model with ", l.num_outputs, " outputs"));
    }
    tree.output = static_cast<int32_t>(info[i]);
    tree.weight = weights[i];
    for (const TreeNode& n : tree.nodes) {
      if (!n.is_leaf && n.categorical) l.inputs[n.feature].kind = FeatureKind::kCategorical;
    }
    e.trees.push_back(std::move(tree));
  }
  if (const Json* cats = Member(model, "cats")) {
    PLINTH_RETURN_IF_ERROR(xgb::ReadCategoryEncoder(*cats, StrCat(path, ".cats"), &l.inputs));
  }
  e.trees_per_iteration = static_cast<int32_t>(per_iteration);
  return e;
}

absl::StatusOr<LinearSpec> ReadLinear(const Json& booster, Learner& l) {
  constexpr std::string_view kPath = "learner.gradient_booster.model";
  PLINTH_ASSIGN_OR_RETURN(const Json* model, RequireObject(booster, "model", "learner.gradient_booster"));
  PLINTH_ASSIGN_OR_RETURN(const Json* weights_json, RequireArray(*model, "weights", kPath));
  PLINTH_ASSIGN_OR_RETURN(std::vector<float> w, xgb::FloatArray(*weights_json, StrCat(kPath, ".weights")));
  const size_t k = static_cast<size_t>(l.num_outputs);
  const size_t features = static_cast<size_t>(l.num_features) * k;
  if (w.size() != features + k) {
    return absl::InvalidArgumentError(StrCat(kPath, ".weights has ", w.size(), " values for (", l.num_features,
                                             " features + bias) x ", k, " outputs"));
  }
  LinearSpec s;
  s.precision = Precision::kFloat32;
  s.num_features = l.num_features;
  s.num_outputs = l.num_outputs;
  s.weights.assign(w.begin(), w.begin() + static_cast<ptrdiff_t>(features));
  s.bias.assign(w.begin() + static_cast<ptrdiff_t>(features), w.end());
  s.base_score = l.base_score;
  s.transform = l.objective.transform;
  s.objective = l.objective_name;
  s.signature = MakeSignature(l, s.transform);
  PLINTH_RETURN_IF_ERROR(ValidateLinear(s));
  return s;
}

absl::StatusOr<ParsedModel> ReadModel(const Json& doc, std::string_view source_format) {
  PLINTH_ASSIGN_OR_RETURN(const Json* learner, RequireObject(doc, "learner", "model"));
  PLINTH_ASSIGN_OR_RETURN(Learner l, ReadLearner(*learner));
  PLINTH_ASSIGN_OR_RETURN(const Json* booster, RequireObject(*learner, "gradient_booster", "learner"));
  const Json* name_json = Member(*booster, "name");
  if (name_json == nullptr || !name_json->is_string()) {
    return absl::InvalidArgumentError("learner.gradient_booster.name must be a string");
  }
  const std::string name = name_json->get<std::string>();
  if (name == "gblinear") {
    PLINTH_ASSIGN_OR_RETURN(LinearSpec s, ReadLinear(*booster, l));
    s.source_format = std::string(source_format);
    return s;
  }
  TreeEnsemble e;
  if (name == "gbtree") {
    PLINTH_ASSIGN_OR_RETURN(const Json* model, RequireObject(*booster, "model", "learner.gradient_booster"));
    PLINTH_ASSIGN_OR_RETURN(e, ReadTrees(*model, "learner.gradient_booster.model", nullptr, "", l));
  } else if (name == "dart") {
    constexpr std::string_view kPath = "learner.gradient_booster";
    PLINTH_ASSIGN_OR_RETURN(const Json* gbtree, RequireObject(*booster, "gbtree", kPath));
    PLINTH_ASSIGN_OR_RETURN(const Json* model, RequireObject(*gbtree, "model", StrCat(kPath, ".gbtree")));
    PLINTH_ASSIGN_OR_RETURN(const Json* weight_drop, RequireArray(*booster, "weight_drop", kPath));
    PLINTH_ASSIGN_OR_RETURN(e, ReadTrees(*model, StrCat(kPath, ".gbtree.model"), weight_drop,
                                         StrCat(kPath, ".weight_drop"), l));
  } else {
    return absl::InvalidArgumentError(StrCat("XGBoost booster '", name, "' is not supported (gbtree, dart, gblinear)"));
  }
  e.precision = Precision::kFloat32;
  e.num_features = l.num_features;
  e.num_outputs = l.num_outputs;
  e.base_score = l.base_score;
  e.transform = l.objective.transform;
  e.objective = l.objective_name;
  e.source_format = std::string(source_format);
  e.best_iteration = l.best_iteration;
  e.signature = MakeSignature(l, e.transform);
  PLINTH_RETURN_IF_ERROR(ValidateEnsemble(e));
  return e;
}

}  // namespace

absl::StatusOr<ParsedModel> ParseXgboostDocument(const Json& doc, std::string_view source_format) {
  try {  // the readers check types before every access; this only keeps a missed case from escaping
    return ReadModel(doc, source_format);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(StrCat("malformed XGBoost model: ", e.what()));
  }
}

absl::StatusOr<ParsedModel> ParseXgboostJson(std::string_view text) {
  PLINTH_ASSIGN_OR_RETURN(Json doc, xgb::ParseXgboostText(text));
  return ParseXgboostDocument(doc, "xgboost-json");
}

absl::StatusOr<ParsedModel> ParseXgboostUbj(std::string_view bytes) {
  PLINTH_ASSIGN_OR_RETURN(Json doc, ParseUbjson(bytes));
  return ParseXgboostDocument(doc, "xgboost-ubj");
}

}  // namespace plinth::runtime
