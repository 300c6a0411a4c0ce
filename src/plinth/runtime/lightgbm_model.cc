#include "plinth/runtime/lightgbm_model.h"

#include <algorithm>
#include <unordered_set>

#include "plinth/base/json.h"
#include "plinth/base/strings.h"
#include "plinth/runtime/lightgbm_objective.h"
#include "plinth/runtime/lightgbm_text.h"
#include "plinth/runtime/lightgbm_tree.h"

namespace plinth::runtime {
namespace {

using HK = LgbHeaderKey;

constexpr int64_t kMaxClasses = 1 << 16;
constexpr int64_t kMaxFeatures = 1 << 24;  // ValidateEnsemble's limits

template <typename... Parts>
absl::Status Invalid(const Parts&... parts) {
  return absl::InvalidArgumentError(StrCat("LightGBM model: ", parts...));
}

absl::StatusOr<int64_t> HeaderInt(const LgbModelText& m, HK key) {
  const auto& text = m.header[key];
  if (!text) return Invalid("the header has no ", LgbHeaderKeyName(key), " line");
  auto value = ParseLgbInt(*text, LgbHeaderKeyName(key));
  if (!value.ok()) return Invalid(value.status().message());
  return *value;
}

// The space-separated tokens of a header list that must name every feature.
absl::StatusOr<std::vector<std::string_view>> FeatureList(const LgbModelText& m, HK key,
                                                          int64_t num_features) {
  const auto& text = m.header[key];
  if (!text) return Invalid("the header has no ", LgbHeaderKeyName(key), " line");
  std::vector<std::string_view> items = StrSplit(*text, ' ', /*skip_empty=*/true);
  if (static_cast<int64_t>(items.size()) != num_features) {
    return Invalid(LgbHeaderKeyName(key), " has ", items.size(), " entries but max_feature_idx is ",
                   num_features - 1);
  }
  return items;
}

// feature_infos entries: "[min:max]" numerical, "none" unused, "a:b:c" the categories seen.
bool InfoIsCategorical(std::string_view info) { return info != "none" && !StartsWith(info, "["); }

// Largest category code listed in a categorical feature_infos entry (-1 when none).
int64_t MaxInfoCode(std::string_view info) {
  int64_t max_code = -1;
  for (std::string_view code : StrSplit(info, ':', /*skip_empty=*/true)) {
    if (auto v = ParseInt64(code)) max_code = std::max(max_code, *v);
  }
  return max_code;
}

absl::StatusOr<std::string> CategoryName(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_unsigned()) return StrCat(v.get<uint64_t>());
  if (v.is_number_integer()) return StrCat(v.get<int64_t>());
  if (v.is_number_float()) return StrCat(v.get<double>());
  return Invalid("pandas_categorical holds a value that is not a string, number or boolean");
}

// Parses the pandas_categorical JSON: one list of category names per pandas category column.
absl::StatusOr<std::vector<std::vector<std::string>>> PandasCategories(std::string_view json) {
  std::vector<std::vector<std::string>> lists;
  json = StripWhitespace(json);
  if (json == "null") return lists;
  auto parsed = ParseJson(json);
  if (!parsed.ok())
    return Invalid("pandas_categorical is not valid JSON: ", parsed.status().message());
  if (!parsed->is_array()) return Invalid("pandas_categorical must be a JSON list of lists");
  for (const Json& column : *parsed) {
    if (!column.is_array()) return Invalid("pandas_categorical must be a JSON list of lists");
    auto& names = lists.emplace_back();
    for (const Json& v : column) {
      PLINTH_ASSIGN_OR_RETURN(std::string name, CategoryName(v));
      names.push_back(std::move(name));
    }
  }
  return lists;
}

// Gives each pandas category list to its feature (see lightgbm_model.h for the rule).
void AssignCategories(std::vector<std::vector<std::string>> lists,
                      const std::vector<std::string_view>& infos, Signature* sig) {
  if (lists.empty()) return;
  std::vector<size_t> targets;
  for (size_t f = 0; f < sig->inputs.size(); ++f) {
    if (sig->inputs[f].kind == FeatureKind::kCategorical) targets.push_back(f);
  }
  if (targets.size() != lists.size()) {
    targets.clear();
    for (size_t f = 0; f < sig->inputs.size(); ++f) {
      if (sig->inputs[f].kind == FeatureKind::kCategorical || infos[f] == "none")
        targets.push_back(f);
    }
    if (targets.size() != lists.size()) return;
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string_view info = infos[targets[i]];
    if (InfoIsCategorical(info) && MaxInfoCode(info) >= static_cast<int64_t>(lists[i].size()))
      return;
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    FeatureSpec& spec = sig->inputs[targets[i]];
    spec.kind = FeatureKind::kCategorical;
    spec.categories = std::move(lists[i]);
  }
}

absl::StatusOr<Signature> BuildSignature(const std::vector<std::string_view>& names,
                                         const std::vector<std::string_view>& infos,
                                         const std::vector<uint8_t>& split_categorical,
                                         const std::optional<std::string_view>& pandas,
                                         int32_t num_class) {
  Signature sig;
  std::unordered_set<std::string_view> seen;
  sig.inputs.resize(names.size());
  for (size_t f = 0; f < names.size(); ++f) {
    if (!seen.insert(names[f]).second) {
      return Invalid("feature name '", names[f].substr(0, 64), "' appears twice");
    }
    sig.inputs[f].name = std::string(names[f]);
    if (split_categorical[f] || InfoIsCategorical(infos[f]))
      sig.inputs[f].kind = FeatureKind::kCategorical;
  }
  if (pandas) {
    PLINTH_ASSIGN_OR_RETURN(auto lists, PandasCategories(*pandas));
    AssignCategories(std::move(lists), infos, &sig);
  }
  if (num_class == 1) {
    sig.outputs = {"prediction"};
  } else {
    for (int32_t k = 0; k < num_class; ++k) sig.outputs.push_back(StrCat("class_", k));
  }
  return sig;
}

absl::Status CheckNoLinearTrees(const LgbModelText& m) {
  for (size_t t = 0; t < m.trees.size(); ++t) {
    const auto& text = m.trees[t].fields[LgbTreeKey::kIsLinear];
    if (!text) continue;
    auto linear = ParseLgbInt(*text, "is_linear");
    if (!linear.ok()) return Invalid("tree ", t, ": ", linear.status().message());
    if (*linear != 0)
      return absl::InvalidArgumentError("LightGBM linear trees (is_linear=1) are not supported");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TreeEnsemble> ParseLightgbmText(std::string_view text) {
  PLINTH_ASSIGN_OR_RETURN(LgbModelText m, SplitLightgbmText(text));
  const auto& version = m.header[HK::kVersion];
  if (!version) return Invalid("the header has no version line");
  if (*version != "v2" && *version != "v3" && *version != "v4") {
    return Invalid("format version '", version->substr(0, 64), "' is not supported (v2 to v4 are)");
  }
  PLINTH_RETURN_IF_ERROR(CheckNoLinearTrees(m));

  PLINTH_ASSIGN_OR_RETURN(int64_t num_class, HeaderInt(m, HK::kNumClass));
  if (num_class < 1 || num_class > kMaxClasses) return Invalid("num_class is ", num_class);
  int64_t per_iteration = num_class;
  if (m.header[HK::kNumTreePerIteration]) {
    PLINTH_ASSIGN_OR_RETURN(per_iteration, HeaderInt(m, HK::kNumTreePerIteration));
  }
  if (per_iteration != num_class) {
    return Invalid("num_tree_per_iteration is ", per_iteration, " but num_class is ", num_class);
  }
  PLINTH_RETURN_IF_ERROR(HeaderInt(m, HK::kLabelIndex).status());
  PLINTH_ASSIGN_OR_RETURN(int64_t max_feature_idx, HeaderInt(m, HK::kMaxFeatureIdx));
  if (max_feature_idx < 0 || max_feature_idx >= kMaxFeatures) {
    return Invalid("max_feature_idx is ", max_feature_idx);
  }
  // Both lists are checked against max_feature_idx before it sizes anything.
  PLINTH_ASSIGN_OR_RETURN(auto names, FeatureList(m, HK::kFeatureNames, max_feature_idx + 1));
  PLINTH_ASSIGN_OR_RETURN(auto infos, FeatureList(m, HK::kFeatureInfos, max_feature_idx + 1));
  const auto num_features = static_cast<int32_t>(names.size());

  const size_t num_trees = m.trees.size();
  if (num_trees == 0) return Invalid("the model has no trees");
  if (num_trees % per_iteration != 0) {
    return Invalid(num_trees, " trees are not a whole number of iterations of ", per_iteration);
  }

  TreeEnsemble e;
  e.precision = Precision::kFloat64;
  e.source_format = "lightgbm-text";
  e.num_features = num_features;
  e.num_outputs = static_cast<int32_t>(num_class);
  e.trees_per_iteration = static_cast<int32_t>(per_iteration);
  e.base_score.assign(num_class, 0.0);
  e.average_output = m.header[HK::kAverageOutput].has_value();
  PLINTH_RETURN_IF_ERROR(ApplyLightgbmObjective(m.header[HK::kObjective], e.num_outputs, &e));

  std::vector<uint8_t> split_categorical(num_features, 0);
  LgbTreeScratch scratch;
  e.trees.resize(num_trees);
  for (size_t t = 0; t < num_trees; ++t) {
    e.trees[t].output = static_cast<int32_t>(t % per_iteration);
    absl::Status st =
        TranslateLightgbmTree(m.trees[t], num_features, &scratch, &e.trees[t], &split_categorical);
    if (!st.ok()) return Invalid("tree ", t, " (line ", m.trees[t].line, "): ", st.message());
  }
  PLINTH_ASSIGN_OR_RETURN(e.signature, BuildSignature(names, infos, split_categorical,
                                                      m.pandas_categorical, e.num_outputs));
  if (absl::Status st = ValidateEnsemble(e); !st.ok()) return Invalid(st.message());
  return e;
}

}  // namespace plinth::runtime
