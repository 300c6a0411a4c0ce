#include "plinth/runtime/reference_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "plinth/runtime/output_transform.h"

namespace plinth::runtime {
namespace {

bool GoesLeft(const TreeNode& n, double v, Precision p) {
  if (p == Precision::kFloat32) v = static_cast<float>(v);
  if (std::isnan(v)) {
    if (n.missing == MissingRule::kNone) {
      v = 0.0;
    } else {
      return n.default_left;
    }
  }
  if (n.missing == MissingRule::kZeroOrNaN && v >= -kZeroThreshold && v <= kZeroThreshold) return n.default_left;
  if (n.categorical) {
    bool in_set = false;
    if ((v >= 0 || (n.truncate_negative_codes && v > -1)) && v < 2147483648.0) {
      auto c = static_cast<uint32_t>(static_cast<int32_t>(v));
      in_set = std::binary_search(n.categories.begin(), n.categories.end(), c);
    }
    return in_set == n.categories_go_left;
  }
  if (p == Precision::kFloat32) return static_cast<float>(v) < static_cast<float>(n.threshold);
  return v < n.threshold;
}

size_t TreesUsed(const TreeEnsemble& e, int32_t iteration_limit) {
  if (iteration_limit <= 0) return e.trees.size();
  return std::min(e.trees.size(), static_cast<size_t>(iteration_limit) * e.trees_per_iteration);
}

}  // namespace

int32_t ReferenceLeaf(const Tree& tree, const double* row, Precision p) {
  int32_t i = 0;
  while (!tree.nodes[i].is_leaf) {
    const TreeNode& n = tree.nodes[i];
    i = GoesLeft(n, row[n.feature], p) ? n.left : n.right;
  }
  return i;
}

std::vector<double> ReferencePredict(const TreeEnsemble& e, const double* rows, size_t num_rows,
                                     const PredictOptions& options) {
  const int32_t k_out = e.num_outputs;
  const int32_t width = options.output_margin ? k_out : PredictionWidth(e);
  const size_t used = TreesUsed(e, options.iteration_limit);
  std::vector<double> out(num_rows * width);
  std::vector<double> margin(k_out);
  for (size_t r = 0; r < num_rows; ++r) {
    const double* row = rows + r * e.num_features;
    if (e.precision == Precision::kFloat32) {
      std::vector<float> acc(k_out);
      for (int32_t k = 0; k < k_out; ++k) acc[k] = static_cast<float>(e.base_score[k]);
      std::vector<float> tree_sum(k_out, 0.0f);
      for (size_t t = 0; t < used; ++t) {
        const Tree& tree = e.trees[t];
        float leaf = static_cast<float>(tree.nodes[ReferenceLeaf(tree, row, e.precision)].leaf_value);
        if (tree.weight != 1.0) leaf *= static_cast<float>(tree.weight);
        if (e.average_output) {
          tree_sum[tree.output] += leaf;
        } else {
          acc[tree.output] += leaf;
        }
      }
      for (int32_t k = 0; k < k_out; ++k) {
        if (e.average_output) {
          size_t iters = std::max<size_t>(1, used / std::max(1, e.trees_per_iteration));
          acc[k] += tree_sum[k] / static_cast<float>(iters);
        }
        margin[k] = acc[k];
      }
    } else {
      std::vector<double> tree_sum(k_out, 0.0);
      for (size_t t = 0; t < used; ++t) {
        const Tree& tree = e.trees[t];
        double leaf = tree.nodes[ReferenceLeaf(tree, row, e.precision)].leaf_value * tree.weight;
        tree_sum[tree.output] += leaf;
      }
      for (int32_t k = 0; k < k_out; ++k) {
        double s = tree_sum[k];
        if (e.average_output) {
          s /= static_cast<double>(std::max<size_t>(1, used / std::max(1, e.trees_per_iteration)));
        }
        margin[k] = e.base_score[k] + s;
      }
    }
    double* o = out.data() + r * width;
    if (options.output_margin) {
      std::copy(margin.begin(), margin.end(), o);
    } else {
      ApplyTransform(e.transform, e.sigmoid_scale, e.precision, margin.data(), k_out, o);
    }
  }
  return out;
}

std::vector<double> ReferencePredict(const LinearSpec& s, const double* rows, size_t num_rows,
                                     const PredictOptions& options) {
  const int32_t k_out = s.num_outputs;
  const int32_t width = options.output_margin ? k_out : TransformWidth(s.transform, k_out);
  std::vector<double> out(num_rows * width);
  std::vector<double> margin(k_out);
  for (size_t r = 0; r < num_rows; ++r) {
    const double* row = rows + r * s.num_features;
    for (int32_t k = 0; k < k_out; ++k) {
      if (s.precision == Precision::kFloat32) {
        // XGBoost gblinear: the bias plus the base margin first, then the features in order.
        float psum = static_cast<float>(s.bias[k]) + static_cast<float>(s.base_score[k]);
        for (int32_t f = 0; f < s.num_features; ++f) {
          float v = static_cast<float>(row[f]);
          if (std::isnan(v)) continue;
          psum += v * static_cast<float>(s.weights[static_cast<size_t>(f) * k_out + k]);
        }
        margin[k] = psum;
      } else {
        double psum = s.bias[k];
        for (int32_t f = 0; f < s.num_features; ++f) {
          double v = row[f];
          if (std::isnan(v)) continue;
          psum += v * s.weights[static_cast<size_t>(f) * k_out + k];
        }
        margin[k] = psum + s.base_score[k];
      }
    }
    double* o = out.data() + r * width;
    if (options.output_margin) {
      std::copy(margin.begin(), margin.end(), o);
    } else {
      ApplyTransform(s.transform, s.sigmoid_scale, s.precision, margin.data(), k_out, o);
    }
  }
  return out;
}

}  // namespace plinth::runtime
