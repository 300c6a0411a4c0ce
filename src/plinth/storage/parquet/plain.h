// PLAIN encoding (Encodings.md "Plain: (PLAIN = 0)") for every physical type.
//
// - BOOLEAN: bit-packed, LSB first, one bit per value.
// - INT32/INT64/FLOAT/DOUBLE/INT96/FIXED_LEN_BYTE_ARRAY: the little-endian bytes of each value
//   back to back, so decoding is one bounds-checked memcpy of n * width bytes.
// - BYTE_ARRAY: each value is a 4-byte little-endian length followed by its bytes.
// Inputs are untrusted: decoders check every length against the buffer and fail with DataLoss
// ("PLAIN BYTE_ARRAY: value 3 needs 40 bytes, 12 left") instead of reading past it.
//
// Thread-safety: stateless functions. Ownership: callers own all buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plinth/storage/parquet/byte_array.h"

namespace plinth::parquet {

// Decodes n booleans into out[0, n) as 0/1 bytes. Needs ceil(n / 8) bytes.
absl::Status DecodePlainBooleans(const uint8_t* data, size_t len, int n, uint8_t* out);
// Same, starting at value index `first` (bit `first` of the buffer), for readers that decode a
// page in several batches. Needs ceil((first + n) / 8) bytes.
absl::Status DecodePlainBooleansFrom(const uint8_t* data, size_t len, size_t first, int n,
                                     uint8_t* out);

// Copies n values of `width` bytes (4, 8, 12 for INT96, any FIXED_LEN_BYTE_ARRAY width) into
// out[0, n * width). Needs n * width bytes.
absl::Status DecodePlainFixed(const uint8_t* data, size_t len, int n, size_t width, uint8_t* out);

// Decodes n length-prefixed values, appending them to `out`. Returns the bytes consumed.
absl::StatusOr<size_t> DecodePlainByteArrays(const uint8_t* data, size_t len, int n,
                                             ByteArrayOut out);

// Appends ceil(n / 8) bytes holding vals[0, n) (non-zero = true) bit-packed LSB first.
void EncodePlainBooleans(const uint8_t* vals, size_t n, std::string* out);

// Appends n * width bytes.
void EncodePlainFixed(const uint8_t* vals, size_t n, size_t width, std::string* out);

// Appends each value as a 4-byte little-endian length and its bytes.
// REQUIRES: every value is shorter than 2^32 bytes.
void EncodePlainByteArrays(const std::string_view* vals, size_t n, std::string* out);
// Same for the column layout: value i is data[offsets[i], offsets[i + 1]).
void EncodePlainByteArrays(const int64_t* offsets, const char* data, size_t n, std::string* out);

}  // namespace plinth::parquet
