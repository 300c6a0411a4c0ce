#include "plinth/serving/instances.h"

#include <cmath>

#include "plinth/testing/fake_model.h"
#include "plinth/testing/test_util.h"

namespace plinth::serving {
namespace {

using testing::FakeModel;
using testing::StatusIs;

TEST(InstancesTest, ObjectsAndArraysThroughTheRowEncoder) {
  Servable model(std::make_unique<FakeModel>(std::vector<std::string>{"a", "b"}, 0));
  Json rows = *ParseJson(R"([{"b": 2, "a": 1}, {"a": null, "b": true}, [3, 4]])");
  PLINTH_ASSERT_OK_AND_ASSIGN(size_t n, CountInstances(&rows, 3));
  EXPECT_EQ(n, 3u);
  PLINTH_ASSERT_OK_AND_ASSIGN(FeatureMatrix m, DecodeInstances(rows, model));
  EXPECT_EQ(m.at(0, 0), 1);
  EXPECT_EQ(m.at(0, 1), 2);
  EXPECT_TRUE(std::isnan(m.at(1, 0)));
  EXPECT_EQ(m.at(1, 1), 1);
  EXPECT_EQ(m.at(2, 1), 4);
}

TEST(InstancesTest, ErrorsNameTheField) {
  Servable model(std::make_unique<FakeModel>(std::vector<std::string>{"a", "b"}, 0));
  auto decode = [&](const char* text) { return DecodeInstances(*ParseJson(text), model); };
  EXPECT_TRUE(StatusIs(decode(R"([{"a": 1, "b": 2}, {"a": 1, "b": 2, "zip": 3}])"), absl::StatusCode::kInvalidArgument,
                       "instances[1].zip: the model has no feature 'zip'; it takes: a, b"));
  EXPECT_TRUE(StatusIs(decode(R"([{"a": 1}])"), absl::StatusCode::kInvalidArgument, "feature 'b' is missing"));
  EXPECT_TRUE(StatusIs(decode(R"([[1]])"), absl::StatusCode::kInvalidArgument, "instances[0] has 1 values; the model takes 2"));
  EXPECT_TRUE(StatusIs(decode(R"([7])"), absl::StatusCode::kInvalidArgument, "instances[0] must be an object"));
  Json big = Json::array({Json::object(), Json::object()});
  EXPECT_TRUE(StatusIs(CountInstances(&big, 1), absl::StatusCode::kInvalidArgument, "at most 1 per request"));
  EXPECT_TRUE(StatusIs(CountInstances(nullptr, 1), absl::StatusCode::kInvalidArgument, "'instances' is required"));
  Json empty = Json::array();
  EXPECT_TRUE(StatusIs(CountInstances(&empty, 1), absl::StatusCode::kInvalidArgument, "empty"));
}

TEST(InstancesTest, PredictionsJson) {
  double v[] = {1, NAN, 2, 3};
  EXPECT_EQ(PredictionsJson(v, 4, 1).dump(), "[1.0,null,2.0,3.0]");
  EXPECT_EQ(PredictionsJson(v, 2, 2).dump(), "[[1.0,null],[2.0,3.0]]");
  // The text writer gives the document's dump, for any values.
  const double many[] = {0.10439524054527283, -0.0, 1e300, -1e-300, 5e-324, 123456789.0, std::nan(""), -INFINITY, 0.1 + 0.2};
  for (size_t width : {size_t{1}, size_t{3}}) {
    std::string text;
    AppendPredictionsJson(&text, many, 9 / width, width);
    EXPECT_EQ(text, DumpJson(PredictionsJson(many, 9 / width, width)));
  }
}

}  // namespace
}  // namespace plinth::serving
