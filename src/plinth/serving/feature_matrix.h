// FeatureMatrix: the dense row-major doubles runtime::Model::Predict reads, built from a
// request by a protocol decoder (instances.h, server/oip_tensors.h) with the model's
// RowEncoder (numbers as given, booleans as 1/0, category names -> codes, null -> missing).
// Starts all-missing (NaN).
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/runtime/signature.h"

namespace plinth::serving {

class FeatureMatrix {
 public:
  FeatureMatrix(size_t rows, size_t cols);

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  const double* data() const { return values_.data(); }
  double* mutable_row(size_t r) { return values_.data() + r * cols_; }
  double& at(size_t row, size_t col) { return values_[row * cols_ + col]; }

 private:
  size_t rows_;
  size_t cols_;
  std::vector<double> values_;
};

// "a, b, c" (the first 20 input names), for error messages.
std::string DescribeInputs(const runtime::Signature& signature);

// Appends predictions of `rows` x `width` values as JSON text: one number per row when width
// is 1, else an array per row. NaN and infinities (not JSON numbers) become null.
void AppendPredictionsJson(std::string* out, const double* values, size_t rows, size_t width);

}  // namespace plinth::serving
