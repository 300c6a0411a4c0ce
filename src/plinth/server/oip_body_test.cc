#include "plinth/server/oip_body.h"

#include <cmath>
#include <cstring>
#include <random>

#include "plinth/server/oip_tensors.h"
#include "plinth/testing/fake_model.h"
#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

using testing::FakeModel;

const serving::Servable& OipThreeInputs() {
  static const serving::Servable* s = new serving::Servable(std::make_unique<FakeModel>(std::vector<std::string>{"a", "b", "c"}, 0));
  return *s;
}

constexpr int64_t kOipMaxRows = 100;

void ExpectOipSameAsDocument(std::string_view text) {
  OipBody body;
  ASSERT_TRUE(ParseOipBody(text, &body)) << text;
  std::optional<serving::FeatureMatrix> fast = EncodeOipBody(body, OipThreeInputs().encoder(), kOipMaxRows);
  ASSERT_TRUE(fast.has_value()) << text;
  PLINTH_ASSERT_OK_AND_ASSIGN(Json doc, ParseJsonObject(text));
  PLINTH_ASSERT_OK_AND_ASSIGN(serving::FeatureMatrix dom, DecodeOipInputs(doc["inputs"], OipThreeInputs(), kOipMaxRows));
  ASSERT_EQ(dom.rows(), fast->rows()) << text;
  ASSERT_EQ(dom.cols(), fast->cols()) << text;
  for (size_t i = 0; i < fast->rows() * fast->cols(); ++i) {
    const double a = fast->data()[i], b = dom.data()[i];
    EXPECT_TRUE((std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0)
        << text << " value " << i << ": " << a << " vs " << b;
  }
}

// Not taken by the fast reader, or taken but not encoded: the document path answers.
void ExpectOipDocumentPath(std::string_view text) {
  OipBody body;
  if (!ParseOipBody(text, &body)) return;
  EXPECT_FALSE(EncodeOipBody(body, OipThreeInputs().encoder(), kOipMaxRows).has_value()) << text;
}

TEST(OipBodyTest, CommonBodiesGiveTheDocumentsValuesBitForBit) {
  // One [rows, features] tensor, flat or nested, each float datatype.
  ExpectOipSameAsDocument(R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [0.1, null, 3e38]}]})");
  ExpectOipSameAsDocument(R"({"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP64", "data": [[0.1, -2, 1e-300], [4, 5, null]]}]})");
  ExpectOipSameAsDocument(R"({"id": "r1", "parameters": {"tenant": "acme"}, "outputs": [{"name": "predict"}],
      "inputs": [{"data": [[1, 2, 3]], "datatype": "FP16", "shape": [1, 3], "name": "input-0"}]})");
  // One tensor per feature, [rows] or [rows, 1], integer datatypes, any order.
  ExpectOipSameAsDocument(R"({"inputs": [{"name": "c", "shape": [2], "datatype": "INT64", "data": [1, null]},
      {"name": "a", "shape": [2, 1], "datatype": "FP32", "data": [[0.3], [0.7]]},
      {"name": "b", "shape": [2], "datatype": "INT64", "data": [9007199254740993, -9223372036854775808]}]})");
  // Random numbers in many spellings, FP32 and FP64.
  std::mt19937_64 rng(11);
  for (int i = 0; i < 1000; ++i) {
    std::string data;
    for (int k = 0; k < 3; ++k) {
      // Up to 2^152 for FP64; FP32 (odd i) stays within its range (2^102).
      const int span = i % 2 ? 150 : 200;
      const double v = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % span) - 100) * (rng() % 2 ? 1 : -1);
      char text[64];
      std::snprintf(text, sizeof text, "%.*g", static_cast<int>(rng() % 18) + 1, v);
      StrAppend(&data, k > 0 ? "," : "", text);
    }
    ExpectOipSameAsDocument(StrCat(R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": ")", i % 2 ? "FP32" : "FP64",
                                R"(", "data": [)", data, "]}]}"));
  }
}

TEST(OipBodyTest, BodiesOutsideTheCommonShapeOrInErrorGoThroughTheDocument) {
  OipBody body;
  for (const char* text : {
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "BOOL", "data": [true, false, true]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "BYTES", "data": ["a", "b", "c"]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3], "parameters": {}}]})",
           R"({"inputs": [{"name": "x\u0041", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "INT32", "data": [1, 2.5, 3]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [[[1, 2, 3]]]}]})",
           R"({"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2], [3, 4, 5, 6]]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "INT8", "data": [1, 2, 128]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 1e39]}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "other": 1})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "proba"}]})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "parameters": {"tenant": 5}})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "id": null})",
           R"({"inputs": [{"name": "x", "name": "y", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]})",
           R"({"inputs": []})",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]} x)",
           R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [[[[[[[[[[1, 2, 3]]]]]]]]]]}]})",
       }) {
    EXPECT_FALSE(ParseOipBody(text, &body)) << text;
  }
  // Parsed, but the document path gives the error (shapes, unknown or missing features, rows).
  ExpectOipDocumentPath(R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]})");
  ExpectOipDocumentPath(R"({"inputs": [{"name": "x", "shape": [3], "datatype": "FP32", "data": [1, 2, 3]}]})");
  ExpectOipDocumentPath(R"({"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]}]})");
  ExpectOipDocumentPath(R"({"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]},
      {"name": "a", "shape": [1], "datatype": "FP32", "data": [1]}, {"name": "b", "shape": [1], "datatype": "FP32", "data": [1]}]})");
  ExpectOipDocumentPath(R"({"inputs": [{"name": "a", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]},
      {"name": "b", "shape": [1], "datatype": "FP32", "data": [1]}, {"name": "c", "shape": [1], "datatype": "FP32", "data": [1]}]})");
  ExpectOipDocumentPath(R"({"inputs": [{"name": "x", "shape": [0, 3], "datatype": "FP32", "data": []}]})");
  std::string many = R"({"inputs": [{"name": "x", "shape": [101, 3], "datatype": "FP64", "data": [)";
  for (int i = 0; i < 303; ++i) StrAppend(&many, i > 0 ? "," : "", i);
  many += "]}]}";
  ExpectOipDocumentPath(many);
}

}  // namespace
}  // namespace plinth::server
