#include "plinth/storage/parquet/codec.h"

#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "plinth/testing/test_util.h"
#include "plinth/testing/testdata.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;

using ::plinth::testing::U8;

std::string SampleData(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(rng() % 7 == 0 ? rng() : 'a' + (i / 13) % 5);
  return s;
}

absl::StatusOr<std::string> RoundTrip(Codec c, const std::string& in, int level = 0) {
  std::string comp = "prefix";  // Compress appends
  PLINTH_RETURN_IF_ERROR(Compress(c, U8(in), in.size(), &comp, level));
  if (comp.compare(0, 6, "prefix") != 0) return absl::InternalError("prefix clobbered");
  std::string out(in.size(), '\0');
  PLINTH_RETURN_IF_ERROR(Decompress(c, U8(comp) + 6, comp.size() - 6,
                                    reinterpret_cast<uint8_t*>(out.data()), out.size()));
  return out;
}

const Codec kWritable[] = {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd,
                           Codec::kLz4Raw};

TEST(CodecTest, RoundTripEveryCodec) {
  for (Codec c : kWritable) {
    for (size_t n : {0, 1, 100, 65536, 1000003}) {
      const std::string in = SampleData(n, n);
      auto out = RoundTrip(c, in);
      ASSERT_TRUE(out.ok()) << CodecName(c) << " " << n << ": " << out.status();
      EXPECT_EQ(*out, in) << CodecName(c) << " " << n;
    }
    // Levels, including LZ4 HC.
    for (int level : {1, 9}) {
      auto out = RoundTrip(c, SampleData(5000, 3), level);
      ASSERT_TRUE(out.ok()) << CodecName(c) << " level " << level << ": " << out.status();
      EXPECT_EQ(*out, SampleData(5000, 3));
    }
    EXPECT_GT(MaxCompressedSize(c, 1000), 0u);
  }
}

TEST(CodecTest, EmptyPageSucceedsWithoutLibrary) {
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw,
                  Codec::kLz4, Codec::kLzo, Codec::kBrotli}) {
    PLINTH_EXPECT_OK(Decompress(c, nullptr, 0, nullptr, 0)) << CodecName(c);
  }
  // A non-empty zstd frame that decompresses to 0 bytes (page_v2_empty_compressed.parquet).
  std::string frame;
  PLINTH_ASSERT_OK(Compress(Codec::kZstd, nullptr, 0, &frame));
  ASSERT_FALSE(frame.empty());
  PLINTH_EXPECT_OK(Decompress(Codec::kZstd, U8(frame), frame.size(), nullptr, 0));
}

TEST(CodecTest, LengthMismatchIsDataLoss) {
  const std::string in = SampleData(1000, 1);
  for (Codec c : kWritable) {
    std::string comp;
    PLINTH_ASSERT_OK(Compress(c, U8(in), in.size(), &comp));
    std::vector<uint8_t> big(in.size() + 10), small(in.size() - 10);
    EXPECT_TRUE(StatusIs(Decompress(c, U8(comp), comp.size(), big.data(), big.size()),
                         absl::StatusCode::kDataLoss))
        << CodecName(c);
    EXPECT_TRUE(StatusIs(Decompress(c, U8(comp), comp.size(), small.data(), small.size()),
                         absl::StatusCode::kDataLoss))
        << CodecName(c);
  }
  std::string comp;
  PLINTH_ASSERT_OK(Compress(Codec::kSnappy, U8(in), 10, &comp));
  std::vector<uint8_t> out(12);
  EXPECT_TRUE(StatusIs(Decompress(Codec::kSnappy, U8(comp), comp.size(), out.data(), 12),
                       absl::StatusCode::kDataLoss,
                       "snappy: decompressed 10 bytes, page header says 12"));
}

TEST(CodecTest, UnsupportedCodecs) {
  std::string out;
  uint8_t b[4] = {1, 2, 3, 4};
  EXPECT_TRUE(
      StatusIs(Decompress(Codec::kLzo, b, 4, b, 4), absl::StatusCode::kUnimplemented, "LZO"));
  EXPECT_TRUE(
      StatusIs(Decompress(Codec::kBrotli, b, 4, b, 4), absl::StatusCode::kUnimplemented, "BROTLI"));
  EXPECT_TRUE(
      StatusIs(Compress(Codec::kLz4, b, 4, &out), absl::StatusCode::kUnimplemented, "LZ4_RAW"));
  EXPECT_TRUE(StatusIs(Compress(Codec::kBrotli, b, 4, &out), absl::StatusCode::kUnimplemented));
}

std::string GzipMember(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(CodecTest, ConcatenatedGzipMembersAndZlibHeader) {
  const std::string a = SampleData(3000, 1), b = SampleData(5000, 2), c = SampleData(10, 3);
  const std::string comp = GzipMember(a) + GzipMember(b) + GzipMember("") + GzipMember(c);
  std::string out(a.size() + b.size() + c.size(), '\0');
  PLINTH_ASSERT_OK(Decompress(Codec::kGzip, U8(comp), comp.size(),
                              reinterpret_cast<uint8_t*>(out.data()), out.size()));
  EXPECT_EQ(out, a + b + c);
  // zlib-wrapped deflate is auto-detected too.
  std::string z(compressBound(a.size()), '\0');
  uLongf zlen = z.size();
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &zlen, U8(a), a.size()), Z_OK);
  std::string back(a.size(), '\0');
  PLINTH_ASSERT_OK(
      Decompress(Codec::kGzip, U8(z), zlen, reinterpret_cast<uint8_t*>(back.data()), back.size()));
  EXPECT_EQ(back, a);
  // Trailing garbage after a member is an error, not silently ignored.
  const std::string junk = GzipMember(a) + "garbage!";
  EXPECT_TRUE(StatusIs(Decompress(Codec::kGzip, U8(junk), junk.size(),
                                  reinterpret_cast<uint8_t*>(back.data()), back.size()),
                       absl::StatusCode::kDataLoss));
}

TEST(CodecTest, ZstdMultipleFrames) {
  const std::string a = SampleData(2000, 4), b = SampleData(7000, 5);
  std::string comp;
  PLINTH_ASSERT_OK(Compress(Codec::kZstd, U8(a), a.size(), &comp));
  PLINTH_ASSERT_OK(Compress(Codec::kZstd, U8(b), b.size(), &comp));
  std::string out(a.size() + b.size(), '\0');
  PLINTH_ASSERT_OK(Decompress(Codec::kZstd, U8(comp), comp.size(),
                              reinterpret_cast<uint8_t*>(out.data()), out.size()));
  EXPECT_EQ(out, a + b);
}

void AppendBE32(std::string* s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s->push_back(static_cast<char>(v >> (8 * i)));
}

std::string RawLz4(const std::string& in) {
  std::string out(LZ4_compressBound(static_cast<int>(in.size())), '\0');
  int n = LZ4_compress_default(in.data(), out.data(), static_cast<int>(in.size()),
                               static_cast<int>(out.size()));
  out.resize(n);
  return out;
}

TEST(CodecTest, Lz4LegacyHadoopFramingAndRawFallback) {
  const std::string a = SampleData(4000, 6), b = SampleData(3000, 7), c = SampleData(500, 8);
  // Frame 1: one block. Frame 2: two blocks (b then c) under one uncompressed size.
  std::string hadoop;
  const std::string ra = RawLz4(a), rb = RawLz4(b), rc = RawLz4(c);
  AppendBE32(&hadoop, static_cast<uint32_t>(a.size()));
  AppendBE32(&hadoop, static_cast<uint32_t>(ra.size()));
  hadoop += ra;
  AppendBE32(&hadoop, static_cast<uint32_t>(b.size() + c.size()));
  AppendBE32(&hadoop, static_cast<uint32_t>(rb.size()));
  hadoop += rb;
  AppendBE32(&hadoop, static_cast<uint32_t>(rc.size()));
  hadoop += rc;
  std::string out(a.size() + b.size() + c.size(), '\0');
  PLINTH_ASSERT_OK(Decompress(Codec::kLz4, U8(hadoop), hadoop.size(),
                              reinterpret_cast<uint8_t*>(out.data()), out.size()));
  EXPECT_EQ(out, a + b + c);
  // A plain raw block (old parquet-cpp) falls back.
  std::string back(a.size(), '\0');
  PLINTH_ASSERT_OK(Decompress(Codec::kLz4, U8(ra), ra.size(),
                              reinterpret_cast<uint8_t*>(back.data()), back.size()));
  EXPECT_EQ(back, a);
  // Neither parses: DataLoss.
  EXPECT_TRUE(StatusIs(Decompress(Codec::kLz4, U8(ra), ra.size() - 3,
                                  reinterpret_cast<uint8_t*>(back.data()), back.size()),
                       absl::StatusCode::kDataLoss));
}

// Real data: parquet-mr's hadoop_lz4_compressed_larger.parquet (ARROW-9177) has pages made of
// several Hadoop LZ4 frames. Without a page-header parser, find the frames by scanning for
// [BE32 size][BE32 compressed size][block that inflates to exactly size], chain adjacent
// frames into pages and decompress each chain through the LZ4 codec.
TEST(CodecTest, HadoopLz4TestFile) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::ifstream f(root + "/parquet/hadoop_lz4_compressed_larger.parquet", std::ios::binary);
  if (!f) GTEST_SKIP() << "hadoop_lz4_compressed_larger.parquet missing";
  const std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto be32 = [&](size_t p) {
    return (uint32_t{uint8_t(file[p])} << 24) | (uint32_t{uint8_t(file[p + 1])} << 16) |
           (uint32_t{uint8_t(file[p + 2])} << 8) | uint32_t{uint8_t(file[p + 3])};
  };
  std::vector<char> scratch(1 << 20);
  std::string all;
  size_t chains = 0, frames = 0, max_frames_in_chain = 0;
  for (size_t p = 0; p + 8 <= file.size();) {
    size_t q = p, total = 0, in_chain = 0;
    while (q + 8 <= file.size()) {
      const uint32_t u = be32(q), c = be32(q + 4);
      if (u == 0 || u > scratch.size() || c == 0 || c > file.size() - q - 8) break;
      if (LZ4_decompress_safe(file.data() + q + 8, scratch.data(), static_cast<int>(c),
                              static_cast<int>(u)) != static_cast<int>(u)) {
        break;
      }
      total += u;
      q += 8 + c;
      ++in_chain;
    }
    if (in_chain == 0) {
      ++p;
      continue;
    }
    std::string out(total, '\0');
    PLINTH_ASSERT_OK(Decompress(Codec::kLz4, U8(file) + p, q - p,
                                reinterpret_cast<uint8_t*>(out.data()), total));
    all += out;
    ++chains;
    frames += in_chain;
    max_frames_in_chain = std::max(max_frames_in_chain, in_chain);
    p = q;
  }
  EXPECT_GT(chains, 0u);
  EXPECT_GT(max_frames_in_chain, 1u) << "expected a page made of several frames";
  EXPECT_NE(all.find("c7ce6bef-d5b0-4863-b199-8ea8c7fb117b"), std::string::npos);
  EXPECT_NE(all.find("85440778-460a-41ac-aa2e-ac3ee41696bf"), std::string::npos);
  std::printf("hadoop lz4: %zu pages, %zu frames, %zu bytes\n", chains, frames, all.size());
}

TEST(CodecTest, TruncatedAndRandomInputNeverCrash) {
  const std::string in = SampleData(3000, 9);
  std::mt19937_64 rng(10);
  std::vector<uint8_t> out(in.size());
  for (Codec c : kWritable) {
    std::string comp;
    PLINTH_ASSERT_OK(Compress(c, U8(in), in.size(), &comp));
    for (size_t len = 0; len < comp.size(); ++len) {
      absl::Status st = Decompress(c, U8(comp), len, out.data(), out.size());
      EXPECT_FALSE(st.ok()) << CodecName(c) << " accepted a truncation to " << len;
    }
    for (int iter = 0; iter < 300; ++iter) {
      std::string bad = comp;
      for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
      (void)Decompress(c, U8(bad), bad.size(), out.data(), out.size());
    }
  }
  for (int iter = 0; iter < 2000; ++iter) {
    std::string junk(rng() % 64, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    const Codec c = static_cast<Codec>(rng() % 8);
    (void)Decompress(c, U8(junk), junk.size(), out.data(), rng() % out.size());
  }
}

TEST(CodecTest, DISABLED_Speed) {
  const std::string in = SampleData(16 << 20, 1);
  for (Codec c : kWritable) {
    std::string comp;
    std::string out(in.size(), '\0');
    double best_c = 1e9, best_d = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      comp.clear();
      auto t0 = std::chrono::steady_clock::now();
      PLINTH_ASSERT_OK(Compress(c, U8(in), in.size(), &comp));
      auto t1 = std::chrono::steady_clock::now();
      PLINTH_ASSERT_OK(
          Decompress(c, U8(comp), comp.size(), reinterpret_cast<uint8_t*>(out.data()), out.size()));
      auto t2 = std::chrono::steady_clock::now();
      best_c = std::min(best_c, std::chrono::duration<double>(t1 - t0).count());
      best_d = std::min(best_d, std::chrono::duration<double>(t2 - t1).count());
    }
    std::printf("%-12s ratio %.2f compress %.0f MB/s decompress %.0f MB/s\n", CodecName(c).c_str(),
                double(in.size()) / comp.size(), in.size() / best_c / 1e6,
                in.size() / best_d / 1e6);
  }
}

}  // namespace
}  // namespace plinth::parquet
