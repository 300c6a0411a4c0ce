// One XGBoost tree (an element of gradient_booster...model.trees) -> runtime::Tree.
//
// XGBoost's node arrays: left_children/right_children (-1 at leaves), split_indices,
// split_conditions (the threshold, or the leaf value at a leaf), default_left, split_type
// (0 numerical, 1 categorical; absent before 1.5) and the category sets in categories,
// indexed by categories_nodes/categories_segments/categories_sizes. Semantics (libxgboost 1.7.4,
// probed in tests/xgboost_oracle.py and the same in 2.x/3.x):
//   numerical    float(v) < float(split_condition) -> left; NaN -> default child.
//   categorical  NaN -> default child; c = (int)v; c in the set -> RIGHT; a code not in the set,
//                negative, or >= 2^24 (XGBoost's "invalid category") -> left. The IR says exactly
//                this with categories_go_left = false once the loader drops set members >= 2^24,
//                which XGBoost can never match.
// Nodes are renumbered breadth-first from the root, so deleted (pruned) nodes left in the arrays
// disappear and every child index is larger than its parent's. A node reached twice (a cycle
// or shared child), an out-of-range index, arrays of unequal length, a non-finite threshold or
// leaf value, or a vector leaf (size_leaf_vector > 1) is InvalidArgument naming `path`.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string_view>

#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime::xgb {

// Largest category code XGBoost can match (codes >= 2^24 are invalid and go left).
inline constexpr int64_t kMaxCategory = (1 << 24) - 1;

// Reads the tree's nodes (output and weight are left at their defaults for the caller).
absl::StatusOr<Tree> ParseTree(const Json& tree, int32_t num_features, std::string_view path);

}  // namespace plinth::runtime::xgb
