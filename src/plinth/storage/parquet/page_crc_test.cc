#include "plinth/storage/parquet/page_crc.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace plinth::parquet {
namespace {

TEST(PageCrcTest, EqualsZlibCrc32AtEveryLengthAndAlignment) {
  EXPECT_EQ(PageCrc("", 0), 0u);
  EXPECT_EQ(PageCrc("123456789", 9), 0xCBF43926u);  // the CRC-32 check value
  std::mt19937 rng(7);
  std::string buf(70000, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len : {size_t{1}, size_t{15}, size_t{16}, size_t{63}, size_t{64}, size_t{255}, size_t{1000}, size_t{4097},
                       size_t{65536}}) {
      const auto* p = reinterpret_cast<const Bytef*>(buf.data() + offset);
      ASSERT_EQ(PageCrc(p, len), static_cast<uint32_t>(::crc32(0L, p, static_cast<uInt>(len)))) << offset << " " << len;
    }
  }
}

}  // namespace
}  // namespace plinth::parquet
