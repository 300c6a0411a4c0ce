// OipBody: an Open Inference Protocol inference request in its common shape, read straight from
// the text without building a JSON document (as row_body.h does for the row API).
//
//   {"id": "r1", "parameters": {"tenant": "acme"},
//    "inputs": [{"name": "input-0", "shape": [1, 32], "datatype": "FP32", "data": [[0.5, ...]]}],
//    "outputs": [{"name": "predict"}]}
//
// Handled: one object with "inputs" (a non-empty array of tensors) and optionally "id" (a
// string), "parameters" (an object holding only "tenant", a string) and "outputs" (objects
// {"name": "predict"}), each key once; a tensor holds exactly "name", "shape", "datatype" and
// "data", each once; datatypes FP64, FP32, FP16 and INT8..UINT64; data flattened or nested
// (as deep as the document path allows) holding JSON numbers (integers for INT types) or null.
// Strings of printable ASCII without escapes. Values come out as the document path sets them
// (FP32 rounded to float as the client declared it, null as a missing value). Anything else,
// and any request the document path would refuse (a shape that does not match the data, an
// unknown feature, too many rows, ...), is not handled: the caller parses the document as
// before, so every answer and every error message is the same either way.
// Thread-safety: value type; the parsed names point into the text, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/runtime/row_encoder.h"
#include "plinth/serving/feature_matrix.h"

namespace plinth::server {

struct OipBody {
  struct Tensor {
    std::string_view name;
    std::vector<int64_t> shape;
    size_t begin = 0;  // its elements are values[begin, end), row-major
    size_t end = 0;
  };
  std::optional<std::string> id;
  std::optional<std::string> tenant;
  std::vector<Tensor> inputs;
  std::vector<double> values;  // NaN for null
};

// True when `text` has the handled shape (then *out holds it).
bool ParseOipBody(std::string_view text, OipBody* out);

// The tensors as model inputs (one tensor per feature, shape [rows] or [rows, 1]; or one tensor
// of shape [rows, features] in model order), at most `max_rows` rows. Nothing when the document
// path would answer with an error instead.
std::optional<serving::FeatureMatrix> EncodeOipBody(const OipBody& body, const runtime::RowEncoder& encoder, int64_t max_rows);

}  // namespace plinth::server
