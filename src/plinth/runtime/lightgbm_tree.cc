#include "plinth/runtime/lightgbm_tree.h"

#include <cmath>
#include <limits>
#include <utility>

#include "plinth/base/strings.h"

namespace plinth::runtime {
namespace {

using TK = LgbTreeKey;

template <typename... Parts>
absl::Status TreeInvalid(const Parts&... parts) {
  return absl::InvalidArgumentError(StrCat(parts...));
}

absl::StatusOr<int64_t> ReadInt(const LgbTreeSection& s, TK key) {
  const auto& text = s.fields[key];
  if (!text) return TreeInvalid("has no ", LgbTreeKeyName(key), " line");
  return ParseLgbInt(*text, LgbTreeKeyName(key));
}

// The list under `key`, which must hold `expected` numbers.
template <typename T>
absl::Status ReadList(const LgbTreeSection& s, TK key, int64_t expected, std::vector<T>* out) {
  const auto& text = s.fields[key];
  if (!text) return TreeInvalid("has no ", LgbTreeKeyName(key), " line");
  PLINTH_RETURN_IF_ERROR(ParseLgbList(*text, LgbTreeKeyName(key), out));
  if (static_cast<int64_t>(out->size()) != expected) {
    return TreeInvalid(LgbTreeKeyName(key), " has ", out->size(), " values, expected ", expected);
  }
  return absl::OkStatus();
}

// Reads the category bitsets; each must lie inside cat_threshold.
absl::Status ReadBitsets(const LgbTreeSection& s, LgbTreeScratch* x) {
  PLINTH_ASSIGN_OR_RETURN(int64_t num_cat, ReadInt(s, TK::kNumCat));
  if (num_cat < 0 || num_cat > (1 << 30)) return TreeInvalid("num_cat is ", num_cat);
  x->cat_boundaries.clear();
  x->cat_threshold.clear();
  if (num_cat == 0) return absl::OkStatus();
  PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kCatBoundaries, num_cat + 1, &x->cat_boundaries));
  const auto& b = x->cat_boundaries;
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] < 0 || (i > 0 && b[i] < b[i - 1]))
      return TreeInvalid("cat_boundaries must be ascending from 0");
  }
  return ReadList(s, TK::kCatThreshold, b.back(), &x->cat_threshold);
}

// The IR index of LightGBM child `c` of internal node `i` (L leaves).
absl::StatusOr<int32_t> ChildIndex(int32_t i, int32_t c, int32_t num_leaves) {
  const int32_t internal = num_leaves - 1;
  if (c >= 0) {
    if (c <= i || c >= internal) {
      return TreeInvalid("node ", i, " has child node ", c,
                     " (children follow their parent, nodes are 0..", internal - 1, ")");
    }
    return c;
  }
  const int32_t leaf = ~c;
  if (leaf >= num_leaves) return TreeInvalid("node ", i, " has child leaf ", leaf, " of ", num_leaves);
  return internal + leaf;
}

absl::Status CategoricalNode(int32_t i, double threshold, LgbTreeScratch* x, TreeNode* node) {
  const int64_t num_cat = static_cast<int64_t>(x->bitset_used.size());
  if (!(threshold >= 0 && threshold < static_cast<double>(num_cat))) {
    return TreeInvalid("categorical node ", i, " names bitset ", threshold, " of num_cat=", num_cat);
  }
  const auto t = static_cast<size_t>(threshold);
  if (x->bitset_used[t]++) return TreeInvalid("categorical bitset ", t, " is used by two nodes");
  const auto first = static_cast<size_t>(x->cat_boundaries[t]);
  const auto last = static_cast<size_t>(x->cat_boundaries[t + 1]);
  for (size_t w = first; w < last; ++w) {
    for (uint32_t bit = 0, word = x->cat_threshold[w]; word != 0; ++bit, word >>= 1) {
      if (word & 1u) node->categories.push_back(static_cast<uint32_t>((w - first) * 32 + bit));
    }
  }
  node->categorical = true;
  node->categories_go_left = true;
  node->truncate_negative_codes = true;
  node->missing = MissingRule::kNaN;  // NaN goes right whatever the missing type
  node->default_left = false;
  return absl::OkStatus();
}

absl::Status NumericalNode(int32_t i, double threshold, int32_t decision_type, TreeNode* node) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (std::isnan(threshold)) return TreeInvalid("node ", i, " has threshold ", threshold);
  node->default_left = (decision_type & 2) != 0;
  if (threshold == kInf) {
    // Every value that is not missing goes left, +inf included: no `v < t` says that, but
    // `v < -inf` sends every value right, so the children swap sides.
    std::swap(node->left, node->right);
    node->default_left = !node->default_left;
    node->threshold = -kInf;
  } else {
    node->threshold = std::nextafter(threshold, kInf);
  }
  switch ((decision_type >> 2) & 3) {
    case 0:
      node->missing = MissingRule::kNone;
      break;
    case 1:
      node->missing = MissingRule::kZeroOrNaN;
      break;
    case 2:
      node->missing = MissingRule::kNaN;
      break;
    default:
      return TreeInvalid("node ", i, " has decision_type ", decision_type, " (missing type 3)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TranslateLightgbmTree(const LgbTreeSection& s, int32_t num_features, LgbTreeScratch* x,
                                   Tree* tree, std::vector<uint8_t>* categorical) {
  PLINTH_ASSIGN_OR_RETURN(int64_t num_leaves, ReadInt(s, TK::kNumLeaves));
  if (num_leaves < 1 || num_leaves > (1 << 30)) return TreeInvalid("num_leaves is ", num_leaves);
  PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kLeafValue, num_leaves, &x->leaf_value));
  const auto leaves = static_cast<int32_t>(num_leaves);  // bounded by the leaf_value list
  const int32_t internal = leaves - 1;
  tree->nodes.assign(static_cast<size_t>(internal) + leaves, TreeNode{});
  for (int32_t j = 0; j < leaves; ++j) {
    TreeNode& leaf = tree->nodes[internal + j];
    leaf.is_leaf = true;
    leaf.leaf_value = x->leaf_value[j];
  }
  if (internal == 0) return absl::OkStatus();

  PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kSplitFeature, internal, &x->split_feature));
  PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kThreshold, internal, &x->threshold));
  PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kLeftChild, internal, &x->left_child));
  PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kRightChild, internal, &x->right_child));
  if (s.fields[TK::kDecisionType]) {
    PLINTH_RETURN_IF_ERROR(ReadList(s, TK::kDecisionType, internal, &x->decision_type));
  } else {
    x->decision_type.assign(internal, 0);  // LightGBM's default: numerical, missing None
  }
  PLINTH_RETURN_IF_ERROR(ReadBitsets(s, x));
  x->bitset_used.assign(x->cat_boundaries.empty() ? 0 : x->cat_boundaries.size() - 1, 0);

  for (int32_t i = 0; i < internal; ++i) {
    TreeNode& node = tree->nodes[i];
    const int32_t f = x->split_feature[i];
    if (f < 0 || f >= num_features) {
      return TreeInvalid("node ", i, " splits on feature ", f, " but max_feature_idx is ",
                     num_features - 1);
    }
    node.feature = f;
    PLINTH_ASSIGN_OR_RETURN(node.left, ChildIndex(i, x->left_child[i], leaves));
    PLINTH_ASSIGN_OR_RETURN(node.right, ChildIndex(i, x->right_child[i], leaves));
    const int32_t d = x->decision_type[i];
    if (d < 0 || d > 15) return TreeInvalid("node ", i, " has decision_type ", d);
    if (d & 1) {
      PLINTH_RETURN_IF_ERROR(CategoricalNode(i, x->threshold[i], x, &node));
      (*categorical)[f] = 1;
    } else {
      PLINTH_RETURN_IF_ERROR(NumericalNode(i, x->threshold[i], d, &node));
    }
  }
  return absl::OkStatus();
}

}  // namespace plinth::runtime
