// One LightGBM tree section -> one IR Tree (part of ParseLightgbmText, lightgbm_model.h).
//
// Layout: LightGBM numbers internal nodes 0..L-2 (children after parents) and leaves 0..L-1,
// a negative child c meaning leaf ~c. The IR keeps internal node i at index i and puts leaf j
// at index L-1+j, so LightGBM's leaf numbers are recoverable (LightgbmLeafIndex). A single-leaf
// tree (num_leaves=1) is one leaf node.
// Split semantics, per decision_type (bit 0 categorical, bit 1 default_left, bits 2-3
// missing type 0 None / 1 Zero / 2 NaN):
//   numerical: LightGBM's `v <= t` is stored as `v < nextafter(t, +inf)`, identical for every
//     double v; missing None -> kNone (NaN reads as 0.0), Zero -> kZeroOrNaN, NaN -> kNaN,
//     default_left from bit 1. LightGBM writes t = +inf to split missing from everything else
//     (+inf going left): that node becomes `v < -inf` with its children and default swapped,
//     so the IR's left child is LightGBM's right one there.
//   categorical: t = (int)threshold selects the bitset cat_threshold[cat_boundaries[t] ..
//     cat_boundaries[t+1]); its set bits become `categories`, which go left. NaN goes right
//     whatever the missing type (missing = kNaN, default_left = false), and so do negative
//     values, +inf and codes past the bitset. Each bitset serves one node, which bounds the
//     category lists by the size of cat_threshold.
//     A value in (-1, 0) truncates to category 0, as LightGBM's cast does
//     (truncate_negative_codes).
// Thread-safety: stateless; `scratch` belongs to one caller.
#pragma once

#include <cstdint>
#include <vector>

#include "plinth/runtime/lightgbm_text.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

// Number lists reused from one tree to the next.
struct LgbTreeScratch {
  std::vector<double> leaf_value, threshold;
  std::vector<int32_t> split_feature, decision_type, left_child, right_child, cat_boundaries;
  std::vector<uint32_t> cat_threshold;
  std::vector<uint8_t> bitset_used;
};

// Fills tree->nodes. Marks in `categorical[f]` every feature f split categorically.
// Errors are InvalidArgument without a prefix ("node 3 has child 1 ..."); the caller names the
// tree. REQUIRES: categorical->size() == num_features.
absl::Status TranslateLightgbmTree(const LgbTreeSection& section, int32_t num_features,
                                   LgbTreeScratch* scratch, Tree* tree,
                                   std::vector<uint8_t>* categorical);

}  // namespace plinth::runtime
