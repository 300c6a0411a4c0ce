#include "plinth/server/oip_tensors.h"

#include <cmath>

#include "plinth/testing/fake_model.h"
#include "plinth/testing/test_util.h"

namespace plinth::server {
namespace {

using testing::FakeModel;
using testing::StatusIs;

class OipTensorsTest : public ::testing::Test {
 protected:
  OipTensorsTest() {
    auto model = std::make_unique<FakeModel>(std::vector<std::string>{"age", "city"}, 0);
    model->mutable_signature().inputs[1].kind = runtime::FeatureKind::kCategorical;
    model->mutable_signature().inputs[1].categories = {"paris", "oslo"};
    servable_ = std::make_unique<serving::Servable>(std::move(model));
  }

  absl::StatusOr<serving::FeatureMatrix> Decode(const char* inputs, int64_t max_rows = 100) {
    return DecodeOipInputs(*ParseJson(inputs), *servable_, max_rows);
  }

  std::unique_ptr<serving::Servable> servable_;
};

TEST_F(OipTensorsTest, OneMatrixTensorInModelOrder) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto m, Decode(R"([{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [[1, 0], [2, null]]}])"));
  ASSERT_EQ(m.rows(), 2u);
  EXPECT_EQ(m.at(0, 0), 1);
  EXPECT_EQ(m.at(0, 1), 0);
  EXPECT_EQ(m.at(1, 0), 2);
  EXPECT_TRUE(std::isnan(m.at(1, 1)));
}

TEST_F(OipTensorsTest, OneTensorPerFeatureWithCategoryNames) {
  PLINTH_ASSERT_OK_AND_ASSIGN(auto m, Decode(R"([
      {"name": "city", "shape": [3, 1], "datatype": "BYTES", "data": ["oslo", "paris", "rome"]},
      {"name": "age", "shape": [3], "datatype": "FP32", "data": [0.1, 2, 3]}])"));
  EXPECT_EQ(m.at(0, 1), 1);
  EXPECT_EQ(m.at(1, 1), 0);
  EXPECT_TRUE(std::isnan(m.at(2, 1)));  // an unseen category is missing
  EXPECT_EQ(m.at(0, 0), static_cast<double>(0.1f));
  EXPECT_EQ(m.at(2, 0), 3);
}

TEST_F(OipTensorsTest, ErrorsNameTheInput) {
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}])"),
                       absl::StatusCode::kInvalidArgument, "feature 'city' has no tensor"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "age", "shape": [2], "datatype": "UINT8", "data": [1, -0.5]},
                                  {"name": "city", "shape": [2], "datatype": "INT64", "data": [1, 0]}])"),
                       absl::StatusCode::kInvalidArgument, "inputs[0] 'age': element 1 must be an integer"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]},
                                  {"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}])"),
                       absl::StatusCode::kInvalidArgument, "given twice"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "age", "shape": [2], "datatype": "FP64", "data": [1, 2]},
                                  {"name": "city", "shape": [3], "datatype": "FP64", "data": [1, 2, 3]}])"),
                       absl::StatusCode::kInvalidArgument, "inputs[1] 'city': a feature tensor has shape [2]"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "x", "shape": [3, 2], "datatype": "FP64", "data": [1, 2, 3, 4, 5, 6]}])", 2),
                       absl::StatusCode::kInvalidArgument, "at most 2"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "x", "shape": [-1, 2], "datatype": "FP64", "data": []}])"),
                       absl::StatusCode::kInvalidArgument, "non-negative"));
  EXPECT_TRUE(StatusIs(Decode(R"([{"name": "x", "shape": [0, 2], "datatype": "FP64", "data": []}])"),
                       absl::StatusCode::kInvalidArgument, "no rows"));
  EXPECT_TRUE(StatusIs(Decode(R"({"name": "x"})"), absl::StatusCode::kInvalidArgument, "non-empty array"));
}

TEST_F(OipTensorsTest, OutputsAndMetadata) {
  double values[] = {1.5, NAN, 3};
  // The response is written as text: byte for byte what the document would dump.
  std::string text;
  AppendOipInferResponse(&text, "risk", 7, "risk-acme/7", std::string("r\"1\n"), values, 3, 1);
  Json expected = {{"id", "r\"1\n"},
                   {"model_name", "risk"},
                   {"model_version", "7"},
                   {"outputs", Json::array({Json{{"name", "predict"}, {"datatype", "FP64"}, {"shape", {3}}, {"data", {1.5, nullptr, 3.0}}}})},
                   {"parameters", {{"model", "risk-acme/7"}}}};
  EXPECT_EQ(text, DumpJson(expected) + "\n");
  EXPECT_EQ(text.substr(text.find("\"data\"")), R"("data":[1.5,null,3.0],"datatype":"FP64","name":"predict","shape":[3]}],"parameters":{"model":"risk-acme/7"}})" "\n");
  text.clear();
  AppendOipInferResponse(&text, "m", 2, "m/2", std::nullopt, values, 1, 3);
  expected = {{"model_name", "m"},
              {"model_version", "2"},
              {"outputs", Json::array({Json{{"name", "predict"}, {"datatype", "FP64"}, {"shape", {1, 3}}, {"data", {1.5, nullptr, 3.0}}}})},
              {"parameters", {{"model", "m/2"}}}};
  EXPECT_EQ(text, DumpJson(expected) + "\n");
  EXPECT_TRUE(CheckOipOutputs(nullptr).ok());
  Json wanted = *ParseJson(R"([{"name": "predict"}])");
  EXPECT_TRUE(CheckOipOutputs(&wanted).ok());
  Json other = *ParseJson(R"([{"name": "proba"}])");
  EXPECT_TRUE(StatusIs(CheckOipOutputs(&other), absl::StatusCode::kInvalidArgument, "unknown output 'proba'"));
  Json inputs = OipInputsMetadata(servable_->signature());
  EXPECT_EQ(inputs.dump(), R"([{"datatype":"FP64","name":"age","shape":[-1]},{"datatype":"BYTES","name":"city","shape":[-1]}])");
}

}  // namespace
}  // namespace plinth::server
