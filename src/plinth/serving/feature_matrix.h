// FeatureMatrix: request values -> the dense row-major doubles runtime::Model::Predict reads.
//
// Starts all-missing (NaN), so an absent feature is missing and follows the model's
// missing-value rule. Set* convert one request value for one input of the signature:
// numeric inputs take numbers (and booleans as 0/1); categorical inputs take an integer code
// or a category name from the signature (an unknown name is missing); null is missing.
// Wrong types are InvalidArgument naming `field` (e.g. "instances[3].age").
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/runtime/signature.h"

namespace plinth::serving {

class FeatureMatrix {
 public:
  FeatureMatrix(const runtime::Signature& signature, size_t rows);

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  const double* data() const { return values_.data(); }
  double* mutable_row(size_t r) { return values_.data() + r * cols_; }
  const runtime::Signature& signature() const { return *signature_; }

  void Set(size_t row, size_t col, double value) { values_[row * cols_ + col] = value; }
  absl::Status SetJson(size_t row, size_t col, const Json& value, std::string_view field);
  absl::Status SetNumber(size_t row, size_t col, double value, std::string_view field);
  absl::Status SetString(size_t row, size_t col, std::string_view value, std::string_view field);

 private:
  const runtime::Signature* signature_;
  size_t rows_;
  size_t cols_;
  std::vector<double> values_;
};

// Input name -> column, built once per request for name lookups.
class InputIndex {
 public:
  explicit InputIndex(const runtime::Signature& signature);
  // -1 when the model has no input of that name.
  int Find(std::string_view name) const;
  // "a, b, c" (the first few names), for error messages.
  std::string Describe() const;

 private:
  const runtime::Signature* signature_;
  std::unordered_map<std::string_view, int> index_;
};

// Predictions of `rows` x `width` values as JSON: one number per row when width is 1, else an
// array per row. NaN and infinities (not JSON numbers) become null.
Json PredictionsJson(const double* values, size_t rows, size_t width);

}  // namespace plinth::serving
