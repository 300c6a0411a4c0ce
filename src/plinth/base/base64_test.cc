#include "plinth/base/base64.h"

#include "plinth/testing/test_util.h"

namespace plinth {
namespace {

// RFC 4648 section 10 vectors, without padding.
TEST(Base64UrlTest, KnownVectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},          {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_EQ(Base64UrlDecode(encoded), plain) << encoded;
  }
}

TEST(Base64UrlTest, UsesUrlSafeAlphabet) {
  // Standard base64 of these bytes is "+/8=" and "-_-_".
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(Base64UrlTest, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t n = 0; n <= all.size(); n += 17) {
    std::string bytes = all.substr(0, n);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << n;
  }
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all)), all);
}

TEST(Base64UrlTest, RejectsInvalidInput) {
  for (const char* bad : {"Z", "Zm9vY", "Zm9v=", "Zg==", "Zm+v", "Zm/v", "Zm9v!", "Zm 9v", "Zm9\n"}) {
    EXPECT_EQ(Base64UrlDecode(bad), std::nullopt) << bad;
  }
}

}  // namespace
TEST(Base64StdTest, PaddedStandardAlphabet) {
  EXPECT_EQ(Base64Encode(std::string("\x00\x01\x02", 3)), "AAEC");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Decode("YWI="), "ab");
  EXPECT_EQ(Base64Decode("YWI"), "ab");
  EXPECT_EQ(Base64Decode("+/8="), "\xfb\xff");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_FALSE(Base64Decode("-_8="));
  EXPECT_FALSE(Base64Decode("A==="));
}

}  // namespace plinth
