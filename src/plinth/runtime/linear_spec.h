// LinearSpec: a linear model (XGBoost gblinear, or Plinth's linear-json format).
//
// margin[k] = base_score[k] + bias[k] + sum over features f with x[f] not NaN of
//             x[f] * weights[f * num_outputs + k]
// then the ensemble's OutputTransform. Precision kFloat32 reproduces XGBoost gblinear exactly
// (checked against libxgboost 1.7.4): float32 inputs, weights and accumulation, starting from
// float(bias[k]) + float(base_score[k]) and adding x[f] * w in feature index order. kFloat64
// computes in double (bias, then features, then base_score).
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

struct LinearSpec {
  Precision precision = Precision::kFloat64;
  int32_t num_features = 0;
  int32_t num_outputs = 1;
  std::vector<double> weights;     // num_features * num_outputs, feature-major
  std::vector<double> bias;        // num_outputs
  std::vector<double> base_score;  // num_outputs, margin space
  OutputTransform transform = OutputTransform::kIdentity;
  double sigmoid_scale = 1.0;
  Signature signature;
  std::string objective;
  std::string source_format;
};

absl::Status ValidateLinear(const LinearSpec& s);

}  // namespace plinth::runtime
