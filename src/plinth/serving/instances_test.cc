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
  auto text = [](const double* v, size_t rows, size_t width) {
    std::string out;
    AppendPredictionsJson(&out, v, rows, width);
    return out;
  };
  double v[] = {1, NAN, 2, 3};
  EXPECT_EQ(text(v, 4, 1), "[1.0,null,2.0,3.0]");
  EXPECT_EQ(text(v, 2, 2), "[[1.0,null],[2.0,3.0]]");
  // Every value reads back exactly; those JSON cannot hold as null.
  const double many[] = {0.10439524054527283, -0.0, 1e300, -1e-300, 5e-324, 123456789.0, std::nan(""), -INFINITY, 0.1 + 0.2};
  PLINTH_ASSERT_OK_AND_ASSIGN(Json parsed, ParseJson(text(many, 3, 3)));
  for (size_t i = 0; i < 9; ++i) {
    const Json& got = parsed[i / 3][i % 3];
    if (std::isfinite(many[i])) {
      EXPECT_EQ(got.get<double>(), many[i]) << i;
      EXPECT_EQ(std::signbit(got.get<double>()), std::signbit(many[i])) << i;
    } else {
      EXPECT_TRUE(got.is_null()) << i;
    }
  }
}

}  // namespace
}  // namespace plinth::serving
