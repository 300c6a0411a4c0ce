#include "plinth/storage/parquet/rle.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "plinth/storage/parquet/bit_util.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;

std::vector<uint32_t> DecodeAll(const std::string& enc, int width, int n, int batch) {
  RleBitPackedDecoder dec(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width);
  std::vector<uint32_t> out(n);
  int done = 0;
  while (done < n) {
    auto got = dec.GetBatch(out.data() + done, std::min(batch, n - done));
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok() || *got == 0) break;
    done += *got;
  }
  out.resize(done);
  return out;
}

// Runs of random lengths: long repeats, short repeats and noise.
std::vector<uint32_t> RandomRuns(std::mt19937_64& rng, int width, size_t n) {
  const uint64_t mask = width == 0 ? 0 : (width == 32 ? 0xFFFFFFFFull : (1ull << width) - 1);
  std::vector<uint32_t> v;
  while (v.size() < n) {
    const uint32_t x = static_cast<uint32_t>(rng() & mask);
    const size_t len = (rng() % 4 == 0) ? 1 + rng() % 50 : 1;
    for (size_t i = 0; i < len && v.size() < n; ++i) v.push_back(x);
  }
  return v;
}

TEST(RleTest, SpecBitPackedExample) {
  // Encodings.md: values 0..7 with bit width 3 pack to 10001000 11000110 11111010.
  const std::string enc = {'\x03', '\x88', '\xC6', '\xFA'};
  EXPECT_EQ(DecodeAll(enc, 3, 8, 8), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  RleBitPackedEncoder e(3);
  for (uint32_t i = 0; i < 8; ++i) e.Put(i);
  EXPECT_EQ(e.Finish(), enc);
}

TEST(RleTest, RleRunAndWidthZero) {
  const std::string run = {'\x0A', '\x04'};  // 5 x value 4
  EXPECT_EQ(DecodeAll(run, 3, 5, 5), std::vector<uint32_t>(5, 4));
  // Width 0: the RLE value has zero bytes; bit-packed groups have zero bytes.
  const std::string zeros = {'\x0A', '\x05'};  // 5 zeros, then 2 groups of 8 zeros
  EXPECT_EQ(DecodeAll(zeros, 0, 21, 4), std::vector<uint32_t>(21, 0));
  // Two-byte values for widths 9..16, little-endian.
  const std::string wide = {'\x06', '\x34', '\x12'};
  EXPECT_EQ(DecodeAll(wide, 13, 3, 3), std::vector<uint32_t>(3, 0x1234));
}

TEST(RleTest, EncoderRunBytes) {
  RleBitPackedEncoder e(3);
  e.PutRepeated(5, 100);
  EXPECT_EQ(e.Finish(), std::string({'\xC8', '\x01', '\x05'}));
  // A short tail of equal values becomes a short RLE run, not a padded group.
  RleBitPackedEncoder t(1);
  for (int i = 0; i < 3; ++i) t.Put(1);
  EXPECT_EQ(t.Finish(), std::string({'\x06', '\x01'}));
  // Mixed tail: one zero-padded group.
  RleBitPackedEncoder m(2);
  m.Put(1);
  m.Put(2);
  EXPECT_EQ(m.Finish(), std::string({'\x03', '\x09', '\x00'}));
}

TEST(RleTest, RoundTripEveryWidth) {
  std::mt19937_64 rng(42);
  for (int width = 0; width <= 32; ++width) {
    for (size_t n : {1, 7, 8, 9, 100, 1000, 5000}) {
      std::vector<uint32_t> vals = RandomRuns(rng, width, n);
      RleBitPackedEncoder e(width);
      // Mix Put, PutRepeated and PutBatch.
      size_t i = 0;
      while (i < n) {
        size_t j = i;
        while (j < n && vals[j] == vals[i]) ++j;
        if (rng() % 2) {
          e.PutRepeated(vals[i], j - i);
        } else {
          e.PutBatch(vals.data() + i, j - i);
        }
        i = j;
      }
      const std::string enc = e.Finish();
      EXPECT_LE(enc.size(), RleBitPackedEncoder::MaxEncodedSize(width, n));
      for (int batch : {1, 5, 64, 1 << 20}) {
        ASSERT_EQ(DecodeAll(enc, width, static_cast<int>(n), batch), vals)
            << "width " << width << " n " << n;
      }
      // Levels and gathers agree with GetBatch.
      if (width <= 16) {
        RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width);
        std::vector<int16_t> lv(n);
        PLINTH_ASSERT_OK_AND_ASSIGN(int got, d.GetLevels(lv.data(), static_cast<int>(n)));
        ASSERT_EQ(got, static_cast<int>(n));
        for (size_t k = 0; k < n; ++k) ASSERT_EQ(lv[k], static_cast<int16_t>(vals[k]));
      }
    }
  }
}

TEST(RleTest, GatherChecksIndices) {
  const std::vector<int64_t> dict = {10, 20, 30, 40, 50};
  RleBitPackedEncoder e(3);
  const std::vector<uint32_t> idx = {0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 1};
  e.PutBatch(idx.data(), idx.size());
  const std::string enc = e.Finish();
  RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), 3);
  std::vector<int64_t> out(idx.size());
  PLINTH_ASSERT_OK_AND_ASSIGN(
      int got, d.GetGather(dict.data(), 5, out.data(), static_cast<int>(idx.size())));
  ASSERT_EQ(got, static_cast<int>(idx.size()));
  for (size_t i = 0; i < idx.size(); ++i) EXPECT_EQ(out[i], dict[idx[i]]);

  for (const std::vector<uint32_t>& bad :
       {std::vector<uint32_t>{0, 1, 7, 2}, std::vector<uint32_t>(20, 5)}) {
    RleBitPackedEncoder b(3);
    b.PutBatch(bad.data(), bad.size());
    const std::string benc = b.Finish();
    RleBitPackedDecoder bd(reinterpret_cast<const uint8_t*>(benc.data()), benc.size(), 3);
    std::vector<int64_t> bout(bad.size());
    EXPECT_TRUE(StatusIs(bd.GetGather(dict.data(), 5, bout.data(), static_cast<int>(bad.size())),
                         absl::StatusCode::kDataLoss, "out of range for dictionary of 5"));
  }
}

TEST(RleTest, MalformedRuns) {
  uint32_t out[16];
  auto decode = [&](const std::string& s, int width) {
    RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(s.data()), s.size(), width);
    return d.GetBatch(out, 16);
  };
  EXPECT_TRUE(StatusIs(decode(std::string(1, '\0'), 3), absl::StatusCode::kDataLoss, "length 0"));
  EXPECT_TRUE(StatusIs(decode(std::string(1, '\x01'), 3), absl::StatusCode::kDataLoss, "0 groups"));
  EXPECT_TRUE(StatusIs(decode(std::string({'\x04', '\x09'}), 3), absl::StatusCode::kDataLoss,
                       "does not fit"));
  EXPECT_TRUE(StatusIs(decode(std::string({'\x04'}), 3), absl::StatusCode::kDataLoss, "run value"));
  EXPECT_TRUE(
      StatusIs(decode(std::string({'\x80', '\x80'}), 3), absl::StatusCode::kDataLoss, "header"));
  EXPECT_TRUE(StatusIs(decode(std::string({'\xFF', '\xFF', '\xFF', '\xFF', '\x7F'}), 3),
                       absl::StatusCode::kDataLoss, "header"));
  EXPECT_TRUE(StatusIs(decode("", 33), absl::StatusCode::kInvalidArgument, "bit width"));
  // A truncated bit-packed run yields the values whose bits are present: 2 groups claimed,
  // 4 bytes of width 3 present = 10 values.
  std::string trunc = {'\x05', '\x88', '\xC6', '\xFA', '\x88'};
  PLINTH_ASSERT_OK_AND_ASSIGN(int got, decode(trunc, 3));
  EXPECT_EQ(got, 10);
  EXPECT_EQ(out[7], 7u);
  EXPECT_EQ(out[8], 0u);
  EXPECT_EQ(out[9], 1u);
}

TEST(RleTest, TruncationAtEveryLength) {
  std::mt19937_64 rng(7);
  for (int width : {1, 3, 8, 13, 20, 32}) {
    std::vector<uint32_t> vals = RandomRuns(rng, width, 300);
    RleBitPackedEncoder e(width);
    e.PutBatch(vals.data(), vals.size());
    const std::string enc = e.Finish();
    for (size_t len = 0; len <= enc.size(); ++len) {
      RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(enc.data()), len, width);
      std::vector<uint32_t> out(vals.size());
      auto got = d.GetBatch(out.data(), static_cast<int>(vals.size()));
      if (!got.ok()) continue;
      ASSERT_LE(*got, static_cast<int>(vals.size()));
      if (len == enc.size()) {
        ASSERT_EQ(*got, static_cast<int>(vals.size()));
      }
      for (int i = 0; i < *got; ++i)
        ASSERT_EQ(out[i], vals[i]) << "width " << width << " len " << len;
    }
  }
}

TEST(RleTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(99);
  std::vector<uint32_t> out(4096);
  std::vector<int16_t> lv(4096);
  const std::vector<int32_t> dict(17, 1);
  std::vector<int32_t> gathered(4096);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    const int width = static_cast<int>(rng() % 34);
    const auto* p = reinterpret_cast<const uint8_t*>(junk.data());
    RleBitPackedDecoder a(p, junk.size(), width);
    (void)a.GetBatch(out.data(), static_cast<int>(rng() % 4096));
    RleBitPackedDecoder b(p, junk.size(), width);
    (void)b.GetLevels(lv.data(), static_cast<int>(rng() % 4096));
    RleBitPackedDecoder c(p, junk.size(), width);
    (void)c.GetGather(dict.data(), 17, gathered.data(), static_cast<int>(rng() % 4096));
    RleBitPackedDecoder s(p, junk.size(), width);
    (void)s.Skip(static_cast<int>(rng() % 4096));
    (void)DecodeLegacyBitPackedLevels(p, junk.size(), width % 17, lv.data(),
                                      static_cast<int>(rng() % 100));
  }
}

TEST(RleTest, SkipThenRead) {
  std::mt19937_64 rng(5);
  std::vector<uint32_t> vals = RandomRuns(rng, 5, 1000);
  RleBitPackedEncoder e(5);
  e.PutBatch(vals.data(), vals.size());
  const std::string enc = e.Finish();
  RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), 5);
  PLINTH_ASSERT_OK_AND_ASSIGN(int skipped, d.Skip(333));
  ASSERT_EQ(skipped, 333);
  std::vector<uint32_t> rest(667);
  PLINTH_ASSERT_OK_AND_ASSIGN(int got, d.GetBatch(rest.data(), 667));
  ASSERT_EQ(got, 667);
  EXPECT_TRUE(std::equal(rest.begin(), rest.end(), vals.begin() + 333));
}

TEST(RleTest, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(7), 3);
  EXPECT_EQ(BitWidth(8), 4);
  EXPECT_EQ(BitWidth(0xFFFFFFFFull), 32);
  EXPECT_EQ(BitWidth(~0ull), 64);
}

TEST(RleTest, LegacyBitPackedSpecExample) {
  // Encodings.md: values 0..7 with bit width 3, MSB first: 00000101 00111001 01110111.
  const uint8_t data[] = {0x05, 0x39, 0x77};
  int16_t out[8];
  PLINTH_ASSERT_OK(DecodeLegacyBitPackedLevels(data, 3, 3, out, 8));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
  EXPECT_TRUE(StatusIs(DecodeLegacyBitPackedLevels(data, 2, 3, out, 8), absl::StatusCode::kDataLoss,
                       "BIT_PACKED"));
}

// Throughput of bit unpacking (literal runs) and RLE fills; run with
// --gtest_also_run_disabled_tests to print the numbers.
template <typename F>
double BestSeconds(F f) {
  double best = 1e9;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

TEST(RleTest, DISABLED_Speed) {
  std::mt19937_64 rng(1);
  const size_t n = 10'000'000;
  std::vector<uint32_t> out(n), g(n);
  for (int width : {1, 3, 8, 12, 17, 20, 32}) {
    std::vector<uint32_t> vals(n);
    for (auto& v : vals)
      v = static_cast<uint32_t>(rng()) & static_cast<uint32_t>((1ull << width) - 1);
    RleBitPackedEncoder e(width);
    e.PutBatch(vals.data(), n);
    const std::string enc = e.Finish();
    const double dec = BestSeconds([&] {
      RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width);
      ASSERT_TRUE(d.GetBatch(out.data(), static_cast<int>(n)).ok());
    });
    ASSERT_EQ(out, vals);
    const double encs = BestSeconds([&] {
      RleBitPackedEncoder e2(width);
      e2.PutBatch(vals.data(), n);
      (void)e2.Finish();
    });
    std::printf("width %2d: unpack %5.0f M values/s, encode %4.0f M values/s", width, n / dec / 1e6,
                n / encs / 1e6);
    if (width <= 20) {
      std::vector<uint32_t> dict(1u << width);
      const double gs = BestSeconds([&] {
        RleBitPackedDecoder gd(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width);
        ASSERT_TRUE(gd.GetGather(dict.data(), static_cast<uint32_t>(dict.size()), g.data(),
                                 static_cast<int>(n))
                        .ok());
      });
      std::printf(", gather %4.0f M values/s", n / gs / 1e6);
    }
    std::printf("\n");
  }
  // Definition levels: long runs with rare nulls.
  std::vector<uint32_t> lv(n, 1);
  for (size_t i = 0; i < n; i += 1000 + rng() % 1000) lv[i] = 0;
  RleBitPackedEncoder le(1);
  le.PutBatch(lv.data(), n);
  const std::string lenc = le.Finish();
  std::vector<int16_t> levels(n);
  const double ls = BestSeconds([&] {
    RleBitPackedDecoder d(reinterpret_cast<const uint8_t*>(lenc.data()), lenc.size(), 1);
    ASSERT_TRUE(d.GetLevels(levels.data(), static_cast<int>(n)).ok());
  });
  std::printf("levels (rare nulls): %.0f M values/s, %zu bytes\n", n / ls / 1e6, lenc.size());
}

}  // namespace
}  // namespace plinth::parquet
