#include "plinth/runtime/forest_eval.h"

#include <algorithm>
#include <bit>

namespace plinth::runtime {
namespace {

template <typename T>
uint32_t BitsetOffset(T value) {
  if constexpr (sizeof(T) == 4) {
    return std::bit_cast<uint32_t>(value);
  } else {
    return static_cast<uint32_t>(std::bit_cast<uint64_t>(value));
  }
}

template <typename T>
bool SpecialGoesLeft(const Node<T>& n, T v, const uint32_t* bitsets) {
  const bool default_left = (n.meta & kDefaultLeft) != 0;
  if (v != v) return default_left;
  if ((n.meta & kZeroMissing) && static_cast<double>(v) >= -kZeroThreshold && static_cast<double>(v) <= kZeroThreshold) {
    return default_left;
  }
  if (!(n.meta & kCategorical)) return v < n.value;
  bool in_set = false;
  if ((v >= T(0) || ((n.meta & kTruncateNegative) && v > T(-1))) && static_cast<double>(v) < 2147483648.0) {
    const uint32_t c = static_cast<uint32_t>(static_cast<int32_t>(v));
    const uint32_t* set = bitsets + BitsetOffset(n.value);
    in_set = c / 32 < set[0] && ((set[1 + c / 32] >> (c % 32)) & 1u);
  }
  return in_set == ((n.meta & kCategoriesLeft) != 0);
}

template <typename T, bool kSpecial>
inline uint32_t Next(const Node<T>& n, const T* row, const uint32_t* bitsets) {
  const T v = row[n.meta & kFeatureMask];
  if constexpr (kSpecial) {
    if (n.meta & kSpecialMask) return static_cast<uint32_t>(n.left) + !SpecialGoesLeft(n, v, bitsets);
  }
  const bool left = (v < n.value) | ((v != v) & ((n.meta & kDefaultLeft) != 0));
  return static_cast<uint32_t>(n.left) + !left;
}

template <typename T, bool kSpecial>
void WalkTree(const Node<T>* nodes, const TreeEntry& te, const T* rows, size_t stride, int n, uint32_t* idx,
              const uint32_t* bitsets) {
  if (!(te.flags & kTreeDeep)) {
    for (int r = 0; r < n; ++r) idx[r] = te.root;
    for (uint32_t d = 0; d < te.depth; ++d) {
      for (int r = 0; r < n; ++r) idx[r] = Next<T, kSpecial>(nodes[idx[r]], rows + r * stride, bitsets);
    }
    return;
  }
  for (int r = 0; r < n; ++r) {
    const T* row = rows + r * stride;
    uint32_t i = te.root;
    while (!(nodes[i].meta & kLeaf)) i = Next<T, kSpecial>(nodes[i], row, bitsets);
    idx[r] = i;
  }
}

// One row: walks up to kGroup consecutive plain trees in lock-step, so the CPU overlaps their
// independent chains (a single row offers no other parallelism). Leaves are fixed points, so
// the shallower trees of a group simply idle at their leaf. Leaves are added in tree order.
template <typename T>
void AccumulateOneRow(const ForestView& view, uint32_t num_trees, const T* row, T* acc) {
  constexpr uint32_t kGroup = 8;
  const auto* nodes = static_cast<const Node<T>*>(view.nodes);
  uint32_t t = 0;
  while (t < num_trees) {
    uint32_t idx[kGroup];
    uint32_t g = 0;
    uint32_t depth = 0;
    while (g < kGroup && t + g < num_trees && !(view.trees[t + g].flags & (kTreeDeep | kTreeHasSpecial))) {
      idx[g] = view.trees[t + g].root;
      depth = std::max<uint32_t>(depth, view.trees[t + g].depth);
      ++g;
    }
    if (g == 0) {  // a deep or special tree: walk it alone
      const TreeEntry& te = view.trees[t];
      uint32_t leaf;
      if (te.flags & kTreeHasSpecial) {
        WalkTree<T, true>(nodes, te, row, 0, 1, &leaf, view.bitsets);
      } else {
        WalkTree<T, false>(nodes, te, row, 0, 1, &leaf, view.bitsets);
      }
      acc[te.output] += nodes[leaf].value;
      ++t;
      continue;
    }
    for (uint32_t d = 0; d < depth; ++d) {
      for (uint32_t i = 0; i < g; ++i) idx[i] = Next<T, false>(nodes[idx[i]], row, view.bitsets);
    }
    for (uint32_t i = 0; i < g; ++i) acc[view.trees[t + i].output] += nodes[idx[i]].value;
    t += g;
  }
}

}  // namespace

template <typename T>
void AccumulateTrees(const ForestView& view, uint32_t num_trees, const T* rows, int block_rows, T* acc) {
  const auto* nodes = static_cast<const Node<T>*>(view.nodes);
  const size_t stride = view.header->num_features + 1;
  const uint32_t k = view.header->num_outputs;
  if (block_rows == 1) {
    AccumulateOneRow<T>(view, num_trees, rows, acc);
    return;
  }
  uint32_t idx[kMaxBlockRows];
  for (uint32_t t = 0; t < num_trees; ++t) {
    const TreeEntry& te = view.trees[t];
    if (te.flags & kTreeHasSpecial) {
      WalkTree<T, true>(nodes, te, rows, stride, block_rows, idx, view.bitsets);
    } else {
      WalkTree<T, false>(nodes, te, rows, stride, block_rows, idx, view.bitsets);
    }
    T* a = acc + te.output;
    for (int r = 0; r < block_rows; ++r) a[r * k] += nodes[idx[r]].value;
  }
}

template void AccumulateTrees<float>(const ForestView&, uint32_t, const float*, int, float*);
template void AccumulateTrees<double>(const ForestView&, uint32_t, const double*, int, double*);

}  // namespace plinth::runtime
