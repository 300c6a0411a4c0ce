// The binary tensor data extension of the Open Inference Protocol (Triton's, also KServe's):
// what tritonclient sends by default.
//
// A request with the HTTP header Inference-Header-Content-Length: N carries an N-byte JSON
// inference request, then the raw data of every input whose "parameters" hold
// "binary_data_size", one after the other in input order: little-endian, row-major, each
// element in its datatype's size (BOOL one byte; BYTES a 4-byte little-endian length, then the
// bytes). An output is answered the same way when the request's outputs[].parameters say
// "binary_data": true or its parameters say "binary_data_output": true: the JSON response (its
// output with "parameters": {"binary_data_size"} and no "data"), then the FP64 values, with
// Inference-Header-Content-Length giving the JSON's length.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::server {

inline constexpr std::string_view kOipHeaderLengthField = "inference-header-content-length";
// Elements all binary inputs of one request may hold (10,000 rows of 400 features fit).
inline constexpr int64_t kOipMaxBinaryElements = int64_t{1} << 22;

// The inference request in its JSON form: each binary input given its "data" (numbers,
// booleans or strings) and its "binary_data_size" parameter removed. InvalidArgument names
// what does not fit (a size that disagrees with the shape, bytes missing or left over, BYTES
// that are not UTF-8 text).
absl::StatusOr<Json> DecodeOipBinaryRequest(std::string_view body, std::string_view header_length);

// Whether the request (JSON form) asks for its output as binary data.
bool WantsOipBinaryOutput(const Json& request);

// The response as the extension shapes it: the JSON header (as AppendOipInferResponse writes
// it, the output's "data" replaced by "parameters": {"binary_data_size"}), then the values as
// little-endian FP64. Returns the header's length in bytes.
size_t AppendOipBinaryInferResponse(std::string* out, std::string_view model_name, int64_t version,
                                    std::string_view model_key, const std::optional<std::string>& id,
                                    const double* values, size_t rows, size_t width);

}  // namespace plinth::server
