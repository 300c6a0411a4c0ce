#include "plinth/runtime/xgboost_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>

#include "plinth/runtime/reference_eval.h"

namespace plinth::runtime {
namespace {

// A tree of XGBoost's JSON form: node arrays, leaves where left_children is -1.
Json TreeJson(std::vector<int> left, std::vector<int> right, std::vector<int> feature, std::vector<double> cond,
              std::vector<int> default_left, std::vector<int> split_type = {}) {
  const size_t n = left.size();
  if (split_type.empty()) split_type.assign(n, 0);
  return Json{{"left_children", left}, {"right_children", right}, {"split_indices", feature},
              {"split_conditions", cond}, {"default_left", default_left}, {"split_type", split_type},
              {"base_weights", std::vector<double>(n, 0.0)}, {"categories", Json::array()},
              {"categories_nodes", Json::array()}, {"categories_segments", Json::array()},
              {"categories_sizes", Json::array()},
              {"tree_param", {{"num_nodes", std::to_string(n)}, {"size_leaf_vector", "0"}, {"num_feature", "3"}}}};
}

// XGBoost 1.7's layout: regression, 3 features, two trees (f0 < 0.5 ? 1 : 2) and (f1 < -1 ? 0.25 : 0.5).
Json Model() {
  Json trees = Json::array();
  trees.push_back(TreeJson({1, -1, -1}, {2, -1, -1}, {0, 0, 0}, {0.5, 1.0, 2.0}, {1, 0, 0}));
  trees.push_back(TreeJson({1, -1, -1}, {2, -1, -1}, {1, 0, 0}, {-1.0, 0.25, 0.5}, {0, 0, 0}));
  return Json{
      {"version", {1, 7, 4}},
      {"learner",
       {{"attributes", Json::object()},
        {"feature_names", Json::array()},
        {"feature_types", Json::array()},
        {"gradient_booster",
         {{"name", "gbtree"},
          {"model",
           {{"gbtree_model_param", {{"num_parallel_tree", "1"}, {"num_trees", "2"}, {"size_leaf_vector", "0"}}},
            {"tree_info", {0, 0}},
            {"trees", trees}}}}},
        {"learner_model_param",
         {{"base_score", "5E-1"}, {"num_class", "0"}, {"num_feature", "3"}, {"num_target", "1"}}},
        {"objective", {{"name", "reg:squarederror"}}}}}};
}

Json& Booster(Json& m) { return m["learner"]["gradient_booster"]; }
Json& Tree0(Json& m) { return Booster(m)["model"]["trees"][0]; }
Json& Param(Json& m) { return m["learner"]["learner_model_param"]; }

absl::StatusOr<ParsedModel> ParseXgb(const Json& m) { return ParseXgboostJson(m.dump()); }

TreeEnsemble Ensemble(const Json& m) {
  auto p = ParseXgb(m);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok() || !std::holds_alternative<TreeEnsemble>(*p)) return {};
  return std::get<TreeEnsemble>(*p);
}

std::string ErrorOf(const Json& m) {
  auto p = ParseXgb(m);
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : std::string(p.status().message());
}

std::vector<double> Predict(const ParsedModel& m, std::vector<double> rows, bool margin = false, int iterations = 0) {
  PredictOptions o;
  o.output_margin = margin;
  o.iteration_limit = iterations;
  return std::visit([&](const auto& x) {
    return ReferencePredict(x, rows.data(), rows.size() / x.signature.inputs.size(), o);
  }, m);
}

TEST(XgboostModel, ReadsGbtree) {
  TreeEnsemble e = Ensemble(Model());
  EXPECT_EQ(e.precision, Precision::kFloat32);
  EXPECT_EQ(e.num_features, 3);
  EXPECT_EQ(e.num_outputs, 1);
  EXPECT_EQ(e.base_score, std::vector<double>{0.5});
  EXPECT_EQ(e.trees_per_iteration, 1);
  EXPECT_EQ(e.source_format, "xgboost-json");
  EXPECT_EQ(e.objective, "reg:squarederror");
  ASSERT_EQ(e.trees.size(), 2u);
  const TreeNode& root = e.trees[0].nodes[0];
  EXPECT_FALSE(root.is_leaf);
  EXPECT_EQ(root.feature, 0);
  EXPECT_EQ(root.threshold, 0.5);
  EXPECT_TRUE(root.default_left);
  EXPECT_EQ(e.trees[0].nodes[root.left].leaf_value, 1.0);
  EXPECT_EQ(e.signature.inputs[2].name, "f2");
  EXPECT_EQ(e.signature.outputs, std::vector<std::string>{"prediction"});
  // 0.5 + tree0 + tree1; NaN takes the default child (left in tree 0, right in tree 1).
  EXPECT_EQ(Predict(e, {0.4, -2, 0, 0.5, 0, 0, NAN, NAN, NAN}), (std::vector<double>{1.75, 3.0, 2.0}));
  EXPECT_EQ(Predict(e, {0.4, -2, 0}, false, 1), std::vector<double>{1.5});
}

TEST(XgboostModel, ThresholdsAndLeavesAreFloat32) {
  Json m = Model();
  Tree0(m)["split_conditions"] = {0.1, 1.0 / 3, 2.0};
  TreeEnsemble e = Ensemble(m);
  EXPECT_EQ(e.trees[0].nodes[0].threshold, static_cast<double>(0.1f));
  EXPECT_EQ(e.trees[0].nodes[1].leaf_value, static_cast<double>(static_cast<float>(1.0 / 3)));
  // 0.1 as a double is just below float(0.1): XGBoost compares float(v) < float(t) -> right.
  EXPECT_EQ(Predict(e, {0.1, 0, 0}, true)[0], 0.5f + 2.0f + 0.5f);
}

TEST(XgboostModel, BaseScoreToMargin) {
  struct Case { const char* objective; const char* base; float margin; OutputTransform t; };
  for (const Case& c : {Case{"binary:logistic", "3E-1", -std::log(1.0f / 0.3f - 1.0f), OutputTransform::kSigmoid},
                        Case{"reg:logistic", "0.75", -std::log(1.0f / 0.75f - 1.0f), OutputTransform::kSigmoid},
                        Case{"binary:logitraw", "3E-1", 0.3f, OutputTransform::kIdentity},
                        Case{"binary:hinge", "5E-1", 0.5f, OutputTransform::kStep},
                        Case{"count:poisson", "1.7", std::log(1.7f), OutputTransform::kExp},
                        Case{"reg:gamma", "2", std::log(2.0f), OutputTransform::kExp},
                        Case{"reg:tweedie", "[4E0]", std::log(4.0f), OutputTransform::kExp},
                        Case{"survival:aft", "5E-1", std::log(0.5f), OutputTransform::kExp},
                        Case{"survival:cox", "5E-1", std::log(0.5f), OutputTransform::kExp},
                        Case{"reg:absoluteerror", "[2.275E1]", 22.75f, OutputTransform::kIdentity},
                        Case{"reg:quantileerror", "1", 1.0f, OutputTransform::kIdentity},
                        Case{"rank:ndcg", "5E-1", 0.5f, OutputTransform::kIdentity}}) {
    SCOPED_TRACE(c.objective);
    Json m = Model();
    m["learner"]["objective"]["name"] = c.objective;
    Param(m)["base_score"] = c.base;
    TreeEnsemble e = Ensemble(m);
    ASSERT_EQ(e.base_score.size(), 1u);
    EXPECT_FLOAT_EQ(e.base_score[0], c.margin);  // computed in float: within an ulp of libm's
    EXPECT_EQ(e.base_score[0], static_cast<double>(static_cast<float>(e.base_score[0])));
    EXPECT_EQ(e.transform, c.t);
  }
}

TEST(XgboostModel, MultiClassAndMultiTarget) {
  Json m = Model();
  m["learner"]["objective"]["name"] = "multi:softprob";
  Param(m)["num_class"] = "2";
  Param(m)["base_score"] = "[5.890679E-1,-5.890678E-1]";  // 3.x: centred log-priors, already margins
  Booster(m)["model"]["tree_info"] = {0, 1};
  TreeEnsemble e = Ensemble(m);
  EXPECT_EQ(e.num_outputs, 2);
  EXPECT_EQ(e.trees_per_iteration, 2);
  EXPECT_EQ(e.base_score, (std::vector<double>{5.890679e-1f, -5.890678e-1f}));
  EXPECT_EQ(e.signature.outputs, (std::vector<std::string>{"class_0", "class_1"}));
  EXPECT_EQ(Predict(e, {0, 0, 0}, true), (std::vector<double>{5.890679e-1f + 1.0f, -5.890678e-1f + 0.5f}));

  m["learner"]["objective"]["name"] = "multi:softmax";
  Param(m)["base_score"] = "5E-1";
  EXPECT_EQ(Ensemble(m).signature.outputs, std::vector<std::string>{"class"});

  m["learner"]["objective"]["name"] = "binary:logistic";
  Param(m)["num_class"] = "0";
  Param(m)["num_target"] = "2";
  Param(m)["base_score"] = "[5E-1,2.5E-1]";
  e = Ensemble(m);
  EXPECT_EQ(e.signature.outputs, (std::vector<std::string>{"target_0", "target_1"}));
  ASSERT_EQ(e.base_score.size(), 2u);
  EXPECT_EQ(e.base_score[0], 0.0);
  EXPECT_FLOAT_EQ(e.base_score[1], -std::log(3.0f));
  EXPECT_EQ(e.trees[1].output, 1);

  Param(m)["num_class"] = "3";
  EXPECT_NE(ErrorOf(m).find("multi-class multi-target"), std::string::npos);
}

TEST(XgboostModel, ParallelTreesAndIterationIndptr) {
  Json m = Model();
  Booster(m)["model"]["gbtree_model_param"]["num_parallel_tree"] = "2";
  Booster(m)["model"]["iteration_indptr"] = {0, 2};
  TreeEnsemble e = Ensemble(m);
  EXPECT_EQ(e.trees_per_iteration, 2);
  EXPECT_FALSE(e.average_output);  // a forest's trees are summed
  Booster(m)["model"]["iteration_indptr"] = {0, 1, 2};
  EXPECT_NE(ErrorOf(m).find("iteration_indptr does not give 2 trees to each iteration"), std::string::npos);
}

TEST(XgboostModel, CategoricalSplits) {
  Json m = Model();
  Json& t = Tree0(m);
  t["split_type"] = {1, 0, 0};
  t["split_conditions"] = {nullptr, 1.0, 2.0};  // written as the bare token NaN by XGBoost 1.7
  t["categories"] = {3, 1, 1 << 24, 1 << 25};
  t["categories_nodes"] = {0};
  t["categories_segments"] = {0};
  t["categories_sizes"] = {4};
  std::string text = m.dump();
  size_t at = text.find("[null,1.0,2.0]");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 14, "[NaN,1E0,2E0]");
  auto p = ParseXgboostJson(text);
  ASSERT_TRUE(p.ok()) << p.status();
  const TreeEnsemble& e = std::get<TreeEnsemble>(*p);
  const TreeNode& root = e.trees[0].nodes[0];
  EXPECT_TRUE(root.categorical);
  EXPECT_FALSE(root.categories_go_left);
  EXPECT_EQ(root.categories, (std::vector<uint32_t>{1, 3}));  // codes >= 2^24 can never match in XGBoost
  EXPECT_EQ(e.signature.inputs[0].kind, FeatureKind::kCategorical);
  // In the set -> right (2); not in it, negative, or too large -> left (1); NaN -> default (left).
  std::vector<double> got;
  for (double v : std::vector<double>{3.0, 1.9, 0.0, 2.0, -1.0, 16777216.0, 33554432.0, 1e30, NAN}) {
    got.push_back(Predict(e, {v, 0, 0}, true)[0] - 1.0);
  }
  EXPECT_EQ(got, (std::vector<double>{2, 2, 1, 1, 1, 1, 1, 1, 1}));
  t["categories"] = {-1};
  t["categories_sizes"] = {1};
  EXPECT_NE(ErrorOf(m).find("has category -1"), std::string::npos);
  t["categories_sizes"] = {2};
  EXPECT_NE(ErrorOf(m).find("lie outside its 1 categories"), std::string::npos);
}

TEST(XgboostModel, Dart) {
  Json m = Model();
  Json gbtree = Booster(m);  // 1.x/2.x: {"name": "dart", "gbtree": {...}, "weight_drop": [...]}
  Booster(m) = Json{{"name", "dart"}, {"gbtree", gbtree}, {"weight_drop", {0.5, 2.0}}};
  TreeEnsemble e = Ensemble(m);
  EXPECT_EQ(e.trees[0].weight, 0.5);
  EXPECT_EQ(e.trees[1].weight, 2.0);
  EXPECT_EQ(Predict(e, {0, 0, 0}, true)[0], 0.5 + 0.5 * 1 + 2.0 * 0.5);
  Booster(m)["weight_drop"] = {0.5};
  EXPECT_NE(ErrorOf(m).find("weight_drop has 1 weights for 2 trees"), std::string::npos);

  Json v3 = Model();  // 3.x saves DART as gbtree with weight_drop inside the model
  Booster(v3)["model"]["weight_drop"] = {0.25, 1.0};
  EXPECT_EQ(Ensemble(v3).trees[0].weight, 0.25);
}

TEST(XgboostModel, Gblinear) {
  Json m = Model();
  m["learner"]["objective"]["name"] = "multi:softprob";
  Param(m)["num_class"] = "2";
  Param(m)["base_score"] = "5E-1";
  // Feature-major weights of 3 features x 2 classes, then the bias row.
  Booster(m) = Json{{"name", "gblinear"}, {"model", {{"weights", {1, 2, 3, 4, 5, 6, 0.25, -0.25}}}}};
  auto p = ParseXgb(m);
  ASSERT_TRUE(p.ok()) << p.status();
  const LinearSpec& s = std::get<LinearSpec>(*p);
  EXPECT_EQ(s.precision, Precision::kFloat32);
  EXPECT_EQ(s.weights, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(s.bias, (std::vector<double>{0.25, -0.25}));
  EXPECT_EQ(s.signature.outputs, (std::vector<std::string>{"class_0", "class_1"}));
  // Missing features add nothing.
  EXPECT_EQ(Predict(*p, {1, NAN, 2}, true), (std::vector<double>{0.75 + 1 + 10, 0.25 + 2 + 12}));
  Booster(m)["model"]["weights"] = {1, 2, 3};
  EXPECT_NE(ErrorOf(m).find("weights has 3 values for (3 features + bias) x 2 outputs"), std::string::npos);
}

TEST(XgboostModel, SignatureFromNamesTypesAndCategoryEncoder) {
  Json m = Model();
  m["learner"]["feature_names"] = {"age", "city", "n"};
  m["learner"]["feature_types"] = {"int", "c", "q"};
  // 3.x encoder: "Köln" (int8 bytes, so UTF-8 above 0x7f is negative) and "Ulm"; integers for n.
  Json enc = Json::array();
  enc.push_back({{"offsets", Json::array()}, {"values", Json::array()}});
  enc.push_back({{"offsets", {0, 5, 8}}, {"values", {75, -61, -74, 108, 110, 85, 108, 109}}});
  enc.push_back({{"type", 5}, {"values", {3, 10}}});
  Booster(m)["model"]["cats"] = {{"enc", enc}, {"feature_segments", {0, 0, 2, 4}}, {"sorted_idx", {0, 1, 0, 1}}};
  m["learner"]["attributes"] = {{"best_iteration", "1"}, {"best_ntree_limit", "2"}};
  TreeEnsemble e = Ensemble(m);
  EXPECT_EQ(e.best_iteration, 1);
  Json sig = e.signature.ToJson();
  EXPECT_EQ(sig, Json::parse(R"({"inputs": [{"name": "age", "type": "numeric"},
      {"name": "city", "type": "categorical", "categories": ["Köln", "Ulm"]},
      {"name": "n", "type": "categorical", "categories": ["3", "10"]}], "outputs": ["prediction"]})"));

  m["learner"]["feature_types"] = {"int", "x", "q"};
  EXPECT_NE(ErrorOf(m).find("feature_types[1] is \"x\""), std::string::npos);
  m["learner"]["feature_types"] = Json::array();
  m["learner"]["feature_names"] = {"a", "a", "b"};
  EXPECT_NE(ErrorOf(m).find("feature_names has 'a' twice"), std::string::npos);
  m["learner"]["feature_names"] = {"a", "b"};
  EXPECT_NE(ErrorOf(m).find("feature_names has 2 names for 3 features"), std::string::npos);
}

TEST(XgboostModel, RenumbersNodesBreadthFirst) {
  // Root 0 with children stored before it (2 = left, 1 = right) and a deleted node 3.
  Json m = Model();
  Tree0(m) = TreeJson({2, -1, -1, -1}, {1, -1, -1, -1}, {0, 0, 0, 0}, {0.5, 7.0, 3.0, 99.0}, {0, 0, 0, 0});
  TreeEnsemble e = Ensemble(m);
  ASSERT_EQ(e.trees[0].nodes.size(), 3u);
  EXPECT_EQ(Predict(e, {0, 0, 0, 1, 0, 0}, true), (std::vector<double>{0.5 + 3 + 0.5, 0.5 + 7 + 0.5}));
}

TEST(XgboostModel, RefusesWhatItCannotServe) {
  auto expect = [](const std::function<void(Json&)>& edit, std::string_view phrase) {
    Json m = Model();
    edit(m);
    std::string message = ErrorOf(m);
    EXPECT_NE(message.find(phrase), std::string::npos) << "want '" << phrase << "' in: " << message;
  };
  expect([](Json& m) { m["learner"]["objective"]["name"] = "reg:nonsense"; }, "objective 'reg:nonsense' is not supported");
  expect([](Json& m) { Booster(m)["name"] = "gbforest"; }, "booster 'gbforest' is not supported");
  expect([](Json& m) { Tree0(m)["tree_param"]["size_leaf_vector"] = "3"; }, "vector leaves (size_leaf_vector=3");
  expect([](Json& m) { Tree0(m)["left_children"] = {1, -1}; }, "has 2 left_children for 3 nodes");
  expect([](Json& m) { Tree0(m)["right_children"] = {5, -1, -1}; }, "node 0 has child 5 of 3 nodes");
  expect([](Json& m) { Tree0(m)["left_children"] = {1, 0, -1}; }, "is reached twice");
  expect([](Json& m) { Tree0(m)["split_indices"] = {7, 0, 0}; }, "node 0 splits on feature 7 of 3");
  expect([](Json& m) { Tree0(m)["split_conditions"] = {0.5, nullptr, 2}; }, "leaf 1 value is not finite");
  expect([](Json& m) { Tree0(m)["split_conditions"] = {1e300, 1, 2}; }, "node 0 split condition is not finite");
  expect([](Json& m) { Tree0(m)["split_type"] = {2, 0, 0}; }, "node 0 has split_type 2");
  expect([](Json& m) { Param(m)["num_feature"] = "0"; }, "num_feature is 0");
  expect([](Json& m) { Param(m).erase("num_feature"); }, "num_feature is missing");
  expect([](Json& m) { Param(m)["num_feature"] = "1048577"; }, "at most 1048576 unnamed features");
  expect([](Json& m) { Param(m)["base_score"] = "[1,2]"; }, "base_score has 2 values for 1 outputs");
  expect([](Json& m) { Param(m)["base_score"] = "abc"; }, "base_score must be a finite number");
  expect([](Json& m) {
    m["learner"]["objective"]["name"] = "binary:logistic";
    Param(m)["base_score"] = "1";
  }, "base_score 1 has no finite margin");
  expect([](Json& m) { Booster(m)["model"]["tree_info"] = {0, 1}; }, "tree_info[1] is 1 for a model with 1 outputs");
  expect([](Json& m) { Booster(m)["model"]["tree_info"] = {0}; }, "tree_info has 1 entries for 2 trees");
  expect([](Json& m) { Booster(m)["model"]["gbtree_model_param"]["num_trees"] = "3"; }, "num_trees is 3 but 2 trees");
  expect([](Json& m) { Booster(m)["model"]["trees"] = Json::array(); Booster(m)["model"]["tree_info"] = Json::array();
                       Booster(m)["model"]["gbtree_model_param"]["num_trees"] = "0"; }, "model has no trees");
  expect([](Json& m) { m.erase("learner"); }, "model.learner is missing");
  expect([](Json& m) { Tree0(m)["left_children"] = "oops"; }, "left_children must be an array");
  expect([](Json& m) { Tree0(m)["left_children"] = {1.5, -1, -1}; }, "left_children[0] must be an integer");
  EXPECT_FALSE(ParseXgboostJson("{\"learner\": ").ok());
  EXPECT_FALSE(ParseXgboostJson(std::string(5000, '[') + std::string(5000, ']')).ok());
  EXPECT_FALSE(ParseXgboostUbj("{i\x07learner").ok());
}

// Replaces every value of the document, one at a time, by values of other types: the loader
// must answer each with a status (most are errors), never crash or throw.
TEST(XgboostModel, SurvivesEveryTypeConfusion) {
  const Json base = Model();
  const Json flat = base.flatten();
  const Json replacements[] = {nullptr, "x", -1, 1e300, Json::array(), Json::object(), true, "[1,2]"};
  int ok = 0;
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    for (const Json& r : replacements) {
      Json doc = base;
      doc[Json::json_pointer(it.key())] = r;
      ok += ParseXgb(doc).ok() ? 1 : 0;
      std::vector<uint8_t> ubj = Json::to_ubjson(doc, true, true);
      (void)ParseXgboostUbj(std::string(ubj.begin(), ubj.end()));
    }
  }
  EXPECT_GT(ok, 0);
}

TEST(XgboostModel, UbjsonReadsTheSameModel) {
  Json m = Model();
  std::vector<uint8_t> ubj = Json::to_ubjson(m, true, true);
  auto from_ubj = ParseXgboostUbj(std::string(ubj.begin(), ubj.end()));
  ASSERT_TRUE(from_ubj.ok()) << from_ubj.status();
  EXPECT_EQ(std::get<TreeEnsemble>(*from_ubj).source_format, "xgboost-ubj");
  EXPECT_EQ(Predict(*from_ubj, {0.4, -2, 0, NAN, 0, 0}), Predict(*ParseXgb(m), {0.4, -2, 0, NAN, 0, 0}));
}

}  // namespace
}  // namespace plinth::runtime
