#include "plinth/storage/parquet/byte_stream_split.h"

#include "plinth/base/status.h"

namespace plinth::parquet {
namespace {

template <size_t W>
void Gather(const uint8_t* data, size_t stride, size_t n, uint8_t* out) {
  const uint8_t* s[W];
  for (size_t k = 0; k < W; ++k) s[k] = data + k * stride;
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < W; ++k) out[i * W + k] = s[k][i];
  }
}

template <size_t W>
void Scatter(const uint8_t* values, size_t n, uint8_t* out) {
  uint8_t* s[W];
  for (size_t k = 0; k < W; ++k) s[k] = out + k * n;
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < W; ++k) s[k][i] = values[i * W + k];
  }
}

}  // namespace

absl::Status DecodeByteStreamSplitFrom(const uint8_t* data, size_t len, size_t first, int n,
                                       size_t width, uint8_t* out) {
  if (n < 0)
    return absl::InvalidArgumentError(StrCat("BYTE_STREAM_SPLIT: negative value count ", n));
  if (width == 0) return absl::InvalidArgumentError("BYTE_STREAM_SPLIT: value width 0");
  if (len % width != 0) {
    return absl::DataLossError(StrCat("BYTE_STREAM_SPLIT: page of ", len,
                                      " bytes is not a whole number of ", width, "-byte values"));
  }
  const size_t stride = len / width;  // values in the page = length of each stream
  const size_t count = static_cast<size_t>(n);
  if (first > stride || count > stride - first) {
    return absl::DataLossError(StrCat("BYTE_STREAM_SPLIT: values [", first, ", ", first + count,
                                      ") requested, page holds ", stride, " values of ", width,
                                      " bytes"));
  }
  const uint8_t* base = data + first;
  switch (width) {
    case 2:
      Gather<2>(base, stride, count, out);
      break;
    case 4:
      Gather<4>(base, stride, count, out);
      break;
    case 8:
      Gather<8>(base, stride, count, out);
      break;
    default:
      for (size_t k = 0; k < width; ++k) {
        const uint8_t* s = base + k * stride;
        for (size_t i = 0; i < count; ++i) out[i * width + k] = s[i];
      }
  }
  return absl::OkStatus();
}

absl::Status DecodeByteStreamSplit(const uint8_t* data, size_t len, int n, size_t width,
                                   uint8_t* out) {
  return DecodeByteStreamSplitFrom(data, len, 0, n, width, out);
}

void EncodeByteStreamSplit(const uint8_t* values, int n, size_t width, std::string* out) {
  if (n <= 0 || width == 0) return;
  const size_t count = static_cast<size_t>(n);
  const size_t old = out->size();
  out->resize(old + count * width);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + old;
  switch (width) {
    case 2:
      Scatter<2>(values, count, dst);
      break;
    case 4:
      Scatter<4>(values, count, dst);
      break;
    case 8:
      Scatter<8>(values, count, dst);
      break;
    default:
      for (size_t k = 0; k < width; ++k) {
        uint8_t* s = dst + k * count;
        for (size_t i = 0; i < count; ++i) s[i] = values[i * width + k];
      }
  }
}

}  // namespace plinth::parquet
