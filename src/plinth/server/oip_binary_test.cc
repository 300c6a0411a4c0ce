#include "plinth/server/oip_binary.h"

#include <cmath>
#include <cstring>

#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

// A binary request: `inputs` (JSON, their binary_data_size set by the caller), then `payload`.
absl::StatusOr<Json> Decode(const std::string& inputs, const std::string& payload) {
  const std::string header = StrCat(R"({"inputs": )", inputs, "}");
  return DecodeOipBinaryRequest(header + payload, std::to_string(header.size()));
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(OipBinaryTest, EveryDatatypeDecodesLittleEndian) {
  PLINTH_ASSERT_OK_AND_ASSIGN(Json r, Decode(R"([
      {"name": "a", "shape": [2], "datatype": "INT8", "parameters": {"binary_data_size": 2}},
      {"name": "b", "shape": [2], "datatype": "UINT16", "parameters": {"binary_data_size": 4}},
      {"name": "c", "shape": [2], "datatype": "INT32", "parameters": {"binary_data_size": 8}},
      {"name": "d", "shape": [3], "datatype": "FP16", "parameters": {"binary_data_size": 6}},
      {"name": "e", "shape": [2], "datatype": "BOOL", "parameters": {"binary_data_size": 2, "other": 1}},
      {"name": "f", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": 14}},
      {"name": "g", "shape": [1], "datatype": "FP64", "data": [0.5]}])",
      Bytes({0xff, 0x7f}) + Bytes({0x01, 0x02, 0xff, 0xff}) + Bytes({0xfe, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80}) +
          Bytes({0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00}) + Bytes({1, 0}) + Bytes({4, 0, 0, 0}) + "oslo" + Bytes({2, 0, 0, 0}) +
          "\xc3\xa9"));
  const Json& in = r["inputs"];
  EXPECT_EQ(in[0]["data"], Json::parse("[-1, 127]"));
  EXPECT_EQ(in[1]["data"], Json::parse("[513, 65535]"));
  EXPECT_EQ(in[2]["data"], Json::parse("[-2, -2147483648]"));
  EXPECT_EQ(in[3]["data"][0].get<double>(), 1.0);
  EXPECT_EQ(in[3]["data"][1].get<double>(), -2.0);
  EXPECT_EQ(in[3]["data"][2].get<double>(), std::ldexp(1.0, -24));  // the smallest subnormal half
  EXPECT_EQ(in[4]["data"], Json::parse("[true, false]"));
  EXPECT_EQ(in[4]["parameters"], Json::parse(R"({"other": 1})"));  // binary_data_size removed
  EXPECT_EQ(in[5]["data"], Json::parse(R"(["oslo", "é"])"));
  EXPECT_FALSE(in[5].contains("parameters"));
  EXPECT_EQ(in[6]["data"], Json::parse("[0.5]"));
}

TEST(OipBinaryTest, SizesThatDoNotAddUpAreNamed) {
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "f", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 6}}])",
                              Bytes({9, 0, 0, 0}) + "ab"),
                       absl::StatusCode::kInvalidArgument, "inputs[0]: binary data ends inside element 0"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "f", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 6}}])",
                              Bytes({2, 0, 0, 0}) + "\xff\xfe"),
                       absl::StatusCode::kInvalidArgument, "BYTES element 0 is not UTF-8 text"));
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
  for (const std::string& bad : {Bytes({0xc0, 0x80}), Bytes({0xe0, 0x80, 0x80}), Bytes({0xed, 0xa0, 0x80}),
                                 Bytes({0xf4, 0x90, 0x80, 0x80})}) {
    const std::string payload = Bytes({static_cast<int>(bad.size()), 0, 0, 0}) + bad;
    EXPECT_TRUE(StatusIs(Decode(StrCat(R"([{"name": "f", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": )",
                                       payload.size(), "}}]"),
                                payload),
                         absl::StatusCode::kInvalidArgument, "not UTF-8 text"));
  }
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "f", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 7}}])",
                              Bytes({2, 0, 0, 0}) + "abc"),
                       absl::StatusCode::kInvalidArgument, "'binary_data_size' is 7 bytes; the 1 elements take 6"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "x", "shape": [2], "datatype": "COMPLEX", "parameters": {"binary_data_size": 2}}])",
                              "ab"),
                       absl::StatusCode::kInvalidArgument, "unsupported datatype 'COMPLEX'"));
  EXPECT_TRUE(StatusIs(DecodeOipBinaryRequest("{}", "-1"), absl::StatusCode::kInvalidArgument, "must be a byte count"));
  EXPECT_TRUE(StatusIs(DecodeOipBinaryRequest("{} ", "x"), absl::StatusCode::kInvalidArgument, "must be a byte count"));
}

TEST(OipBinaryTest, BinaryOutputIsAskedPerOutputOrForTheRequest) {
  EXPECT_FALSE(WantsOipBinaryOutput(Json::parse(R"({"inputs": []})")));
  EXPECT_TRUE(WantsOipBinaryOutput(Json::parse(R"({"parameters": {"binary_data_output": true}})")));
  EXPECT_TRUE(WantsOipBinaryOutput(Json::parse(R"({"outputs": [{"name": "predict", "parameters": {"binary_data": true}}]})")));
  EXPECT_FALSE(WantsOipBinaryOutput(Json::parse(R"({"outputs": [{"name": "predict", "parameters": {"binary_data": false}}]})")));
  // The output's own setting wins over the request's.
  EXPECT_FALSE(WantsOipBinaryOutput(Json::parse(
      R"({"parameters": {"binary_data_output": true}, "outputs": [{"name": "predict", "parameters": {"binary_data": false}}]})")));
  EXPECT_TRUE(WantsOipBinaryOutput(Json::parse(R"({"parameters": {"binary_data_output": true}, "outputs": [{"name": "predict"}]})")));
}

TEST(OipBinaryTest, ResponseIsTheHeaderThenLittleEndianDoubles) {
  std::string out = "x";  // appended after what is there
  const double values[] = {0.25, -3};
  const size_t header = AppendOipBinaryInferResponse(&out, "risk", 7, "risk/7", std::string("id-1"), values, 2, 1);
  PLINTH_ASSERT_OK_AND_ASSIGN(Json head, ParseJson(out.substr(1, header)));
  EXPECT_EQ(head["outputs"][0]["parameters"]["binary_data_size"], 16);
  EXPECT_EQ(head["outputs"][0]["shape"], Json::parse("[2]"));
  EXPECT_EQ(head["id"], "id-1");
  ASSERT_EQ(out.size(), 1 + header + 16);
  double got[2];
  std::memcpy(got, out.data() + 1 + header, 16);
  EXPECT_EQ(got[0], 0.25);
  EXPECT_EQ(got[1], -3);
}

}  // namespace
}  // namespace plinth::server
