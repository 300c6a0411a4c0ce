#include "plinth/storage/parquet/schema_tree.h"

#include "plinth/base/strings.h"

namespace plinth::parquet {

namespace {

bool IsGroup(const SchemaElement& e) {
  return e.num_children.value_or(0) > 0 || (!e.type && e.num_children.has_value());
}

bool HasList(const SchemaElement& e) {
  return e.converted_type == ConvertedType::kList ||
         (e.logical_type && e.logical_type->kind == LogicalType::Kind::kList);
}

bool HasMap(const SchemaElement& e) {
  return e.converted_type == ConvertedType::kMap ||
         e.converted_type == ConvertedType::kMapKeyValue ||
         (e.logical_type && e.logical_type->kind == LogicalType::Kind::kMap);
}

}  // namespace

absl::StatusOr<SchemaTree> SchemaTree::Build(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return absl::InvalidArgumentError("Parquet schema is empty");
  SchemaTree t;
  t.nodes_.reserve(elements.size());
  struct Frame {
    int node;
    int remaining;
  };
  SchemaNode root;
  root.name = elements[0].name;
  t.nodes_.push_back(root);
  std::vector<Frame> stack{{0, elements[0].num_children.value_or(0)}};
  int leaves = 0;
  size_t i = 1;
  while (!stack.empty()) {
    if (stack.back().remaining == 0) {
      stack.pop_back();
      continue;
    }
    if (i >= elements.size()) return absl::InvalidArgumentError("Parquet schema is truncated");
    --stack.back().remaining;
    const SchemaElement& e = elements[i];
    const SchemaNode& parent = t.nodes_[stack.back().node];
    SchemaNode n;
    n.element = static_cast<int>(i);
    n.name = e.name;
    n.repetition = e.repetition_type.value_or(Repetition::kOptional);
    n.def = parent.def;
    n.rep = parent.rep;
    if (n.repetition != Repetition::kRequired) ++n.def;
    if (n.repetition == Repetition::kRepeated) ++n.rep;
    n.parent = stack.back().node;
    n.is_list = HasList(e);
    n.is_map = HasMap(e);
    int index = static_cast<int>(t.nodes_.size());
    t.nodes_[n.parent].children.push_back(index);
    ++i;
    if (IsGroup(e)) {
      t.nodes_.push_back(std::move(n));
      stack.push_back({index, e.num_children.value_or(0)});
    } else {
      n.leaf = leaves++;
      t.nodes_.push_back(std::move(n));
    }
  }
  // Pre-order: children come after their parent, so a reverse pass sees them first.
  for (int n = static_cast<int>(t.nodes_.size()) - 1; n >= 0; --n) {
    SchemaNode& node = t.nodes_[n];
    if (node.leaf >= 0) {
      node.first_leaf = node.leaf;
      continue;
    }
    for (int c : node.children) {
      if (t.nodes_[c].first_leaf >= 0) {
        node.first_leaf = t.nodes_[c].first_leaf;
        break;
      }
    }
  }
  return t;
}

int SchemaTree::Child(int node, std::string_view name) const {
  for (int c : nodes_[node].children) {
    if (nodes_[c].name == name) return c;
  }
  return -1;
}

int SchemaTree::Find(const std::vector<std::string>& path) const {
  int n = root();
  for (const std::string& p : path) {
    n = Child(n, p);
    if (n < 0) return -1;
  }
  return n;
}

std::vector<int> SchemaTree::LeavesUnder(int node) const {
  std::vector<int> out;
  std::vector<int> todo{node};
  while (!todo.empty()) {
    int n = todo.back();
    todo.pop_back();
    if (nodes_[n].leaf >= 0) out.push_back(nodes_[n].leaf);
    for (auto it = nodes_[n].children.rbegin(); it != nodes_[n].children.rend(); ++it)
      todo.push_back(*it);
  }
  return out;
}

std::vector<std::string> SchemaTree::PathOf(int node) const {
  std::vector<std::string> out;
  for (int n = node; n > 0; n = nodes_[n].parent) out.push_back(nodes_[n].name);
  return {out.rbegin(), out.rend()};
}

absl::StatusOr<ListLayout> SchemaTree::ResolveList(int node) const {
  const SchemaNode& n = nodes_[node];
  const std::string where = StrCat("column '", StrJoin(PathOf(node), "."), "'");
  if (n.repetition == Repetition::kRepeated && !n.is_list)
    return ListLayout{node, node};  // unannotated
  if (!n.is_list) return absl::InvalidArgumentError(StrCat(where, " is not a list"));
  if (n.repetition == Repetition::kRepeated || n.children.size() != 1) {
    return absl::InvalidArgumentError(
        StrCat(where, ": a LIST must be a non-repeated group with one child"));
  }
  int r = n.children[0];
  const SchemaNode& rn = nodes_[r];
  if (rn.repetition != Repetition::kRepeated) {
    return absl::InvalidArgumentError(StrCat(where, ": the child of a LIST must be repeated"));
  }
  // Backward-compatibility rules of the LIST specification: these repeated children are the
  // element themselves (2-level lists).
  if (rn.leaf >= 0 || rn.children.size() != 1 || rn.name == "array" ||
      rn.name == n.name + "_tuple") {
    return ListLayout{r, r};
  }
  return ListLayout{r, rn.children[0]};
}

absl::StatusOr<MapLayout> SchemaTree::ResolveMap(int node) const {
  const SchemaNode& n = nodes_[node];
  const std::string where = StrCat("column '", StrJoin(PathOf(node), "."), "'");
  if (!n.is_map) return absl::InvalidArgumentError(StrCat(where, " is not a map"));
  if (n.repetition == Repetition::kRepeated || n.children.size() != 1) {
    return absl::InvalidArgumentError(
        StrCat(where, ": a MAP must be a non-repeated group with one child"));
  }
  int r = n.children[0];
  const SchemaNode& rn = nodes_[r];
  if (rn.repetition != Repetition::kRepeated || rn.leaf >= 0 || rn.children.empty() ||
      rn.children.size() > 2) {
    return absl::InvalidArgumentError(
        StrCat(where, ": the child of a MAP must be a repeated group of key and value"));
  }
  MapLayout m{r, rn.children[0], rn.children.size() == 2 ? rn.children[1] : -1};
  if (nodes_[m.key].repetition != Repetition::kRequired) {
    // Some writers mark keys optional; keys are still never null in valid data (checked on read).
    if (nodes_[m.key].repetition == Repetition::kRepeated) {
      return absl::InvalidArgumentError(StrCat(where, ": map key must not be repeated"));
    }
  }
  return m;
}

}  // namespace plinth::parquet
