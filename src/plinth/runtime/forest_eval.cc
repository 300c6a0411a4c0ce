#include "plinth/runtime/forest_eval.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace plinth::runtime {
namespace {

// The general path: a special node, evaluated on the feature's value rebuilt from its two slots
// (both -inf only for a missing value).
template <typename T>
bool SpecialGoesLeft(const Node<T>& n, const T* row, uint32_t num_features, const uint32_t* bitsets) {
  const uint32_t f = n.slot & kFeatureMask;
  const T a = row[f];
  const T b = row[num_features + f];
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  const bool default_left = (n.slot & kDefaultLeft) != 0;
  if (a == kNegInf && b == kNegInf) return default_left;
  const T v = a;
  if ((n.slot & kZeroMissing) && static_cast<double>(v) >= -kZeroThreshold && static_cast<double>(v) <= kZeroThreshold) {
    return default_left;
  }
  if (!(n.slot & kCategorical)) return v < n.value;
  bool in_set = false;
  if ((v >= T(0) || ((n.slot & kTruncateNegative) && v > T(-1))) && static_cast<double>(v) < 2147483648.0) {
    const uint32_t c = static_cast<uint32_t>(static_cast<int32_t>(v));
    const uint32_t* set = bitsets + BitsetOffset(n.value);
    in_set = c / 32 < set[0] && ((set[1 + c / 32] >> (c % 32)) & 1u);
  }
  return in_set == ((n.slot & kCategoriesLeft) != 0);
}

template <typename T, bool kHasSpecial>
inline uint32_t Next(const Node<T>& n, const T* row, uint32_t num_features, const uint32_t* bitsets) {
  if constexpr (kHasSpecial) {
    if (n.slot & kSpecial) {
      return static_cast<uint32_t>(n.left) + !SpecialGoesLeft(n, row, num_features, bitsets);
    }
  }
  return static_cast<uint32_t>(n.left) + !(row[n.slot] < n.value);
}

bool IsLeaf(uint32_t i, int32_t left) { return static_cast<int32_t>(i) == left; }

template <typename T, bool kHasSpecial>
void WalkTree(const Node<T>* nodes, const TreeEntry& te, const T* rows, size_t stride, int n, uint32_t* idx,
              uint32_t num_features, const uint32_t* bitsets) {
  if (!(te.flags & kTreeDeep)) {
    int r = 0;
    // Eight rows at a time in registers: eight independent chains for the CPU to overlap.
    for (; r + 8 <= n; r += 8) {
      const T* row = rows + r * stride;
      uint32_t i0 = te.root, i1 = te.root, i2 = te.root, i3 = te.root;
      uint32_t i4 = te.root, i5 = te.root, i6 = te.root, i7 = te.root;
      for (uint32_t d = 0; d < te.depth; ++d) {
        i0 = Next<T, kHasSpecial>(nodes[i0], row, num_features, bitsets);
        i1 = Next<T, kHasSpecial>(nodes[i1], row + stride, num_features, bitsets);
        i2 = Next<T, kHasSpecial>(nodes[i2], row + 2 * stride, num_features, bitsets);
        i3 = Next<T, kHasSpecial>(nodes[i3], row + 3 * stride, num_features, bitsets);
        i4 = Next<T, kHasSpecial>(nodes[i4], row + 4 * stride, num_features, bitsets);
        i5 = Next<T, kHasSpecial>(nodes[i5], row + 5 * stride, num_features, bitsets);
        i6 = Next<T, kHasSpecial>(nodes[i6], row + 6 * stride, num_features, bitsets);
        i7 = Next<T, kHasSpecial>(nodes[i7], row + 7 * stride, num_features, bitsets);
      }
      idx[r] = i0, idx[r + 1] = i1, idx[r + 2] = i2, idx[r + 3] = i3;
      idx[r + 4] = i4, idx[r + 5] = i5, idx[r + 6] = i6, idx[r + 7] = i7;
    }
    for (; r < n; ++r) {
      const T* row = rows + r * stride;
      uint32_t i = te.root;
      for (uint32_t d = 0; d < te.depth; ++d) i = Next<T, kHasSpecial>(nodes[i], row, num_features, bitsets);
      idx[r] = i;
    }
    return;
  }
  for (int r = 0; r < n; ++r) {
    const T* row = rows + r * stride;
    uint32_t i = te.root;
    while (!IsLeaf(i, nodes[i].left)) i = Next<T, kHasSpecial>(nodes[i], row, num_features, bitsets);
    idx[r] = i;
  }
}

// Trees walked in lock-step for one row (a single row offers no other parallelism).
constexpr uint32_t kLockStep = 16;

// kLockStep plain trees from `t` on, walked `depth` steps together with their indices held in
// registers and the steps of one level side by side in the instruction stream: independent
// chains the CPU overlaps (500 trees of depth 8: 4.8 us a row, against 6.2 us when the group's
// indices lived in an array the compiler walked tree by tree).
template <typename T>
inline void WalkFullGroup(const ForestView& view, const Node<T>* nodes, uint32_t t, uint32_t depth, const T* row,
                          T* acc) {
  const TreeEntry* te = view.trees + t;
  uint32_t idx[kLockStep];
#pragma GCC unroll 16
  for (uint32_t k = 0; k < kLockStep; ++k) idx[k] = te[k].root;
  for (uint32_t d = 0; d < depth; ++d) {
#pragma GCC unroll 16
    for (uint32_t k = 0; k < kLockStep; ++k) idx[k] = Next<T, false>(nodes[idx[k]], row, 0, nullptr);
  }
#pragma GCC unroll 16
  for (uint32_t k = 0; k < kLockStep; ++k) acc[te[k].output] += nodes[idx[k]].value;
}

// One row: consecutive plain trees go up to kLockStep at a time in lock-step. Leaves are fixed
// points, so the shallower trees of a group simply idle at their leaf. Deep or special trees are
// walked alone. Leaves are added in tree order.
template <typename T>
void AccumulateOneRow(const ForestView& view, uint32_t num_trees, const T* row, T* acc) {
  const auto* nodes = static_cast<const Node<T>*>(view.nodes);
  const uint32_t f = view.header->num_features;
  uint32_t t = 0;
  while (t < num_trees) {
    uint32_t g = 0;
    uint32_t depth = 0;
    while (g < kLockStep && t + g < num_trees && !(view.trees[t + g].flags & (kTreeDeep | kTreeHasSpecial))) {
      depth = std::max<uint32_t>(depth, view.trees[t + g].depth);
      ++g;
    }
    if (g == kLockStep) {
      WalkFullGroup(view, nodes, t, depth, row, acc);
    } else if (g == 0) {  // a deep or special tree: walk it alone
      const TreeEntry& te = view.trees[t];
      uint32_t leaf;
      if (te.flags & kTreeHasSpecial) {
        WalkTree<T, true>(nodes, te, row, 0, 1, &leaf, f, view.bitsets);
      } else {
        WalkTree<T, false>(nodes, te, row, 0, 1, &leaf, f, view.bitsets);
      }
      acc[te.output] += nodes[leaf].value;
      ++t;
      continue;
    } else {  // a shorter run of plain trees
      uint32_t idx[kLockStep];
      for (uint32_t i = 0; i < g; ++i) idx[i] = view.trees[t + i].root;
      for (uint32_t d = 0; d < depth; ++d) {
        for (uint32_t i = 0; i < g; ++i) idx[i] = Next<T, false>(nodes[idx[i]], row, f, view.bitsets);
      }
      for (uint32_t i = 0; i < g; ++i) acc[view.trees[t + i].output] += nodes[idx[i]].value;
    }
    t += g;
  }
}

}  // namespace

template <typename T>
void PrepareRow(const double* src, uint32_t num_features, T* dst) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  for (uint32_t j = 0; j < num_features; ++j) {
    const T v = static_cast<T>(src[j]);
    const bool missing = v != v;
    dst[j] = missing ? kNegInf : v;
    dst[num_features + j] = missing ? kNegInf : -v;
  }
  dst[2 * num_features] = kNegInf;
}

template <typename T>
void AccumulateTrees(const ForestView& view, uint32_t num_trees, const T* rows, int block_rows, T* acc) {
  const auto* nodes = static_cast<const Node<T>*>(view.nodes);
  const uint32_t f = view.header->num_features;
  const size_t stride = PreparedStride(f);
  const uint32_t k = view.header->num_outputs;
  if (block_rows == 1) {
    AccumulateOneRow<T>(view, num_trees, rows, acc);
    return;
  }
  uint32_t idx[kMaxBlockRows];
  for (uint32_t t = 0; t < num_trees; ++t) {
    const TreeEntry& te = view.trees[t];
    if (te.flags & kTreeHasSpecial) {
      WalkTree<T, true>(nodes, te, rows, stride, block_rows, idx, f, view.bitsets);
    } else {
      WalkTree<T, false>(nodes, te, rows, stride, block_rows, idx, f, view.bitsets);
    }
    T* a = acc + te.output;
    for (int r = 0; r < block_rows; ++r) a[r * k] += nodes[idx[r]].value;
  }
}

template void PrepareRow<float>(const double*, uint32_t, float*);
template void PrepareRow<double>(const double*, uint32_t, double*);
template void AccumulateTrees<float>(const ForestView&, uint32_t, const float*, int, float*);
template void AccumulateTrees<double>(const ForestView&, uint32_t, const double*, int, double*);

}  // namespace plinth::runtime
