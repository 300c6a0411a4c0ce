#include "plinth/runtime/ubjson.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace plinth::runtime {
namespace {

using namespace std::string_literals;  // "...\x00..."s keeps embedded zero bytes

// Big-endian bytes of an integer of `n` bytes, or of a float.
std::string BE(uint64_t v, int n) {
  std::string s;
  for (int i = n - 1; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}
std::string F32(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return BE(u, 4);
}
std::string Key(std::string_view k) { return "i" + BE(k.size(), 1) + std::string(k); }
std::string Str(std::string_view s) { return "S" + Key(s); }

Json ParseUbj(const std::string& bytes) {
  auto j = ParseUbjson(bytes);
  EXPECT_TRUE(j.ok()) << j.status();
  return j.ok() ? *j : Json();
}

std::string UbjErrorOf(const std::string& bytes) {
  auto j = ParseUbjson(bytes);
  EXPECT_FALSE(j.ok()) << "parsed: " << (j.ok() ? j->dump() : "");
  return j.ok() ? "" : std::string(j.status().message());
}

TEST(Ubjson, Scalars) {
  EXPECT_TRUE(ParseUbj("Z").is_null());
  EXPECT_EQ(ParseUbj("T"), Json(true));
  EXPECT_EQ(ParseUbj("F"), Json(false));
  EXPECT_EQ(ParseUbj("i\xff"), Json(-1));
  EXPECT_EQ(ParseUbj("U\xff"), Json(255));
  EXPECT_EQ(ParseUbj("I" + BE(0x8000, 2)), Json(-32768));
  EXPECT_EQ(ParseUbj("l" + BE(0xfffffffe, 4)), Json(-2));
  EXPECT_EQ(ParseUbj("L" + BE(0x0102030405060708ULL, 8)), Json(int64_t{0x0102030405060708LL}));
  EXPECT_EQ(ParseUbj("d" + F32(0.1f)).get<double>(), static_cast<double>(0.1f));
  double d = 0.1;
  uint64_t u;
  std::memcpy(&u, &d, 8);
  EXPECT_EQ(ParseUbj("D" + BE(u, 8)).get<double>(), 0.1);
  EXPECT_EQ(ParseUbj(Str("héllo")), Json("héllo"));
  EXPECT_EQ(ParseUbj("Cx"), Json("x"));
  EXPECT_EQ(ParseUbj("H" + Key("3.14159265358979323846")), Json("3.14159265358979323846"));
  EXPECT_TRUE(std::isnan(ParseUbj("d" + F32(std::numeric_limits<float>::quiet_NaN())).get<double>()));
}

TEST(Ubjson, Containers) {
  // {"a": [1, "x", [true]], "b": {}} with no-ops between values.
  std::string bytes = "{" + Key("a") + "[Ni\x01N" + Str("x") + "[T]]" + Key("b") + "{}N}";
  EXPECT_EQ(ParseUbj(bytes), Json::parse(R"({"a": [1, "x", [true]], "b": {}})"));
  // Counted, and typed + counted, arrays and objects (no closing marker).
  EXPECT_EQ(ParseUbj("[#i\x02i\x05" + Str("y")), Json::parse(R"([5, "y"])"));
  EXPECT_EQ(ParseUbj("[$d#i\x03" + F32(1.5f) + F32(-2.0f) + F32(0.25f)), Json::parse("[1.5, -2.0, 0.25]"));
  EXPECT_EQ(ParseUbj("[$U#i\x03\x01\x00\xff"s), Json::parse("[1, 0, 255]"));
  EXPECT_EQ(ParseUbj("[$l#U\x02" + BE(7, 4) + BE(0xffffffff, 4)), Json::parse("[7, -1]"));
  EXPECT_EQ(ParseUbj("[$S#i\x02" + Key("p") + Key("q")), Json::parse(R"(["p", "q"])"));
  EXPECT_EQ(ParseUbj("{$i#i\x02" + Key("a") + "\x01" + Key("b") + "\x02"), Json::parse(R"({"a": 1, "b": 2})"));
  EXPECT_EQ(ParseUbj("{#i\x01" + Key("k") + "Z"), Json::parse(R"({"k": null})"));
  EXPECT_EQ(ParseUbj("[$i#i\x00"s), Json::array());
  EXPECT_EQ(ParseUbj("[$[#i\x02]]"), Json::parse("[[], []]"));  // typed containers of containers
  EXPECT_EQ(ParseUbj("{${#i\x01" + Key("o") + Key("k") + "T}"), Json::parse(R"({"o": {"k": true}})"));
}

TEST(Ubjson, AgreesWithNlohmannEncoder) {
  Json doc = Json::parse(R"({"learner": {"n": [1, -2, 300, 70000, 5000000000], "f": [0.5, -1e300, 3.25],
                              "s": ["a", "bc", ""], "o": {"x": [[], {}], "t": true, "z": null}}})");
  for (bool size : {false, true}) {
    for (bool type : {false, true}) {
      if (type && !size) continue;
      std::vector<uint8_t> bytes = Json::to_ubjson(doc, size, type);
      EXPECT_EQ(ParseUbj(std::string(bytes.begin(), bytes.end())), doc) << size << type;
    }
  }
}

TEST(Ubjson, Errors) {
  EXPECT_NE(UbjErrorOf("").find("unexpected end of data at byte offset 0"), std::string::npos);
  EXPECT_NE(UbjErrorOf("[i\x01X]").find("unknown marker 0x58 at byte offset 3"), std::string::npos);
  EXPECT_NE(UbjErrorOf("ZZ").find("trailing bytes after the document at byte offset 1"), std::string::npos);
  EXPECT_NE(UbjErrorOf("Si\xff").find("negative length -1"), std::string::npos);
  EXPECT_NE(UbjErrorOf("Sd" + F32(1)).find("expected an integer length"), std::string::npos);
  EXPECT_NE(UbjErrorOf("Si\x05" "abc").find("string of 5 bytes with 3 bytes left"), std::string::npos);
  EXPECT_NE(UbjErrorOf("[$T#i\x05").find("typed container of marker 0x54 is not supported"), std::string::npos);
  EXPECT_NE(UbjErrorOf("[$d" + F32(1)).find("typed container without a count"), std::string::npos);
  EXPECT_NE(UbjErrorOf("[i\x01").find("unexpected end of data at byte offset 3"), std::string::npos);
  EXPECT_NE(UbjErrorOf("{" + Key("a")).find("unexpected end of data"), std::string::npos);
  EXPECT_NE(UbjErrorOf("{i").find("unexpected end of data in a length"), std::string::npos);
  // Huge counts are refused before anything is allocated.
  EXPECT_NE(UbjErrorOf("[$d#L" + BE(1ULL << 60, 8)).find("container of 1152921504606846976 elements"), std::string::npos);
  EXPECT_NE(UbjErrorOf("[$D#l" + BE(3, 4) + std::string(16, '\0')).find("container of 3 elements with 16 bytes left"),
            std::string::npos);
  EXPECT_NE(UbjErrorOf("[#l" + BE(1000, 4) + "ZZZ").find("container of 1000 elements"), std::string::npos);
  EXPECT_NE(UbjErrorOf("{#l" + BE(-5, 4)).find("negative length"), std::string::npos);
}

TEST(Ubjson, DepthIsBounded) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseUbjson(ok).ok());
  std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_NE(UbjErrorOf(deep).find("nested deeper than 1000 levels at byte offset 1000"), std::string::npos);
  std::string objects;  // {"a":{"a":...}} nested beyond the limit
  for (int i = 0; i < 2000; ++i) objects += "{" + Key("a");
  EXPECT_NE(UbjErrorOf(objects).find("nested deeper"), std::string::npos);
}

TEST(Ubjson, EveryTruncationAndByteFlipFailsCleanly) {
  Json doc = Json::parse(R"({"a": [1, 2.5, "xyz", {"b": [true, false, null]}], "c": -70000})");
  std::vector<uint8_t> v = Json::to_ubjson(doc, true, true);
  std::string bytes(v.begin(), v.end());
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(ParseUbjson(bytes.substr(0, n)).ok()) << n;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int b : {0x00, 0x23, 0x24, 0x5b, 0x7b, 0x7f, 0x80, 0xff}) {
      std::string mutated = bytes;
      mutated[i] = static_cast<char>(b);
      (void)ParseUbjson(mutated);  // any result, as long as it does not crash
    }
  }
}

}  // namespace
}  // namespace plinth::runtime
