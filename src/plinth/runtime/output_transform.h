// Output transforms: margins of one row -> the row's prediction (tree_ensemble.h lists them).
// Float32 models transform in float, as XGBoost does; float64 models in double, as LightGBM.
// Thread-safety: stateless.
#pragma once

#include <cstdint>

#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

// margins: num_outputs values of one row; out: TransformWidth values.
void ApplyTransform(OutputTransform t, double sigmoid_scale, Precision p, const double* margins,
                    int32_t num_outputs, double* out);

int32_t TransformWidth(OutputTransform t, int32_t num_outputs);

// "identity", "sigmoid", ... (for Describe and the compiled file).
const char* TransformName(OutputTransform t);

}  // namespace plinth::runtime
