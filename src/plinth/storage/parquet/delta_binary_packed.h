// DELTA_BINARY_PACKED (Encodings.md "Delta Encoding (DELTA_BINARY_PACKED = 5)") for INT32 and
// INT64, also embedded in DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY.
//
//   header := ULEB(block size) ULEB(miniblocks per block) ULEB(total values) zigzag(first value)
//   block  := zigzag(min delta) <one bit-width byte per miniblock> <miniblocks>
// Each miniblock holds (block size / miniblocks) deltas minus the block's min delta, bit-packed
// LSB first with its own width. The last miniblock in use is padded to full size; miniblocks after
// it have a (possibly arbitrary) width byte and, per the spec, no body. Arithmetic wraps modulo
// 2^bits as the spec requires (done in unsigned math).
// Inputs are untrusted: bad headers, widths above 64 and truncated blocks return DataLoss naming
// DELTA_BINARY_PACKED. INT32 miniblocks up to 64 bits wide are read modulo 2^32 (DuckDB writes
// 33-bit ones; Encodings.md asks readers to accept them).
//
// Thread-safety: decoder and encoder objects are not thread-safe. Ownership: the decoder borrows
// the buffer given to Init, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace plinth::parquet {

// T is int32_t or int64_t.
template <typename T>
class DeltaBinaryPackedDecoder {
 public:
  // Parses the header. Trailing bytes after the stream are allowed (see BytesConsumed).
  absl::Status Init(const uint8_t* data, size_t len);

  // The header's total value count.
  int64_t total_values() const { return total_; }

  // Decodes up to n values into out; returns the number decoded (fewer than n only once all
  // total_values() have been returned).
  absl::StatusOr<int> GetBatch(T* out, int n);

  // Offset, from the start of the Init buffer, of the first byte after the stream: the end of the
  // last block, where miniblocks after the last one holding values have no body (the spec). Does
  // not disturb decoding.
  absl::StatusOr<size_t> BytesConsumed();
  // Same, but counting bodies for those unused miniblocks too (as some writers emit them). Equal
  // to BytesConsumed() whenever their widths are 0.
  absl::StatusOr<size_t> BytesConsumedWithUnusedMiniblocks();

 private:
  using U = std::make_unsigned_t<T>;
  static constexpr int kBits = sizeof(T) * 8;

  absl::Status NextMiniblock();
  absl::StatusOr<size_t> WalkToEnd(bool count_unused);

  const uint8_t* data_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  const uint8_t* blocks_start_ = nullptr;
  bool initialized_ = false;
  uint32_t block_size_ = 0;
  uint32_t miniblocks_ = 0;
  uint32_t values_per_miniblock_ = 0;
  int64_t total_ = 0;
  int64_t emitted_ = 0;          // values returned so far (including the first value)
  int64_t deltas_unpacked_ = 0;  // deltas unpacked into miniblock buffers so far
  U last_ = 0;
  U min_delta_ = 0;
  const uint8_t* widths_ = nullptr;  // bit widths of the current block
  uint32_t next_miniblock_ = 0;      // index of the next miniblock in the current block
  bool in_block_ = false;
  std::vector<U> miniblock_;
  size_t mb_pos_ = 0, mb_len_ = 0;
};

// T is int32_t or int64_t. Writes blocks of 128 values in 4 miniblocks of 32.
template <typename T>
class DeltaBinaryPackedEncoder {
 public:
  void Put(const T* v, size_t n);
  void Put(T v) { Put(&v, 1); }
  size_t num_values() const { return count_; }

  // Returns the complete stream (header and blocks) and resets the encoder for reuse.
  std::string Finish();

  static constexpr uint32_t kBlockSize = 128;
  static constexpr uint32_t kMiniblocks = 4;

 private:
  using U = std::make_unsigned_t<T>;
  void FlushBlock();

  std::string body_;
  uint64_t count_ = 0;
  U first_ = 0;
  U last_ = 0;
  U deltas_[kBlockSize] = {};
  uint32_t num_deltas_ = 0;
};

extern template class DeltaBinaryPackedDecoder<int32_t>;
extern template class DeltaBinaryPackedDecoder<int64_t>;
extern template class DeltaBinaryPackedEncoder<int32_t>;
extern template class DeltaBinaryPackedEncoder<int64_t>;

}  // namespace plinth::parquet
