// Evaluation of a compiled forest over a block of rows.
//
// Rows arrive prepared (PrepareRow: the model's precision, 2F + 1 slots, see forest_format.h). Each tree is walked for every row of the block before the next tree, so
// the tree stays in cache; balanced trees are walked `depth` lock-step steps with no leaf test
// and no data-dependent branch (leaves are fixed points), the rows of the block giving the CPU
// independent chains to overlap. Unbalanced trees, and nodes with categorical or zero-missing
// splits, take a branchy path. Per row, trees are added in order, so a float32 model adds its
// leaves in exactly XGBoost's order.
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plinth/runtime/forest_format.h"

namespace plinth::runtime {

inline constexpr int kMaxBlockRows = 64;

inline size_t PreparedStride(uint32_t num_features) { return 2 * static_cast<size_t>(num_features) + 1; }

// One row of F doubles (NaN = missing) into PreparedStride(F) values of the model's precision.
template <typename T>
void PrepareRow(const double* src, uint32_t num_features, T* dst);

// acc: block_rows x num_outputs accumulators, already initialised; adds trees [0, num_trees).
// REQUIRES: rows holds block_rows prepared rows, block_rows <= kMaxBlockRows.
template <typename T>
void AccumulateTrees(const ForestView& view, uint32_t num_trees, const T* rows, int block_rows, T* acc);

}  // namespace plinth::runtime
