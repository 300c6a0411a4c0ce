#include "plinth/base/huge_page_array.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace plinth {
namespace {

TEST(HugePageArrayTest, SmallAndLargeArraysStartZeroedAndMove) {
  for (size_t n : {size_t{0}, size_t{3}, size_t{5} << 20}) {  // empty, heap, three huge pages
    HugePageArray<uint64_t> a(n);
    ASSERT_EQ(a.size(), n);
    for (size_t i = 0; i < n; i += 4097) EXPECT_EQ(a[i], 0u);
    if (n > 0) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % alignof(uint64_t), 0u);
      a[n - 1] = 7;
    }
    HugePageArray<uint64_t> b(std::move(a));
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(b.size(), n);
    if (n > 0) EXPECT_EQ(b[n - 1], 7u);
  }
  struct Pair {
    int64_t a;
    uint32_t b;
  };
  HugePageArray<Pair> filled(size_t{1} << 18);  // 4 MiB: mapped
  EXPECT_EQ(reinterpret_cast<uintptr_t>(filled.data()) % (size_t{2} << 20), 0u);
  EXPECT_EQ(filled[filled.size() - 1].b, 0u);
  for (size_t i = 0; i < filled.size(); ++i) filled[i] = Pair{-1, 9};
  EXPECT_EQ(filled[filled.size() - 1].b, 9u);
  HugePageArray<Pair> other;
  other = std::move(filled);
  EXPECT_EQ(other[12345].a, -1);
}

}  // namespace
}  // namespace plinth
