#include "plinth/serving/row_body.h"

#include <cmath>
#include <cstring>
#include <random>

#include "plinth/serving/instances.h"
#include "plinth/testing/fake_model.h"
#include "plinth/testing/test_util.h"

namespace plinth::serving {
namespace {

using testing::FakeModel;

const Servable& TwoInputs() {
  static const Servable* s = new Servable(std::make_unique<FakeModel>(std::vector<std::string>{"a", "b"}, 0));
  return *s;
}

// The matrix the document path decodes from `text`, or an error.
absl::StatusOr<FeatureMatrix> ThroughDocument(std::string_view text) {
  PLINTH_ASSIGN_OR_RETURN(Json body, ParseJsonObject(text));
  const Json* instances = &body["instances"];
  PLINTH_RETURN_IF_ERROR(CountInstances(instances, 1000).status());
  return DecodeInstances(*instances, TwoInputs());
}

void ExpectSameAsDocument(std::string_view text) {
  RowBody rows;
  ASSERT_TRUE(ParseRowBody(text, &rows)) << text;
  FeatureMatrix fast(rows.rows(), 2);
  ASSERT_TRUE(EncodeRowBody(rows, TwoInputs().encoder(), &fast)) << text;
  PLINTH_ASSERT_OK_AND_ASSIGN(FeatureMatrix dom, ThroughDocument(text));
  ASSERT_EQ(dom.rows(), fast.rows()) << text;
  for (size_t i = 0; i < fast.rows() * 2; ++i) {
    const double a = fast.data()[i], b = dom.data()[i];
    EXPECT_TRUE((std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0)
        << text << " value " << i << ": " << a << " vs " << b;
  }
}

TEST(RowBodyTest, CommonBodiesGiveTheDocumentsValuesBitForBit) {
  ExpectSameAsDocument(R"({"instances": [{"a": 1.5, "b": -2}]})");
  ExpectSameAsDocument(" {\n\t\"tenant\" : \"acme\" , \"instances\":[ {\"b\":null,\"a\":0} , {\"a\":-0,\"b\":1e-3} ] }\r\n");
  ExpectSameAsDocument(R"({"instances": [{"a": 9007199254740993, "b": -9223372036854775808}]})");
  ExpectSameAsDocument(R"({"instances": [{"a": 18446744073709551615, "b": 18446744073709551616}]})");
  ExpectSameAsDocument(R"({"instances": [{"a": 0.1, "b": 2.2250738585072014e-308}], "version": 3})");
  ExpectSameAsDocument(R"({"instances": [{"a": 123456789012345678901234567890, "b": 1E+2}]})");
  // Random numbers in many spellings.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const double v = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 100) * (rng() % 2 ? 1 : -1);
    char a[64], b[64];
    std::snprintf(a, sizeof a, "%.*g", static_cast<int>(rng() % 18) + 1, v);
    std::snprintf(b, sizeof b, "%lld", static_cast<long long>(rng()));
    ExpectSameAsDocument(StrCat(R"({"instances": [{"a": )", a, R"(, "b": )", b, "}]}"));
  }
}

TEST(RowBodyTest, TenantAndVersionAreRead) {
  RowBody rows;
  ASSERT_TRUE(ParseRowBody(R"({"version": 7, "tenant": "t-1", "instances": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]})", &rows));
  EXPECT_EQ(rows.tenant, "t-1");
  EXPECT_EQ(rows.version, 7);
  EXPECT_EQ(rows.rows(), 2u);
  ASSERT_TRUE(ParseRowBody(R"({"tenant": null, "version": null, "instances": [{"a": 1, "b": 2}]})", &rows));
  EXPECT_FALSE(rows.tenant.has_value());
  EXPECT_FALSE(rows.version.has_value());
}

TEST(RowBodyTest, EverythingElseIsLeftToTheDocument) {
  RowBody rows;
  for (const char* text : {
           "",                                                       // empty
           "{}",                                                     // no instances
           R"({"instances": []})",                                   // no rows
           R"({"instances": [[1, 2]]})",                             // arrays of values
           R"({"instances": [{"a": "paris", "b": 1}]})",             // category names
           R"({"instances": [{"a": true, "b": 1}]})",                // booleans
           R"({"instances": [{"a": {"x": 1}, "b": 1}]})",            // nested
           R"({"instances": [{"a": 01, "b": 1}]})",                  // leading zero
           R"({"instances": [{"a": 1., "b": 1}]})",                  // bare point
           R"({"instances": [{"a": .5, "b": 1}]})",
           R"({"instances": [{"a": +1, "b": 1}]})",
           R"({"instances": [{"a": NaN, "b": 1}]})",
           R"({"instances": [{"a": 1e400, "b": 1}]})",               // out of range: the document decides
           R"({"instances": [{"a": 1, "b": 1},]})",                  // trailing comma
           R"({"instances": [{"a": 1, "b": 1}]} x)",                 // trailing text
           R"({"instances": [{"\u0061": 1, "b": 1}]})",              // escapes
           "{\"instances\": [{\"\xc3\xa9\": 1, \"b\": 1}]}",         // non-ASCII
           R"({"instances": [{"a": 1, "b": 1}], "entities": []})",   // other keys
           R"({"instances": [{"a": 1, "b": 1}], "instances": [{"a": 1, "b": 1}]})",
           R"({"instances": [{"a": 1, "b": 1}], "tenant": 5})",
           R"({"instances": [{"a": 1, "b": 1}], "version": 1.5})",
           R"({"instances": [{"a": 1, "b": 1}], "version": 9223372036854775808})",
           R"([{"a": 1, "b": 1}])",
       }) {
    EXPECT_FALSE(ParseRowBody(text, &rows)) << text;
  }
  // A NUL byte after the body.
  EXPECT_FALSE(ParseRowBody(std::string_view("{\"instances\": [{\"a\": 1, \"b\": 1}]}\0", 35), &rows));
}

TEST(RowBodyTest, RowsThatDoNotFitTheModelAreLeftToTheDocument) {
  const runtime::RowEncoder& encoder = TwoInputs().encoder();
  for (const char* text : {
           R"({"instances": [{"a": 1}]})",                  // missing feature
           R"({"instances": [{"a": 1, "b": 2, "c": 3}]})",  // unknown feature
           R"({"instances": [{"a": 1, "a": 2}]})",          // repeated (the document keeps the last)
       }) {
    RowBody rows;
    ASSERT_TRUE(ParseRowBody(text, &rows)) << text;
    FeatureMatrix m(rows.rows(), 2);
    EXPECT_FALSE(EncodeRowBody(rows, encoder, &m)) << text;
  }
}

}  // namespace
}  // namespace plinth::serving
