#include "plinth/serving/feature_matrix.h"

#include <limits>

#include "plinth/base/json_text.h"
#include "plinth/base/strings.h"

namespace plinth::serving {

FeatureMatrix::FeatureMatrix(size_t rows, size_t cols)
    : rows_(rows), cols_(cols), values_(rows * cols, std::numeric_limits<double>::quiet_NaN()) {}

std::string DescribeInputs(const runtime::Signature& signature) {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < signature.inputs.size() && i < 20; ++i) names.push_back(signature.inputs[i].name);
  std::string out = StrJoin(names, ", ");
  if (signature.inputs.size() > names.size()) StrAppend(&out, ", ... (", signature.inputs.size(), " in all)");
  return out;
}

void AppendPredictionsJson(std::string* out, const double* values, size_t rows, size_t width) {
  out->push_back('[');
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) out->push_back(',');
    if (width != 1) out->push_back('[');
    for (size_t k = 0; k < width; ++k) {
      if (k > 0) out->push_back(',');
      AppendJsonDouble(out, values[r * width + k]);  // NaN and infinities as null
    }
    if (width != 1) out->push_back(']');
  }
  out->push_back(']');
}

}  // namespace plinth::serving
