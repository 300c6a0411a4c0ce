// Converts decoded physical Parquet values of one leaf into columnar storage (schema.h
// Conversion): INT96 and millis/nanos to microseconds, decimals to int128, half floats to
// float, fixed-length byte arrays to offsets + bytes. Also decodes single statistic values
// (min/max bytes) the same way. Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/parquet/schema.h"

namespace plinth::parquet {

// Width in bytes of one PLAIN-encoded value of a fixed-width physical type (BOOLEAN -> 0
// meaning bit-packed, BYTE_ARRAY -> 0 meaning length-prefixed).
size_t PhysicalWidth(const LeafColumn& leaf);

// Appends `n` values held contiguously in physical form (fixed width, PhysicalWidth bytes
// each) to `out`, converted as the leaf requires.
absl::Status AppendConvertedFixed(const LeafColumn& leaf, const uint8_t* phys, int64_t n, columnar::Column* out);

// For BYTE_ARRAY decimals: converts an offsets+bytes column `raw` to int128 values in `out`.
absl::Status AppendConvertedByteArrays(const LeafColumn& leaf, const columnar::Column& raw, columnar::Column* out);

// True when PLAIN fixed-width values can be copied into storage unchanged.
bool IsIdentityFixed(const LeafColumn& leaf);

// Big-endian two's complement (1..16 bytes) -> int128.
absl::StatusOr<columnar::int128> DecodeBigEndianDecimal(std::string_view bytes);
// IEEE 754 half -> float.
float HalfToFloat(uint16_t h);

}  // namespace plinth::parquet
