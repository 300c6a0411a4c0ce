// SchemaTree: the Parquet schema as a tree of nodes (groups and leaves) with the definition and
// repetition levels at each node, and the resolution of the nested logical layouts:
//
//   LIST (3-level)   <optional|required> group a (LIST) { repeated group list { <opt|req> elem } }
//   LIST (2-level)   <optional|required> group a (LIST) { repeated <primitive> elem }, or the
//                    repeated child is a group with several fields, or is named "array" or
//                    "a_tuple": then the repeated child itself is the element
//   MAP              <optional|required> group m (MAP or MAP_KEY_VALUE) {
//                      repeated group key_value (any name) { required key; <opt|req> value } }
//   unannotated      repeated field x: a list of required elements x
//
// A node's `def` is the definition level at which it is present (non-null), its `rep` the
// repetition level of a new element of its innermost repeated ancestor (itself included).
// Thread-safety: immutable after Build; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/parquet/metadata.h"

namespace plinth::parquet {

struct SchemaNode {
  int element = 0;  // index in the SchemaElement list
  std::string name;
  Repetition repetition = Repetition::kRequired;  // the root counts as required
  int16_t def = 0;                                // definition level at which this node is present
  int16_t rep = 0;                                // max repetition level at this node
  int parent = -1;                                // node index; -1 for the root
  std::vector<int> children;                      // node indices
  int leaf = -1;         // leaf column ordinal for primitives, -1 for groups
  int first_leaf = -1;   // first leaf ordinal in this subtree, -1 when there is none
  bool is_list = false;  // LIST annotation
  bool is_map = false;   // MAP or MAP_KEY_VALUE annotation
};

// The resolved parts of a collection node.
struct ListLayout {
  int repeated = -1;  // the repeated node (its def is "list non-empty")
  int element = -1;   // the element node (== repeated for 2-level lists)
};
struct MapLayout {
  int repeated = -1;  // the repeated key/value group
  int key = -1;
  int value = -1;  // -1 for a key-only (set-like) map
};

class SchemaTree {
 public:
  // REQUIRES: `elements` was validated by ParquetSchema::Build.
  static absl::StatusOr<SchemaTree> Build(const std::vector<SchemaElement>& elements);

  const SchemaNode& node(int i) const { return nodes_[i]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  int root() const { return 0; }
  // Child of `node` named `name`, or -1.
  int Child(int node, std::string_view name) const;
  // Node at a path of element names from the root ("add", "partitionValues", "key_value",
  // "key"), or -1.
  int Find(const std::vector<std::string>& path) const;
  // Leaf ordinals under `node` (itself when it is a leaf), in schema order.
  std::vector<int> LeavesUnder(int node) const;
  // Element names from the root to `node` (excluded the root).
  std::vector<std::string> PathOf(int node) const;

  // Layout of a LIST-annotated or repeated node. InvalidArgument when it is neither or the
  // layout is malformed.
  absl::StatusOr<ListLayout> ResolveList(int node) const;
  // Layout of a MAP / MAP_KEY_VALUE node. InvalidArgument when malformed.
  absl::StatusOr<MapLayout> ResolveMap(int node) const;

 private:
  std::vector<SchemaNode> nodes_;
};

}  // namespace plinth::parquet
