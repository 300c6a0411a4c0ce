// Page compression codecs: SNAPPY, GZIP, ZSTD, LZ4_RAW, legacy LZ4 (decompress only) and
// UNCOMPRESSED, over the Debian snappy/zlib/zstd/lz4 libraries.
//
// Pages carry their uncompressed size, so decompression writes into a caller buffer of exactly
// that size and fails with DataLoss when the stream yields a different number of bytes. Inputs
// are untrusted: corrupt streams return DataLoss, never read or write out of bounds.
//
// Thread-safety: all functions are safe to call concurrently (zstd contexts are cached per
// thread). Ownership: callers own every buffer; nothing is retained after a call returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "plinth/storage/parquet/format.h"

namespace plinth::parquet {

// Decompresses `in[0, in_len)` into exactly `out_len` bytes at `out`.
// - in_len == 0 && out_len == 0 succeeds without touching any library.
// - GZIP accepts gzip or zlib headers and concatenated gzip members; ZSTD accepts several frames.
// - LZ4 (deprecated id) tries Hadoop framing ([BE32 uncompressed][BE32 compressed][block]...,
//   several blocks per frame allowed), then an LZ4 frame, then one raw LZ4 block.
// - LZO and BROTLI: Unimplemented.
// Errors: DataLoss naming the codec ("snappy: decompressed 10 bytes, page header says 12").
absl::Status Decompress(Codec codec, const uint8_t* in, size_t in_len, uint8_t* out,
                        size_t out_len);

// Compresses `in[0, in_len)` and appends the result to *out. `level` 0 means the codec's default
// (GZIP: zlib default 6, ZSTD: 3, LZ4_RAW: fast; LZ4_RAW levels > 1 use LZ4 HC). GZIP writes a
// single gzip member. The legacy LZ4 id and LZO/BROTLI are Unimplemented (write LZ4_RAW).
absl::Status Compress(Codec codec, const uint8_t* in, size_t in_len, std::string* out,
                      int level = 0);

// Upper bound of the compressed size of `in_len` bytes (0 for unsupported codecs).
size_t MaxCompressedSize(Codec codec, size_t in_len);

}  // namespace plinth::parquet
