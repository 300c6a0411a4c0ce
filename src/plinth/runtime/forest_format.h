// The compiled model file ("plinth-forest"): one flat, position-independent byte layout that is
// both the on-disk form and the in-memory form a TreeModel or LinearModel evaluates.
//
//   ForestHeader (168 bytes, little-endian) | sections, each 64-byte aligned:
//     trees     TreeEntry[num_trees]
//     nodes     Node<T>[...]        T = float (kFloat32) or double (kFloat64)
//     bitsets   uint32_t[...]       categorical sets: [word count][words...] per set
//     base      double[num_outputs]
//     weights   T[num_features * num_outputs]  (linear models)
//     bias      T[num_outputs]                 (linear models)
//     metadata  JSON text: signature and description
//
// Rows are evaluated in a prepared form of 2F + 1 slots: slot f holds x[f], slot F + f holds
// -x[f], a missing value is -inf in both, and slot 2F is -inf padding. Every ordinary split is
// then one comparison with no missing-value test: "go to `left` when row[slot] < value, else to
// left + 1". A split whose missing values go left reads slot f against its threshold; one whose
// missing values go right is stored mirrored (slot F + f against nextafter(-threshold, +inf),
// children swapped). Special splits (categorical, zero-as-missing, non-finite threshold) carry
// kSpecial and their flags in `slot` and are evaluated from both slots by the general path.
// Nodes of one tree are contiguous; siblings are adjacent (right = left + 1). A leaf keeps its
// value (tree weight already applied) in `value`, reads the -inf padding slot (so always goes
// "left") and has left = itself: a leaf is a fixed point, so a tree can be walked a fixed
// number of steps without testing for leaves. OpenForest checks every offset, index and child
// of an untrusted buffer, so evaluation never reads outside it.
// Thread-safety: views are immutable.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "plinth/base/status.h"
#include "plinth/runtime/tree_ensemble.h"

namespace plinth::runtime {

inline constexpr char kForestMagic[8] = {'P', 'L', 'N', 'T', 'H', 'F', 'R', '1'};
inline constexpr uint32_t kForestFormatVersion = 2;

enum class ForestKind : uint8_t { kTrees = 1, kLinear = 2 };

// Bits of a special node's `slot` (ordinary nodes hold a plain slot index < 2F + 1).
inline constexpr uint32_t kFeatureMask = 0x00FFFFFF;
inline constexpr uint32_t kDefaultLeft = 1u << 24;
inline constexpr uint32_t kCategorical = 1u << 25;
inline constexpr uint32_t kZeroMissing = 1u << 26;
inline constexpr uint32_t kCategoriesLeft = 1u << 27;
inline constexpr uint32_t kTruncateNegative = 1u << 28;  // categorical: (-1, 0) reads as 0
inline constexpr uint32_t kSpecial = 1u << 31;
inline constexpr uint32_t kSpecialFlags = kDefaultLeft | kCategorical | kZeroMissing | kCategoriesLeft | kTruncateNegative;

template <typename T>
struct Node {
  T value;        // threshold, leaf value, or (categorical) bitset offset
  uint32_t slot;  // row slot to compare; or kSpecial | flags | feature
  int32_t left;   // index of the child taken when row[slot] < value; the other is left + 1
};
static_assert(sizeof(Node<float>) == 12 && sizeof(Node<double>) == 16);

// A categorical node keeps the word offset of its set in `value`'s bits.
template <typename T>
uint32_t BitsetOffset(T value) {
  if constexpr (sizeof(T) == 4) {
    return std::bit_cast<uint32_t>(value);
  } else {
    const uint64_t v = std::bit_cast<uint64_t>(value);
    return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v);  // out of range: refused by OpenForest
  }
}

// Tree flags.
inline constexpr uint16_t kTreeHasSpecial = 1;  // some node is special
inline constexpr uint16_t kTreeDeep = 2;        // walk with leaf tests instead of `depth` steps

struct TreeEntry {
  uint32_t root;       // node index
  uint32_t num_nodes;
  uint32_t output;
  uint16_t depth;      // longest root-to-leaf path, in steps
  uint16_t flags;
};
static_assert(sizeof(TreeEntry) == 16);

struct Section {
  uint64_t offset;
  uint64_t size;  // bytes
};

struct ForestHeader {
  char magic[8];
  uint32_t format_version;
  uint8_t kind;
  uint8_t precision;
  uint8_t transform;
  uint8_t flags;  // bit 0: average_output
  uint32_t num_features;
  uint32_t num_outputs;
  uint32_t num_trees;
  uint32_t trees_per_iteration;
  double sigmoid_scale;
  uint64_t total_size;
  uint64_t checksum;  // ForestChecksum of the whole file with this field zero
  Section trees, nodes, bitsets, base, weights, bias, metadata;
};
static_assert(sizeof(ForestHeader) == 168);

// A validated view over compiled bytes (owned elsewhere).
struct ForestView {
  const ForestHeader* header = nullptr;
  const TreeEntry* trees = nullptr;
  const void* nodes = nullptr;  // Node<float> or Node<double>
  size_t num_nodes = 0;
  const uint32_t* bitsets = nullptr;
  size_t num_bitset_words = 0;
  const double* base = nullptr;
  const void* weights = nullptr;  // float or double
  const void* bias = nullptr;
  std::string_view metadata;

  Precision precision() const { return static_cast<Precision>(header->precision); }
  ForestKind kind() const { return static_cast<ForestKind>(header->kind); }
};

// Checks the header, sections, checksum, and every tree and node. `bytes` must be 8-aligned.
absl::StatusOr<ForestView> OpenForest(std::string_view bytes);

uint64_t ForestChecksum(std::string_view bytes);

}  // namespace plinth::runtime
