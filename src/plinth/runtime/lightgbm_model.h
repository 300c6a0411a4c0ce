// LightGBM text models (Booster.save_model, format v2 to v4) -> TreeEnsemble.
//
// ParseLightgbmText (declared in parsed_model.h) reads the file in three layers:
// lightgbm_text.h cuts it into header, tree sections and trailer; lightgbm_tree.h translates
// one tree; this file's .cc reads the header, builds the signature and checks the whole.
// The result is validated (ValidateEnsemble) and reproduces LightGBM's predictions exactly:
//   - precision kFloat64, base_score 0, one output per class (num_class), tree t adds to
//     output t % num_tree_per_iteration (which must equal num_class); `average_output`
//     (random forest) divides by the iterations used; shrinkage is already in the leaves.
//   - splits: see lightgbm_tree.h (`v <= t` becomes `v < nextafter(t, +inf)`, t = +inf a
//     swapped `v < -inf`; categorical bitsets become category sets with NaN, negative and
//     out-of-range values going right; one known difference for values in (-1, 0)).
//   - transform: lightgbm_objective.h.
//   - signature: inputs named by feature_names. A feature is kCategorical when a split treats
//     it so or feature_infos lists categories for it. The trailing pandas_categorical line
//     (one JSON list per pandas category column, in column order) names the categories:
//     strings as written, numbers in shortest round-trip form (70.0 -> "70"), booleans
//     "false"/"true". LightGBM does not record which columns those were; the lists are given
//     to the categorical features in order when the counts agree (else to the categorical
//     features plus the unused ones, feature_infos "none", when those counts agree), and every
//     category code seen in training (feature_infos) must then fall inside its list. When no
//     such assignment exists the names are left out and the model takes codes only.
//     Outputs: "prediction", or "class_0".."class_{K-1}".
// Refused (InvalidArgument, naming the problem): linear trees ("LightGBM linear trees
// (is_linear=1) are not supported"), unknown objectives, versions other than v2-v4, malformed
// numbers, list lengths that disagree with num_leaves/num_cat, children or features out of
// range, num_class/num_tree_per_iteration/objective disagreements, duplicate feature names, a
// file that stops inside the trees (no "end of trees"), "regression sqrt" (reg_sqrt). Sizes are checked against the lists actually present before
// anything is allocated, so memory stays proportional to the input.
// Thread-safety: stateless.
#pragma once

#include <cstdint>

#include "plinth/runtime/parsed_model.h"

namespace plinth::runtime {

// LightGBM's number of the leaf at IR node `node` (what pred_leaf reports), for a tree made by
// ParseLightgbmText: internal node i of the file is IR node i, leaf j is IR node num_leaves-1+j.
// REQUIRES: tree.nodes[node].is_leaf.
inline int32_t LightgbmLeafIndex(const Tree& tree, int32_t node) {
  return node - static_cast<int32_t>(tree.nodes.size() - 1) / 2;
}

}  // namespace plinth::runtime
