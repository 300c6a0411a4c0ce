// Signature: what a model consumes and produces, by name.
//
// Inputs are features in the order the model indexes them. A categorical feature carries the
// category names in code order when the training library recorded them (LightGBM's
// pandas_categorical, XGBoost 3.x's `cats` encoder): a request may then give the name, which
// maps to its index; an unknown name is missing. Outputs name the values Predict writes per row.
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::runtime {

enum class FeatureKind : uint8_t {
  kNumeric,      // any number; NaN is missing
  kCategorical,  // an integer code (or a name from `categories`); NaN is missing
};

struct FeatureSpec {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  std::vector<std::string> categories;  // code -> name; empty when only codes are known
};

struct Signature {
  std::vector<FeatureSpec> inputs;
  std::vector<std::string> outputs;  // one name per value Predict writes for a row

  // Index of the input named `name`, or -1.
  int FindInput(std::string_view name) const;
  // {"inputs": [{"name", "type": "numeric"|"categorical", "categories"?}], "outputs": [...]}
  Json ToJson() const;
  static absl::StatusOr<Signature> FromJson(const Json& j);
};

// Code of category `name` in `spec`, or NaN when unknown (an unseen category is missing).
double CategoryCode(const FeatureSpec& spec, std::string_view name);

}  // namespace plinth::runtime
