#include "plinth/storage/parquet/plain.h"

#include <random>
#include <vector>

#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;

using ::plinth::testing::U8;

TEST(PlainTest, BooleansRoundTripAndOffsets) {
  std::mt19937_64 rng(1);
  for (size_t n : {0, 1, 7, 8, 9, 64, 1001}) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = rng() & 1;
    std::string enc;
    EncodePlainBooleans(v.data(), n, &enc);
    ASSERT_EQ(enc.size(), (n + 7) / 8);
    std::vector<uint8_t> out(n);
    PLINTH_ASSERT_OK(DecodePlainBooleans(U8(enc), enc.size(), static_cast<int>(n), out.data()));
    EXPECT_EQ(out, v);
    // Batches starting at odd bit positions.
    for (size_t first = 0; first < n; first += 13) {
      const int k = static_cast<int>(std::min<size_t>(29, n - first));
      std::vector<uint8_t> part(k);
      PLINTH_ASSERT_OK(DecodePlainBooleansFrom(U8(enc), enc.size(), first, k, part.data()));
      EXPECT_TRUE(std::equal(part.begin(), part.end(), v.begin() + first));
    }
  }
  // Encodings.md style: true,false,true,true -> 0b00001101.
  std::string enc;
  const uint8_t bits[] = {1, 0, 1, 1};
  EncodePlainBooleans(bits, 4, &enc);
  EXPECT_EQ(enc, std::string(1, '\x0D'));
  uint8_t out[9];
  EXPECT_TRUE(StatusIs(DecodePlainBooleans(U8(enc), 1, 9, out), absl::StatusCode::kDataLoss,
                       "PLAIN BOOLEAN"));
  EXPECT_TRUE(
      StatusIs(DecodePlainBooleans(U8(enc), 1, -1, out), absl::StatusCode::kInvalidArgument));
}

TEST(PlainTest, FixedWidths) {
  const std::vector<int64_t> v = {1, -2, 1LL << 40};
  std::string enc;
  EncodePlainFixed(reinterpret_cast<const uint8_t*>(v.data()), v.size(), 8, &enc);
  std::vector<int64_t> out(3);
  PLINTH_ASSERT_OK(
      DecodePlainFixed(U8(enc), enc.size(), 3, 8, reinterpret_cast<uint8_t*>(out.data())));
  EXPECT_EQ(out, v);
  uint8_t buf[64];
  EXPECT_TRUE(StatusIs(DecodePlainFixed(U8(enc), enc.size(), 3, 12, buf),
                       absl::StatusCode::kDataLoss, "12 bytes"));
  PLINTH_EXPECT_OK(DecodePlainFixed(U8(enc), enc.size(), 4, 5, buf));  // FLBA(5)
  EXPECT_TRUE(StatusIs(DecodePlainFixed(U8(enc), enc.size(), 1, 0, buf),
                       absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(StatusIs(DecodePlainFixed(U8(enc), enc.size(), 1 << 30, 1 << 30, buf),
                       absl::StatusCode::kDataLoss));
}

TEST(PlainTest, ByteArraysRoundTripIntoColumnLayout) {
  const std::vector<std::string_view> vals = {"", "a", "hello", std::string_view("\0x\0", 3),
                                              "world"};
  std::string enc;
  EncodePlainByteArrays(vals.data(), vals.size(), &enc);
  enc += "tail";
  std::vector<int64_t> offsets = {0};
  std::string data = "earlier";
  offsets.push_back(7);
  PLINTH_ASSERT_OK_AND_ASSIGN(size_t used,
                              DecodePlainByteArrays(U8(enc), enc.size(), 5, {&offsets, &data}));
  EXPECT_EQ(used, enc.size() - 4);
  ASSERT_EQ(offsets.size(), 7u);
  for (size_t i = 0; i < vals.size(); ++i) {
    EXPECT_EQ(std::string_view(data).substr(offsets[i + 1], offsets[i + 2] - offsets[i + 1]),
              vals[i]);
  }
  // Column-layout encoder gives the same bytes.
  std::string enc2;
  EncodePlainByteArrays(offsets.data() + 1, data.data(), vals.size(), &enc2);
  EXPECT_EQ(enc2 + "tail", enc);
}

TEST(PlainTest, ByteArraysTruncatedAtEveryLength) {
  const std::vector<std::string_view> vals = {"abc", "", "defgh", "ij"};
  std::string enc;
  EncodePlainByteArrays(vals.data(), vals.size(), &enc);
  for (size_t len = 0; len < enc.size(); ++len) {
    std::vector<int64_t> offsets = {0};
    std::string data;
    auto r = DecodePlainByteArrays(U8(enc), len, 4, {&offsets, &data});
    EXPECT_TRUE(StatusIs(r, absl::StatusCode::kDataLoss, "PLAIN BYTE_ARRAY")) << len;
    EXPECT_EQ(offsets.size(), 1u);  // rolled back
    EXPECT_TRUE(data.empty());
  }
  std::vector<int64_t> offsets = {0};
  std::string data;
  // A huge declared length.
  const std::string huge = {'\xFF', '\xFF', '\xFF', '\x7F', 'a'};
  EXPECT_TRUE(StatusIs(DecodePlainByteArrays(U8(huge), huge.size(), 1, {&offsets, &data}),
                       absl::StatusCode::kDataLoss));
}

TEST(PlainTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(2);
  std::vector<uint8_t> out(1 << 16);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string junk(rng() % 100, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    const int n = static_cast<int>(rng() % 200);
    std::vector<int64_t> offsets = {0};
    std::string data;
    (void)DecodePlainByteArrays(U8(junk), junk.size(), n, {&offsets, &data});
    (void)DecodePlainBooleans(U8(junk), junk.size(), n, out.data());
    (void)DecodePlainFixed(U8(junk), junk.size(), n, 1 + rng() % 16, out.data());
  }
}

}  // namespace
}  // namespace plinth::parquet
