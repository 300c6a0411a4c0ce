#include "plinth/runtime/output_transform.h"

#include <algorithm>
#include <cmath>

namespace plinth::runtime {
namespace {

template <typename R>
void Transform(OutputTransform t, R scale, const double* margins, int32_t n, double* out) {
  switch (t) {
    case OutputTransform::kIdentity:
      for (int32_t k = 0; k < n; ++k) out[k] = margins[k];
      return;
    case OutputTransform::kSigmoid:
      for (int32_t k = 0; k < n; ++k) {
        R m = static_cast<R>(margins[k]);
        out[k] = R(1) / (R(1) + std::exp(-scale * m));
      }
      return;
    case OutputTransform::kExp:
      for (int32_t k = 0; k < n; ++k) out[k] = std::exp(static_cast<R>(margins[k]));
      return;
    case OutputTransform::kSoftmax: {
      // The sum is kept in double and rounded once, as XGBoost's Softmax does for float32.
      R mx = static_cast<R>(margins[0]);
      for (int32_t k = 1; k < n; ++k) mx = std::max(mx, static_cast<R>(margins[k]));
      double sum = 0;
      for (int32_t k = 0; k < n; ++k) {
        R e = std::exp(static_cast<R>(margins[k]) - mx);
        out[k] = e;
        sum += e;
      }
      for (int32_t k = 0; k < n; ++k) out[k] = static_cast<R>(out[k]) / static_cast<R>(sum);
      return;
    }
    case OutputTransform::kArgmax: {
      int32_t best = 0;
      for (int32_t k = 1; k < n; ++k) {
        if (static_cast<R>(margins[k]) > static_cast<R>(margins[best])) best = k;
      }
      out[0] = best;
      return;
    }
    case OutputTransform::kStep:
      for (int32_t k = 0; k < n; ++k) out[k] = static_cast<R>(margins[k]) > R(0) ? 1.0 : 0.0;
      return;
    case OutputTransform::kLog1pExp:
      for (int32_t k = 0; k < n; ++k) out[k] = std::log1p(std::exp(static_cast<R>(margins[k])));
      return;
  }
}

}  // namespace

void ApplyTransform(OutputTransform t, double sigmoid_scale, Precision p, const double* margins,
                    int32_t num_outputs, double* out) {
  if (p == Precision::kFloat32) {
    Transform<float>(t, static_cast<float>(sigmoid_scale), margins, num_outputs, out);
  } else {
    Transform<double>(t, sigmoid_scale, margins, num_outputs, out);
  }
}

int32_t TransformWidth(OutputTransform t, int32_t num_outputs) {
  return t == OutputTransform::kArgmax ? 1 : num_outputs;
}

const char* TransformName(OutputTransform t) {
  switch (t) {
    case OutputTransform::kIdentity: return "identity";
    case OutputTransform::kSigmoid: return "sigmoid";
    case OutputTransform::kExp: return "exp";
    case OutputTransform::kSoftmax: return "softmax";
    case OutputTransform::kArgmax: return "argmax";
    case OutputTransform::kStep: return "step";
    case OutputTransform::kLog1pExp: return "log1p_exp";
  }
  return "unknown";
}

}  // namespace plinth::runtime
