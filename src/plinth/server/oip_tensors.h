// Open Inference Protocol V2 (REST) tensors <-> Plinth's feature rows and predictions.
//
// An inference request's "inputs" take one of two forms:
//   - one tensor per feature, named by feature name, shape [rows] or [rows, 1] (BYTES tensors
//     carry category names for categorical features); every feature needs its tensor;
//   - one tensor of shape [rows, num_features] (any name) with the features in model order.
// Numeric datatypes (BOOL, UINT*, INT*, FP16, FP32, FP64) carry JSON numbers (booleans for
// BOOL), flattened or nested in row-major order; FP32 values are rounded to float as the
// client declared them; null marks a missing value. The response has one output "predict",
// FP64, shape [rows] (one value per row) or [rows, width].
// Errors are InvalidArgument naming the input ("inputs[1] 'age': ...").
// Thread-safety: stateless.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/runtime/model.h"
#include "plinth/serving/feature_matrix.h"
#include "plinth/serving/servable.h"

namespace plinth::server {

inline constexpr char kOipOutputName[] = "predict";
// Limits of a request tensor: elements (the product of its shape) and nesting of 'data'.
inline constexpr int64_t kOipMaxTensorElements = int64_t{1} << 31;
inline constexpr int kOipMaxDataNesting = 8;

// What a tensor datatype carries: BOOL; INT8..UINT64; FP32 (rounded to float as declared);
// FP64 and FP16; BYTES. Nothing for a datatype the protocol does not define.
enum class OipDatatype { kBool, kInteger, kFloat32, kFloat, kBytes };
std::optional<OipDatatype> ParseOipDatatype(std::string_view datatype);

// The values a numeric datatype can hold (INT8 [-128, 127] ... UINT64; FP16, FP32: what rounds
// to a finite value; FP64 +-DBL_MAX); nothing for BOOL, BYTES and unknown datatypes. A value outside is
// refused: the client's own tensor could not hold it.
// The element count of a tensor's "shape" (non-negative integers, the product at most
// kOipMaxTensorElements); InvalidArgument prefixed with `where`.
absl::StatusOr<int64_t> OipShapeCount(const Json& shape, const std::string& where, std::vector<int64_t>* dims = nullptr);

struct OipRange {
  double lo = 0, hi = 0;
  bool Holds(double v) const { return v != v || (v >= lo && v <= hi); }  // NaN: a null element
};
std::optional<OipRange> OipRangeOf(std::string_view datatype);

// Whether `data`, when nested, nests exactly as `shape` says (flat data always does: its element
// count is checked apart). Arrays are described as (depth, element count) pairs, leaves by the
// depths they were found at.
struct OipNesting {
  std::vector<std::pair<size_t, size_t>> arrays;  // the outer array is depth 0
  size_t min_leaf_depth = SIZE_MAX, max_leaf_depth = 0;
  void Leaf(size_t depth) {
    min_leaf_depth = std::min(min_leaf_depth, depth);
    max_leaf_depth = std::max(max_leaf_depth, depth);
  }
  bool Matches(const std::vector<int64_t>& shape) const;
};

// Decodes `inputs` (the request's "inputs" array) for `model`; at most `max_rows` rows.
absl::StatusOr<serving::FeatureMatrix> DecodeOipInputs(const Json& inputs, const serving::Servable& model, int64_t max_rows);

// Checks the request's optional "outputs" (only "predict" exists).
absl::Status CheckOipOutputs(const Json* outputs);

// Appends an inference response as JSON text (what a document of the same content would dump,
// then a newline): {"id"?, "model_name", "model_version", "outputs": [{"name": "predict",
// "datatype": "FP64", "shape": [rows] or [rows, width], "data": [...]}], "parameters": {"model"}}.
// The parts every inference response shares, keys in dump order: up to and including
// `"outputs":[{`, and from the output's "shape" to the end (no newline).
void AppendOipResponseStart(std::string* out, std::string_view model_name, int64_t version,
                            const std::optional<std::string>& id);
void AppendOipResponseEnd(std::string* out, size_t rows, size_t width, std::string_view model_key);

void AppendOipInferResponse(std::string* out, std::string_view model_name, int64_t version, std::string_view model_key,
                            const std::optional<std::string>& id, const double* values, size_t rows, size_t width);

// Model metadata tensors: inputs per feature, the "predict" output.
Json OipInputsMetadata(const runtime::Signature& signature);
Json OipOutputsMetadata(const runtime::Model& model);

}  // namespace plinth::server
