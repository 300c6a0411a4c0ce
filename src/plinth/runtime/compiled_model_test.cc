#include "plinth/runtime/compiled_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>

#include "plinth/base/worker_pool.h"
#include "plinth/runtime/forest_writer.h"
#include "plinth/runtime/model_loader.h"
#include "plinth/runtime/reference_eval.h"
#include "plinth/testing/test_util.h"

namespace plinth::runtime {
namespace {

using ::plinth::testing::kNaN;

struct Shape {
  Precision precision = Precision::kFloat32;
  int features = 6;
  int outputs = 1;
  int trees = 20;
  int max_depth = 6;
  bool categorical = false;
  bool zero_missing = false;
  bool none_missing = false;
  bool weights = false;
  bool average = false;
  bool unbalanced = false;
  OutputTransform transform = OutputTransform::kIdentity;
};

// A random ensemble exercising the features `shape` asks for.
TreeEnsemble RandomEnsemble(const Shape& shape, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(-2, 2);
  TreeEnsemble e;
  e.precision = shape.precision;
  e.num_features = shape.features;
  e.num_outputs = shape.outputs;
  e.trees_per_iteration = shape.outputs;
  e.average_output = shape.average;
  e.transform = shape.transform;
  e.sigmoid_scale = 1.0;
  for (int k = 0; k < shape.outputs; ++k) e.base_score.push_back(unit(rng) * 0.1);
  for (int f = 0; f < shape.features; ++f) {
    bool cat = shape.categorical && f % 3 == 2;
    e.signature.inputs.push_back({StrCat("f", f), cat ? FeatureKind::kCategorical : FeatureKind::kNumeric, {}});
  }
  for (int t = 0; t < shape.trees; ++t) {
    Tree tree;
    tree.output = t % shape.outputs;
    if (shape.weights) tree.weight = 0.5 + (t % 4) * 0.25;
    // Grow breadth-first: each frontier node splits with a probability.
    tree.nodes.emplace_back();
    std::vector<std::pair<int, int>> frontier = {{0, 0}};
    for (size_t q = 0; q < frontier.size(); ++q) {
      auto [i, depth] = frontier[q];
      bool split = depth < shape.max_depth && (depth < 2 || rng() % 100 < (shape.unbalanced ? 55 : 85));
      if (shape.unbalanced && depth >= 2 && q + 1 != frontier.size()) split = split && rng() % 2 == 0;
      if (!split) {
        tree.nodes[i].is_leaf = true;
        tree.nodes[i].leaf_value = unit(rng);
        continue;
      }
      TreeNode n;
      n.feature = static_cast<int32_t>(rng() % shape.features);
      n.default_left = rng() % 2;
      if (shape.categorical && n.feature % 3 == 2) {
        n.categorical = true;
        n.categories_go_left = rng() % 2;
        n.truncate_negative_codes = rng() % 2;
        for (uint32_t c = 0; c < 40; ++c) {
          if (rng() % 3 == 0) n.categories.push_back(c);
        }
      } else {
        n.threshold = unit(rng);
      }
      if (shape.zero_missing && rng() % 3 == 0) n.missing = MissingRule::kZeroOrNaN;
      if (shape.none_missing && rng() % 3 == 0) n.missing = MissingRule::kNone;
      n.left = static_cast<int32_t>(tree.nodes.size());
      n.right = n.left + 1;
      tree.nodes[i] = n;
      tree.nodes.emplace_back();
      tree.nodes.emplace_back();
      frontier.push_back({n.left, depth + 1});
      frontier.push_back({n.right, depth + 1});
    }
    e.trees.push_back(std::move(tree));
  }
  return e;
}

std::vector<double> RandomRows(const Shape& shape, size_t rows, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(-2.5, 2.5);
  std::vector<double> x(rows * shape.features);
  for (size_t i = 0; i < x.size(); ++i) {
    int f = static_cast<int>(i % shape.features);
    switch (rng() % 12) {
      case 0: x[i] = kNaN; break;
      case 1: x[i] = 0.0; break;
      case 2: x[i] = -0.0; break;
      case 3: x[i] = 1e-36; break;
      default:
        if (shape.categorical && f % 3 == 2) {
          double choices[] = {0, 1, 3, 7.9, 31, 33, 39, 45, 1000, -1, 1e10, std::numeric_limits<double>::infinity(),
                              -0.5, -0.0};
          x[i] = choices[rng() % 14];
        } else {
          x[i] = unit(rng);
        }
    }
  }
  return x;
}

void ExpectSameAsReference(const Shape& shape, uint64_t seed, size_t rows = 300) {
  std::mt19937_64 rng(seed);
  TreeEnsemble e = RandomEnsemble(shape, rng);
  ASSERT_TRUE(ValidateEnsemble(e).ok()) << ValidateEnsemble(e);
  auto bytes = CompileForest(e);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto model = CompiledModel::Create(ModelBytes::Own(*bytes));
  ASSERT_TRUE(model.ok()) << model.status();
  std::vector<double> x = RandomRows(shape, rows, rng);
  for (bool margin : {true, false}) {
    for (int limit : {0, 3}) {
      PredictOptions opts;
      opts.output_margin = margin;
      opts.iteration_limit = limit;
      std::vector<double> want = ReferencePredict(e, x.data(), rows, opts);
      std::vector<double> got(rows * (*model)->OutputWidth(opts));
      ASSERT_EQ(want.size(), got.size());
      ASSERT_TRUE((*model)->Predict(x.data(), rows, got.data(), opts).ok());
      for (size_t i = 0; i < got.size(); ++i) {
        // Bit-identical: same operations in the same order.
        ASSERT_EQ(std::memcmp(&want[i], &got[i], sizeof(double)), 0)
            << "seed " << seed << " value " << i << " margin " << margin << " limit " << limit << ": " << want[i]
            << " vs " << got[i];
      }
      // One row at a time takes another path (trees walked in lock-step groups): same answers.
      const size_t width = static_cast<size_t>((*model)->OutputWidth(opts));
      for (size_t r = 0; r < std::min<size_t>(rows, 60); ++r) {
        std::vector<double> one(width);
        ASSERT_TRUE((*model)->Predict(x.data() + r * shape.features, 1, one.data(), opts).ok());
        ASSERT_EQ(std::memcmp(one.data(), &want[r * width], width * sizeof(double)), 0)
            << "seed " << seed << " row " << r << " alone, margin " << margin << " limit " << limit << ": "
            << want[r * width] << " vs " << one[0];
      }
    }
  }
}

TEST(CompiledModel, MatchesReferenceFloat32) {
  for (uint64_t seed = 1; seed <= 20; ++seed) ExpectSameAsReference({}, seed);
}

TEST(CompiledModel, ManyTreesMatchReference) {
  // Several full lock-step groups of plain trees for single rows, with shallower trees and, with
  // categorical splits, special trees between them.
  for (Precision p : {Precision::kFloat32, Precision::kFloat64}) {
    Shape s;
    s.precision = p;
    s.trees = 75;
    s.max_depth = 8;
    s.features = 12;
    for (uint64_t seed = 1; seed <= 4; ++seed) ExpectSameAsReference(s, seed);
    s.categorical = true;
    for (uint64_t seed = 5; seed <= 8; ++seed) ExpectSameAsReference(s, seed);
  }
}

TEST(CompiledModel, MatchesReferenceFloat64WithMissingRules) {
  Shape s;
  s.precision = Precision::kFloat64;
  s.zero_missing = true;
  s.none_missing = true;
  for (uint64_t seed = 1; seed <= 20; ++seed) ExpectSameAsReference(s, seed);
}

TEST(CompiledModel, MatchesReferenceCategorical) {
  for (Precision p : {Precision::kFloat32, Precision::kFloat64}) {
    Shape s;
    s.precision = p;
    s.categorical = true;
    s.none_missing = true;
    s.features = 9;
    for (uint64_t seed = 1; seed <= 20; ++seed) ExpectSameAsReference(s, seed);
  }
}

TEST(CompiledModel, MatchesReferenceMulticlassWeightsAverage) {
  Shape s;
  s.outputs = 3;
  s.trees = 30;
  s.weights = true;
  s.transform = OutputTransform::kSoftmax;
  for (uint64_t seed = 1; seed <= 10; ++seed) ExpectSameAsReference(s, seed);
  s.precision = Precision::kFloat64;
  s.average = true;
  s.weights = false;
  for (uint64_t seed = 11; seed <= 20; ++seed) ExpectSameAsReference(s, seed);
  s.transform = OutputTransform::kArgmax;
  ExpectSameAsReference(s, 21);
}

TEST(CompiledModel, MatchesReferenceDeepUnbalancedTrees) {
  Shape s;
  s.max_depth = 40;
  s.unbalanced = true;
  s.trees = 10;
  s.precision = Precision::kFloat64;
  for (uint64_t seed = 1; seed <= 10; ++seed) ExpectSameAsReference(s, seed);
  // The generator must really produce trees the compiler walks with leaf tests.
  std::mt19937_64 rng(1);
  auto model = CompiledModel::Create(ModelBytes::Own(*CompileForest(RandomEnsemble(s, rng))));
  ASSERT_TRUE(model.ok());
  int deep = 0;
  for (uint32_t t = 0; t < (*model)->view().header->num_trees; ++t) deep += ((*model)->view().trees[t].flags & kTreeDeep) != 0;
  EXPECT_GT(deep, 0);
}

TEST(CompiledModel, TransformsMatchReference) {
  for (OutputTransform t : {OutputTransform::kSigmoid, OutputTransform::kExp, OutputTransform::kStep,
                            OutputTransform::kLog1pExp}) {
    for (Precision p : {Precision::kFloat32, Precision::kFloat64}) {
      Shape s;
      s.transform = t;
      s.precision = p;
      ExpectSameAsReference(s, 7 + static_cast<int>(t));
    }
  }
}

TEST(CompiledModel, ParallelBatchEqualsSerial) {
  std::mt19937_64 rng(5);
  Shape s;
  s.trees = 50;
  TreeEnsemble e = RandomEnsemble(s, rng);
  auto model = LoadModel(kCompiledFormat, *CompileForest(e));
  ASSERT_TRUE(model.ok()) << model.status();
  const size_t rows = 10000;
  std::vector<double> x = RandomRows(s, rows, rng);
  std::vector<double> serial(rows), parallel(rows);
  ASSERT_TRUE((*model)->Predict(x.data(), rows, serial.data(), {}).ok());
  WorkerPool pool(2);
  PredictOptions opts;
  opts.pool = &pool;
  ASSERT_TRUE((*model)->Predict(x.data(), rows, parallel.data(), opts).ok());
  EXPECT_EQ(serial, parallel);
}

TEST(CompiledModel, MappedFileServesLikeTheBuffer) {
  plinth::testing::TempDir dir;
  std::mt19937_64 rng(9);
  Shape s;
  s.categorical = true;
  s.features = 9;
  TreeEnsemble e = RandomEnsemble(s, rng);
  std::string bytes = *CompileForest(e);
  std::string path = dir.Sub("m.pf");
  std::ofstream(path, std::ios::binary) << bytes;
  auto mapped = LoadModelFile(kCompiledFormat, path);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  std::vector<double> x = RandomRows(s, 100, rng);
  std::vector<double> got(100);
  ASSERT_TRUE((*mapped)->Predict(x.data(), 100, got.data(), {}).ok());
  EXPECT_EQ(got, ReferencePredict(e, x.data(), 100, {}));
  EXPECT_EQ((*mapped)->signature().inputs.size(), 9u);
  EXPECT_GE((*mapped)->MemoryBytes(), bytes.size());
  EXPECT_EQ((*mapped)->Describe()["trees"], 20);
}

TEST(CompiledModel, CorruptBytesAreRefusedNeverCrash) {
  std::mt19937_64 rng(11);
  Shape s;
  s.categorical = true;
  s.features = 9;
  s.trees = 3;
  std::string bytes = *CompileForest(RandomEnsemble(s, rng));
  EXPECT_FALSE(LoadModel(kCompiledFormat, bytes.substr(0, bytes.size() - 8)).ok());
  EXPECT_FALSE(LoadModel(kCompiledFormat, "short").ok());
  EXPECT_FALSE(LoadModel(kCompiledFormat, std::string(200, 'x')).ok());
  for (int i = 0; i < 2000; ++i) {
    std::string b = bytes;
    b[rng() % b.size()] ^= static_cast<char>(1 << (rng() % 8));
    auto m = LoadModel(kCompiledFormat, b);
    EXPECT_FALSE(m.ok());  // the checksum catches every single-bit flip
  }
}

TEST(LinearJson, PredictsAndValidates) {
  auto m = LoadModel("linear-json", R"({"format": "plinth-linear", "features": ["a", "b"], "weights": [0.5, -1.0],
                                        "bias": 0.25, "link": "logistic"})");
  ASSERT_TRUE(m.ok()) << m.status();
  double x[] = {2.0, 1.0, kNaN, 3.0};
  double out[2];
  ASSERT_TRUE((*m)->Predict(x, 2, out, {}).ok());
  EXPECT_DOUBLE_EQ(out[0], 1 / (1 + std::exp(-(0.25 + 1.0 - 1.0))));
  EXPECT_DOUBLE_EQ(out[1], 1 / (1 + std::exp(-(0.25 - 3.0))));
  PredictOptions margin;
  margin.output_margin = true;
  ASSERT_TRUE((*m)->Predict(x, 1, out, margin).ok());
  EXPECT_DOUBLE_EQ(out[0], 0.25);
  EXPECT_EQ((*m)->signature().inputs[1].name, "b");

  auto multi = LoadModel("linear-json", R"({"format": "plinth-linear", "features": ["a"], "weights": [[1.0], [2.0]],
                                            "bias": [0, 0], "link": "softmax", "outputs": ["no", "yes"]})");
  ASSERT_TRUE(multi.ok()) << multi.status();
  ASSERT_TRUE((*multi)->Predict(x, 1, out, {}).ok());
  EXPECT_NEAR(out[1], std::exp(4.0) / (std::exp(2.0) + std::exp(4.0)), 1e-15);

  auto example = LoadModel("linear-json", R"({"format": "plinth-linear", "format_version": 1, "objective": "binary:logistic",
      "features": ["amount", "failed"], "weights": [0.5, 1.0], "intercept": -1.0})");
  ASSERT_TRUE(example.ok()) << example.status();
  ASSERT_TRUE((*example)->Predict(x, 1, out, {}).ok());
  EXPECT_DOUBLE_EQ(out[0], 1 / (1 + std::exp(-(-1.0 + 1.0 + 1.0))));

  for (const char* bad : {R"({"format": "plinth-linear", "features": ["a"], "weights": [1], "wieghts": [1]})",
                          R"({"format": "plinth-linear", "features": ["a"], "weights": [1], "objective": "rank:ndcg"})",
                          R"({"format": "plinth-linear", "features": ["a"], "weights": [1], "format_version": 2})",R"({"format": "plinth-linear", "features": ["a"], "weights": [1, 2]})",
                          R"({"format": "plinth-linear", "features": ["a", "a"], "weights": [1, 2]})",
                          R"({"format": "plinth-linear", "features": ["a"], "weights": [1], "link": "probit"})",
                          R"({"format": "other", "features": ["a"], "weights": [1]})", "[1, 2]", "{"}) {
    auto r = LoadModel("linear-json", bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace plinth::runtime
