#include "plinth/runtime/tree_ensemble.h"

#include <algorithm>
#include <cmath>

#include "plinth/runtime/linear_spec.h"
#include "plinth/runtime/output_transform.h"

namespace plinth::runtime {
namespace {

constexpr int32_t kMaxFeatures = (1 << 24) - 2;  // the compiled form reserves index F for leaves
constexpr int32_t kMaxOutputs = 1 << 16;

absl::Status CheckCommon(int32_t num_features, int32_t num_outputs, const std::vector<double>& base_score,
                         OutputTransform transform, const Signature& sig) {
  if (num_features <= 0 || num_features > kMaxFeatures) {
    return absl::InvalidArgumentError(StrCat("model has ", num_features, " features (must be 1..", kMaxFeatures, ")"));
  }
  if (num_outputs <= 0 || num_outputs > kMaxOutputs) {
    return absl::InvalidArgumentError(StrCat("model has ", num_outputs, " outputs (must be 1..", kMaxOutputs, ")"));
  }
  if (base_score.size() != static_cast<size_t>(num_outputs)) {
    return absl::InvalidArgumentError(
        StrCat("model has ", base_score.size(), " base scores for ", num_outputs, " outputs"));
  }
  for (double b : base_score) {
    if (!std::isfinite(b)) return absl::InvalidArgumentError("model has a base score that is not finite");
  }
  if (sig.inputs.size() != static_cast<size_t>(num_features)) {
    return absl::InvalidArgumentError(
        StrCat("model signature names ", sig.inputs.size(), " inputs for ", num_features, " features"));
  }
  size_t width = static_cast<size_t>(TransformWidth(transform, num_outputs));
  if (!sig.outputs.empty() && sig.outputs.size() != width) {
    return absl::InvalidArgumentError(
        StrCat("model signature names ", sig.outputs.size(), " outputs for ", width, " prediction values"));
  }
  return absl::OkStatus();
}

}  // namespace

int32_t PredictionWidth(const TreeEnsemble& e) { return TransformWidth(e.transform, e.num_outputs); }

absl::Status ValidateEnsemble(const TreeEnsemble& e) {
  PLINTH_RETURN_IF_ERROR(CheckCommon(e.num_features, e.num_outputs, e.base_score, e.transform, e.signature));
  if (e.trees.empty()) return absl::InvalidArgumentError("model has no trees");
  if (e.trees_per_iteration <= 0) return absl::InvalidArgumentError("model has no trees per iteration");
  for (size_t t = 0; t < e.trees.size(); ++t) {
    const Tree& tree = e.trees[t];
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(StrCat("tree ", t, ": ", what));
    };
    if (tree.nodes.empty()) return bad("has no nodes");
    if (tree.output < 0 || tree.output >= e.num_outputs) return bad(StrCat("adds to output ", tree.output));
    if (!std::isfinite(tree.weight)) return bad("weight is not finite");
    const int32_t n = static_cast<int32_t>(tree.nodes.size());
    // Children must point forward (no cycles) and every node be reached exactly once.
    std::vector<uint8_t> reached(n, 0);
    reached[0] = 1;
    for (int32_t i = 0; i < n; ++i) {
      const TreeNode& node = tree.nodes[i];
      if (!reached[i]) return bad(StrCat("node ", i, " is not reachable from the root"));
      if (node.is_leaf) {
        if (!std::isfinite(node.leaf_value)) return bad(StrCat("leaf ", i, " value is not finite"));
        continue;
      }
      if (node.feature < 0 || node.feature >= e.num_features) {
        return bad(StrCat("node ", i, " splits on feature ", node.feature, " of ", e.num_features));
      }
      for (int32_t c : {node.left, node.right}) {
        if (c <= i || c >= n) return bad(StrCat("node ", i, " has child ", c));
        if (reached[c]) return bad(StrCat("node ", c, " has two parents"));
        reached[c] = 1;
      }
      if (node.categorical) {
        if (!std::is_sorted(node.categories.begin(), node.categories.end()) ||
            std::adjacent_find(node.categories.begin(), node.categories.end()) != node.categories.end()) {
          return bad(StrCat("node ", i, " categories are not sorted and unique"));
        }
        if (!node.categories.empty() && node.categories.back() > (1u << 30)) {
          return bad(StrCat("node ", i, " has category ", node.categories.back()));
        }
      } else if (std::isnan(node.threshold)) {
        return bad(StrCat("node ", i, " threshold is NaN"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateLinear(const LinearSpec& s) {
  PLINTH_RETURN_IF_ERROR(CheckCommon(s.num_features, s.num_outputs, s.base_score, s.transform, s.signature));
  if (s.weights.size() != static_cast<size_t>(s.num_features) * s.num_outputs) {
    return absl::InvalidArgumentError(StrCat("linear model has ", s.weights.size(), " weights for ", s.num_features,
                                             " features x ", s.num_outputs, " outputs"));
  }
  if (s.bias.size() != static_cast<size_t>(s.num_outputs)) {
    return absl::InvalidArgumentError(StrCat("linear model has ", s.bias.size(), " biases for ", s.num_outputs, " outputs"));
  }
  for (double w : s.weights) {
    if (!std::isfinite(w)) return absl::InvalidArgumentError("linear model has a weight that is not finite");
  }
  for (double b : s.bias) {
    if (!std::isfinite(b)) return absl::InvalidArgumentError("linear model has a bias that is not finite");
  }
  return absl::OkStatus();
}

}  // namespace plinth::runtime
