#include "plinth/runtime/row_encoder.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace plinth::runtime {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

bool IsMissingText(std::string_view s) {
  return s.empty() || s == "NA" || s == "N/A" || s == "NaN" || s == "nan" || s == "null" || s == "None";
}

// Like base's ParseDouble, but infinities are valid feature values (LightGBM sends +inf right at
// categorical splits; a threshold split compares them normally).
bool ParseNumber(std::string_view s, double* out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

RowEncoder::RowEncoder(const Signature& signature) {
  features_.reserve(signature.inputs.size());
  for (size_t i = 0; i < signature.inputs.size(); ++i) {
    const FeatureSpec& spec = signature.inputs[i];
    Feature f;
    f.name = spec.name;
    f.categorical = spec.kind == FeatureKind::kCategorical;
    for (size_t c = 0; c < spec.categories.size(); ++c) f.codes.emplace(spec.categories[c], static_cast<double>(c));
    index_.emplace(spec.name, static_cast<int>(i));
    features_.push_back(std::move(f));
  }
}

int RowEncoder::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

absl::Status RowEncoder::EncodeObject(const Json& instance, double* row, std::string_view where) const {
  if (!instance.is_object()) return absl::InvalidArgumentError(StrCat(where, " must be an object of feature values"));
  size_t found = 0;
  for (auto it = instance.begin(); it != instance.end(); ++it) {
    int f = Find(it.key());
    if (f < 0) return absl::InvalidArgumentError(StrCat(where, ".", it.key(), ": the model has no feature '", it.key(), "'"));
    PLINTH_RETURN_IF_ERROR(EncodeValue(f, it.value(), &row[f], StrCat(where, ".", it.key())));
    ++found;
  }
  if (found != features_.size()) {
    for (size_t f = 0; f < features_.size(); ++f) {
      if (!instance.contains(features_[f].name)) {
        return absl::InvalidArgumentError(StrCat(where, ": feature '", features_[f].name,
                                                 "' is missing (send null for a missing value)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status RowEncoder::EncodeValue(int f, const Json& value, double* out, std::string_view where) const {
  switch (value.type()) {
    case Json::value_t::null:
      *out = kMissing;
      return absl::OkStatus();
    case Json::value_t::boolean:
      if (features_[f].categorical && !features_[f].codes.empty()) {
        return EncodeName(f, value.get<bool>() ? "true" : "false", out, where);
      }
      *out = value.get<bool>() ? 1.0 : 0.0;
      return absl::OkStatus();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      *out = value.get<double>();
      return absl::OkStatus();
    case Json::value_t::string:
      if (features_[f].categorical) return EncodeName(f, value.get_ref<const std::string&>(), out, where);
      return absl::InvalidArgumentError(StrCat(where, ": feature '", features_[f].name, "' is numeric, got a string"));
    default:
      return absl::InvalidArgumentError(StrCat(where, ": feature '", features_[f].name, "' wants a number, got a JSON ",
                                               value.type_name()));
  }
}

absl::Status RowEncoder::EncodeText(int f, std::string_view cell, double* out, std::string_view where) const {
  if (IsMissingText(cell)) {
    *out = kMissing;
    return absl::OkStatus();
  }
  if (features_[f].categorical && !features_[f].codes.empty()) return EncodeName(f, cell, out, where);
  if (ParseNumber(cell, out)) return absl::OkStatus();
  if (cell == "true" || cell == "TRUE" || cell == "True") {
    *out = 1;
    return absl::OkStatus();
  }
  if (cell == "false" || cell == "FALSE" || cell == "False") {
    *out = 0;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(StrCat(where, ": feature '", features_[f].name, "' wants a number, got '", cell, "'"));
}

absl::Status RowEncoder::EncodeName(int f, std::string_view name, double* out, std::string_view where) const {
  const Feature& feat = features_[f];
  if (auto it = feat.codes.find(std::string(name)); it != feat.codes.end()) {
    *out = it->second;
    return absl::OkStatus();
  }
  if (feat.codes.empty()) {
    if (ParseNumber(name, out)) return absl::OkStatus();
    return absl::InvalidArgumentError(StrCat(where, ": categorical feature '", feat.name,
                                             "' has no category names; send its integer code"));
  }
  *out = kMissing;  // an unseen category is missing
  return absl::OkStatus();
}

}  // namespace plinth::runtime
