#include "plinth/runtime/xgboost_signature.h"

#include <string_view>
#include <unordered_set>

#include "plinth/runtime/xgboost_document.h"

namespace plinth::runtime::xgb {
namespace {

bool NonEmptyArray(const Json* a) { return a != nullptr && a->is_array() && !a->empty(); }

absl::StatusOr<FeatureKind> KindOf(const Json& type, size_t f) {
  if (type.is_string()) {
    const std::string& t = type.get_ref<const std::string&>();
    if (t == "c") return FeatureKind::kCategorical;
    if (t == "q" || t == "int" || t == "float" || t == "i") return FeatureKind::kNumeric;
  }
  return absl::InvalidArgumentError(
      StrCat("learner.feature_types[", f, "] is ", DumpJson(type), " (expected q, int, float, i or c)"));
}

// One encoder column: string categories (offsets + bytes) or integer ones.
absl::StatusOr<std::vector<std::string>> ColumnNames(const Json& col, std::string_view path) {
  std::vector<std::string> names;
  if (!col.is_object()) return absl::InvalidArgumentError(StrCat(path, " must be an object"));
  const Json* values_json = Member(col, "values");
  if (values_json == nullptr) {
    if (col.empty()) return names;
    return absl::InvalidArgumentError(StrCat(path, ".values is missing"));
  }
  PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> values, IntArray(*values_json, StrCat(path, ".values")));
  const Json* offsets_json = Member(col, "offsets");
  if (offsets_json == nullptr) {  // integer categories
    for (int64_t v : values) names.push_back(StrCat(v));
    return names;
  }
  PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> offsets, IntArray(*offsets_json, StrCat(path, ".offsets")));
  if (offsets.empty()) {
    if (!values.empty()) return absl::InvalidArgumentError(StrCat(path, " has string bytes but no offsets"));
    return names;
  }
  if (offsets.front() != 0 || offsets.back() != static_cast<int64_t>(values.size())) {
    return absl::InvalidArgumentError(
        StrCat(path, ".offsets must run from 0 to the ", values.size(), " bytes of its values"));
  }
  for (size_t k = 0; k + 1 < offsets.size(); ++k) {
    if (offsets[k + 1] < offsets[k]) {
      return absl::InvalidArgumentError(StrCat(path, ".offsets must not decrease (entry ", k + 1, ")"));
    }
    std::string name;
    for (int64_t i = offsets[k]; i < offsets[k + 1]; ++i) {
      if (values[i] < -128 || values[i] > 255) {
        return absl::InvalidArgumentError(StrCat(path, ".values[", i, "] is not a byte"));
      }
      name.push_back(static_cast<char>(values[i] & 0xFF));  // int8 in the file: UTF-8 bytes
    }
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

absl::StatusOr<std::vector<FeatureSpec>> ReadInputs(const Json& learner, int32_t num_features) {
  const Json* names = Member(learner, "feature_names");
  if (!NonEmptyArray(names) && num_features > kMaxUnnamedFeatures) {
    return absl::InvalidArgumentError(StrCat("model has ", num_features, " features and no feature_names (at most ",
                                             kMaxUnnamedFeatures, " unnamed features are supported)"));
  }
  std::vector<FeatureSpec> inputs(num_features);
  if (NonEmptyArray(names)) {
    if (names->size() != inputs.size()) {
      return absl::InvalidArgumentError(
          StrCat("learner.feature_names has ", names->size(), " names for ", num_features, " features"));
    }
    std::unordered_set<std::string_view> seen;
    for (size_t f = 0; f < inputs.size(); ++f) {
      const Json& n = (*names)[f];
      if (!n.is_string() || n.get_ref<const std::string&>().empty()) {
        return absl::InvalidArgumentError(StrCat("learner.feature_names[", f, "] must be a non-empty string"));
      }
      if (!seen.insert(n.get_ref<const std::string&>()).second) {
        return absl::InvalidArgumentError(
            StrCat("learner.feature_names has '", n.get_ref<const std::string&>(), "' twice"));
      }
      inputs[f].name = n.get<std::string>();
    }
  } else {
    for (size_t f = 0; f < inputs.size(); ++f) inputs[f].name = StrCat("f", f);
  }
  const Json* types = Member(learner, "feature_types");
  if (NonEmptyArray(types)) {
    if (types->size() != inputs.size()) {
      return absl::InvalidArgumentError(
          StrCat("learner.feature_types has ", types->size(), " types for ", num_features, " features"));
    }
    for (size_t f = 0; f < inputs.size(); ++f) {
      PLINTH_ASSIGN_OR_RETURN(inputs[f].kind, KindOf((*types)[f], f));
    }
  }
  return inputs;
}

absl::Status ReadCategoryEncoder(const Json& cats, std::string_view path, std::vector<FeatureSpec>* inputs) {
  PLINTH_ASSIGN_OR_RETURN(const Json* enc, RequireArray(cats, "enc", path));
  if (enc->empty()) return absl::OkStatus();
  if (enc->size() != inputs->size()) {
    return absl::InvalidArgumentError(
        StrCat(path, ".enc has ", enc->size(), " columns for ", inputs->size(), " features"));
  }
  for (size_t f = 0; f < inputs->size(); ++f) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> names, ColumnNames((*enc)[f], StrCat(path, ".enc[", f, "]")));
    if (names.empty()) continue;
    (*inputs)[f].kind = FeatureKind::kCategorical;
    (*inputs)[f].categories = std::move(names);
  }
  return absl::OkStatus();
}

std::vector<std::string> OutputNames(OutputTransform transform, int32_t num_outputs, bool multi_target) {
  if (transform == OutputTransform::kArgmax) return {"class"};
  if (num_outputs == 1) return {"prediction"};
  std::string_view prefix = multi_target ? "target_" : transform == OutputTransform::kSoftmax ? "class_" : "output_";
  std::vector<std::string> out;
  for (int32_t k = 0; k < num_outputs; ++k) out.push_back(StrCat(prefix, k));
  return out;
}

}  // namespace plinth::runtime::xgb
