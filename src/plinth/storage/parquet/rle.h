// RLE / bit-packing hybrid (Encodings.md "Run Length Encoding / Bit-Packing Hybrid (RLE = 3)"),
// used for repetition/definition levels, dictionary indices (RLE_DICTIONARY) and V2 booleans,
// plus the deprecated MSB-first BIT_PACKED level encoding.
//
//   encoded-data := <run>*
//   run          := <bit-packed-run> | <rle-run>
//   bit-packed   := varint((groups << 1) | 1) then groups * bit_width bytes (8 values per group,
//                   LSB first)
//   rle-run      := varint(count << 1) then the value in ceil(bit_width / 8) little-endian bytes
//
// The decoder works on the run bytes only: callers strip the 4-byte length prefix (levels) or the
// 1-byte bit width (dictionary indices) first. Literal runs are unpacked 8 values at a time with
// width-specialized code; RLE runs are filled with std::fill.
// Inputs are untrusted: malformed runs return DataLoss naming "RLE" and the problem; a truncated
// final bit-packed run yields only the values whose bits are present.
//
// Thread-safety: decoder and encoder objects are not thread-safe; use one per thread.
// Ownership: the decoder borrows `data`, which must outlive it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plinth/base/status.h"

namespace plinth::parquet {

// Bits needed for values in [0, max_value] (0 for 0).
int BitWidth(uint64_t max_value);

class RleBitPackedDecoder {
 public:
  // REQUIRES: 0 <= bit_width <= 32 (otherwise every call returns InvalidArgument).
  RleBitPackedDecoder(const uint8_t* data, size_t len, int bit_width);

  // Decodes up to n values into out. Returns the number decoded: n, or fewer only when the data
  // ends. Errors on malformed run headers or truncated RLE values.
  absl::StatusOr<int> GetBatch(uint32_t* out, int n);

  // Same for levels. REQUIRES: bit_width <= 16 (InvalidArgument otherwise).
  absl::StatusOr<int> GetLevels(int16_t* out, int n);

  // Decodes dictionary indices and writes dict[index] to out; every index is checked against
  // dict_size (DataLoss "RLE_DICTIONARY: index 7 out of range for dictionary of 5 values").
  template <typename T>
  absl::StatusOr<int> GetGather(const T* dict, uint32_t dict_size, T* out, int n);

  // Skips up to n values (same return as GetBatch).
  absl::StatusOr<int> Skip(int n);

 private:
  // One step of decoding: either `count` copies of `value` (repeated) or `count` literal values
  // written to buf. count == 0 means the data has ended.
  struct Chunk {
    bool repeated;
    uint32_t value;
    int count;
  };
  absl::StatusOr<Chunk> Next(uint32_t* buf, int max);
  // Reads the next run header; false at the end of the data.
  absl::StatusOr<bool> ReadRunHeader();
  absl::Status CheckWidth() const;

  const uint8_t* pos_;
  const uint8_t* end_;
  int bit_width_;
  int64_t rle_left_ = 0;  // values left in the current RLE run
  uint32_t rle_value_ = 0;
  int64_t bp_left_ = 0;     // values left in the current bit-packed run whose bits are present
  uint32_t group_[8] = {};  // a partially consumed bit-packed group
  int group_pos_ = 0, group_len_ = 0;
};

class RleBitPackedEncoder {
 public:
  // REQUIRES: 0 <= bit_width <= 32. Values passed to Put must fit in bit_width bits (higher bits
  // are dropped).
  explicit RleBitPackedEncoder(int bit_width);

  void Put(uint32_t v);
  void PutBatch(const uint32_t* v, size_t n);
  void PutRepeated(uint32_t v, size_t count);

  // Returns the encoded runs (no length prefix) and resets the encoder for reuse. Runs of 8 or
  // more equal values aligned to a group start become RLE runs; the rest is bit-packed in groups
  // of 8, the last group zero-padded. A trailing partial group of equal values is written as a
  // short RLE run instead, so no padding values are written when avoidable.
  std::string Finish();

  // Upper bound of Finish().size() for n values of this width.
  static size_t MaxEncodedSize(int bit_width, size_t n);

 private:
  void FlushLiteralRun();
  void FlushRleRun();
  void PackPending();

  int bit_width_;
  int value_bytes_;
  uint32_t mask_;
  std::string out_;
  std::string literal_;  // packed groups of the open literal run
  size_t literal_groups_ = 0;
  uint32_t pending_[8] = {};
  int num_pending_ = 0;
  bool in_rle_ = false;  // an RLE run of rle_value_ is open (pending is then empty)
  uint32_t rle_value_ = 0;
  size_t rle_count_ = 0;
};

// Decodes n values of the deprecated BIT_PACKED level encoding (MSB first, no run headers).
// Needs ceil(n * bit_width / 8) bytes. REQUIRES: 0 <= bit_width <= 16.
absl::Status DecodeLegacyBitPackedLevels(const uint8_t* data, size_t len, int bit_width,
                                         int16_t* out, int n);

// ---- implementation of the template ----

template <typename T>
absl::StatusOr<int> RleBitPackedDecoder::GetGather(const T* dict, uint32_t dict_size, T* out,
                                                   int n) {
  PLINTH_RETURN_IF_ERROR(CheckWidth());
  constexpr int kChunk = 512;
  uint32_t idx[kChunk];
  int done = 0;
  while (done < n) {
    PLINTH_ASSIGN_OR_RETURN(Chunk c, Next(idx, std::min(kChunk, n - done)));
    if (c.count == 0) break;
    if (c.repeated) {
      if (c.value >= dict_size) {
        return absl::DataLossError(StrCat("RLE_DICTIONARY: index ", c.value,
                                          " out of range for dictionary of ", dict_size,
                                          " values"));
      }
      std::fill(out + done, out + done + c.count, dict[c.value]);
    } else {
      uint32_t max_idx = 0;
      for (int i = 0; i < c.count; ++i) max_idx = std::max(max_idx, idx[i]);
      if (max_idx >= dict_size) {
        return absl::DataLossError(StrCat("RLE_DICTIONARY: index ", max_idx,
                                          " out of range for dictionary of ", dict_size,
                                          " values"));
      }
      T* o = out + done;
      for (int i = 0; i < c.count; ++i) o[i] = dict[idx[i]];
    }
    done += c.count;
  }
  return done;
}

}  // namespace plinth::parquet
