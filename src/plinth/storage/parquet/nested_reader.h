// NestedRowGroupReader: per-row access to the nested columns of one row group - fields of
// structs, maps and lists of byte-array (string) values - assembled from the leaves'
// definition/repetition levels (ColumnChunkReader::ReadLevels).
//
//   PLINTH_ASSIGN_OR_RETURN(auto rg, NestedRowGroupReader::Open(*reader, 0));
//   int path = rg->Find({"add", "path"});            // -1 when the file has no such column
//   int pv = rg->Find({"add", "partitionValues"});   // a MAP node
//   for (int64_t r = 0; r < rg->num_rows(); ++r) {
//     PLINTH_ASSIGN_OR_RETURN(bool has_add, rg->IsDefined(rg->Find({"add"}), r));
//     PLINTH_ASSIGN_OR_RETURN(std::optional<std::string_view> p, rg->GetBytes(path, r));
//     PLINTH_ASSIGN_OR_RETURN(auto map, rg->GetStringMap(pv, r));
//   }
//
// Level interpretation (Parquet "Nested encoding"): an entry with repetition level 0 starts a
// record; a node with definition level d is non-null where an entry under it has def >= d. A
// collection with one entry whose def is below its repeated group's level is null (def below
// the collection's own level) or empty. Layouts are resolved by SchemaTree (3-level and legacy
// 2-level LIST, MAP, MAP_KEY_VALUE). Collections nested inside other collections, and
// collections of non-primitive elements, are not assembled (Unimplemented).
//
// Memory: every leaf touched is decoded whole for the row group (levels + values) on first use
// and kept until the reader is destroyed. Inputs are untrusted: inconsistent levels (record
// counts that disagree with the row group, null map keys, keys and values of different
// lengths) are DataLoss errors naming the column.
// Thread-safety: none; one reader per thread. Ownership: borrows the ParquetReader, which must
// outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/parquet/file_reader.h"
#include "plinth/storage/parquet/schema_tree.h"

namespace plinth::parquet {

class NestedRowGroupReader {
 public:
  using StringList = std::vector<std::optional<std::string>>;
  using StringMap = std::vector<std::pair<std::string, std::optional<std::string>>>;

  static absl::StatusOr<std::unique_ptr<NestedRowGroupReader>> Open(const ParquetReader& reader,
                                                                    int row_group);

  int64_t num_rows() const { return num_rows_; }
  const SchemaTree& tree() const { return tree_; }
  // Node at a path of element names (see SchemaTree::Find); -1 when absent.
  int Find(const std::vector<std::string>& path) const { return tree_.Find(path); }

  // Whether `node` (group or leaf, not inside a repeated field) is non-null in `row`.
  absl::StatusOr<bool> IsDefined(int node, int64_t row);
  // Scalar leaves outside repeated fields; nullopt when the value or an ancestor is null.
  // GetBytes needs a BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY leaf, GetInt an INT32 / INT64 one,
  // GetBool a BOOLEAN one (InvalidArgument otherwise). The view lives as long as the reader.
  absl::StatusOr<std::optional<std::string_view>> GetBytes(int node, int64_t row);
  absl::StatusOr<std::optional<int64_t>> GetInt(int node, int64_t row);
  absl::StatusOr<std::optional<bool>> GetBool(int node, int64_t row);
  // A LIST (or repeated) node of byte-array elements; nullopt when the list is null.
  absl::StatusOr<std::optional<StringList>> GetStringList(int node, int64_t row);
  // A MAP node with byte-array keys and values, entries in file order; nullopt when null.
  absl::StatusOr<std::optional<StringMap>> GetStringMap(int node, int64_t row);

 private:
  // All level entries of one leaf in this row group.
  struct LeafData {
    const LeafColumn* leaf = nullptr;
    std::vector<int16_t> def, rep;
    columnar::Column values;           // dense non-null values
    std::vector<int64_t> row_start;    // entry index per row + end (only when max_rep > 0)
    std::vector<int64_t> value_index;  // dense value index per entry (-1 for nulls)
    int64_t Begin(int64_t row) const { return row_start.empty() ? row : row_start[row]; }
    int64_t End(int64_t row) const { return row_start.empty() ? row + 1 : row_start[row + 1]; }
  };

  NestedRowGroupReader(const ParquetReader& reader, int row_group, SchemaTree tree,
                       int64_t num_rows)
      : reader_(reader), row_group_(row_group), tree_(std::move(tree)), num_rows_(num_rows) {}
  absl::StatusOr<const LeafData*> Leaf(int leaf);
  // The leaf behind a scalar node, checking it is a leaf outside repeated fields.
  absl::StatusOr<const LeafData*> ScalarLeaf(int node, int64_t row);
  // Entries [begin, end) of `row` in the leaf `leaf_node` under the collection `coll`, whose
  // repeated group is `repeated`; nullopt when the collection is null, empty range when empty.
  absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> CollectionEntries(int coll,
                                                                               int repeated,
                                                                               const LeafData& d,
                                                                               int64_t row) const;
  absl::Status CheckPrimitiveElement(int coll, int element) const;
  std::string Name(int node) const;

  const ParquetReader& reader_;
  int row_group_;
  SchemaTree tree_;
  int64_t num_rows_;
  std::map<int, LeafData> leaves_;
};

}  // namespace plinth::parquet
