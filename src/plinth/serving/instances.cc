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

absl::StatusOr<FeatureMatrix> DecodeInstances(const Json& instances, const Servable& model) {
  const runtime::RowEncoder& encoder = model.encoder();
  FeatureMatrix matrix(instances.size(), static_cast<size_t>(encoder.num_features()));
  for (size_t r = 0; r < instances.size(); ++r) {
    const Json& row = instances[r];
    std::string where = StrCat("instances[", r, "]");
    if (row.is_object()) {
      absl::Status st = encoder.EncodeObject(row, matrix.mutable_row(r), where);
      if (!st.ok()) {
        std::string message(st.message());
        if (message.find("has no feature") != std::string::npos) {
          return absl::InvalidArgumentError(StrCat(message, "; it takes: ", DescribeInputs(model.signature())));
        }
        return st;
      }
    } else if (row.is_array()) {
      if (row.size() != matrix.cols()) {
        return absl::InvalidArgumentError(StrCat(where, " has ", row.size(), " values; the model takes ", matrix.cols(), " (",
                                                 DescribeInputs(model.signature()), ")"));
      }
      for (size_t c = 0; c < row.size(); ++c) {
        PLINTH_RETURN_IF_ERROR(encoder.EncodeValue(static_cast<int>(c), row[c], &matrix.at(r, c), StrCat(where, "[", c, "]")));
      }
    } else {
      return absl::InvalidArgumentError(StrCat(where, " must be an object of feature values (or an array in input order)"));
    }
  }
  return matrix;
}

}  // namespace plinth::serving
