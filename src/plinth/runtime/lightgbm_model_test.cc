#include "plinth/runtime/lightgbm_model.h"

#include <cmath>
#include <limits>
#include <random>

#include "plinth/runtime/reference_eval.h"
#include "plinth/testing/test_util.h"

namespace plinth::runtime {
namespace {

using plinth::testing::StatusIs;
using ::plinth::testing::kNaN;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

constexpr std::string_view kHeader =
    "version=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=1\n"
    "objective=regression\nfeature_names=a b\nfeature_infos=[0:1] [0:1]\n";

// A whole model file: `header` lines, then one "Tree=i" section per body, then the trailer.
std::string LgbModelText(const std::vector<std::string>& trees, std::string_view header = kHeader,
                  std::string_view trailer = "") {
  std::string out = StrCat("tree\n", header, "\n");
  for (size_t t = 0; t < trees.size(); ++t) StrAppend(&out, "Tree=", t, "\n", trees[t], "\n\n");
  StrAppend(&out, "end of trees\n\nparameters:\n[boosting: gbdt]\nend of parameters\n\n", trailer);
  return out;
}

// A tree with one split: node 0 on `feature`, leaf 0 (value `left`) and leaf 1 (`right`).
std::string Stump(double threshold, int decision_type = 2, int feature = 0, double left = -1,
                  double right = 1) {
  return StrCat(
      "num_leaves=2\nnum_cat=0\nsplit_feature=", feature, "\nsplit_gain=1\nthreshold=", threshold,
      "\ndecision_type=", decision_type, "\nleft_child=-1\nright_child=-2\nleaf_value=", left, " ",
      right,
      "\nleaf_weight=1 1\nleaf_count=1 1\ninternal_value=0\ninternal_weight=1\ninternal_count=2\n"
      "is_linear=0\nshrinkage=1");
}

// A categorical stump whose bitset is `words` (cat_threshold), categories in it going left.
std::string CatStump(std::string_view words, int num_words, int decision_type = 1) {
  return StrCat(
      "num_leaves=2\nnum_cat=1\nsplit_feature=1\nthreshold=0\ndecision_type=", decision_type,
      "\nleft_child=-1\nright_child=-2\nleaf_value=-1 1\ncat_boundaries=0 ", num_words,
      "\ncat_threshold=", words, "\nis_linear=0\nshrinkage=1");
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

TreeEnsemble ParseLgb(std::string_view text) {
  auto e = ParseLightgbmText(text);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : TreeEnsemble{};
}

std::vector<double> PredictLgb(const TreeEnsemble& e, std::vector<double> row,
                            PredictOptions options = {}) {
  if (e.trees.empty()) return {};
  return ReferencePredict(e, row.data(), 1, options);
}

// Prediction of a model whose only split is on feature 0 (left leaf -1, right leaf +1).
double Side(const TreeEnsemble& e, double v) { return PredictLgb(e, {v, 0})[0]; }

TEST(LightgbmModelTest, StumpBecomesThreeNodes) {
  TreeEnsemble e = ParseLgb(LgbModelText({Stump(0.5)}));
  EXPECT_EQ(e.precision, Precision::kFloat64);
  EXPECT_EQ(e.source_format, "lightgbm-text");
  EXPECT_EQ(e.objective, "regression");
  EXPECT_EQ(e.transform, OutputTransform::kIdentity);
  EXPECT_EQ(e.num_features, 2);
  EXPECT_EQ(e.num_outputs, 1);
  EXPECT_EQ(e.trees_per_iteration, 1);
  EXPECT_EQ(e.base_score, std::vector<double>{0.0});
  EXPECT_FALSE(e.average_output);
  ASSERT_EQ(e.trees.size(), 1u);
  const auto& n = e.trees[0].nodes;
  ASSERT_EQ(n.size(), 3u);
  EXPECT_FALSE(n[0].is_leaf);
  EXPECT_EQ(n[0].feature, 0);
  EXPECT_EQ(n[0].left, 1);
  EXPECT_EQ(n[0].right, 2);
  EXPECT_EQ(n[0].threshold, std::nextafter(0.5, kInf));
  EXPECT_EQ(n[0].missing, MissingRule::kNone);
  EXPECT_TRUE(n[1].is_leaf && n[2].is_leaf);
  EXPECT_EQ(n[1].leaf_value, -1);
  EXPECT_EQ(n[2].leaf_value, 1);
  EXPECT_EQ(LightgbmLeafIndex(e.trees[0], 1), 0);
  EXPECT_EQ(LightgbmLeafIndex(e.trees[0], 2), 1);
  EXPECT_EQ(e.signature.ToJson(), Json::parse(R"({"inputs": [{"name": "a", "type": "numeric"},
      {"name": "b", "type": "numeric"}], "outputs": ["prediction"]})"));
}

TEST(LightgbmModelTest, NumericalSplitIsLessOrEqualForEveryDouble) {
  const double max = std::numeric_limits<double>::max();
  const double denorm = std::numeric_limits<double>::denorm_min();
  for (double t : {0.5, -2.25, 0.0, -0.0, 1e-300, denorm, -denorm, max, -max,
                   1.0000000180025095e-35, 123456.789, 31.500000000000004, -kInf}) {
    SCOPED_TRACE(t);
    TreeEnsemble e = ParseLgb(LgbModelText({Stump(t)}));
    EXPECT_EQ(Side(e, t), -1);
    EXPECT_EQ(Side(e, std::nextafter(t, -kInf)), -1);
    EXPECT_EQ(Side(e, std::nextafter(t, kInf)), 1);
    EXPECT_EQ(Side(e, kInf), 1);
  }
  EXPECT_EQ(Side(ParseLgb(LgbModelText({Stump(-0.0)})), 0.0), -1);  // 0.0 <= -0.0
  EXPECT_EQ(Side(ParseLgb(LgbModelText({Stump(0.0)})), -0.0), -1);
  EXPECT_TRUE(
      StatusIs(ParseLightgbmText(LgbModelText({Stump(kNaN)})), kInvalid, "node 0 has threshold nan"));
}

// LightGBM writes threshold +inf to split missing values from all others, +inf going left.
TEST(LightgbmModelTest, InfiniteThresholdSendsEveryPresentValueLeft) {
  for (int d : {0, 2, 4, 6, 8, 10}) {
    SCOPED_TRACE(d);
    TreeEnsemble e = ParseLgb(LgbModelText({Stump(kInf, d)}));
    for (double v : {kInf, -kInf, 1e308, -1.0, 0.5}) EXPECT_EQ(Side(e, v), -1) << v;
    const double missing_side = (d >> 2) == 0 || (d & 2) ? -1 : 1;  // None reads NaN as 0.0 <= inf
    EXPECT_EQ(Side(e, kNaN), missing_side);
    EXPECT_EQ(Side(e, 0.0), (d >> 2) == 1 ? missing_side : -1);
    EXPECT_EQ(
        LightgbmLeafIndex(e.trees[0], ReferenceLeaf(e.trees[0], std::vector<double>{1, 0}.data(),
                                                    Precision::kFloat64)),
        0);
  }
}

TEST(LightgbmModelTest, MissingTypeNoneReadsNaNAsZero) {
  for (int d : {0, 2}) {  // default_left is irrelevant without a missing type
    EXPECT_EQ(Side(ParseLgb(LgbModelText({Stump(0.5, d)})), kNaN), -1);
    EXPECT_EQ(Side(ParseLgb(LgbModelText({Stump(-0.5, d)})), kNaN), 1);
    EXPECT_EQ(Side(ParseLgb(LgbModelText({Stump(-0.5, d)})), 0.0), 1);
  }
}

TEST(LightgbmModelTest, MissingTypeZeroSendsZeroAndNaNToTheDefaultChild) {
  for (int d : {4, 6}) {
    const double missing_side = d == 6 ? -1 : 1;
    TreeEnsemble e = ParseLgb(LgbModelText({Stump(-1.0, d)}));  // every non-missing value here is > -1: right
    EXPECT_EQ(e.trees[0].nodes[0].missing, MissingRule::kZeroOrNaN);
    for (double v : {0.0, -0.0, 1e-36, -1e-36, 1e-35, kNaN})
      EXPECT_EQ(Side(e, v), missing_side) << v;
    for (double v : {1e-34, 0.5, -0.5}) EXPECT_EQ(Side(e, v), 1) << v;
    EXPECT_EQ(Side(e, -2.0), -1);
  }
}

TEST(LightgbmModelTest, MissingTypeNaNSendsOnlyNaNToTheDefaultChild) {
  for (int d : {8, 10}) {
    const double missing_side = d == 10 ? -1 : 1;
    TreeEnsemble e = ParseLgb(LgbModelText({Stump(-1.0, d)}));
    EXPECT_EQ(e.trees[0].nodes[0].missing, MissingRule::kNaN);
    EXPECT_EQ(e.trees[0].nodes[0].default_left, d == 10);
    EXPECT_EQ(Side(e, kNaN), missing_side);
    EXPECT_EQ(Side(e, 0.0), 1);
    EXPECT_EQ(Side(e, -1.0), -1);
  }
}

TEST(LightgbmModelTest, CategoricalBitsetBecomesCategorySet) {
  // Word 0 = bits 0 and 2; word 1 = 2^31 + 1 = bits 32 and 63.
  for (int d : {1, 3, 5, 7, 9, 11}) {
    SCOPED_TRACE(d);
    TreeEnsemble e = ParseLgb(LgbModelText({CatStump("5 2147483649", 2, d)}));
    const TreeNode& n = e.trees[0].nodes[0];
    EXPECT_TRUE(n.categorical);
    EXPECT_EQ(n.feature, 1);
    EXPECT_EQ(n.categories, (std::vector<uint32_t>{0, 2, 32, 63}));
    EXPECT_TRUE(n.categories_go_left);
    EXPECT_EQ(e.signature.inputs[1].kind, FeatureKind::kCategorical);
    auto side = [&](double v) { return PredictLgb(e, {0, v})[0]; };
    for (double v : {0.0, -0.0, 2.0, 2.7, 32.0, 63.0, 63.99}) EXPECT_EQ(side(v), -1) << v;
    for (double v :
         {1.0, 3.0, 31.0, 64.0, 1e6, 4294967298.0, 1e10, -1.0, -3.0, kInf, -kInf, kNaN}) {
      EXPECT_EQ(side(v), 1) << v;  // not in the set, past the bitset, negative, infinite, NaN
    }
  }
}

TEST(LightgbmModelTest, CategoricalNodesUseTheirOwnBitsets) {
  // Two categorical nodes: node 0 (bitset 1 = {1}) and node 1 (bitset 0 = {0, 1}).
  const std::string tree =
      "num_leaves=3\nnum_cat=2\nsplit_feature=1 0\nthreshold=1 0\ndecision_type=1 1\n"
      "left_child=1 -1\nright_child=-2 -3\nleaf_value=10 20 30\ncat_boundaries=0 1 "
      "2\ncat_threshold=3 2\n";
  TreeEnsemble e = ParseLgb(LgbModelText({tree}));
  EXPECT_EQ(e.trees[0].nodes[0].categories, std::vector<uint32_t>{1});
  EXPECT_EQ(e.trees[0].nodes[1].categories, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(PredictLgb(e, {0, 1})[0], 10);
  EXPECT_EQ(PredictLgb(e, {5, 1})[0], 30);
  EXPECT_EQ(PredictLgb(e, {0, 0})[0], 20);
  EXPECT_EQ(e.signature.inputs[0].kind, FeatureKind::kCategorical);
}

TEST(LightgbmModelTest, DeeperTreeKeepsLeafNumbers) {
  // node 0: a <= 0 ? node 1 : leaf 2;  node 1: b <= 0 ? leaf 0 : leaf 1.
  const std::string tree =
      "num_leaves=3\nnum_cat=0\nsplit_feature=0 1\nthreshold=0 0\ndecision_type=2 2\n"
      "left_child=1 -1\nright_child=-3 -2\nleaf_value=1 2 3\n";
  TreeEnsemble e = ParseLgb(LgbModelText({tree}));
  const Tree& t = e.trees[0];
  ASSERT_EQ(t.nodes.size(), 5u);
  double row[2] = {-1, 1};
  int32_t leaf = ReferenceLeaf(t, row, Precision::kFloat64);
  EXPECT_EQ(LightgbmLeafIndex(t, leaf), 1);
  EXPECT_EQ(t.nodes[leaf].leaf_value, 2);
  EXPECT_EQ(PredictLgb(e, {1, 0})[0], 3);
  EXPECT_EQ(PredictLgb(e, {0, 0})[0], 1);
}

TEST(LightgbmModelTest, SingleLeafTree) {
  TreeEnsemble e = ParseLgb(
      LgbModelText({"num_leaves=1\nnum_cat=0\nsplit_feature=\nthreshold=\nleaf_value=0.25\nshrinkage=1",
             Stump(0.5)}));
  ASSERT_EQ(e.trees[0].nodes.size(), 1u);
  EXPECT_TRUE(e.trees[0].nodes[0].is_leaf);
  EXPECT_EQ(PredictLgb(e, {0, 0})[0], 0.25 - 1);
  EXPECT_EQ(LightgbmLeafIndex(e.trees[0], 0), 0);
}

TEST(LightgbmModelTest, MulticlassTreesCycleThroughClasses) {
  std::string header = Replace(Replace(std::string(kHeader), "num_class=1", "num_class=3"),
                               "num_tree_per_iteration=1", "num_tree_per_iteration=3");
  header = Replace(header, "objective=regression", "objective=multiclass num_class:3");
  std::vector<std::string> trees;
  for (int t = 0; t < 6; ++t) trees.push_back(Stump(0.5, 2, 0, -t, t));
  TreeEnsemble e = ParseLgb(LgbModelText(trees, header));
  EXPECT_EQ(e.num_outputs, 3);
  EXPECT_EQ(e.trees_per_iteration, 3);
  EXPECT_EQ(e.transform, OutputTransform::kSoftmax);
  EXPECT_EQ(e.signature.outputs, (std::vector<std::string>{"class_0", "class_1", "class_2"}));
  for (int t = 0; t < 6; ++t) EXPECT_EQ(e.trees[t].output, t % 3);
  EXPECT_EQ(PredictLgb(e, {1, 0}, {.output_margin = true}), (std::vector<double>{3, 5, 7}));
  EXPECT_EQ(PredictLgb(e, {1, 0}, {.output_margin = true, .iteration_limit = 1}),
            (std::vector<double>{0, 1, 2}));
  std::vector<double> p = PredictLgb(e, {1, 0});
  const double z = std::exp(3.0) + std::exp(5.0) + std::exp(7.0);
  EXPECT_NEAR(p[2], std::exp(7.0) / z, 1e-15);
}

TEST(LightgbmModelTest, AverageOutputDividesByIterations) {
  std::string header = StrCat(kHeader, "average_output\n");
  TreeEnsemble e = ParseLgb(LgbModelText({Stump(0.5, 2, 0, 1, 2), Stump(0.5, 2, 0, 3, 6)}, header));
  EXPECT_TRUE(e.average_output);
  EXPECT_EQ(PredictLgb(e, {1, 0})[0], 4);
  EXPECT_EQ(PredictLgb(e, {1, 0}, {.iteration_limit = 1})[0], 2);
}

struct ObjectiveCase {
  std::string objective;
  int num_class;
  OutputTransform transform;
  double scale;
};

TEST(LightgbmModelTest, ObjectivesChooseTheTransform) {
  const std::vector<ObjectiveCase> cases = {
      {"binary sigmoid:1", 1, OutputTransform::kSigmoid, 1},
      {"binary sigmoid:0.5", 1, OutputTransform::kSigmoid, 0.5},
      {"cross_entropy", 1, OutputTransform::kSigmoid, 1},
      {"cross_entropy_lambda", 1, OutputTransform::kLog1pExp, 1},
      {"multiclass num_class:2", 2, OutputTransform::kSoftmax, 1},
      {"multiclassova num_class:2 sigmoid:2", 2, OutputTransform::kSigmoid, 2},
      {"poisson", 1, OutputTransform::kExp, 1},
      {"gamma", 1, OutputTransform::kExp, 1},
      {"tweedie", 1, OutputTransform::kExp, 1},
      {"regression", 1, OutputTransform::kIdentity, 1},
      {"regression_l1", 1, OutputTransform::kIdentity, 1},
      {"quantile", 1, OutputTransform::kIdentity, 1},
      {"huber", 1, OutputTransform::kIdentity, 1},
      {"huber sqrt", 1, OutputTransform::kIdentity, 1},  // LightGBM ignores sqrt for huber
      {"fair", 1, OutputTransform::kIdentity, 1},
      {"mape", 1, OutputTransform::kIdentity, 1},
      {"lambdarank", 1, OutputTransform::kIdentity, 1},
      {"rank_xendcg", 1, OutputTransform::kIdentity, 1},
      {"custom", 3, OutputTransform::kIdentity, 1},
  };
  for (const ObjectiveCase& c : cases) {
    SCOPED_TRACE(c.objective);
    std::string header =
        Replace(std::string(kHeader), "objective=regression", StrCat("objective=", c.objective));
    header = Replace(header, "num_class=1", StrCat("num_class=", c.num_class));
    header =
        Replace(header, "num_tree_per_iteration=1", StrCat("num_tree_per_iteration=", c.num_class));
    std::vector<std::string> trees(c.num_class, Stump(0.5, 2, 0, -0.5, 0.75));
    TreeEnsemble e = ParseLgb(LgbModelText(trees, header));
    EXPECT_EQ(e.transform, c.transform);
    EXPECT_EQ(e.sigmoid_scale, c.scale);
    EXPECT_EQ(e.objective, c.objective);
  }
  // Spot-check the numbers: sigmoid with its scale, exp.
  std::string binary =
      Replace(std::string(kHeader), "objective=regression", "objective=binary sigmoid:0.5");
  EXPECT_EQ(PredictLgb(ParseLgb(LgbModelText({Stump(0.5)}, binary)), {1, 0})[0], 1 / (1 + std::exp(-0.5)));
  std::string poisson = Replace(std::string(kHeader), "objective=regression", "objective=poisson");
  EXPECT_EQ(PredictLgb(ParseLgb(LgbModelText({Stump(0.5)}, poisson)), {1, 0})[0], std::exp(1.0));
}

TEST(LightgbmModelTest, NoObjectiveLineMeansRawMargins) {
  std::string header = Replace(std::string(kHeader), "objective=regression\n", "");
  TreeEnsemble e = ParseLgb(LgbModelText({Stump(0.5)}, header));
  EXPECT_EQ(e.transform, OutputTransform::kIdentity);
  EXPECT_EQ(e.objective, "custom");
}

TEST(LightgbmModelTest, RefusesObjectivesItCannotReproduce) {
  auto with = [](std::string_view objective, int num_class = 1) {
    std::string header =
        Replace(std::string(kHeader), "objective=regression", StrCat("objective=", objective));
    header = Replace(header, "num_class=1", StrCat("num_class=", num_class));
    header =
        Replace(header, "num_tree_per_iteration=1", StrCat("num_tree_per_iteration=", num_class));
    return ParseLightgbmText(LgbModelText(std::vector<std::string>(num_class, Stump(0.5)), header));
  };
  EXPECT_TRUE(StatusIs(with("softplus_magic"), kInvalid, "unknown objective 'softplus_magic'"));
  EXPECT_TRUE(StatusIs(with("regression sqrt"), kInvalid, "reg_sqrt"));
  EXPECT_TRUE(StatusIs(with("fair sqrt"), kInvalid, "reg_sqrt"));
  EXPECT_TRUE(StatusIs(with("binary"), kInvalid, "no sigmoid"));
  EXPECT_TRUE(StatusIs(with("binary sigmoid:0"), kInvalid, "sigmoid must be a positive number"));
  EXPECT_TRUE(StatusIs(with("binary sigmoid:x"), kInvalid, "sigmoid must be a positive number"));
  EXPECT_TRUE(StatusIs(with("binary sigmoid:1", 2), kInvalid, "needs num_class=1"));
  EXPECT_TRUE(StatusIs(with("multiclass num_class:4", 3), kInvalid, "num_class does not match"));
  EXPECT_TRUE(StatusIs(with("multiclass", 3), kInvalid, "no num_class"));
  EXPECT_TRUE(StatusIs(with("multiclassova num_class:3", 3), kInvalid, "no sigmoid"));
  EXPECT_TRUE(StatusIs(with(""), kInvalid, "objective line is empty"));
}

TEST(LightgbmModelTest, PandasCategoriesNameTheCategoricalFeatures) {
  std::string header = Replace(std::string(kHeader), "max_feature_idx=1", "max_feature_idx=3");
  header = Replace(header, "feature_names=a b", "feature_names=s n f t");
  header = Replace(header, "feature_infos=[0:1] [0:1]", "feature_infos=-1:0:1 -1:2:0 0:1 1:0");
  std::string trailer = R"(pandas_categorical:[["x", "y"], [3, 4, 5], [70.0, 1.5], [false, true]])";
  TreeEnsemble e = ParseLgb(LgbModelText({Stump(0.5)}, header, trailer));
  const auto& in = e.signature.inputs;
  EXPECT_EQ(in[0].categories, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(in[1].categories, (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(in[2].categories, (std::vector<std::string>{"70", "1.5"}));
  EXPECT_EQ(in[3].categories, (std::vector<std::string>{"false", "true"}));
  for (const auto& f : in) EXPECT_EQ(f.kind, FeatureKind::kCategorical);
  EXPECT_EQ(CategoryCode(in[3], "true"), 1);

  // A code seen in training (2 for feature s) outside its list: the lists do not fit, no names.
  std::string misfit = R"(pandas_categorical:[["x", "y"], ["a"], [1, 2], [false, true]])";
  for (const auto& f : ParseLgb(LgbModelText({Stump(0.5)}, header, misfit)).signature.inputs) {
    EXPECT_TRUE(f.categories.empty());
    EXPECT_EQ(f.kind, FeatureKind::kCategorical);
  }
  // Fewer lists than categorical features: no names either.
  for (const auto& f :
       ParseLgb(LgbModelText({Stump(0.5)}, header, R"(pandas_categorical:[["x", "y"]])")).signature.inputs) {
    EXPECT_TRUE(f.categories.empty());
  }
  EXPECT_TRUE(ParseLgb(LgbModelText({Stump(0.5)}, header, "pandas_categorical:null"))
                  .signature.inputs[0]
                  .categories.empty());
  EXPECT_TRUE(ParseLgb(LgbModelText({Stump(0.5)}, header, "pandas_categorical:[]"))
                  .signature.inputs[0]
                  .categories.empty());
}

TEST(LightgbmModelTest, PandasCategoriesMayBelongToUnusedFeatures) {
  // Feature b is categorical; c was a pandas category column LightGBM never used ("none").
  std::string header = Replace(std::string(kHeader), "max_feature_idx=1", "max_feature_idx=2");
  header = Replace(header, "feature_names=a b", "feature_names=a b c");
  header = Replace(header, "feature_infos=[0:1] [0:1]", "feature_infos=[0:1] -1:0:1 none");
  TreeEnsemble e = ParseLgb(LgbModelText({Stump(0.5)}, header, R"(pandas_categorical:[["p", "q"], ["r"]])"));
  EXPECT_EQ(e.signature.inputs[0].kind, FeatureKind::kNumeric);
  EXPECT_EQ(e.signature.inputs[1].categories, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(e.signature.inputs[2].categories, std::vector<std::string>{"r"});
  EXPECT_EQ(e.signature.inputs[2].kind, FeatureKind::kCategorical);
}

TEST(LightgbmModelTest, RefusesMalformedPandasCategorical) {
  EXPECT_TRUE(
      StatusIs(ParseLightgbmText(LgbModelText({Stump(0.5)}, kHeader, "pandas_categorical:[[\"a\"")),
               kInvalid, "pandas_categorical is not valid JSON"));
  EXPECT_TRUE(StatusIs(ParseLightgbmText(LgbModelText({Stump(0.5)}, kHeader, "pandas_categorical:[1]")),
                       kInvalid, "list of lists"));
  EXPECT_TRUE(StatusIs(ParseLightgbmText(LgbModelText({Stump(0.5)}, kHeader, "pandas_categorical:[[{}]]")),
                       kInvalid, "not a string, number or boolean"));
}

TEST(LightgbmModelTest, RefusesLinearTrees) {
  std::string tree = Replace(Stump(0.5), "is_linear=0", "is_linear=1");
  auto r = ParseLightgbmText(LgbModelText({Stump(0.5), tree}));
  EXPECT_TRUE(StatusIs(r, kInvalid, "LightGBM linear trees (is_linear=1) are not supported"));
}

TEST(LightgbmModelTest, AcceptsOlderFormatsAndWindowsLineEnds) {
  std::string v2 =
      Replace(LgbModelText({Replace(Stump(0.5), "is_linear=0\n", "")}), "version=v4", "version=v2");
  EXPECT_EQ(Side(ParseLgb(v2), 0.5), -1);
  EXPECT_EQ(Side(ParseLgb(Replace(v2, "version=v2", "version=v3")), 0.6), 1);
  // tree_sizes is only LightGBM's index; a stale one (trees trimmed by hand) does not matter.
  EXPECT_EQ(Side(ParseLgb(Replace(v2, "label_index=0", "label_index=0\ntree_sizes=10 20 30")), 0.5),
            -1);
  // LightGBM 2.0 wrote no "end of trees": the trailer follows the last tree.
  std::string old_trailer =
      Replace(v2, "end of trees\n\nparameters:", "feature importances:\na=1\n\nparameters:");
  EXPECT_EQ(Side(ParseLgb(old_trailer), 0.5), -1);
  EXPECT_EQ(Side(ParseLgb(LgbModelText({Stump(0.5)}).substr(5)), 0.5), -1);  // without the "tree" line
  std::string crlf = ReplaceAll(LgbModelText({Stump(0.5)}), "\n", "\r\n");
  EXPECT_EQ(Side(ParseLgb(crlf), 0.5), -1);
}

struct BadCase {
  std::string name;
  std::string text;
  std::string message;
};

std::vector<BadCase> BadModels() {
  const std::string good = LgbModelText({Stump(0.5)});
  const std::string three =  // node 0 -> node 1 -> leaves
      "num_leaves=3\nnum_cat=0\nsplit_feature=0 1\nthreshold=0 0\ndecision_type=2 2\n"
      "left_child=1 -1\nright_child=-3 -2\nleaf_value=1 2 3\n";
  auto header = [&](std::string_view from, std::string_view to) { return Replace(good, from, to); };
  auto tree = [&](std::string_view from, std::string_view to) {
    return LgbModelText({Replace(Stump(0.5), from, to)});
  };
  return {
      {"empty", "", "LightGBM model is empty"},
      {"json", R"({"learner": {}})", "expected 'tree' (the model type)"},
      {"no end of trees", good.substr(0, good.find("end of trees")), "no 'end of trees'"},
      {"truncated tree", good.substr(0, good.find("leaf_value")), "no 'end of trees'"},
      {"no version", header("version=v4\n", ""), "no version line"},
      {"version v5", header("version=v4", "version=v5"), "format version 'v5' is not supported"},
      {"no num_class", header("num_class=1\n", ""), "no num_class line"},
      {"num_class 0", header("num_class=1", "num_class=0"), "num_class is 0"},
      {"num_class huge", header("num_class=1", "num_class=1000000000"), "num_class is 1000000000"},
      {"num_class text", header("num_class=1", "num_class=one"),
       "num_class: 'one' is not a valid integer"},
      {"trees per iteration", header("num_tree_per_iteration=1", "num_tree_per_iteration=2"),
       "num_tree_per_iteration is 2 but num_class is 1"},
      {"no label_index", header("label_index=0\n", ""), "no label_index line"},
      {"no max_feature_idx", header("max_feature_idx=1\n", ""), "no max_feature_idx line"},
      {"large max_feature_idx", header("max_feature_idx=1", "max_feature_idx=9999999"),
       "feature_names has 2 entries but max_feature_idx is 9999999"},
      {"huge max_feature_idx", header("max_feature_idx=1", "max_feature_idx=9223372036854775807"),
       "max_feature_idx is 9223372036854775807"},
      {"huge num_cat", tree("num_cat=0", "num_cat=9223372036854775807"),
       "num_cat is 9223372036854775807"},
      {"infos count", header("feature_infos=[0:1] [0:1]", "feature_infos=[0:1]"),
       "feature_infos has 1 entries"},
      {"no feature_names", header("feature_names=a b\n", ""), "no feature_names line"},
      {"duplicate names", header("feature_names=a b", "feature_names=a a"),
       "feature name 'a' appears twice"},
      {"duplicate header key", header("label_index=0", "label_index=0\nlabel_index=0"),
       "'label_index' given twice"},
      {"no trees",
       Replace(good,
               good.substr(good.find("Tree=0"), good.find("end of trees") - good.find("Tree=0")),
               ""),
       "the model has no trees"},
      {"tree order", Replace(good, "Tree=0", "Tree=3"), "expected 'Tree=0', found 'Tree=3'"},
      {"stray line", Replace(good, "end of trees", "garbage\nend of trees"),
       "expected 'Tree=' or 'end of trees'"},
      {"no blank line", LgbModelText({StrCat(Stump(0.5), "\nTree=1")}), "expected key=value in tree 0"},
      {"line without =", tree("shrinkage=1", "shrinkage"), "expected key=value in tree 0"},
      {"duplicate tree key", tree("num_cat=0", "num_cat=0\nnum_cat=0"), "'num_cat' given twice"},
      {"no num_leaves", tree("num_leaves=2\n", ""), "tree 0 (line 11): has no num_leaves line"},
      {"num_leaves 0", tree("num_leaves=2", "num_leaves=0"), "num_leaves is 0"},
      {"num_leaves huge", tree("num_leaves=2", "num_leaves=1000000000"),
       "leaf_value has 2 values, expected 1000000000"},
      {"num_leaves overflow", tree("num_leaves=2", "num_leaves=99999999999999999999"),
       "not a valid integer"},
      {"leaf count", tree("leaf_value=-1 1", "leaf_value=-1"),
       "leaf_value has 1 values, expected 2"},
      {"leaf number", tree("leaf_value=-1 1", "leaf_value=-1 1x"),
       "leaf_value: '1x' is not a valid number"},
      {"leaf overflow", tree("leaf_value=-1 1", "leaf_value=-1 1e999"),
       "leaf_value: '1e999' is not a valid number"},
      {"leaf nan", tree("leaf_value=-1 1", "leaf_value=-1 nan"), "leaf 2 value is not finite"},
      {"no leaf_value", tree("leaf_value=-1 1\n", ""), "has no leaf_value line"},
      {"threshold count", tree("threshold=0.5", "threshold=0.5 1"),
       "threshold has 2 values, expected 1"},
      {"no threshold", tree("threshold=0.5\n", ""), "has no threshold line"},
      {"no split_feature", tree("split_feature=0\n", ""), "has no split_feature line"},
      {"no num_cat", tree("num_cat=0\n", ""), "has no num_cat line"},
      {"feature out of range", tree("split_feature=0", "split_feature=2"),
       "node 0 splits on feature 2 but max_feature_idx is 1"},
      {"negative feature", tree("split_feature=0", "split_feature=-1"), "splits on feature -1"},
      {"left child leaf", tree("left_child=-1", "left_child=-3"), "node 0 has child leaf 2 of 2"},
      {"right child node", tree("right_child=-2", "right_child=0"), "node 0 has child node 0"},
      {"child backwards", LgbModelText({Replace(three, "left_child=1 -1", "left_child=1 0")}),
       "node 1 has child node 0"},
      {"two parents", tree("right_child=-2", "right_child=-1"), "node 1 has two parents"},
      {"unreached leaf", LgbModelText({Replace(three, "right_child=-3 -2", "right_child=-2 -1")}),
       "has two parents"},
      {"decision type 12", tree("decision_type=2", "decision_type=12"),
       "decision_type 12 (missing type 3)"},
      {"decision type 16", tree("decision_type=2", "decision_type=16"),
       "node 0 has decision_type 16"},
      {"decision type count", tree("decision_type=2", "decision_type=2 2"),
       "decision_type has 2 values"},
      {"bitset index", LgbModelText({Replace(CatStump("1", 1), "threshold=0", "threshold=1")}),
       "categorical node 0 names bitset 1 of num_cat=1"},
      {"bitset negative", LgbModelText({Replace(CatStump("1", 1), "threshold=0", "threshold=-1")}),
       "names bitset -1"},
      {"bitset nan", LgbModelText({Replace(CatStump("1", 1), "threshold=0", "threshold=nan")}),
       "names bitset nan"},
      {"bitset shared",
       LgbModelText(
           {Replace(Replace(Replace(Replace(three, "num_cat=0", "num_cat=1"), "decision_type=2 2",
                                    "decision_type=1 1"),
                            "threshold=0 0", "threshold=0 0"),
                    "leaf_value=1 2 3", "leaf_value=1 2 3\ncat_boundaries=0 1\ncat_threshold=1")}),
       "categorical bitset 0 is used by two nodes"},
      {"boundaries count",
       LgbModelText({Replace(CatStump("1", 1), "cat_boundaries=0 1", "cat_boundaries=0")}),
       "cat_boundaries has 1 values, expected 2"},
      {"boundaries order",
       LgbModelText({Replace(CatStump("1 1", 2), "cat_boundaries=0 2", "cat_boundaries=3 2")}),
       "cat_boundaries must be ascending from 0"},
      {"cat_threshold count", LgbModelText({CatStump("1", 2)}), "cat_threshold has 1 values, expected 2"},
      {"cat_threshold huge", LgbModelText({CatStump("1", 2000000000)}),
       "cat_threshold has 1 values, expected 2000000000"},
      {"cat_threshold word", LgbModelText({CatStump("-1", 1)}),
       "cat_threshold: '-1' is not a valid number"},
      {"no cat_threshold", LgbModelText({Replace(CatStump("1", 1), "cat_threshold=1\n", "")}),
       "has no cat_threshold line"},
      {"is_linear text", tree("is_linear=0", "is_linear=x"),
       "is_linear: 'x' is not a valid integer"},
      {"uneven iterations",
       LgbModelText({Stump(0.5), Stump(0.5), Stump(0.5)},
             Replace(Replace(Replace(std::string(kHeader), "num_class=1", "num_class=2"),
                             "num_tree_per_iteration=1", "num_tree_per_iteration=2"),
                     "objective=regression", "objective=multiclass num_class:2")),
       "3 trees are not a whole number of iterations of 2"},
  };
}

TEST(LightgbmModelTest, RefusesMalformedModelsNamingTheProblem) {
  for (const BadCase& c : BadModels()) {
    EXPECT_TRUE(StatusIs(ParseLightgbmText(c.text), kInvalid, c.message)) << c.name;
  }
}

// Every prefix and many random corruptions of a valid model parse or fail cleanly.
TEST(LightgbmModelTest, SurvivesTruncationAndCorruption) {
  std::string header = Replace(std::string(kHeader), "max_feature_idx=1", "max_feature_idx=2");
  header = Replace(header, "feature_names=a b", "feature_names=a b c");
  header = Replace(header, "feature_infos=[0:1] [0:1]", "feature_infos=[0:1] 0:1:2 none");
  const std::string text = LgbModelText({Stump(0.5, 8), CatStump("5 7", 2, 9), Stump(0.25, 6, 2)}, header,
                                 R"(pandas_categorical:[["a", "b", "c"], ["z"]])");
  ASSERT_TRUE(ParseLightgbmText(text).ok()) << ParseLightgbmText(text).status();
  for (size_t n = 0; n < text.size(); ++n) (void)ParseLightgbmText(text.substr(0, n));
  std::mt19937 rng(42);
  const std::string alphabet = "0123456789-=.: \n\r[]eE,\"abinfTtree";
  for (int round = 0; round < 3000; ++round) {
    std::string mutated = text;
    for (int k = 0; k < 1 + round % 4; ++k) {
      mutated[rng() % mutated.size()] = alphabet[rng() % alphabet.size()];
    }
    auto r = ParseLightgbmText(mutated);
    if (r.ok()) {
      std::vector<double> row(8, 0.5);
      (void)ReferencePredict(*r, row.data(), 1, {});
    }
  }
}

}  // namespace
}  // namespace plinth::runtime
