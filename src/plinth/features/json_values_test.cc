// The two ways a Value becomes JSON (a DOM node for most responses, text for the online read's
// hot path) must give the same JSON.
#include "plinth/features/json_values.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "plinth/base/json.h"

namespace plinth::features {
namespace {

TEST(JsonValuesTest, TextAndDomAgree) {
  const std::vector<Value> values = {
      Value(),
      Value::Bool(true),
      Value::Bool(false),
      Value::Int64(std::numeric_limits<int64_t>::min()),
      Value::Int64(42),
      Value::Double(5),
      Value::Double(-0.1),
      Value::Double(1e300),
      Value::Double(std::numeric_limits<double>::quiet_NaN()),
      Value::Double(-std::numeric_limits<double>::infinity()),
      Value::String("quote \" back \\ nl \n é \xFF"),
      Value::Time(1'700'000'000'123'456),
      Value::Time(-1),
  };
  for (const Value& v : values) {
    std::string text;
    AppendValueJson(v, &text);
    auto parsed = ParseJson(text);
    ASSERT_TRUE(parsed.ok()) << text;
    auto dom = ParseJson(DumpJson(ValueToJson(v)));
    ASSERT_TRUE(dom.ok());
    EXPECT_EQ(*parsed, *dom) << text;
    EXPECT_EQ(parsed->type(), dom->type()) << text;  // 5.0 stays a double
  }
}

}  // namespace
}  // namespace plinth::features
