// DELTA_LENGTH_BYTE_ARRAY (6) and DELTA_BYTE_ARRAY (7) from Encodings.md, for BYTE_ARRAY (and,
// for DELTA_BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY) columns.
//
//   DELTA_LENGTH_BYTE_ARRAY := DBP(lengths) <all value bytes concatenated>
//   DELTA_BYTE_ARRAY        := DBP(prefix lengths) DELTA_LENGTH_BYTE_ARRAY(suffixes)
// where value i = first prefix_length[i] bytes of value i-1, then suffix i. DBP is
// DELTA_BINARY_PACKED over INT32.
//
// Decoders append to a ByteArrayOut (offsets + one data buffer) and return the bytes consumed.
// Where an embedded DBP stream ends is ambiguous when a writer emitted bodies for unused
// miniblocks with non-zero widths; the decoders take the spec's reading and fall back to the other
// one when only that one makes the lengths add up.
// Inputs are untrusted: negative lengths, a prefix longer than the previous value, data shorter
// than the lengths, or fewer encoded values than requested return DataLoss naming the encoding.
// DELTA_BYTE_ARRAY can expand a tiny input enormously (long shared prefixes), so it refuses to
// produce more than `max_output_bytes` per call.
//
// Thread-safety: stateless functions. Ownership: callers own all buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "plinth/storage/parquet/byte_array.h"

namespace plinth::parquet {

inline constexpr size_t kDefaultMaxDecodedBytes = size_t{1} << 30;

// Decodes n values; on error `out` is left as it was on entry.
absl::StatusOr<size_t> DecodeDeltaLengthByteArray(const uint8_t* data, size_t len, int n,
                                                  ByteArrayOut out);
absl::StatusOr<size_t> DecodeDeltaByteArray(const uint8_t* data, size_t len, int n,
                                            ByteArrayOut out,
                                            size_t max_output_bytes = kDefaultMaxDecodedBytes);

// Append the encoding of `values` to *out. REQUIRES: every value is shorter than 2^31 bytes.
void EncodeDeltaLengthByteArray(const std::vector<std::string_view>& values, std::string* out);
void EncodeDeltaByteArray(const std::vector<std::string_view>& values, std::string* out);
// Same for the column layout: value i is data[offsets[i], offsets[i + 1]).
void EncodeDeltaLengthByteArray(const int64_t* offsets, const char* data, size_t n,
                                std::string* out);
void EncodeDeltaByteArray(const int64_t* offsets, const char* data, size_t n, std::string* out);

}  // namespace plinth::parquet
