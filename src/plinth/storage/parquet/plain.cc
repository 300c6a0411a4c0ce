#include "plinth/storage/parquet/plain.h"

#include <array>
#include <cstring>

#include "plinth/base/status.h"
#include "plinth/storage/parquet/bit_util.h"

namespace plinth::parquet {
namespace {

// kBitsToBytes[b] holds the 8 bytes (0 or 1) of bits b0..b7, in memory order.
constexpr std::array<uint64_t, 256> MakeBitsToBytes() {
  std::array<uint64_t, 256> t{};
  for (int b = 0; b < 256; ++b) {
    uint64_t v = 0;
    for (int j = 0; j < 8; ++j) {
      uint64_t bit = (b >> j) & 1;
      if constexpr (std::endian::native == std::endian::little) {
        v |= bit << (8 * j);
      } else {
        v |= bit << (8 * (7 - j));
      }
    }
    t[b] = v;
  }
  return t;
}
constexpr std::array<uint64_t, 256> kBitsToBytes = MakeBitsToBytes();

absl::Status CheckCount(const char* what, int n) {
  if (n < 0) return absl::InvalidArgumentError(StrCat(what, ": negative value count ", n));
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodePlainBooleansFrom(const uint8_t* data, size_t len, size_t first, int n,
                                     uint8_t* out) {
  PLINTH_RETURN_IF_ERROR(CheckCount("PLAIN BOOLEAN", n));
  if (first > len * 8 || static_cast<size_t>(n) > len * 8 - first) {
    return absl::DataLossError(StrCat("PLAIN BOOLEAN: ", n, " values from index ", first, " need ",
                                      (first + n + 7) / 8, " bytes, page has ", len));
  }
  size_t i = 0;
  size_t bit = first;
  // Unaligned head.
  while (i < static_cast<size_t>(n) && (bit & 7) != 0) {
    out[i++] = (data[bit >> 3] >> (bit & 7)) & 1;
    ++bit;
  }
  // Whole bytes: 8 values per table lookup.
  const uint8_t* p = data + (bit >> 3);
  for (; i + 8 <= static_cast<size_t>(n); i += 8, bit += 8)
    std::memcpy(out + i, &kBitsToBytes[*p++], 8);
  for (; i < static_cast<size_t>(n); ++i, ++bit) out[i] = (data[bit >> 3] >> (bit & 7)) & 1;
  return absl::OkStatus();
}

absl::Status DecodePlainBooleans(const uint8_t* data, size_t len, int n, uint8_t* out) {
  return DecodePlainBooleansFrom(data, len, 0, n, out);
}

absl::Status DecodePlainFixed(const uint8_t* data, size_t len, int n, size_t width, uint8_t* out) {
  PLINTH_RETURN_IF_ERROR(CheckCount("PLAIN", n));
  if (width == 0) return absl::InvalidArgumentError("PLAIN: value width 0");
  if (static_cast<size_t>(n) > len / width) {
    return absl::DataLossError(StrCat("PLAIN: ", n, " values of ", width, " bytes need ",
                                      static_cast<uint64_t>(n) * width, " bytes, page has ", len));
  }
  if (n > 0) std::memcpy(out, data, static_cast<size_t>(n) * width);
  return absl::OkStatus();
}

absl::StatusOr<size_t> DecodePlainByteArrays(const uint8_t* data, size_t len, int n,
                                             ByteArrayOut out) {
  PLINTH_RETURN_IF_ERROR(CheckCount("PLAIN BYTE_ARRAY", n));
  if (out.offsets->empty())
    return absl::InvalidArgumentError("PLAIN BYTE_ARRAY: offsets must hold a leading 0");
  const size_t offsets_before = out.offsets->size(), data_before = out.data->size();
  // Every value needs at least its 4-byte length, so n is bounded by the input before reserving.
  if (static_cast<size_t>(n) > len / 4) {
    return absl::DataLossError(StrCat("PLAIN BYTE_ARRAY: ", n, " values need at least ",
                                      static_cast<uint64_t>(n) * 4, " bytes, page has ", len));
  }
  out.offsets->reserve(offsets_before + n);
  out.data->reserve(data_before + (len - 4 * static_cast<size_t>(n)));
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    if (len - pos < 4) {
      out.offsets->resize(offsets_before);
      out.data->resize(data_before);
      return absl::DataLossError(StrCat("PLAIN BYTE_ARRAY: value ", i, " length prefix truncated"));
    }
    const uint32_t vlen = bit_util::Load32(data + pos);
    pos += 4;
    if (vlen > len - pos) {
      out.offsets->resize(offsets_before);
      out.data->resize(data_before);
      return absl::DataLossError(
          StrCat("PLAIN BYTE_ARRAY: value ", i, " needs ", vlen, " bytes, ", len - pos, " left"));
    }
    out.data->append(reinterpret_cast<const char*>(data + pos), vlen);
    out.offsets->push_back(static_cast<int64_t>(out.data->size()));
    pos += vlen;
  }
  return pos;
}

void EncodePlainBooleans(const uint8_t* vals, size_t n, std::string* out) {
  const size_t old = out->size();
  out->resize(old + (n + 7) / 8);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + old;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint8_t b = 0;
    for (int j = 0; j < 8; ++j) b |= static_cast<uint8_t>((vals[i + j] != 0) << j);
    *dst++ = b;
  }
  if (i < n) {
    uint8_t b = 0;
    for (int j = 0; i + j < n; ++j) b |= static_cast<uint8_t>((vals[i + j] != 0) << j);
    *dst = b;
  }
}

void EncodePlainFixed(const uint8_t* vals, size_t n, size_t width, std::string* out) {
  out->append(reinterpret_cast<const char*>(vals), n * width);
}

void EncodePlainByteArrays(const std::string_view* vals, size_t n, std::string* out) {
  size_t total = 4 * n;
  for (size_t i = 0; i < n; ++i) total += vals[i].size();
  out->reserve(out->size() + total);
  for (size_t i = 0; i < n; ++i) {
    bit_util::AppendLE32(out, static_cast<uint32_t>(vals[i].size()));
    out->append(vals[i].data(), vals[i].size());
  }
}

void EncodePlainByteArrays(const int64_t* offsets, const char* data, size_t n, std::string* out) {
  out->reserve(out->size() + 4 * n + static_cast<size_t>(offsets[n] - offsets[0]));
  for (size_t i = 0; i < n; ++i) {
    const size_t vlen = static_cast<size_t>(offsets[i + 1] - offsets[i]);
    bit_util::AppendLE32(out, static_cast<uint32_t>(vlen));
    out->append(data + offsets[i], vlen);
  }
}

}  // namespace plinth::parquet
