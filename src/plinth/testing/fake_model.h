// Test-only: FakeModel, a runtime::Model whose prediction is `bias + sum of its inputs` (NaN
// inputs count as 0), with a chosen size for cache budgets. Header-only.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "plinth/runtime/model.h"

namespace plinth::testing {

class FakeModel : public runtime::Model {
 public:
  FakeModel(std::vector<std::string> features, double bias, size_t bytes = 1000, int outputs = 1)
      : bias_(bias), bytes_(bytes) {
    for (auto& f : features) signature_.inputs.push_back({std::move(f), runtime::FeatureKind::kNumeric, {}});
    for (int k = 0; k < outputs; ++k) signature_.outputs.push_back(StrCat("out", k));
  }

  const runtime::Signature& signature() const override { return signature_; }
  int32_t OutputWidth(const runtime::PredictOptions&) const override {
    return static_cast<int32_t>(signature_.outputs.size());
  }
  absl::Status Predict(const double* rows, size_t num_rows, double* out, const runtime::PredictOptions&) const override {
    const size_t cols = signature_.inputs.size();
    const size_t width = signature_.outputs.size();
    for (size_t r = 0; r < num_rows; ++r) {
      double sum = bias_;
      for (size_t c = 0; c < cols; ++c) {
        if (!std::isnan(rows[r * cols + c])) sum += rows[r * cols + c];
      }
      for (size_t k = 0; k < width; ++k) out[r * width + k] = sum + static_cast<double>(k);
    }
    return absl::OkStatus();
  }
  size_t MemoryBytes() const override { return bytes_; }
  Json Describe() const override { return Json{{"format", "fake"}, {"bias", bias_}}; }

  runtime::Signature& mutable_signature() { return signature_; }

 private:
  runtime::Signature signature_;
  double bias_;
  size_t bytes_;
};

}  // namespace plinth::testing
