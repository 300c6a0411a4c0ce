#include "plinth/storage/parquet/thrift_compact.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;

ThriftCompactReader ReaderOf(const std::string& bytes) {
  return ThriftCompactReader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string ByteString(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

TEST(ThriftCompactTest, ZigZagVarintEdgeCases) {
  const std::vector<int32_t> i32s = {0, 1, -1, 63, -64, 64, 127, 128, -129, 300,
                                     std::numeric_limits<int32_t>::max(),
                                     std::numeric_limits<int32_t>::min()};
  const std::vector<int64_t> i64s = {0, -1, 1LL << 40, -(1LL << 40),
                                     std::numeric_limits<int64_t>::max(),
                                     std::numeric_limits<int64_t>::min()};
  const std::vector<int16_t> i16s = {0, -1, 1, std::numeric_limits<int16_t>::max(),
                                     std::numeric_limits<int16_t>::min()};
  std::string out;
  ThriftCompactWriter w(&out);
  for (int32_t v : i32s) w.WriteI32(v);
  for (int64_t v : i64s) w.WriteI64(v);
  for (int16_t v : i16s) w.WriteI16(v);
  w.WriteI8(-128);
  w.WriteDouble(-2.5);
  w.WriteBinary("hello");
  w.WriteBinary("");
  w.WriteBool(true);
  w.WriteBool(false);

  auto r = ReaderOf(out);
  for (int32_t v : i32s) {
    PLINTH_ASSERT_OK_AND_ASSIGN(int32_t got, r.ReadI32());
    EXPECT_EQ(got, v);
  }
  for (int64_t v : i64s) {
    PLINTH_ASSERT_OK_AND_ASSIGN(int64_t got, r.ReadI64());
    EXPECT_EQ(got, v);
  }
  for (int16_t v : i16s) {
    PLINTH_ASSERT_OK_AND_ASSIGN(int16_t got, r.ReadI16());
    EXPECT_EQ(got, v);
  }
  PLINTH_ASSERT_OK_AND_ASSIGN(int8_t b, r.ReadI8());
  EXPECT_EQ(b, -128);
  PLINTH_ASSERT_OK_AND_ASSIGN(double d, r.ReadDouble());
  EXPECT_EQ(d, -2.5);
  PLINTH_ASSERT_OK_AND_ASSIGN(std::string s, r.ReadString());
  EXPECT_EQ(s, "hello");
  PLINTH_ASSERT_OK_AND_ASSIGN(std::string empty, r.ReadString());
  EXPECT_EQ(empty, "");
  PLINTH_ASSERT_OK_AND_ASSIGN(bool t, r.ReadBool());
  PLINTH_ASSERT_OK_AND_ASSIGN(bool f, r.ReadBool());
  EXPECT_TRUE(t);
  EXPECT_FALSE(f);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftCompactTest, KnownEncodings) {
  // zigzag(-1) = 1, zigzag(1) = 2, zigzag(-64) = 127, zigzag(64) = 128 = 0x80 0x01.
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteI32(-1);
  w.WriteI32(1);
  w.WriteI32(-64);
  w.WriteI32(64);
  EXPECT_EQ(out, ByteString({0x01, 0x02, 0x7F, 0x80, 0x01}));
}

TEST(ThriftCompactTest, RejectsOverlongAndOverflowingVarints) {
  // Six bytes for an i32.
  auto r1 = ReaderOf(ByteString({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}));
  EXPECT_TRUE(StatusIs(r1.ReadI32(), absl::StatusCode::kInvalidArgument, "varint"));
  // Five bytes whose last one carries bits beyond 32.
  auto r2 = ReaderOf(ByteString({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}));
  EXPECT_TRUE(StatusIs(r2.ReadI32(), absl::StatusCode::kInvalidArgument, "overflows 32 bits"));
  // The largest valid 5-byte i32 varint.
  auto r3 = ReaderOf(ByteString({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
  PLINTH_ASSERT_OK_AND_ASSIGN(int32_t v, r3.ReadI32());
  EXPECT_EQ(v, std::numeric_limits<int32_t>::min());
  // Eleven bytes for an i64; ten bytes with bits beyond 64.
  auto r4 = ReaderOf(ByteString({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}));
  EXPECT_TRUE(StatusIs(r4.ReadI64(), absl::StatusCode::kInvalidArgument, "varint"));
  auto r5 = ReaderOf(ByteString({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}));
  EXPECT_TRUE(StatusIs(r5.ReadI64(), absl::StatusCode::kInvalidArgument, "overflows 64 bits"));
  // An i16 out of range.
  auto r6 = ReaderOf(ByteString({0x80, 0x80, 0x04}));
  EXPECT_TRUE(StatusIs(r6.ReadI16(), absl::StatusCode::kInvalidArgument, "i16"));
  // Truncated varint: DataLoss naming the offset.
  auto r7 = ReaderOf(ByteString({0x80, 0x80}));
  EXPECT_TRUE(StatusIs(r7.ReadI64(), absl::StatusCode::kDataLoss, "byte offset 0"));
}

TEST(ThriftCompactTest, FieldHeadersShortAndLongForm) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 7);        // delta 1: short form
  w.WriteI32Field(16, 8);       // delta 15: short form
  w.WriteI32Field(32, 9);       // delta 16: long form
  w.WriteI32Field(5, 10);       // going back: long form
  w.WriteI32Field(-3, 11);      // negative id: long form
  w.WriteBoolField(6, true);    // delta from -3 is 9: short form carrying the value
  w.WriteBoolField(300, false);  // long form bool
  w.WriteFieldStop();
  w.WriteStructEnd();
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x15);  // delta 1, type i32
  EXPECT_EQ(static_cast<uint8_t>(out[2]), 0xF5);  // delta 15, type i32
  EXPECT_EQ(static_cast<uint8_t>(out[4]), 0x05);  // long form: type only, then zigzag(32)=64
  EXPECT_EQ(static_cast<uint8_t>(out[5]), 64);

  auto r = ReaderOf(out);
  PLINTH_ASSERT_OK(r.ReadStructBegin());
  const std::vector<std::pair<int16_t, int32_t>> want = {{1, 7}, {16, 8}, {32, 9}, {5, 10},
                                                         {-3, 11}};
  for (auto [id, value] : want) {
    PLINTH_ASSERT_OK_AND_ASSIGN(ThriftFieldHeader h, r.ReadFieldHeader());
    EXPECT_EQ(h.id, id);
    EXPECT_EQ(h.type, CompactType::kI32);
    PLINTH_ASSERT_OK_AND_ASSIGN(int32_t v, r.ReadI32());
    EXPECT_EQ(v, value);
  }
  PLINTH_ASSERT_OK_AND_ASSIGN(ThriftFieldHeader b1, r.ReadFieldHeader());
  EXPECT_EQ(b1.id, 6);
  EXPECT_EQ(b1.type, CompactType::kBoolTrue);
  PLINTH_ASSERT_OK_AND_ASSIGN(bool v1, r.ReadBool());
  EXPECT_TRUE(v1);
  PLINTH_ASSERT_OK_AND_ASSIGN(ThriftFieldHeader b2, r.ReadFieldHeader());
  EXPECT_EQ(b2.id, 300);
  PLINTH_ASSERT_OK_AND_ASSIGN(bool v2, r.ReadBool());
  EXPECT_FALSE(v2);
  PLINTH_ASSERT_OK_AND_ASSIGN(ThriftFieldHeader stop, r.ReadFieldHeader());
  EXPECT_TRUE(stop.is_stop());
  PLINTH_ASSERT_OK(r.ReadStructEnd());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, NestedStructsRestoreFieldIds) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(3, 1);
  w.WriteFieldHeader(4, CompactType::kStruct);
  w.WriteStructBegin();
  w.WriteI32Field(1, 2);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteI32Field(5, 3);  // delta 1 from 4, not from the inner struct's 1
  w.WriteFieldStop();
  w.WriteStructEnd();

  auto r = ReaderOf(out);
  PLINTH_ASSERT_OK(r.ReadStructBegin());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto f3, r.ReadFieldHeader());
  EXPECT_EQ(f3.id, 3);
  PLINTH_ASSERT_OK(r.ReadI32().status());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto f4, r.ReadFieldHeader());
  EXPECT_EQ(f4.id, 4);
  PLINTH_ASSERT_OK(r.ReadStructBegin());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto inner, r.ReadFieldHeader());
  EXPECT_EQ(inner.id, 1);
  PLINTH_ASSERT_OK(r.ReadI32().status());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto inner_stop, r.ReadFieldHeader());
  EXPECT_TRUE(inner_stop.is_stop());
  PLINTH_ASSERT_OK(r.ReadStructEnd());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto f5, r.ReadFieldHeader());
  EXPECT_EQ(f5.id, 5);
}

TEST(ThriftCompactTest, ListsAndMaps) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteListHeader(CompactType::kI32, 3);
  for (int i = 0; i < 3; ++i) w.WriteI32(i);
  w.WriteListHeader(CompactType::kBinary, 20);  // long form size
  for (int i = 0; i < 20; ++i) w.WriteBinary("x");
  w.WriteListHeader(CompactType::kBoolTrue, 2);
  w.WriteBool(false);
  w.WriteBool(true);
  w.WriteMapHeader(CompactType::kBinary, CompactType::kI64, 1);
  w.WriteBinary("k");
  w.WriteI64(-5);
  w.WriteMapHeader(CompactType::kBinary, CompactType::kI64, 0);

  auto r = ReaderOf(out);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto l1, r.ReadListHeader());
  EXPECT_EQ(l1.size, 3u);
  EXPECT_EQ(l1.element_type, CompactType::kI32);
  for (int i = 0; i < 3; ++i) PLINTH_ASSERT_OK(r.ReadI32().status());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto l2, r.ReadListHeader());
  EXPECT_EQ(l2.size, 20u);
  for (int i = 0; i < 20; ++i) PLINTH_ASSERT_OK(r.ReadBinary().status());
  PLINTH_ASSERT_OK_AND_ASSIGN(auto l3, r.ReadListHeader());
  EXPECT_EQ(l3.size, 2u);
  PLINTH_ASSERT_OK_AND_ASSIGN(bool e0, r.ReadBool());
  PLINTH_ASSERT_OK_AND_ASSIGN(bool e1, r.ReadBool());
  EXPECT_FALSE(e0);
  EXPECT_TRUE(e1);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto m, r.ReadMapHeader());
  EXPECT_EQ(m.size, 1u);
  EXPECT_EQ(m.key_type, CompactType::kBinary);
  EXPECT_EQ(m.value_type, CompactType::kI64);
  PLINTH_ASSERT_OK(r.ReadBinary().status());
  PLINTH_ASSERT_OK_AND_ASSIGN(int64_t mv, r.ReadI64());
  EXPECT_EQ(mv, -5);
  PLINTH_ASSERT_OK_AND_ASSIGN(auto empty, r.ReadMapHeader());
  EXPECT_EQ(empty.size, 0u);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, CollectionSizesAreCheckedAgainstRemainingBytes) {
  // A list claiming 2^31 i32 elements in a 6-byte buffer.
  std::string huge;
  ThriftCompactWriter w(&huge);
  w.WriteListHeader(CompactType::kI32, 1u << 31);
  auto r1 = ReaderOf(huge);
  EXPECT_TRUE(StatusIs(r1.ReadListHeader(), absl::StatusCode::kDataLoss, "cannot fit"));
  // Doubles need 8 bytes each: 2 doubles do not fit in 15 bytes.
  std::string doubles = ByteString({0x27});
  doubles.append(15, '\0');
  auto r2 = ReaderOf(doubles);
  EXPECT_TRUE(StatusIs(r2.ReadListHeader(), absl::StatusCode::kDataLoss, "cannot fit"));
  // Map with more entries than bytes.
  std::string map;
  ThriftCompactWriter mw(&map);
  mw.WriteMapHeader(CompactType::kBinary, CompactType::kBinary, 1000);
  auto r3 = ReaderOf(map);
  EXPECT_TRUE(StatusIs(r3.ReadMapHeader(), absl::StatusCode::kDataLoss, "cannot fit"));
  // Binary longer than the input.
  auto r4 = ReaderOf(ByteString({0x0A, 'a', 'b'}));
  EXPECT_TRUE(StatusIs(r4.ReadBinary(), absl::StatusCode::kDataLoss, "binary"));
  // Invalid element type in a non-empty list; invalid field type.
  auto r5 = ReaderOf(ByteString({0x1D, 0x00}));
  EXPECT_TRUE(StatusIs(r5.ReadListHeader(), absl::StatusCode::kInvalidArgument, "element type"));
  auto r6 = ReaderOf(ByteString({0x1D}));
  PLINTH_ASSERT_OK(r6.ReadStructBegin());
  EXPECT_TRUE(StatusIs(r6.ReadFieldHeader(), absl::StatusCode::kInvalidArgument, "field type"));
}

TEST(ThriftCompactTest, SkipsNestedUnknownValues) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 42);
  // Field 2: struct { list<struct{ map<binary,list<double>>, bool }>, i8, set<i16> }.
  w.WriteFieldHeader(2, CompactType::kStruct);
  w.WriteStructBegin();
  w.WriteFieldHeader(1, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.WriteStructBegin();
    w.WriteFieldHeader(7, CompactType::kMap);
    w.WriteMapHeader(CompactType::kBinary, CompactType::kList, 1);
    w.WriteBinary("key");
    w.WriteListHeader(CompactType::kDouble, 2);
    w.WriteDouble(1.0);
    w.WriteDouble(2.0);
    w.WriteBoolField(8, true);
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  w.WriteI8Field(2, 5);
  w.WriteFieldHeader(3, CompactType::kSet);
  w.WriteSetHeader(CompactType::kI16, 2);
  w.WriteI16(1);
  w.WriteI16(2);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteBoolField(3, false);
  w.WriteI64Field(4, 99);
  w.WriteFieldStop();
  w.WriteStructEnd();

  auto r = ReaderOf(out);
  PLINTH_ASSERT_OK(r.ReadStructBegin());
  int64_t last = 0;
  while (true) {
    PLINTH_ASSERT_OK_AND_ASSIGN(ThriftFieldHeader f, r.ReadFieldHeader());
    if (f.is_stop()) break;
    if (f.id == 4) {
      PLINTH_ASSERT_OK_AND_ASSIGN(last, r.ReadI64());
    } else {
      PLINTH_ASSERT_OK(r.Skip(f.type));
    }
  }
  PLINTH_ASSERT_OK(r.ReadStructEnd());
  EXPECT_EQ(last, 99);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, SkipEnforcesDepthLimit) {
  // 100 nested structs (each: field 1 of type struct).
  std::string deep(100, static_cast<char>(0x1C));
  deep.append(100, '\0');
  auto r = ReaderOf(deep);
  EXPECT_TRUE(StatusIs(r.Skip(CompactType::kStruct), absl::StatusCode::kInvalidArgument,
                       "nesting deeper than 64"));
  // Nested lists: each a 1-element list of lists.
  std::string lists(100, static_cast<char>(0x19));
  auto r2 = ReaderOf(lists);
  EXPECT_TRUE(StatusIs(r2.Skip(CompactType::kList), absl::StatusCode::kInvalidArgument,
                       "nesting"));
  // 60 levels are fine.
  std::string ok(60, static_cast<char>(0x1C));
  ok.append(61, '\0');
  auto r3 = ReaderOf(ok);
  PLINTH_EXPECT_OK(r3.Skip(CompactType::kStruct));
}

TEST(ThriftCompactTest, TruncationAtEveryOffsetFailsCleanly) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI64Field(1, 1LL << 50);
  w.WriteBinaryField(2, "some bytes");
  w.WriteFieldHeader(3, CompactType::kList);
  w.WriteListHeader(CompactType::kDouble, 2);
  w.WriteDouble(1.5);
  w.WriteDouble(2.5);
  w.WriteFieldStop();
  w.WriteStructEnd();
  for (size_t n = 0; n < out.size(); ++n) {
    auto r = ThriftCompactReader(reinterpret_cast<const uint8_t*>(out.data()), n);
    absl::Status st = r.Skip(CompactType::kStruct);
    EXPECT_FALSE(st.ok()) << "prefix of " << n << " bytes";
    EXPECT_TRUE(st.code() == absl::StatusCode::kDataLoss ||
                st.code() == absl::StatusCode::kInvalidArgument)
        << st;
    EXPECT_NE(std::string(st.message()).find("byte offset"), std::string::npos) << st;
  }
  auto r = ReaderOf(out);
  PLINTH_EXPECT_OK(r.Skip(CompactType::kStruct));
}

}  // namespace
}  // namespace plinth::parquet
