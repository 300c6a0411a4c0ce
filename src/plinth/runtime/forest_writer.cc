#include "plinth/runtime/forest_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "plinth/runtime/forest_format.h"

namespace plinth::runtime {
namespace {

constexpr size_t kAlign = 64;

// Appends sections to a growing buffer, each aligned.
class SectionWriter {
 public:
  SectionWriter() : buf_(sizeof(ForestHeader), '\0') {}
  Section Add(const void* data, size_t size) {
    buf_.resize((buf_.size() + kAlign - 1) / kAlign * kAlign, '\0');
    Section s{buf_.size(), size};
    buf_.append(static_cast<const char*>(data), size);
    return s;
  }
  std::string Finish(ForestHeader header) {
    buf_.resize((buf_.size() + 7) / 8 * 8, '\0');
    header.total_size = buf_.size();
    std::memcpy(buf_.data(), &header, sizeof(header));
    header.checksum = ForestChecksum(buf_);
    std::memcpy(buf_.data(), &header, sizeof(header));
    return std::move(buf_);
  }

 private:
  std::string buf_;
};

ForestHeader NewHeader(ForestKind kind, Precision p, OutputTransform t, int32_t features, int32_t outputs,
                       double sigmoid_scale) {
  ForestHeader h{};
  std::memcpy(h.magic, kForestMagic, sizeof(h.magic));
  h.format_version = kForestFormatVersion;
  h.kind = static_cast<uint8_t>(kind);
  h.precision = static_cast<uint8_t>(p);
  h.transform = static_cast<uint8_t>(t);
  h.num_features = static_cast<uint32_t>(features);
  h.num_outputs = static_cast<uint32_t>(outputs);
  h.sigmoid_scale = sigmoid_scale;
  return h;
}

bool CategoryInSet(const TreeNode& n, uint32_t c) {
  return std::binary_search(n.categories.begin(), n.categories.end(), c);
}

template <typename T>
class TreeCompiler {
 public:
  TreeCompiler(const TreeEnsemble& e, std::vector<Node<T>>& nodes, std::vector<uint32_t>& bitsets)
      : e_(e), nodes_(nodes), bitsets_(bitsets) {}

  absl::StatusOr<TreeEntry> Compile(const Tree& tree) {
    tree_ = &tree;
    ++tree_index_;
    TreeEntry entry{};
    entry.root = static_cast<uint32_t>(nodes_.size());
    entry.output = static_cast<uint32_t>(tree.output);
    nodes_.emplace_back();
    max_depth_ = 0;
    leaf_depth_sum_ = 0;
    leaves_ = 0;
    special_ = false;
    Place(0, entry.root, 0);
    if (leaf_overflow_) {
      return absl::InvalidArgumentError(
          StrCat("a leaf value of tree ", tree_index_, " is out of the model's floating-point range"));
    }
    if (bitset_overflow_) {
      return absl::InvalidArgumentError(
          "the model's categorical splits need more than 128 MiB of category sets (codes up to 2^24 in many splits)");
    }
    entry.num_nodes = static_cast<uint32_t>(nodes_.size() - entry.root);
    if (max_depth_ > 0xFFFF) return absl::InvalidArgumentError("a tree is deeper than 65535 levels");
    entry.depth = static_cast<uint16_t>(max_depth_);
    if (special_) entry.flags |= kTreeHasSpecial;
    // Lock-step walks pay for the longest path; unbalanced (leaf-wise) trees test for leaves.
    double mean_depth = static_cast<double>(leaf_depth_sum_) / std::max(1, leaves_);
    if (max_depth_ > 10 && max_depth_ > 1.5 * mean_depth + 2) entry.flags |= kTreeDeep;
    return entry;
  }

 private:
  // Places IR node `i` at `pos` (already allocated) and its subtree after it, depth first with
  // an explicit stack (a hostile file may describe a very deep tree).
  void Place(int32_t root, uint32_t root_pos, int root_depth) {
    struct Item {
      int32_t i;
      uint32_t pos;
      int depth;
    };
    std::vector<Item> stack{{root, root_pos, root_depth}};
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      bool mirrored = false;
      uint32_t pair = PlaceOne(it.i, it.pos, it.depth, &mirrored);
      if (pair != 0) {
        const TreeNode& n = tree_->nodes[it.i];
        const int32_t first = mirrored ? n.right : n.left;
        const int32_t second = mirrored ? n.left : n.right;
        stack.push_back({second, pair + 1, it.depth + 1});
        stack.push_back({first, pair, it.depth + 1});
      }
    }
  }

  // Writes one node; returns the position of its children pair (0 for a leaf) and whether the
  // pair holds them mirrored (right child first).
  uint32_t PlaceOne(int32_t i, uint32_t pos, int depth, bool* mirrored) {
    const TreeNode& n = tree_->nodes[i];
    const uint32_t f = static_cast<uint32_t>(e_.num_features);
    if (n.is_leaf) {
      T value = static_cast<T>(n.leaf_value);
      if (tree_->weight != 1.0) value = value * static_cast<T>(tree_->weight);
      if (!std::isfinite(value)) leaf_overflow_ = true;  // a fixed point needs -inf < value
      nodes_[pos] = Node<T>{value, 2 * f, static_cast<int32_t>(pos)};
      max_depth_ = std::max(max_depth_, depth);
      leaf_depth_sum_ += depth;
      ++leaves_;
      return 0;
    }
    Node<T> out{};
    uint32_t flags = 0;
    bool default_left = n.default_left;
    if (n.categorical) {
      flags |= kCategorical;
      if (n.categories_go_left) flags |= kCategoriesLeft;
      if (n.truncate_negative_codes) flags |= kTruncateNegative;
      uint32_t words = n.categories.empty() ? 0 : n.categories.back() / 32 + 1;
      // A few large codes in a small file would otherwise expand into huge bitsets.
      if (bitsets_.size() + words > kMaxBitsetWords) {
        bitset_overflow_ = true;
        return 0;
      }
      uint32_t offset = static_cast<uint32_t>(bitsets_.size());
      bitsets_.push_back(words);
      bitsets_.resize(bitsets_.size() + words, 0);
      for (uint32_t c : n.categories) bitsets_[offset + 1 + c / 32] |= 1u << (c % 32);
      out.value = FromOffset(offset);
      if (n.missing == MissingRule::kNone) default_left = CategoryInSet(n, 0) == n.categories_go_left;
    } else {
      out.value = static_cast<T>(n.threshold);
      if (n.missing == MissingRule::kNone) default_left = T(0) < out.value;
    }
    if (n.missing == MissingRule::kZeroOrNaN) flags |= kZeroMissing;
    const uint32_t feature = static_cast<uint32_t>(n.feature);
    *mirrored = false;
    if (flags != 0 || !std::isfinite(out.value)) {
      // Evaluated by the general path from the feature's two slots.
      special_ = true;
      out.slot = kSpecial | flags | (default_left ? kDefaultLeft : 0) | feature;
    } else if (default_left) {
      out.slot = feature;  // x < t, and a missing value (-inf) is below every finite t
    } else {
      // Missing goes right: mirror. x >= t  <=>  -x <= -t  <=>  -x < nextafter(-t, +inf), and
      // the mirrored slot holds -inf for a missing value, which then takes the (old) right child.
      out.slot = f + feature;
      out.value = std::nextafter(-out.value, std::numeric_limits<T>::infinity());
      *mirrored = true;
    }
    uint32_t pair = static_cast<uint32_t>(nodes_.size());
    nodes_.resize(nodes_.size() + 2);
    out.left = static_cast<int32_t>(pair);
    nodes_[pos] = out;
    return pair;
  }

  static T FromOffset(uint32_t offset) {
    if constexpr (sizeof(T) == 4) {
      return std::bit_cast<T>(offset);
    } else {
      return std::bit_cast<T>(static_cast<uint64_t>(offset));
    }
  }

  const TreeEnsemble& e_;
  std::vector<Node<T>>& nodes_;
  std::vector<uint32_t>& bitsets_;
  const Tree* tree_ = nullptr;
  int64_t tree_index_ = -1;
  int max_depth_ = 0;
  int64_t leaf_depth_sum_ = 0;
  int leaves_ = 0;
  bool special_ = false;

 public:
  static constexpr size_t kMaxBitsetWords = size_t{1} << 25;  // 128 MiB of category sets
  bool bitset_overflow_ = false;
  bool leaf_overflow_ = false;
};

std::string Metadata(const Signature& sig, const std::string& objective, const std::string& source_format,
                     int64_t best_iteration) {
  Json meta = {{"signature", sig.ToJson()}, {"objective", objective}, {"source_format", source_format}};
  if (best_iteration >= 0) meta["best_iteration"] = best_iteration;
  return DumpJson(meta);
}

template <typename T>
absl::StatusOr<std::string> CompileTrees(const TreeEnsemble& e) {
  std::vector<Node<T>> nodes;
  std::vector<uint32_t> bitsets;
  std::vector<TreeEntry> trees;
  trees.reserve(e.trees.size());
  TreeCompiler<T> compiler(e, nodes, bitsets);
  for (const Tree& tree : e.trees) {
    PLINTH_ASSIGN_OR_RETURN(TreeEntry entry, compiler.Compile(tree));
    trees.push_back(entry);
  }
  if (nodes.size() > static_cast<size_t>(INT32_MAX)) return absl::InvalidArgumentError("model has too many nodes");
  ForestHeader h = NewHeader(ForestKind::kTrees, e.precision, e.transform, e.num_features, e.num_outputs,
                             e.sigmoid_scale);
  h.num_trees = static_cast<uint32_t>(trees.size());
  h.trees_per_iteration = static_cast<uint32_t>(e.trees_per_iteration);
  if (e.average_output) h.flags |= 1;
  SectionWriter w;
  h.trees = w.Add(trees.data(), trees.size() * sizeof(TreeEntry));
  h.nodes = w.Add(nodes.data(), nodes.size() * sizeof(Node<T>));
  h.bitsets = w.Add(bitsets.data(), bitsets.size() * sizeof(uint32_t));
  h.base = w.Add(e.base_score.data(), e.base_score.size() * sizeof(double));
  std::string meta = Metadata(e.signature, e.objective, e.source_format, e.best_iteration);
  h.metadata = w.Add(meta.data(), meta.size());
  return w.Finish(h);
}

template <typename T>
std::string CompileLinearAs(const LinearSpec& s) {
  std::vector<T> weights(s.weights.begin(), s.weights.end());
  std::vector<T> bias(s.bias.begin(), s.bias.end());
  ForestHeader h = NewHeader(ForestKind::kLinear, s.precision, s.transform, s.num_features, s.num_outputs,
                             s.sigmoid_scale);
  h.trees_per_iteration = 1;
  SectionWriter w;
  h.base = w.Add(s.base_score.data(), s.base_score.size() * sizeof(double));
  h.weights = w.Add(weights.data(), weights.size() * sizeof(T));
  h.bias = w.Add(bias.data(), bias.size() * sizeof(T));
  std::string meta = Metadata(s.signature, s.objective, s.source_format, -1);
  h.metadata = w.Add(meta.data(), meta.size());
  return w.Finish(h);
}

}  // namespace

absl::StatusOr<std::string> CompileForest(const TreeEnsemble& e) {
  PLINTH_RETURN_IF_ERROR(ValidateEnsemble(e));
  if (e.precision == Precision::kFloat32) return CompileTrees<float>(e);
  return CompileTrees<double>(e);
}

absl::StatusOr<std::string> CompileLinear(const LinearSpec& s) {
  PLINTH_RETURN_IF_ERROR(ValidateLinear(s));
  if (s.precision == Precision::kFloat32) return CompileLinearAs<float>(s);
  return CompileLinearAs<double>(s);
}

}  // namespace plinth::runtime
