#include "plinth/storage/parquet/codec.h"

#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

#include "plinth/base/status.h"

namespace plinth::parquet {
namespace {

absl::Status SizeMismatch(const char* codec, size_t got, size_t want) {
  return absl::DataLossError(
      StrCat(codec, ": decompressed ", got, " bytes, page header says ", want));
}

absl::Status Corrupt(const char* codec, std::string_view what) {
  return absl::DataLossError(StrCat(codec, ": corrupt compressed data (", what, ")"));
}

uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// ---- snappy ----

absl::Status SnappyDecompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  size_t declared = 0;
  const char* src = reinterpret_cast<const char*>(in);
  if (!snappy::GetUncompressedLength(src, in_len, &declared))
    return Corrupt("snappy", "bad length header");
  if (declared != out_len) return SizeMismatch("snappy", declared, out_len);
  if (!snappy::RawUncompress(src, in_len, reinterpret_cast<char*>(out)))
    return Corrupt("snappy", "bad stream");
  return absl::OkStatus();
}

// ---- gzip / zlib ----

absl::Status GzipDecompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return absl::InternalError("gzip: inflateInit2 failed");
  struct Closer {
    z_stream* zs;
    ~Closer() { inflateEnd(zs); }
  } closer{&zs};

  size_t in_pos = 0, out_pos = 0;
  bool member_done = false;
  while (true) {
    // zlib counts in 32-bit uInt; feed huge buffers in slices.
    zs.next_in = const_cast<Bytef*>(in + in_pos);
    zs.avail_in = static_cast<uInt>(std::min<size_t>(in_len - in_pos, UINT_MAX));
    zs.next_out = out + out_pos;
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out_len - out_pos, UINT_MAX));
    const uInt avail_in_before = zs.avail_in, avail_out_before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    in_pos += avail_in_before - zs.avail_in;
    out_pos += avail_out_before - zs.avail_out;
    const bool progressed = zs.avail_in != avail_in_before || zs.avail_out != avail_out_before;
    if (rc == Z_STREAM_END) {
      member_done = true;
      if (in_pos == in_len) break;
      // Another gzip member follows (concatenated gzip files are valid gzip).
      if (inflateReset(&zs) != Z_OK) return absl::InternalError("gzip: inflateReset failed");
      member_done = false;
      continue;
    }
    if (rc == Z_OK) {
      if (!progressed) return Corrupt("gzip", "no progress");
      continue;
    }
    if (rc == Z_BUF_ERROR) {
      if (out_pos == out_len && in_pos < in_len) {
        return absl::DataLossError(
            StrCat("gzip: stream holds more than the ", out_len, " bytes the page header says"));
      }
      if (in_pos == in_len) break;  // truncated input
      if (!progressed) return Corrupt("gzip", "no progress");
      continue;
    }
    return Corrupt("gzip", zs.msg != nullptr ? zs.msg : "inflate error");
  }
  if (!member_done) return Corrupt("gzip", StrCat("truncated stream after ", out_pos, " bytes"));
  if (out_pos != out_len) return SizeMismatch("gzip", out_pos, out_len);
  return absl::OkStatus();
}

absl::Status GzipCompress(const uint8_t* in, size_t in_len, std::string* out, int level) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (level == 0) level = Z_DEFAULT_COMPRESSION;
  if (level < -1 || level > 9) return absl::InvalidArgumentError(StrCat("gzip: bad level ", level));
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("gzip: deflateInit2 failed");
  }
  struct Closer {
    z_stream* zs;
    ~Closer() { deflateEnd(zs); }
  } closer{&zs};
  const size_t old = out->size();
  size_t cap = deflateBound(&zs, static_cast<uLong>(std::min<size_t>(in_len, ULONG_MAX))) + 64;
  out->resize(old + cap);
  size_t in_pos = 0, out_pos = 0;
  while (true) {
    size_t in_chunk = std::min<size_t>(in_len - in_pos, UINT_MAX);
    zs.next_in = const_cast<Bytef*>(in + in_pos);
    zs.avail_in = static_cast<uInt>(in_chunk);
    if (out_pos == cap) {
      cap *= 2;
      out->resize(old + cap);
    }
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + old + out_pos);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(cap - out_pos, UINT_MAX));
    const uInt ai = zs.avail_in, ao = zs.avail_out;
    const bool last = in_pos + in_chunk == in_len;
    int rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    in_pos += ai - zs.avail_in;
    out_pos += ao - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out->resize(old);
      return absl::InternalError(StrCat("gzip: deflate failed (", rc, ")"));
    }
  }
  out->resize(old + out_pos);
  return absl::OkStatus();
}

// ---- zstd ----

struct DctxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
struct CctxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

absl::Status ZstdDecompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx(ZSTD_createDCtx());
  if (dctx == nullptr) return absl::ResourceExhaustedError("zstd: cannot create context");
  // Handles one or more concatenated frames (and skippable frames).
  size_t rc = ZSTD_decompressDCtx(dctx.get(), out, out_len, in, in_len);
  if (ZSTD_isError(rc)) {
    if (ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall) {
      return absl::DataLossError(
          StrCat("zstd: stream holds more than the ", out_len, " bytes the page header says"));
    }
    return Corrupt("zstd", ZSTD_getErrorName(rc));
  }
  if (rc != out_len) return SizeMismatch("zstd", rc, out_len);
  return absl::OkStatus();
}

absl::Status ZstdCompress(const uint8_t* in, size_t in_len, std::string* out, int level) {
  thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx(ZSTD_createCCtx());
  if (cctx == nullptr) return absl::ResourceExhaustedError("zstd: cannot create context");
  if (level == 0) level = ZSTD_CLEVEL_DEFAULT;
  const size_t old = out->size();
  out->resize(old + ZSTD_compressBound(in_len));
  size_t rc =
      ZSTD_compressCCtx(cctx.get(), out->data() + old, out->size() - old, in, in_len, level);
  if (ZSTD_isError(rc)) {
    out->resize(old);
    return absl::InternalError(StrCat("zstd: ", ZSTD_getErrorName(rc)));
  }
  out->resize(old + rc);
  return absl::OkStatus();
}

// ---- lz4 ----

absl::Status Lz4RawDecompress(const char* name, const uint8_t* in, size_t in_len, uint8_t* out,
                              size_t out_len) {
  if (in_len > static_cast<size_t>(INT_MAX) || out_len > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(StrCat(name, ": block larger than 2 GiB"));
  }
  int rc = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                               static_cast<int>(in_len), static_cast<int>(out_len));
  if (rc < 0) return Corrupt(name, "bad block");
  if (static_cast<size_t>(rc) != out_len) return SizeMismatch(name, rc, out_len);
  return absl::OkStatus();
}

// Hadoop BlockCompressorStream framing: frames of [BE32 uncompressed size] followed by one or
// more [BE32 compressed size][raw block] until the frame's uncompressed size is reached.
// Returns true only when the whole input parses and fills exactly out_len bytes.
bool TryLz4Hadoop(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  size_t ip = 0, op = 0;
  if (in_len < 8) return false;
  while (ip < in_len) {
    if (in_len - ip < 8) return false;
    const size_t frame_size = LoadBE32(in + ip);
    ip += 4;
    if (frame_size > out_len - op) return false;
    size_t produced = 0;
    do {
      if (in_len - ip < 4) return false;
      const size_t block_len = LoadBE32(in + ip);
      ip += 4;
      if (block_len > in_len - ip || block_len > static_cast<size_t>(INT_MAX)) return false;
      if (block_len == 0) {
        if (frame_size != 0) return false;
        break;
      }
      const size_t room = frame_size - produced;
      int rc = LZ4_decompress_safe(reinterpret_cast<const char*>(in + ip),
                                   reinterpret_cast<char*>(out + op), static_cast<int>(block_len),
                                   static_cast<int>(std::min<size_t>(room, INT_MAX)));
      if (rc <= 0) return false;
      ip += block_len;
      op += rc;
      produced += rc;
    } while (produced < frame_size);
  }
  return op == out_len;
}

// LZ4 frame format (magic 0x184D2204), written by some old parquet-cpp versions.
absl::Status Lz4FrameDecompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
    return absl::ResourceExhaustedError("lz4: cannot create frame context");
  }
  struct Freer {
    LZ4F_dctx* d;
    ~Freer() { LZ4F_freeDecompressionContext(d); }
  } freer{dctx};
  size_t ip = 0, op = 0;
  while (ip < in_len) {
    size_t src = in_len - ip, dst = out_len - op;
    size_t rc = LZ4F_decompress(dctx, out + op, &dst, in + ip, &src, nullptr);
    if (LZ4F_isError(rc)) return Corrupt("lz4", LZ4F_getErrorName(rc));
    ip += src;
    op += dst;
    if (src == 0 && dst == 0) return Corrupt("lz4", "frame makes no progress");
  }
  if (op != out_len) return SizeMismatch("lz4", op, out_len);
  return absl::OkStatus();
}

absl::Status Lz4LegacyDecompress(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  if (TryLz4Hadoop(in, in_len, out, out_len)) return absl::OkStatus();
  if (in_len >= 4 && in[0] == 0x04 && in[1] == 0x22 && in[2] == 0x4D && in[3] == 0x18) {
    if (Lz4FrameDecompress(in, in_len, out, out_len).ok()) return absl::OkStatus();
  }
  return Lz4RawDecompress("lz4", in, in_len, out, out_len);
}

absl::Status Lz4RawCompress(const uint8_t* in, size_t in_len, std::string* out, int level) {
  if (in_len > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return absl::InvalidArgumentError("lz4_raw: input larger than LZ4_MAX_INPUT_SIZE");
  }
  const size_t old = out->size();
  const int bound = LZ4_compressBound(static_cast<int>(in_len));
  out->resize(old + bound);
  const char* src = reinterpret_cast<const char*>(in);
  char* dst = out->data() + old;
  int rc = level > 1 ? LZ4_compress_HC(src, dst, static_cast<int>(in_len), bound, level)
                     : LZ4_compress_default(src, dst, static_cast<int>(in_len), bound);
  if (rc <= 0 && in_len > 0) {
    out->resize(old);
    return absl::InternalError("lz4_raw: compression failed");
  }
  out->resize(old + std::max(rc, 0));
  return absl::OkStatus();
}

}  // namespace

absl::Status Decompress(Codec codec, const uint8_t* in, size_t in_len, uint8_t* out,
                        size_t out_len) {
  if (in_len == 0 && out_len == 0) return absl::OkStatus();
  switch (codec) {
    case Codec::kUncompressed:
      if (in_len != out_len) return SizeMismatch("uncompressed", in_len, out_len);
      if (out_len > 0) std::memcpy(out, in, out_len);
      return absl::OkStatus();
    case Codec::kSnappy:
      return SnappyDecompress(in, in_len, out, out_len);
    case Codec::kGzip:
      return GzipDecompress(in, in_len, out, out_len);
    case Codec::kZstd:
      return ZstdDecompress(in, in_len, out, out_len);
    case Codec::kLz4Raw:
      return Lz4RawDecompress("lz4_raw", in, in_len, out, out_len);
    case Codec::kLz4:
      return Lz4LegacyDecompress(in, in_len, out, out_len);
    case Codec::kLzo:
    case Codec::kBrotli:
      return absl::UnimplementedError(
          StrCat("compression codec ", CodecName(codec), " is not supported"));
  }
  return absl::InvalidArgumentError(StrCat("unknown compression codec ", static_cast<int>(codec)));
}

absl::Status Compress(Codec codec, const uint8_t* in, size_t in_len, std::string* out, int level) {
  switch (codec) {
    case Codec::kUncompressed:
      out->append(reinterpret_cast<const char*>(in), in_len);
      return absl::OkStatus();
    case Codec::kSnappy: {
      const size_t old = out->size();
      out->resize(old + snappy::MaxCompressedLength(in_len));
      size_t n = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(in), in_len, out->data() + old, &n);
      out->resize(old + n);
      return absl::OkStatus();
    }
    case Codec::kGzip:
      return GzipCompress(in, in_len, out, level);
    case Codec::kZstd:
      return ZstdCompress(in, in_len, out, level);
    case Codec::kLz4Raw:
      return Lz4RawCompress(in, in_len, out, level);
    case Codec::kLz4:
      return absl::UnimplementedError(
          "writing the deprecated LZ4 codec is not supported; use LZ4_RAW");
    case Codec::kLzo:
    case Codec::kBrotli:
      return absl::UnimplementedError(
          StrCat("compression codec ", CodecName(codec), " is not supported"));
  }
  return absl::InvalidArgumentError(StrCat("unknown compression codec ", static_cast<int>(codec)));
}

size_t MaxCompressedSize(Codec codec, size_t in_len) {
  switch (codec) {
    case Codec::kUncompressed:
      return in_len;
    case Codec::kSnappy:
      return snappy::MaxCompressedLength(in_len);
    case Codec::kGzip:
      return compressBound(static_cast<uLong>(in_len)) + 32;  // gzip header/trailer vs zlib's
    case Codec::kZstd:
      return ZSTD_compressBound(in_len);
    case Codec::kLz4Raw:
      return in_len > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)
                 ? 0
                 : LZ4_compressBound(static_cast<int>(in_len));
    default:
      return 0;
  }
}

}  // namespace plinth::parquet
