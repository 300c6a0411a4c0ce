#include "plinth/storage/parquet/delta_binary_packed.h"

#include <algorithm>
#include <limits>

#include "plinth/base/status.h"
#include "plinth/storage/parquet/bit_util.h"

namespace plinth::parquet {
namespace {

constexpr uint32_t kMaxBlockSize = 1u << 20;
constexpr uint32_t kMaxValuesPerMiniblock = 1u << 16;
// Miniblock widths may exceed the type's bits: DuckDB computes INT32 deltas in 64 bits and writes
// 33-bit miniblocks for columns spanning the INT32 range. Encodings.md (PARQUET-2435) asks readers
// to accept them; decoding modulo 2^32 restores the values either way.
constexpr int kMaxWidth = 64;

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(StrCat("DELTA_BINARY_PACKED: ", what));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Decoder

template <typename T>
absl::Status DeltaBinaryPackedDecoder<T>::Init(const uint8_t* data, size_t len) {
  std::vector<U> buffer = std::move(miniblock_);  // keep the allocation across pages
  *this = DeltaBinaryPackedDecoder();
  miniblock_ = std::move(buffer);
  data_ = pos_ = data;
  end_ = data + len;
  uint64_t block_size, miniblocks, total, first;
  if (!bit_util::ReadUleb128(&pos_, end_, 32, &block_size) ||
      !bit_util::ReadUleb128(&pos_, end_, 32, &miniblocks) ||
      !bit_util::ReadUleb128(&pos_, end_, 64, &total) ||
      !bit_util::ReadUleb128(&pos_, end_, 64, &first)) {
    return Bad("truncated or malformed header");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxBlockSize) {
    return Bad(StrCat("block size ", block_size, " is not a positive multiple of 128 (up to ",
                      kMaxBlockSize, ")"));
  }
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Bad(StrCat(miniblocks, " miniblocks per block of ", block_size,
                      " do not hold a multiple of 32 values"));
  }
  if (block_size / miniblocks > kMaxValuesPerMiniblock) {
    return Bad(StrCat("miniblocks of ", block_size / miniblocks, " values are too large"));
  }
  if (total > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Bad(StrCat("total value count ", total, " too large"));
  }
  block_size_ = static_cast<uint32_t>(block_size);
  miniblocks_ = static_cast<uint32_t>(miniblocks);
  values_per_miniblock_ = block_size_ / miniblocks_;
  total_ = static_cast<int64_t>(total);
  last_ = static_cast<U>(bit_util::ZigZagDecode(first));
  blocks_start_ = pos_;
  initialized_ = true;
  return absl::OkStatus();
}

template <typename T>
absl::Status DeltaBinaryPackedDecoder<T>::NextMiniblock() {
  if (!in_block_ || next_miniblock_ == miniblocks_) {
    uint64_t zz;
    if (!bit_util::ReadUleb128(&pos_, end_, 64, &zz))
      return Bad("truncated block header (min delta)");
    min_delta_ = static_cast<U>(bit_util::ZigZagDecode(zz));
    if (static_cast<size_t>(end_ - pos_) < miniblocks_)
      return Bad("truncated miniblock bit widths");
    widths_ = pos_;
    pos_ += miniblocks_;
    next_miniblock_ = 0;
    in_block_ = true;
  }
  const int width = widths_[next_miniblock_++];
  if (width > kMaxWidth) return Bad(StrCat("miniblock bit width ", width, " exceeds ", kMaxWidth));
  const int64_t needed = std::min<int64_t>(values_per_miniblock_, total_ - 1 - deltas_unpacked_);
  const size_t full_bytes = static_cast<size_t>(values_per_miniblock_) * width / 8;
  const size_t needed_bytes = (static_cast<size_t>(needed) * width + 7) / 8;
  const size_t avail = static_cast<size_t>(end_ - pos_);
  if (needed_bytes > avail) {
    return Bad(StrCat("miniblock needs ", needed_bytes, " bytes, ", avail, " left"));
  }
  if (miniblock_.size() < values_per_miniblock_) miniblock_.resize(values_per_miniblock_);
  const size_t groups = (static_cast<size_t>(needed) + 7) / 8;
  if (width <= kBits) {
    bit_util::UnpackGroups<U>(pos_, std::min(avail, full_bytes), width, groups, miniblock_.data());
  } else {
    std::vector<uint64_t> wide(groups * 8);
    bit_util::UnpackGroups<uint64_t>(pos_, std::min(avail, full_bytes), width, groups, wide.data());
    for (size_t i = 0; i < wide.size(); ++i) miniblock_[i] = static_cast<U>(wide[i]);  // mod 2^kBits
  }
  pos_ += std::min(avail, full_bytes);  // the last miniblock's padding may be cut short
  deltas_unpacked_ += needed;
  mb_pos_ = 0;
  mb_len_ = static_cast<size_t>(needed);
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<int> DeltaBinaryPackedDecoder<T>::GetBatch(T* out, int n) {
  if (!initialized_)
    return absl::FailedPreconditionError("DELTA_BINARY_PACKED: Init was not called");
  if (n <= 0) return 0;
  const int want = static_cast<int>(std::min<int64_t>(n, total_ - emitted_));
  int done = 0;
  if (emitted_ == 0 && want > 0) {
    out[done++] = static_cast<T>(last_);
    emitted_ = 1;
  }
  while (done < want) {
    if (mb_pos_ == mb_len_) PLINTH_RETURN_IF_ERROR(NextMiniblock());
    const size_t k = std::min<size_t>(want - done, mb_len_ - mb_pos_);
    const U* d = miniblock_.data() + mb_pos_;
    const U md = min_delta_;
    U v = last_;
    T* o = out + done;
    for (size_t i = 0; i < k; ++i) {
      v += md + d[i];
      o[i] = static_cast<T>(v);
    }
    last_ = v;
    mb_pos_ += k;
    done += static_cast<int>(k);
    emitted_ += static_cast<int64_t>(k);
  }
  return done;
}

template <typename T>
absl::StatusOr<size_t> DeltaBinaryPackedDecoder<T>::WalkToEnd(bool count_unused) {
  if (!initialized_)
    return absl::FailedPreconditionError("DELTA_BINARY_PACKED: Init was not called");
  const uint8_t* p = blocks_start_;
  int64_t remaining = total_ > 0 ? total_ - 1 : 0;
  while (remaining > 0) {
    uint64_t zz;
    if (!bit_util::ReadUleb128(&p, end_, 64, &zz)) return Bad("truncated block header (min delta)");
    if (static_cast<size_t>(end_ - p) < miniblocks_) return Bad("truncated miniblock bit widths");
    const uint8_t* widths = p;
    p += miniblocks_;
    for (uint32_t m = 0; m < miniblocks_; ++m) {
      if (remaining <= 0 && !count_unused) break;
      const int width = widths[m];
      if (width > kMaxWidth) return Bad(StrCat("miniblock bit width ", width, " exceeds ", kMaxWidth));
      const size_t bytes = static_cast<size_t>(values_per_miniblock_) * width / 8;
      if (bytes > static_cast<size_t>(end_ - p)) {
        return Bad(StrCat("stream ends inside a miniblock (needs ", bytes, " bytes, ", end_ - p,
                          " left)"));
      }
      p += bytes;
      remaining -= std::min<int64_t>(remaining, values_per_miniblock_);
    }
  }
  return static_cast<size_t>(p - data_);
}

template <typename T>
absl::StatusOr<size_t> DeltaBinaryPackedDecoder<T>::BytesConsumed() {
  return WalkToEnd(false);
}

template <typename T>
absl::StatusOr<size_t> DeltaBinaryPackedDecoder<T>::BytesConsumedWithUnusedMiniblocks() {
  return WalkToEnd(true);
}

// ---------------------------------------------------------------------------------------------
// Encoder

template <typename T>
void DeltaBinaryPackedEncoder<T>::Put(const T* v, size_t n) {
  if (n == 0) return;
  size_t i = 0;
  if (count_ == 0) {
    first_ = last_ = static_cast<U>(v[0]);
    i = 1;
  }
  for (; i < n; ++i) {
    const U x = static_cast<U>(v[i]);
    deltas_[num_deltas_++] = x - last_;
    last_ = x;
    if (num_deltas_ == kBlockSize) FlushBlock();
  }
  count_ += n;
}

template <typename T>
void DeltaBinaryPackedEncoder<T>::FlushBlock() {
  if (num_deltas_ == 0) return;
  T min_delta = static_cast<T>(deltas_[0]);
  for (uint32_t i = 1; i < num_deltas_; ++i)
    min_delta = std::min(min_delta, static_cast<T>(deltas_[i]));
  const U md = static_cast<U>(min_delta);
  for (uint32_t i = 0; i < num_deltas_; ++i) deltas_[i] -= md;
  for (uint32_t i = num_deltas_; i < kBlockSize; ++i) deltas_[i] = 0;  // padding
  bit_util::AppendUleb128(&body_, bit_util::ZigZagEncode(static_cast<int64_t>(min_delta)));
  constexpr uint32_t kPerMini = kBlockSize / kMiniblocks;
  const uint32_t used = (num_deltas_ + kPerMini - 1) / kPerMini;
  int widths[kMiniblocks] = {};
  for (uint32_t m = 0; m < used; ++m) {
    U acc = 0;
    for (uint32_t i = 0; i < kPerMini; ++i) acc |= deltas_[m * kPerMini + i];
    widths[m] = bit_util::BitsRequired(acc);
  }
  for (uint32_t m = 0; m < kMiniblocks; ++m) body_.push_back(static_cast<char>(widths[m]));
  for (uint32_t m = 0; m < used; ++m)
    bit_util::PackBits(deltas_ + m * kPerMini, kPerMini, widths[m], &body_);
  num_deltas_ = 0;
}

template <typename T>
std::string DeltaBinaryPackedEncoder<T>::Finish() {
  FlushBlock();
  std::string out;
  out.reserve(body_.size() + 32);
  bit_util::AppendUleb128(&out, kBlockSize);
  bit_util::AppendUleb128(&out, kMiniblocks);
  bit_util::AppendUleb128(&out, count_);
  bit_util::AppendUleb128(&out,
                          bit_util::ZigZagEncode(static_cast<int64_t>(static_cast<T>(first_))));
  out.append(body_);
  body_.clear();
  count_ = 0;
  first_ = last_ = 0;
  return out;
}

template class DeltaBinaryPackedDecoder<int32_t>;
template class DeltaBinaryPackedDecoder<int64_t>;
template class DeltaBinaryPackedEncoder<int32_t>;
template class DeltaBinaryPackedEncoder<int64_t>;

}  // namespace plinth::parquet
