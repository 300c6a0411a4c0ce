#include "plinth/serving/feature_matrix.h"

#include <cmath>
#include <limits>

namespace plinth::serving {

using runtime::FeatureKind;

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::string_view JsonTypeName(const Json& v) {
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  if (v.is_boolean()) return "a boolean";
  return "a number";
}

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

}  // namespace

FeatureMatrix::FeatureMatrix(const runtime::Signature& signature, size_t rows)
    : signature_(&signature), rows_(rows), cols_(signature.inputs.size()), values_(rows * cols_, kMissing) {}

absl::Status FeatureMatrix::SetNumber(size_t row, size_t col, double value, std::string_view field) {
  Set(row, col, value);
  return absl::OkStatus();
}

absl::Status FeatureMatrix::SetString(size_t row, size_t col, std::string_view value, std::string_view field) {
  const runtime::FeatureSpec& spec = signature_->inputs[col];
  if (spec.kind != FeatureKind::kCategorical) {
    return absl::InvalidArgumentError(StrCat("'", field, "': feature '", spec.name, "' is numeric; got a string"));
  }
  if (spec.categories.empty()) {
    return absl::InvalidArgumentError(StrCat("'", field, "': feature '", spec.name,
                                             "' is categorical without category names in the model; send its integer code"));
  }
  Set(row, col, runtime::CategoryCode(spec, value));
  return absl::OkStatus();
}

absl::Status FeatureMatrix::SetJson(size_t row, size_t col, const Json& value, std::string_view field) {
  switch (value.type()) {
    case Json::value_t::null:
      Set(row, col, kMissing);
      return absl::OkStatus();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return SetNumber(row, col, value.get<double>(), field);
    case Json::value_t::boolean:
      if (signature_->inputs[col].kind == FeatureKind::kNumeric) return SetNumber(row, col, value.get<bool>() ? 1 : 0, field);
      break;
    case Json::value_t::string:
      return SetString(row, col, value.get_ref<const std::string&>(), field);
    default:
      break;
  }
  const runtime::FeatureSpec& spec = signature_->inputs[col];
  return absl::InvalidArgumentError(StrCat("'", field, "': feature '", spec.name, "' takes ",
                                           spec.kind == FeatureKind::kCategorical ? "a category name or code" : "a number",
                                           " or null; got ", JsonTypeName(value)));
}

InputIndex::InputIndex(const runtime::Signature& signature) : signature_(&signature) {
  index_.reserve(signature.inputs.size());
  for (size_t i = 0; i < signature.inputs.size(); ++i) index_.emplace(signature.inputs[i].name, static_cast<int>(i));
}

int InputIndex::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

std::string InputIndex::Describe() const {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < signature_->inputs.size() && i < 20; ++i) names.push_back(signature_->inputs[i].name);
  std::string out = StrJoin(names, ", ");
  if (signature_->inputs.size() > names.size()) StrAppend(&out, ", ... (", signature_->inputs.size(), " in all)");
  return out;
}

Json PredictionsJson(const double* values, size_t rows, size_t width) {
  Json out = Json::array();
  out.get_ref<Json::array_t&>().reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    if (width == 1) {
      out.push_back(Number(values[r]));
      continue;
    }
    Json row = Json::array();
    for (size_t k = 0; k < width; ++k) row.push_back(Number(values[r * width + k]));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace plinth::serving
