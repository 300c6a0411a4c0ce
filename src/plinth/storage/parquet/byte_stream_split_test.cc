#include "plinth/storage/parquet/byte_stream_split.h"

#include <cstring>
#include <random>
#include <vector>

#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;

TEST(ByteStreamSplitTest, SpecLayoutForFloats) {
  // Two floats 1.0f (00 00 80 3F) and -2.0f (00 00 00 C0): streams 00 00 | 00 00 | 80 00 | 3F C0.
  const float v[2] = {1.0f, -2.0f};
  std::string enc;
  EncodeByteStreamSplit(reinterpret_cast<const uint8_t*>(v), 2, 4, &enc);
  EXPECT_EQ(enc, std::string({0, 0, 0, 0, '\x80', 0, '\x3F', '\xC0'}));
  float back[2];
  PLINTH_ASSERT_OK(DecodeByteStreamSplit(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(),
                                         2, 4, reinterpret_cast<uint8_t*>(back)));
  EXPECT_EQ(std::memcmp(back, v, sizeof(v)), 0);
}

TEST(ByteStreamSplitTest, RoundTripAnyWidthAndPartialReads) {
  std::mt19937_64 rng(1);
  for (size_t width : {1, 2, 3, 4, 5, 8, 12, 16}) {
    for (int n : {0, 1, 7, 100, 1001}) {
      std::vector<uint8_t> v(n * width);
      for (auto& b : v) b = static_cast<uint8_t>(rng());
      std::string enc;
      EncodeByteStreamSplit(v.data(), n, width, &enc);
      ASSERT_EQ(enc.size(), v.size());
      std::vector<uint8_t> out(v.size());
      PLINTH_ASSERT_OK(DecodeByteStreamSplit(reinterpret_cast<const uint8_t*>(enc.data()),
                                             enc.size(), n, width, out.data()));
      EXPECT_EQ(out, v) << width << " " << n;
      // A later slice of the page (stride stays the page's value count).
      if (n >= 10) {
        std::vector<uint8_t> part(5 * width);
        PLINTH_ASSERT_OK(DecodeByteStreamSplitFrom(reinterpret_cast<const uint8_t*>(enc.data()),
                                                   enc.size(), 3, 5, width, part.data()));
        EXPECT_TRUE(std::equal(part.begin(), part.end(), v.begin() + 3 * width));
      }
    }
  }
}

TEST(ByteStreamSplitTest, ShortOrRaggedInput) {
  uint8_t data[10] = {}, out[16];
  EXPECT_TRUE(StatusIs(DecodeByteStreamSplit(data, 8, 3, 4, out), absl::StatusCode::kDataLoss,
                       "BYTE_STREAM_SPLIT"));
  EXPECT_TRUE(StatusIs(DecodeByteStreamSplit(data, 10, 2, 4, out), absl::StatusCode::kDataLoss,
                       "whole number"));
  EXPECT_TRUE(
      StatusIs(DecodeByteStreamSplit(data, 8, 1, 0, out), absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(
      StatusIs(DecodeByteStreamSplitFrom(data, 8, 2, 1, 4, out), absl::StatusCode::kDataLoss));
  PLINTH_EXPECT_OK(DecodeByteStreamSplit(data, 8, 2, 4, out));
}

}  // namespace
}  // namespace plinth::parquet
