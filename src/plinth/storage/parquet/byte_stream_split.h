// BYTE_STREAM_SPLIT (Encodings.md "Byte Stream Split: (BYTE_STREAM_SPLIT = 9)"): for n values of
// `width` bytes, stream k (k < width) holds byte k of every value, and the streams are stored
// one after another. Works for any width: 2 (FLOAT16), 4 (FLOAT/INT32), 8 (DOUBLE/INT64) and
// FIXED_LEN_BYTE_ARRAY widths such as 5.
// The streams span the whole buffer, so the page's value count is len / width and may exceed the
// n values decoded (the caller passes the non-null count of a page with nulls the same way).
// Inputs are untrusted: a length that is not a multiple of width, or fewer than n values, returns
// DataLoss.
//
// Thread-safety: stateless functions. Ownership: callers own all buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace plinth::parquet {

// Decodes the first n values of the page in data[0, len) into out[0, n * width) (values back to
// back, as PLAIN would hold them).
absl::Status DecodeByteStreamSplit(const uint8_t* data, size_t len, int n, size_t width,
                                   uint8_t* out);
// Same for values [first, first + n), for readers that decode a page in several batches.
absl::Status DecodeByteStreamSplitFrom(const uint8_t* data, size_t len, size_t first, int n,
                                       size_t width, uint8_t* out);

// Appends the n * width byte encoding of values[0, n * width).
void EncodeByteStreamSplit(const uint8_t* values, int n, size_t width, std::string* out);

}  // namespace plinth::parquet
