#include "plinth/runtime/forest_format.h"

#include <bit>
#include <cstring>
#include <limits>
#include <vector>

#include "plinth/runtime/output_transform.h"

namespace plinth::runtime {
namespace {

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(StrCat("compiled model is corrupt: ", what));
}

absl::Status CheckSection(const Section& s, size_t file_size, size_t align, std::string_view name) {
  if (s.size == 0) return absl::OkStatus();
  if (s.offset < sizeof(ForestHeader) || s.offset > file_size || s.size > file_size - s.offset) {
    return Corrupt(StrCat(name, " section is out of bounds"));
  }
  if (s.offset % align != 0) return Corrupt(StrCat(name, " section is misaligned"));
  return absl::OkStatus();
}

// Every node of every tree: children inside the tree and after their parent, leaves fixed
// points on the padding slot, categorical sets inside the bitset section, and `depth` at least
// the longest path (the lock-step walk relies on it).
template <typename T>
absl::Status CheckTrees(const ForestView& v) {
  const auto* nodes = static_cast<const Node<T>*>(v.nodes);
  const uint32_t f = v.header->num_features;
  std::vector<uint16_t> depth;
  for (uint32_t t = 0; t < v.header->num_trees; ++t) {
    const TreeEntry& te = v.trees[t];
    if (te.output >= v.header->num_outputs) return Corrupt(StrCat("tree ", t, " output"));
    if (te.num_nodes == 0 || te.root >= v.num_nodes || te.num_nodes > v.num_nodes - te.root) {
      return Corrupt(StrCat("tree ", t, " node range"));
    }
    const uint32_t end = te.root + te.num_nodes;
    depth.assign(te.num_nodes, 0);
    for (uint32_t i = te.root; i < end; ++i) {
      const Node<T>& n = nodes[i];
      const uint16_t d = depth[i - te.root];
      if (n.left == static_cast<int32_t>(i)) {  // a leaf: a fixed point on the -inf padding slot
        if (n.slot != 2 * f || !(n.value > -std::numeric_limits<T>::infinity()) ||
            n.value == std::numeric_limits<T>::infinity()) {
          return Corrupt(StrCat("tree ", t, " leaf ", i));
        }
        if (d > te.depth) return Corrupt(StrCat("tree ", t, " is deeper than recorded"));
        continue;
      }
      if (n.slot & kSpecial) {
        // The fast walk reads row[slot] directly: special nodes only in trees flagged for them.
        if (!(te.flags & kTreeHasSpecial) || (n.slot & kFeatureMask) >= f ||
            (n.slot & ~(kSpecial | kSpecialFlags | kFeatureMask))) {
          return Corrupt(StrCat("tree ", t, " node ", i, " slot"));
        }
      } else if (n.slot > 2 * f) {
        return Corrupt(StrCat("tree ", t, " node ", i, " slot"));
      }
      if (n.left <= static_cast<int32_t>(i) || static_cast<uint32_t>(n.left) + 1 >= end) {
        return Corrupt(StrCat("tree ", t, " node ", i, " children"));
      }
      if (d == UINT16_MAX) return Corrupt(StrCat("tree ", t, " is too deep"));
      depth[n.left - te.root] = static_cast<uint16_t>(d + 1);
      depth[n.left + 1 - te.root] = static_cast<uint16_t>(d + 1);
      if ((n.slot & kSpecial) && (n.slot & kCategorical)) {
        uint32_t off = BitsetOffset(n.value);
        if (off >= v.num_bitset_words || v.bitsets[off] > v.num_bitset_words - off - 1) {
          return Corrupt(StrCat("tree ", t, " node ", i, " category set"));
        }
      } else if (n.value != n.value) {
        return Corrupt(StrCat("tree ", t, " node ", i, " threshold is NaN"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t ForestChecksum(std::string_view bytes) {
  uint64_t h = 0x243F6A8885A308D3ull ^ bytes.size();
  auto mix = [&h](const char* p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      h = std::rotl((h ^ w) * 0x9E3779B97F4A7C15ull, 29);
    }
    for (; i < n; ++i) h = std::rotl((h ^ static_cast<uint8_t>(p[i])) * 0x9E3779B97F4A7C15ull, 29);
  };
  if (bytes.size() < sizeof(ForestHeader)) {
    mix(bytes.data(), bytes.size());
    return h;
  }
  ForestHeader header;  // hashed with its checksum field zero
  std::memcpy(&header, bytes.data(), sizeof(header));
  header.checksum = 0;
  mix(reinterpret_cast<const char*>(&header), sizeof(header));
  mix(bytes.data() + sizeof(header), bytes.size() - sizeof(header));
  return h;
}

absl::StatusOr<ForestView> OpenForest(std::string_view bytes) {
  if (bytes.size() < sizeof(ForestHeader)) return Corrupt("shorter than its header");
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 8 != 0) return absl::InternalError("compiled model buffer is misaligned");
  ForestView v;
  v.header = reinterpret_cast<const ForestHeader*>(bytes.data());
  const ForestHeader& h = *v.header;
  if (std::memcmp(h.magic, kForestMagic, sizeof(h.magic)) != 0) return Corrupt("not a plinth-forest file (bad magic)");
  if (h.format_version != kForestFormatVersion) {
    return absl::InvalidArgumentError(StrCat("compiled model format version ", h.format_version, " is not supported (this build reads ",
                                             kForestFormatVersion, ")"));
  }
  if (h.total_size != bytes.size()) return Corrupt("size does not match its header");
  if (ForestChecksum(bytes) != h.checksum) return Corrupt("checksum mismatch");
  if (h.kind != static_cast<uint8_t>(ForestKind::kTrees) && h.kind != static_cast<uint8_t>(ForestKind::kLinear)) {
    return Corrupt("unknown kind");
  }
  if (h.precision > static_cast<uint8_t>(Precision::kFloat64)) return Corrupt("unknown precision");
  if (h.transform > static_cast<uint8_t>(OutputTransform::kLog1pExp)) return Corrupt("unknown transform");
  if (h.num_features == 0 || h.num_features >= kFeatureMask || h.num_outputs == 0 || h.num_outputs > (1u << 16)) {
    return Corrupt("feature or output count");
  }
  const size_t node_size = h.precision == static_cast<uint8_t>(Precision::kFloat32) ? sizeof(Node<float>) : sizeof(Node<double>);
  const size_t real_size = node_size == sizeof(Node<float>) ? sizeof(float) : sizeof(double);
  for (auto [s, name] : {std::pair{&h.trees, "trees"}, {&h.nodes, "nodes"}, {&h.bitsets, "bitsets"}, {&h.base, "base"},
                         {&h.weights, "weights"}, {&h.bias, "bias"}, {&h.metadata, "metadata"}}) {
    PLINTH_RETURN_IF_ERROR(CheckSection(*s, bytes.size(), name == std::string_view("metadata") ? 1 : 8, name));
  }
  if (h.base.size != h.num_outputs * sizeof(double)) return Corrupt("base score size");
  v.base = reinterpret_cast<const double*>(bytes.data() + h.base.offset);
  v.metadata = bytes.substr(h.metadata.offset, h.metadata.size);
  if (h.kind == static_cast<uint8_t>(ForestKind::kLinear)) {
    if (h.weights.size != static_cast<uint64_t>(h.num_features) * h.num_outputs * real_size ||
        h.bias.size != h.num_outputs * real_size) {
      return Corrupt("linear weight sizes");
    }
    v.weights = bytes.data() + h.weights.offset;
    v.bias = bytes.data() + h.bias.offset;
    return v;
  }
  if (h.num_trees == 0 || h.trees.size != static_cast<uint64_t>(h.num_trees) * sizeof(TreeEntry)) return Corrupt("tree table size");
  if (h.trees_per_iteration == 0) return Corrupt("trees per iteration");
  if (h.nodes.size % node_size != 0 || h.bitsets.size % 4 != 0) return Corrupt("node or bitset section size");
  v.trees = reinterpret_cast<const TreeEntry*>(bytes.data() + h.trees.offset);
  v.nodes = bytes.data() + h.nodes.offset;
  v.num_nodes = h.nodes.size / node_size;
  v.bitsets = reinterpret_cast<const uint32_t*>(bytes.data() + h.bitsets.offset);
  v.num_bitset_words = h.bitsets.size / 4;
  if (v.num_nodes > INT32_MAX) return Corrupt("too many nodes");
  if (node_size == sizeof(Node<float>)) {
    PLINTH_RETURN_IF_ERROR(CheckTrees<float>(v));
  } else {
    PLINTH_RETURN_IF_ERROR(CheckTrees<double>(v));
  }
  return v;
}

}  // namespace plinth::runtime
