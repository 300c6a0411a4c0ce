// TreeEnsemble: the loader-independent form of a tree model (XGBoost gbtree/dart, LightGBM).
//
// Loaders (xgboost_model.h, lightgbm_model.h) translate their file formats into this one
// description with every format's quirks made explicit, so one compiler (compiled_forest.h) and
// one reference evaluator (reference_eval.h) serve all of them. Semantics of one tree, for a
// feature value v of row x at internal node n:
//   1. missing: v is NaN, or (n.missing == kZeroOrNaN and |v| <= kZeroThreshold)
//        -> n.default_left ? left : right.
//      With n.missing == kNone a NaN is read as 0.0 and then compared normally.
//   2. numerical: v < n.threshold -> left, else right. (LightGBM's `v <= t` is stored by its
//      loader as `v < nextafter(t, +inf)`, so one comparison serves both.)
//   3. categorical: c = (int)v (truncation). c in n.categories -> (n.categories_go_left ? left :
//      right); a c not in the set, negative, or not representable as int32 -> the other child.
//      A v in (-1, 0) is negative (XGBoost) unless n.truncate_negative_codes, when it
//      truncates to category 0 (LightGBM's C++ cast).
// The margin of output k is base_score[k] + sum over trees t with t.output == k of
// t.weight * leaf(t, x); with `average_output` the tree sum is divided by the number of
// iterations (trees per output) used. Precision kFloat32 reproduces XGBoost: inputs, thresholds
// and leaf values are float32 and the margin accumulates in float32, tree by tree in order.
// Precision kFloat64 reproduces LightGBM: everything in double.
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/runtime/signature.h"

namespace plinth::runtime {

enum class Precision : uint8_t { kFloat32, kFloat64 };

// Applied to the margins of one row to give the prediction.
enum class OutputTransform : uint8_t {
  kIdentity,
  kSigmoid,      // 1 / (1 + exp(-sigmoid_scale * m)), per output
  kExp,          // exp(m), per output
  kSoftmax,      // softmax over the outputs of the row
  kArgmax,       // index of the largest margin (XGBoost multi:softmax); one value per row
  kStep,         // m > 0 ? 1 : 0 (XGBoost binary:hinge)
  kLog1pExp,     // log(1 + exp(m)) (LightGBM cross_entropy_lambda)
};

enum class MissingRule : uint8_t {
  kNaN,        // NaN is missing
  kZeroOrNaN,  // NaN and |v| <= kZeroThreshold are missing (LightGBM missing_type=Zero)
  kNone,       // nothing is missing: NaN reads as 0.0 (LightGBM missing_type=None)
};

struct TreeNode {
  bool is_leaf = false;
  double leaf_value = 0;  // leaves only

  // Internal nodes only.
  int32_t feature = 0;
  int32_t left = -1;   // index into Tree::nodes
  int32_t right = -1;  // index into Tree::nodes
  double threshold = 0;
  bool default_left = false;
  MissingRule missing = MissingRule::kNaN;
  bool categorical = false;
  bool categories_go_left = false;    // where a category in `categories` goes
  std::vector<uint32_t> categories;   // sorted, unique
  bool truncate_negative_codes = false;  // (-1, 0) reads as category 0 (LightGBM)
};

// LightGBM's zero band for missing_type=Zero: the float 1e-35f, compared in double, inclusive.
inline constexpr double kZeroThreshold = static_cast<double>(1e-35f);

struct Tree {
  std::vector<TreeNode> nodes;  // nodes[0] is the root
  int32_t output = 0;           // which margin this tree adds to (class or target)
  double weight = 1.0;          // DART weight_drop; 1 otherwise
};

struct TreeEnsemble {
  Precision precision = Precision::kFloat32;
  int32_t num_features = 0;
  int32_t num_outputs = 1;          // margins per row (classes, or targets)
  std::vector<double> base_score;   // margin space, one per output
  std::vector<Tree> trees;          // in boosting order
  bool average_output = false;      // LightGBM random forest
  OutputTransform transform = OutputTransform::kIdentity;
  double sigmoid_scale = 1.0;
  Signature signature;
  std::string objective;            // as the library named it, for display
  std::string source_format;        // "xgboost-json", "lightgbm-text", ...
  int64_t best_iteration = -1;      // recorded by early stopping; informational

  // Trees of one boosting iteration (one per output, times num_parallel_tree).
  int32_t trees_per_iteration = 1;
};

// Checks indices, features, children and sizes; InvalidArgument naming the first problem.
absl::Status ValidateEnsemble(const TreeEnsemble& e);

// Number of values a prediction writes per row (1 for kArgmax, else num_outputs).
int32_t PredictionWidth(const TreeEnsemble& e);

}  // namespace plinth::runtime
