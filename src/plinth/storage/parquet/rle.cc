#include "plinth/storage/parquet/rle.h"

#include <cstring>

#include "plinth/storage/parquet/bit_util.h"

namespace plinth::parquet {

int BitWidth(uint64_t max_value) { return bit_util::BitsRequired(max_value); }

// ---------------------------------------------------------------------------------------------
// Decoder

RleBitPackedDecoder::RleBitPackedDecoder(const uint8_t* data, size_t len, int bit_width)
    : pos_(data), end_(data + len), bit_width_(bit_width) {}

absl::Status RleBitPackedDecoder::CheckWidth() const {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return absl::InvalidArgumentError(StrCat("RLE: bit width ", bit_width_, " outside 0..32"));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RleBitPackedDecoder::ReadRunHeader() {
  if (pos_ >= end_) return false;
  uint64_t header = 0;
  if (!bit_util::ReadUleb128(&pos_, end_, 32, &header)) {
    return absl::DataLossError("RLE: truncated or oversized run header");
  }
  const size_t avail = static_cast<size_t>(end_ - pos_);
  if (header & 1) {
    const uint64_t groups = header >> 1;
    if (groups == 0) return absl::DataLossError("RLE: bit-packed run of 0 groups");
    uint64_t values = groups * 8;
    if (bit_width_ > 0) {
      const uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
      if (bytes > avail) values = avail * 8 / bit_width_;  // truncated final run
    }
    if (values == 0) {
      pos_ = end_;
      return false;
    }
    bp_left_ = static_cast<int64_t>(values);
  } else {
    const uint64_t count = header >> 1;
    if (count == 0) return absl::DataLossError("RLE: run of length 0");
    const int value_bytes = (bit_width_ + 7) / 8;
    if (static_cast<size_t>(value_bytes) > avail) {
      return absl::DataLossError(
          StrCat("RLE: run value needs ", value_bytes, " bytes, ", avail, " left"));
    }
    uint32_t v = 0;
    for (int i = 0; i < value_bytes; ++i) v |= static_cast<uint32_t>(pos_[i]) << (8 * i);
    pos_ += value_bytes;
    if (bit_width_ < 32 && (v >> bit_width_) != 0) {
      return absl::DataLossError(
          StrCat("RLE: run value ", v, " does not fit bit width ", bit_width_));
    }
    rle_value_ = v;
    rle_left_ = static_cast<int64_t>(count);
  }
  return true;
}

absl::StatusOr<RleBitPackedDecoder::Chunk> RleBitPackedDecoder::Next(uint32_t* buf, int max) {
  while (max > 0) {
    if (group_pos_ < group_len_) {
      const int k = std::min(max, group_len_ - group_pos_);
      std::memcpy(buf, group_ + group_pos_, k * sizeof(uint32_t));
      group_pos_ += k;
      return Chunk{false, 0, k};
    }
    if (rle_left_ > 0) {
      const int k = static_cast<int>(std::min<int64_t>(max, rle_left_));
      rle_left_ -= k;
      return Chunk{true, rle_value_, k};
    }
    if (bp_left_ > 0) {
      const size_t avail = static_cast<size_t>(end_ - pos_);
      const int64_t groups = std::min<int64_t>(bp_left_, max) / 8;
      if (groups > 0) {
        bit_util::UnpackGroups<uint32_t>(pos_, avail, bit_width_, static_cast<size_t>(groups), buf);
        pos_ += groups * bit_width_;
        bp_left_ -= groups * 8;
        return Chunk{false, 0, static_cast<int>(groups * 8)};
      }
      // Fewer than 8 wanted, or a truncated final group: unpack one group into group_.
      bit_util::UnpackGroups<uint32_t>(pos_, avail, bit_width_, 1, group_);
      pos_ += std::min<size_t>(avail, static_cast<size_t>(bit_width_));
      group_len_ = static_cast<int>(std::min<int64_t>(8, bp_left_));
      group_pos_ = 0;
      bp_left_ -= group_len_;
      continue;
    }
    PLINTH_ASSIGN_OR_RETURN(bool more, ReadRunHeader());
    if (!more) break;
  }
  return Chunk{false, 0, 0};
}

absl::StatusOr<int> RleBitPackedDecoder::GetBatch(uint32_t* out, int n) {
  PLINTH_RETURN_IF_ERROR(CheckWidth());
  int done = 0;
  while (done < n) {
    PLINTH_ASSIGN_OR_RETURN(Chunk c, Next(out + done, n - done));
    if (c.count == 0) break;
    if (c.repeated) std::fill(out + done, out + done + c.count, c.value);
    done += c.count;
  }
  return done;
}

absl::StatusOr<int> RleBitPackedDecoder::GetLevels(int16_t* out, int n) {
  PLINTH_RETURN_IF_ERROR(CheckWidth());
  if (bit_width_ > 16)
    return absl::InvalidArgumentError(StrCat("RLE: level bit width ", bit_width_, " > 16"));
  constexpr int kChunk = 512;
  uint32_t buf[kChunk];
  int done = 0;
  while (done < n) {
    PLINTH_ASSIGN_OR_RETURN(Chunk c, Next(buf, std::min(kChunk, n - done)));
    if (c.count == 0) break;
    if (c.repeated) {
      std::fill(out + done, out + done + c.count, static_cast<int16_t>(c.value));
    } else {
      for (int i = 0; i < c.count; ++i) out[done + i] = static_cast<int16_t>(buf[i]);
    }
    done += c.count;
  }
  return done;
}

absl::StatusOr<int> RleBitPackedDecoder::Skip(int n) {
  PLINTH_RETURN_IF_ERROR(CheckWidth());
  constexpr int kChunk = 512;
  uint32_t buf[kChunk];
  int done = 0;
  while (done < n) {
    // RLE runs skip without a buffer; literal values are unpacked and dropped.
    PLINTH_ASSIGN_OR_RETURN(Chunk c, Next(buf, std::min(kChunk, n - done)));
    if (c.count == 0) break;
    done += c.count;
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
// Encoder

RleBitPackedEncoder::RleBitPackedEncoder(int bit_width)
    : bit_width_(std::clamp(bit_width, 0, 32)),
      value_bytes_((bit_width_ + 7) / 8),
      mask_(bit_width_ >= 32 ? ~uint32_t{0} : (uint32_t{1} << bit_width_) - 1) {}

size_t RleBitPackedEncoder::MaxEncodedSize(int bit_width, size_t n) {
  // Worst case: every group of 8 is its own literal run (1..5 header bytes + bit_width bytes),
  // or short RLE runs; bounded generously by a header and a value per value plus packed bits.
  const size_t groups = (n + 7) / 8;
  return groups * (static_cast<size_t>(bit_width) + 5) + 5 + 4;
}

void RleBitPackedEncoder::FlushLiteralRun() {
  if (literal_groups_ == 0) return;
  bit_util::AppendUleb128(&out_, (static_cast<uint64_t>(literal_groups_) << 1) | 1);
  out_.append(literal_);
  literal_.clear();
  literal_groups_ = 0;
}

void RleBitPackedEncoder::FlushRleRun() {
  // Readers parse run headers as 32-bit varints: keep each run under 2^30 values.
  constexpr size_t kMaxRun = size_t{1} << 30;
  while (rle_count_ > 0) {
    const size_t k = std::min(rle_count_, kMaxRun);
    bit_util::AppendUleb128(&out_, static_cast<uint64_t>(k) << 1);
    for (int i = 0; i < value_bytes_; ++i) out_.push_back(static_cast<char>(rle_value_ >> (8 * i)));
    rle_count_ -= k;
  }
  in_rle_ = false;
}

// Called with 8 pending values: either they start an RLE run or become one more literal group.
void RleBitPackedEncoder::PackPending() {
  bool all_same = true;
  for (int i = 1; i < 8; ++i) all_same &= pending_[i] == pending_[0];
  if (all_same) {
    FlushLiteralRun();
    in_rle_ = true;
    rle_value_ = pending_[0];
    rle_count_ = 8;
  } else {
    bit_util::PackBits(pending_, 8, bit_width_, &literal_);
    ++literal_groups_;
  }
  num_pending_ = 0;
}

void RleBitPackedEncoder::Put(uint32_t v) {
  v &= mask_;
  if (in_rle_) {
    if (v == rle_value_) {
      ++rle_count_;
      return;
    }
    FlushRleRun();
  }
  pending_[num_pending_++] = v;
  if (num_pending_ == 8) PackPending();
}

void RleBitPackedEncoder::PutBatch(const uint32_t* v, size_t n) {
  size_t i = 0;
  while (i < n) {
    // Fast path at a group boundary outside a run: a whole group of 8 that is not a single repeated
    // value goes straight into the literal run.
    if (num_pending_ == 0 && !in_rle_ && n - i >= 8) {
      const uint32_t* g = v + i;
      const uint32_t first = g[0] & mask_;
      bool same = true;
      for (int k = 1; k < 8; ++k) same &= (g[k] & mask_) == first;
      if (!same) {
        bit_util::PackBits(g, 8, bit_width_, &literal_);
        ++literal_groups_;
        i += 8;
        continue;
      }
    }
    Put(v[i++]);
  }
}

void RleBitPackedEncoder::PutRepeated(uint32_t v, size_t count) {
  v &= mask_;
  // Finish the open group (or extend an open run) value by value.
  while (count > 0 && num_pending_ != 0) {
    Put(v);
    --count;
  }
  if (count == 0) return;
  if (in_rle_ && rle_value_ == v) {
    rle_count_ += count;
    return;
  }
  if (count >= 8) {
    FlushRleRun();
    FlushLiteralRun();
    in_rle_ = true;
    rle_value_ = v;
    rle_count_ = count;
    return;
  }
  for (; count > 0; --count) Put(v);
}

std::string RleBitPackedEncoder::Finish() {
  if (in_rle_) FlushRleRun();
  if (num_pending_ > 0) {
    bool all_same = true;
    for (int i = 1; i < num_pending_; ++i) all_same &= pending_[i] == pending_[0];
    if (all_same) {
      FlushLiteralRun();
      rle_value_ = pending_[0];
      rle_count_ = static_cast<size_t>(num_pending_);
      FlushRleRun();
    } else {
      for (int i = num_pending_; i < 8; ++i) pending_[i] = 0;
      bit_util::PackBits(pending_, 8, bit_width_, &literal_);
      ++literal_groups_;
    }
    num_pending_ = 0;
  }
  FlushLiteralRun();
  std::string result;
  result.swap(out_);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Legacy BIT_PACKED levels

absl::Status DecodeLegacyBitPackedLevels(const uint8_t* data, size_t len, int bit_width,
                                         int16_t* out, int n) {
  if (bit_width < 0 || bit_width > 16) {
    return absl::InvalidArgumentError(
        StrCat("BIT_PACKED: level bit width ", bit_width, " outside 0..16"));
  }
  if (n < 0) return absl::InvalidArgumentError(StrCat("BIT_PACKED: negative value count ", n));
  const uint64_t bits = static_cast<uint64_t>(n) * bit_width;
  if ((bits + 7) / 8 > len) {
    return absl::DataLossError(StrCat("BIT_PACKED: ", n, " levels of ", bit_width, " bits need ",
                                      (bits + 7) / 8, " bytes, have ", len));
  }
  if (bit_width == 0) {
    std::fill(out, out + n, int16_t{0});
    return absl::OkStatus();
  }
  uint64_t bit = 0;
  for (int i = 0; i < n; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < bit_width; ++b, ++bit) {
      v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    out[i] = static_cast<int16_t>(v);
  }
  return absl::OkStatus();
}

}  // namespace plinth::parquet
