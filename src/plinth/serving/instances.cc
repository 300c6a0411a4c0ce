#include "plinth/serving/instances.h"

namespace plinth::serving {

absl::StatusOr<size_t> CountInstances(const Json* instances, int64_t max_rows) {
  if (instances == nullptr || instances->is_null()) {
    return absl::InvalidArgumentError("'instances' is required: an array of {\"feature\": value} objects");
  }
  if (!instances->is_array()) return absl::InvalidArgumentError("'instances' must be an array of {\"feature\": value} objects");
  if (instances->empty()) return absl::InvalidArgumentError("'instances' is empty: send at least one row");
  if (static_cast<int64_t>(instances->size()) > max_rows) {
    return absl::InvalidArgumentError(
        StrCat("'instances' has ", instances->size(), " rows; this deployment takes at most ", max_rows, " per request"));
  }
  return instances->size();
}

absl::StatusOr<FeatureMatrix> DecodeInstances(const Json& instances, const runtime::Signature& signature) {
  FeatureMatrix matrix(signature, instances.size());
  InputIndex index(signature);
  std::string field;
  for (size_t r = 0; r < instances.size(); ++r) {
    const Json& row = instances[r];
    if (row.is_object()) {
      for (auto it = row.begin(); it != row.end(); ++it) {
        int col = index.Find(it.key());
        if (col < 0) {
          return absl::InvalidArgumentError(StrCat("'instances[", r, "].", it.key(), "': unknown feature '", it.key(),
                                                   "'; the model takes: ", index.Describe()));
        }
        if (!it.value().is_number()) field = StrCat("instances[", r, "].", it.key());
        PLINTH_RETURN_IF_ERROR(matrix.SetJson(r, static_cast<size_t>(col), it.value(), field));
      }
    } else if (row.is_array()) {
      if (row.size() != matrix.cols()) {
        return absl::InvalidArgumentError(StrCat("'instances[", r, "]' has ", row.size(), " values; the model takes ",
                                                 matrix.cols(), " (", index.Describe(), ")"));
      }
      for (size_t c = 0; c < row.size(); ++c) {
        if (!row[c].is_number()) field = StrCat("instances[", r, "][", c, "]");
        PLINTH_RETURN_IF_ERROR(matrix.SetJson(r, c, row[c], field));
      }
    } else {
      return absl::InvalidArgumentError(StrCat("'instances[", r, "]' must be an object of feature values (or an array)"));
    }
  }
  return matrix;
}

}  // namespace plinth::serving
