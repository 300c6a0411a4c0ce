#include "plinth/storage/parquet/delta_byte_array.h"

#include <random>
#include <vector>

#include "plinth/storage/parquet/delta_binary_packed.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;

using ::plinth::testing::U8;

struct ByteArrayColumn {
  std::vector<int64_t> offsets = {0};
  std::string data;
  ByteArrayOut out() { return {&offsets, &data}; }
  std::vector<std::string> values() const {
    std::vector<std::string> v;
    for (size_t i = 0; i + 1 < offsets.size(); ++i)
      v.push_back(data.substr(offsets[i], offsets[i + 1] - offsets[i]));
    return v;
  }
};

std::string DbpInt32(const std::vector<int32_t>& v) {
  DeltaBinaryPackedEncoder<int32_t> e;
  e.Put(v.data(), v.size());
  return e.Finish();
}

std::vector<std::string> RandomStrings(std::mt19937_64& rng, size_t n) {
  std::vector<std::string> v;
  std::string prev;
  for (size_t i = 0; i < n; ++i) {
    std::string s = prev.substr(0, rng() % (prev.size() + 1));  // shared prefixes, like sorted keys
    const size_t extra = rng() % 12;
    for (size_t k = 0; k < extra; ++k) s.push_back(static_cast<char>('a' + rng() % 26));
    if (rng() % 10 == 0) s.clear();
    v.push_back(s);
    prev = s;
  }
  return v;
}

std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

TEST(DeltaLengthByteArrayTest, SpecExample) {
  // Encodings.md: "Hello", "World", "Foobar", "ABCDEF" -> DBP(5, 5, 6, 6) "HelloWorldFoobarABCDEF".
  const std::string want = DbpInt32({5, 5, 6, 6}) + "HelloWorldFoobarABCDEF";
  std::string enc;
  EncodeDeltaLengthByteArray({"Hello", "World", "Foobar", "ABCDEF"}, &enc);
  EXPECT_EQ(enc, want);
  ByteArrayColumn c;
  PLINTH_ASSERT_OK_AND_ASSIGN(size_t used,
                              DecodeDeltaLengthByteArray(U8(enc), enc.size(), 4, c.out()));
  EXPECT_EQ(used, enc.size());
  EXPECT_EQ(c.values(), (std::vector<std::string>{"Hello", "World", "Foobar", "ABCDEF"}));
}

TEST(DeltaByteArrayTest, SpecExample) {
  // Encodings.md: axis, axle, babble, babyhood -> prefixes 0 2 0 3, suffixes axis le babble yhood.
  const std::string want = DbpInt32({0, 2, 0, 3}) + DbpInt32({4, 2, 6, 5}) + "axislebabbleyhood";
  std::string enc;
  EncodeDeltaByteArray({"axis", "axle", "babble", "babyhood"}, &enc);
  EXPECT_EQ(enc, want);
  ByteArrayColumn c;
  PLINTH_ASSERT_OK_AND_ASSIGN(size_t used, DecodeDeltaByteArray(U8(enc), enc.size(), 4, c.out()));
  EXPECT_EQ(used, enc.size());
  EXPECT_EQ(c.values(), (std::vector<std::string>{"axis", "axle", "babble", "babyhood"}));
}

TEST(DeltaByteArrayTest, RoundTripRandomAndColumnLayoutEncoders) {
  std::mt19937_64 rng(5);
  for (size_t n : {0, 1, 2, 127, 128, 129, 1000, 5000}) {
    const std::vector<std::string> vals = RandomStrings(rng, n);
    ByteArrayColumn src;
    for (const auto& s : vals) {
      src.data += s;
      src.offsets.push_back(static_cast<int64_t>(src.data.size()));
    }
    std::string dlba, dba, dlba2, dba2;
    EncodeDeltaLengthByteArray(Views(vals), &dlba);
    EncodeDeltaByteArray(Views(vals), &dba);
    EncodeDeltaLengthByteArray(src.offsets.data(), src.data.data(), n, &dlba2);
    EncodeDeltaByteArray(src.offsets.data(), src.data.data(), n, &dba2);
    EXPECT_EQ(dlba, dlba2);
    EXPECT_EQ(dba, dba2);
    // Decode after existing values, with trailing bytes after the stream.
    ByteArrayColumn a, b;
    a.data = b.data = "xyz";
    a.offsets.push_back(3);
    b.offsets.push_back(3);
    PLINTH_ASSERT_OK_AND_ASSIGN(
        size_t ua, DecodeDeltaLengthByteArray(U8(dlba), dlba.size(), static_cast<int>(n), a.out()));
    EXPECT_EQ(ua, dlba.size());
    const std::string dba_tail = dba + "TAIL";
    PLINTH_ASSERT_OK_AND_ASSIGN(size_t ub, DecodeDeltaByteArray(U8(dba_tail), dba_tail.size(),
                                                                static_cast<int>(n), b.out()));
    EXPECT_EQ(ub, dba.size());
    std::vector<std::string> want = {"xyz"};
    want.insert(want.end(), vals.begin(), vals.end());
    EXPECT_EQ(a.values(), want);
    EXPECT_EQ(b.values(), want);
  }
}

TEST(DeltaByteArrayTest, BadPrefixAndLengths) {
  ByteArrayColumn c;
  // Prefix 3 for the first value (previous value is empty).
  std::string bad = DbpInt32({3}) + DbpInt32({2}) + "ab";
  EXPECT_TRUE(StatusIs(DecodeDeltaByteArray(U8(bad), bad.size(), 1, c.out()),
                       absl::StatusCode::kDataLoss, "prefix length 3"));
  // Prefix longer than the previous value.
  bad = DbpInt32({0, 5}) + DbpInt32({2, 1}) + "abc";
  EXPECT_TRUE(StatusIs(DecodeDeltaByteArray(U8(bad), bad.size(), 2, c.out()),
                       absl::StatusCode::kDataLoss, "previous value"));
  // Negative lengths.
  bad = DbpInt32({2, -1}) + "ab";
  EXPECT_TRUE(StatusIs(DecodeDeltaLengthByteArray(U8(bad), bad.size(), 2, c.out()),
                       absl::StatusCode::kDataLoss, "negative"));
  // Data shorter than the lengths.
  bad = DbpInt32({2, 4}) + "abc";
  EXPECT_TRUE(StatusIs(DecodeDeltaLengthByteArray(U8(bad), bad.size(), 2, c.out()),
                       absl::StatusCode::kDataLoss, "add up"));
  // Fewer lengths than values.
  bad = DbpInt32({2}) + "ab";
  EXPECT_TRUE(StatusIs(DecodeDeltaLengthByteArray(U8(bad), bad.size(), 2, c.out()),
                       absl::StatusCode::kDataLoss, "lengths"));
  EXPECT_EQ(c.offsets.size(), 1u);  // every failure rolled back
  EXPECT_TRUE(c.data.empty());
  // Expansion limit: one 10-byte value repeated through prefixes.
  std::vector<int32_t> prefixes(1000, 10), suffixes(1000, 0);
  prefixes[0] = 0;
  suffixes[0] = 10;
  const std::string bomb = DbpInt32(prefixes) + DbpInt32(suffixes) + "0123456789";
  EXPECT_TRUE(StatusIs(DecodeDeltaByteArray(U8(bomb), bomb.size(), 1000, c.out(), 5000),
                       absl::StatusCode::kResourceExhausted));
  PLINTH_ASSERT_OK(DecodeDeltaByteArray(U8(bomb), bomb.size(), 1000, c.out()).status());
  EXPECT_EQ(c.data.size(), 10000u);
}

TEST(DeltaLengthByteArrayTest, LengthStreamWithUnusedMiniblockBodies) {
  // Lengths 3, 1: min delta -2, adjusted 0, 0... use a hand-built stream whose unused miniblocks
  // have non-zero widths and bodies, followed by the data.
  std::string lengths = {'\x80', '\x01', '\x04', '\x02',
                         '\x06'};                       // block 128, 4 mb, 2 values, first 3
  lengths += {'\x03', '\x00', '\x04', '\x02', '\x01'};  // min delta -2; widths 0, 4, 2, 1
  const std::string with_bodies = lengths + std::string(16 + 8 + 4, '\x55');
  const std::string page = with_bodies + "abcd";
  ByteArrayColumn c;
  PLINTH_ASSERT_OK_AND_ASSIGN(size_t used,
                              DecodeDeltaLengthByteArray(U8(page), page.size(), 2, c.out()));
  EXPECT_EQ(used, page.size());
  EXPECT_EQ(c.values(), (std::vector<std::string>{"abc", "d"}));
  // The spec's reading (no bodies) still works when the data follows directly.
  const std::string spec_page = lengths + "abcd";
  ByteArrayColumn d;
  PLINTH_ASSERT_OK_AND_ASSIGN(
      size_t used2, DecodeDeltaLengthByteArray(U8(spec_page), spec_page.size(), 2, d.out()));
  EXPECT_EQ(used2, spec_page.size());
  EXPECT_EQ(d.values(), (std::vector<std::string>{"abc", "d"}));
}

TEST(DeltaByteArrayTest, TruncationAtEveryLengthAndRandomBytes) {
  std::mt19937_64 rng(9);
  const std::vector<std::string> vals = RandomStrings(rng, 200);
  std::string dba, dlba;
  EncodeDeltaByteArray(Views(vals), &dba);
  EncodeDeltaLengthByteArray(Views(vals), &dlba);
  for (size_t len = 0; len < dba.size(); ++len) {
    ByteArrayColumn c;
    auto r = DecodeDeltaByteArray(U8(dba), len, 200, c.out());
    EXPECT_FALSE(r.ok()) << len;
    EXPECT_EQ(c.offsets.size(), 1u);
  }
  for (size_t len = 0; len < dlba.size(); ++len) {
    ByteArrayColumn c;
    EXPECT_FALSE(DecodeDeltaLengthByteArray(U8(dlba), len, 200, c.out()).ok()) << len;
  }
  for (int iter = 0; iter < 3000; ++iter) {
    std::string junk(rng() % 96, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    if (junk.size() > 3 && rng() % 2) junk.replace(0, 3, "\x80\x01\x04");
    const int n = static_cast<int>(rng() % 300);
    ByteArrayColumn a, b;
    (void)DecodeDeltaLengthByteArray(U8(junk), junk.size(), n, a.out());
    (void)DecodeDeltaByteArray(U8(junk), junk.size(), n, b.out(), 1 << 20);
  }
}

}  // namespace
}  // namespace plinth::parquet
