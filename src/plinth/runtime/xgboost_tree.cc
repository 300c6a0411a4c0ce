#include "plinth/runtime/xgboost_tree.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "plinth/runtime/xgboost_document.h"

namespace plinth::runtime::xgb {
namespace {

// Where each categorical node's set lies in `categories`.
struct CategorySets {
  std::vector<int64_t> values;
  std::vector<int64_t> begin, size;  // per node; size -1 = no set recorded
};

class TreeReader {
 public:
  TreeReader(const Json& tree, int32_t num_features, std::string_view path)
      : tree_(tree), num_features_(num_features), path_(path) {}

  absl::StatusOr<Tree> Read() {
    if (!tree_.is_object()) return Error("must be an object");
    PLINTH_ASSIGN_OR_RETURN(const Json* param, RequireObject(tree_, "tree_param", path_));
    const std::string param_path = StrCat(path_, ".tree_param");
    if (const Json* k = Member(*param, "size_leaf_vector")) {
      PLINTH_ASSIGN_OR_RETURN(int64_t size, IntParam(*k, StrCat(param_path, ".size_leaf_vector")));
      if (size > 1) {
        return Error(StrCat("has vector leaves (size_leaf_vector=", size,
                            ", multi_strategy=multi_output_tree), which Plinth does not support"));
      }
    }
    const Json* num_nodes = Member(*param, "num_nodes");
    if (num_nodes == nullptr) return Error("tree_param.num_nodes is missing");
    PLINTH_ASSIGN_OR_RETURN(int64_t n, IntParam(*num_nodes, StrCat(param_path, ".num_nodes")));
    if (n < 1) return Error(StrCat("has ", n, " nodes"));
    n_ = n;
    PLINTH_ASSIGN_OR_RETURN(left_, Ints("left_children"));
    PLINTH_ASSIGN_OR_RETURN(right_, Ints("right_children"));
    PLINTH_ASSIGN_OR_RETURN(feature_, Ints("split_indices"));
    PLINTH_ASSIGN_OR_RETURN(default_left_, Ints("default_left"));
    PLINTH_ASSIGN_OR_RETURN(const Json* cond, RequireArray(tree_, "split_conditions", path_));
    PLINTH_ASSIGN_OR_RETURN(cond_, FloatArray(*cond, StrCat(path_, ".split_conditions")));
    if (cond_.size() != static_cast<size_t>(n_)) return LengthError("split_conditions", cond_.size());
    if (Member(tree_, "split_type") != nullptr) {
      PLINTH_ASSIGN_OR_RETURN(split_type_, Ints("split_type"));
    } else {
      split_type_.assign(n_, 0);  // before XGBoost 1.5: numerical splits only
    }
    PLINTH_RETURN_IF_ERROR(ReadCategorySets());
    return Nodes();
  }

 private:
  absl::Status Error(std::string_view what) const { return absl::InvalidArgumentError(StrCat(path_, " ", what)); }
  absl::Status LengthError(std::string_view key, size_t size) const {
    return Error(StrCat("has ", size, " ", key, " for ", n_, " nodes"));
  }

  absl::StatusOr<std::vector<int64_t>> Ints(std::string_view key) const {
    PLINTH_ASSIGN_OR_RETURN(const Json* a, RequireArray(tree_, key, path_));
    PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> v, IntArray(*a, StrCat(path_, ".", key)));
    if (v.size() != static_cast<size_t>(n_)) return LengthError(key, v.size());
    return v;
  }

  absl::StatusOr<std::vector<int64_t>> OptionalInts(std::string_view key) const {
    const Json* a = Member(tree_, key);
    if (a == nullptr) return std::vector<int64_t>();
    return IntArray(*a, StrCat(path_, ".", key));
  }

  absl::Status ReadCategorySets() {
    cats_.begin.assign(n_, 0);
    cats_.size.assign(n_, -1);
    PLINTH_ASSIGN_OR_RETURN(cats_.values, OptionalInts("categories"));
    PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> nodes, OptionalInts("categories_nodes"));
    PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> segments, OptionalInts("categories_segments"));
    PLINTH_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, OptionalInts("categories_sizes"));
    if (segments.size() != nodes.size() || sizes.size() != nodes.size()) {
      return Error(StrCat("has ", nodes.size(), " categories_nodes, ", segments.size(), " categories_segments and ",
                          sizes.size(), " categories_sizes"));
    }
    const auto total = static_cast<int64_t>(cats_.values.size());
    for (size_t k = 0; k < nodes.size(); ++k) {
      const int64_t node = nodes[k];
      if (node < 0 || node >= n_) return Error(StrCat("categories_nodes[", k, "] is node ", node, " of ", n_));
      if (cats_.size[node] >= 0) return Error(StrCat("lists the categories of node ", node, " twice"));
      if (segments[k] < 0 || sizes[k] < 0 || segments[k] > total || sizes[k] > total - segments[k]) {
        return Error(StrCat("categories of node ", node, " (", segments[k], " + ", sizes[k],
                            ") lie outside its ", total, " categories"));
      }
      cats_.begin[node] = segments[k];
      cats_.size[node] = sizes[k];
    }
    return absl::OkStatus();
  }

  absl::Status Split(int64_t old, TreeNode* node) const {
    const int64_t f = feature_[old];
    if (f < 0 || f >= num_features_) {
      return Error(StrCat("node ", old, " splits on feature ", f, " of ", num_features_));
    }
    node->feature = static_cast<int32_t>(f);
    node->default_left = default_left_[old] != 0;
    node->missing = MissingRule::kNaN;
    if (split_type_[old] == 1) {
      node->categorical = true;
      node->categories_go_left = false;  // XGBoost: a category in the set goes right
      for (int64_t j = 0; j < std::max<int64_t>(0, cats_.size[old]); ++j) {
        const int64_t c = cats_.values[cats_.begin[old] + j];
        if (c < 0) return Error(StrCat("node ", old, " has category ", c));
        if (c <= kMaxCategory) node->categories.push_back(static_cast<uint32_t>(c));
      }
      std::sort(node->categories.begin(), node->categories.end());
      node->categories.erase(std::unique(node->categories.begin(), node->categories.end()), node->categories.end());
      return absl::OkStatus();
    }
    if (split_type_[old] != 0) return Error(StrCat("node ", old, " has split_type ", split_type_[old]));
    if (!std::isfinite(cond_[old])) return Error(StrCat("node ", old, " split condition is not finite"));
    node->threshold = cond_[old];
    return absl::OkStatus();
  }

  // Breadth-first from the root: order[new index] = old index.
  absl::StatusOr<Tree> Nodes() const {
    Tree out;
    std::vector<int64_t> order{0};
    std::vector<uint8_t> seen(n_, 0);
    seen[0] = 1;
    for (size_t q = 0; q < order.size(); ++q) {
      const int64_t old = order[q];
      TreeNode node;
      if (left_[old] == -1) {
        if (!std::isfinite(cond_[old])) return Error(StrCat("leaf ", old, " value is not finite"));
        node.is_leaf = true;
        node.leaf_value = cond_[old];
      } else {
        for (int64_t c : {left_[old], right_[old]}) {
          if (c < 0 || c >= n_) return Error(StrCat("node ", old, " has child ", c, " of ", n_, " nodes"));
          if (seen[c]) return Error(StrCat("node ", c, " is reached twice (a cycle or a shared child)"));
          seen[c] = 1;
        }
        node.left = static_cast<int32_t>(order.size());
        order.push_back(left_[old]);
        node.right = static_cast<int32_t>(order.size());
        order.push_back(right_[old]);
        PLINTH_RETURN_IF_ERROR(Split(old, &node));
      }
      out.nodes.push_back(std::move(node));
    }
    return out;
  }

  const Json& tree_;
  const int32_t num_features_;
  const std::string_view path_;
  int64_t n_ = 0;
  std::vector<int64_t> left_, right_, feature_, default_left_, split_type_;
  std::vector<float> cond_;
  CategorySets cats_;
};

}  // namespace

absl::StatusOr<Tree> ParseTree(const Json& tree, int32_t num_features, std::string_view path) {
  return TreeReader(tree, num_features, path).Read();
}

}  // namespace plinth::runtime::xgb
