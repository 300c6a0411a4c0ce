#include "plinth/storage/parquet/nested_reader.h"

#include "plinth/base/strings.h"

namespace plinth::parquet {

using columnar::StorageClass;

absl::StatusOr<std::unique_ptr<NestedRowGroupReader>> NestedRowGroupReader::Open(
    const ParquetReader& reader, int row_group) {
  if (row_group < 0 || row_group >= reader.num_row_groups()) {
    return absl::OutOfRangeError(StrCat(reader.file().name(), ": no row group ", row_group));
  }
  PLINTH_ASSIGN_OR_RETURN(SchemaTree tree, SchemaTree::Build(reader.metadata().schema));
  int64_t rows = reader.metadata().row_groups[row_group].num_rows;
  return std::unique_ptr<NestedRowGroupReader>(
      new NestedRowGroupReader(reader, row_group, std::move(tree), rows));
}

std::string NestedRowGroupReader::Name(int node) const {
  return StrCat(reader_.file().name(), ": row group ", row_group_, " column '",
                StrJoin(tree_.PathOf(node), "."), "'");
}

absl::StatusOr<const NestedRowGroupReader::LeafData*> NestedRowGroupReader::Leaf(int leaf) {
  auto it = leaves_.find(leaf);
  if (it != leaves_.end()) return &it->second;
  const LeafColumn& lc = reader_.schema().leaves().at(leaf);
  PLINTH_ASSIGN_OR_RETURN(auto chunk, reader_.OpenColumnChunk(row_group_, leaf));
  LeafData d;
  d.leaf = &lc;
  d.values = columnar::Column(lc.type);
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(int64_t got,
                            chunk->ReadLevels(int64_t{1} << 16, &d.def, &d.rep, &d.values));
    if (got == 0) break;
  }
  const std::string where =
      StrCat(reader_.file().name(), ": row group ", row_group_, " column '", lc.dotted_path, "'");
  const int64_t entries = static_cast<int64_t>(d.def.size());
  if (lc.max_rep == 0) {
    if (entries != num_rows_) {
      return absl::DataLossError(
          StrCat(where, " has ", entries, " values, the row group has ", num_rows_, " rows"));
    }
  } else {
    d.row_start.reserve(num_rows_ + 1);
    for (int64_t i = 0; i < entries; ++i) {
      if (d.rep[i] == 0) d.row_start.push_back(i);
    }
    if (entries > 0 && d.rep[0] != 0)
      return absl::DataLossError(StrCat(where, ": first repetition level is not 0"));
    if (static_cast<int64_t>(d.row_start.size()) != num_rows_) {
      return absl::DataLossError(StrCat(where, " has ", d.row_start.size(),
                                        " records, the row group has ", num_rows_, " rows"));
    }
    d.row_start.push_back(entries);
  }
  d.value_index.resize(entries);
  int64_t v = 0;
  for (int64_t i = 0; i < entries; ++i) d.value_index[i] = d.def[i] == lc.max_def ? v++ : -1;
  if (v != d.values.length()) {
    return absl::DataLossError(
        StrCat(where, ": ", d.values.length(), " values for ", v, " non-null levels"));
  }
  return &leaves_.emplace(leaf, std::move(d)).first->second;
}

absl::StatusOr<bool> NestedRowGroupReader::IsDefined(int node, int64_t row) {
  if (node < 0 || node >= tree_.size())
    return absl::InvalidArgumentError("IsDefined: no such schema node");
  if (row < 0 || row >= num_rows_)
    return absl::OutOfRangeError(StrCat(Name(node), ": no row ", row));
  const SchemaNode& n = tree_.node(node);
  if (n.rep > 0) return absl::UnimplementedError(StrCat(Name(node), " is inside a repeated field"));
  if (n.first_leaf < 0)
    return absl::InvalidArgumentError(StrCat(Name(node), " has no leaf columns"));
  PLINTH_ASSIGN_OR_RETURN(const LeafData* d, Leaf(n.first_leaf));
  return d->def[d->Begin(row)] >= n.def;
}

absl::StatusOr<const NestedRowGroupReader::LeafData*> NestedRowGroupReader::ScalarLeaf(
    int node, int64_t row) {
  if (node < 0 || node >= tree_.size()) return absl::InvalidArgumentError("no such schema node");
  if (row < 0 || row >= num_rows_)
    return absl::OutOfRangeError(StrCat(Name(node), ": no row ", row));
  const SchemaNode& n = tree_.node(node);
  if (n.leaf < 0) return absl::InvalidArgumentError(StrCat(Name(node), " is a group, not a value"));
  if (n.rep > 0) return absl::UnimplementedError(StrCat(Name(node), " is inside a repeated field"));
  return Leaf(n.leaf);
}

absl::StatusOr<std::optional<std::string_view>> NestedRowGroupReader::GetBytes(int node,
                                                                               int64_t row) {
  PLINTH_ASSIGN_OR_RETURN(const LeafData* d, ScalarLeaf(node, row));
  if (d->values.storage() != StorageClass::kBytes) {
    return absl::InvalidArgumentError(
        StrCat(Name(node), " is not a byte array (", columnar::TypeName(d->values.type()), ")"));
  }
  int64_t vi = d->value_index[row];
  if (vi < 0) return std::nullopt;
  return d->values.GetBytes(vi);
}

absl::StatusOr<std::optional<int64_t>> NestedRowGroupReader::GetInt(int node, int64_t row) {
  PLINTH_ASSIGN_OR_RETURN(const LeafData* d, ScalarLeaf(node, row));
  StorageClass s = d->values.storage();
  if (s != StorageClass::kInt32 && s != StorageClass::kInt64) {
    return absl::InvalidArgumentError(
        StrCat(Name(node), " is not an integer (", columnar::TypeName(d->values.type()), ")"));
  }
  int64_t vi = d->value_index[row];
  if (vi < 0) return std::nullopt;
  return s == StorageClass::kInt32 ? int64_t{d->values.Get<int32_t>(vi)}
                                   : d->values.Get<int64_t>(vi);
}

absl::StatusOr<std::optional<bool>> NestedRowGroupReader::GetBool(int node, int64_t row) {
  PLINTH_ASSIGN_OR_RETURN(const LeafData* d, ScalarLeaf(node, row));
  if (d->values.storage() != StorageClass::kBool) {
    return absl::InvalidArgumentError(
        StrCat(Name(node), " is not a boolean (", columnar::TypeName(d->values.type()), ")"));
  }
  int64_t vi = d->value_index[row];
  if (vi < 0) return std::nullopt;
  return d->values.Get<uint8_t>(vi) != 0;
}

absl::Status NestedRowGroupReader::CheckPrimitiveElement(int coll, int element) const {
  const SchemaNode& e = tree_.node(element);
  if (e.leaf < 0) {
    return absl::UnimplementedError(
        StrCat(Name(coll), ": collections of groups are not supported"));
  }
  if (tree_.node(coll).rep > 0) {
    return absl::UnimplementedError(
        StrCat(Name(coll), ": collections inside repeated fields are not supported"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> NestedRowGroupReader::CollectionEntries(
    int coll, int repeated, const LeafData& d, int64_t row) const {
  const SchemaNode& c = tree_.node(coll);
  const SchemaNode& r = tree_.node(repeated);
  int64_t b = d.Begin(row), e = d.End(row);
  if (b >= e)
    return absl::DataLossError(StrCat(Name(coll), ": row ", row, " has no level entries"));
  if (d.def[b] < r.def) {
    if (e - b != 1)
      return absl::DataLossError(
          StrCat(Name(coll), ": row ", row, " repeats an undefined element"));
    if (d.def[b] < c.def) return std::nullopt;
    return std::make_pair(b, b);  // empty
  }
  for (int64_t i = b; i < e; ++i) {
    if (d.def[i] < r.def)
      return absl::DataLossError(StrCat(Name(coll), ": row ", row, " has an undefined element"));
  }
  return std::make_pair(b, e);
}

absl::StatusOr<std::optional<NestedRowGroupReader::StringList>> NestedRowGroupReader::GetStringList(
    int node, int64_t row) {
  if (node < 0 || node >= tree_.size()) return absl::InvalidArgumentError("no such schema node");
  if (row < 0 || row >= num_rows_)
    return absl::OutOfRangeError(StrCat(Name(node), ": no row ", row));
  PLINTH_ASSIGN_OR_RETURN(ListLayout layout, tree_.ResolveList(node));
  // An unannotated repeated field is a collection without a node of its own: it is null when
  // its parent is, empty when it has no element.
  int coll = layout.repeated == node ? tree_.node(node).parent : node;
  PLINTH_RETURN_IF_ERROR(CheckPrimitiveElement(coll, layout.element));
  PLINTH_ASSIGN_OR_RETURN(const LeafData* d, Leaf(tree_.node(layout.element).leaf));
  if (d->values.storage() != StorageClass::kBytes) {
    return absl::InvalidArgumentError(StrCat(Name(layout.element), " is not a byte array"));
  }
  PLINTH_ASSIGN_OR_RETURN(auto range, CollectionEntries(coll, layout.repeated, *d, row));
  if (!range) return std::nullopt;
  StringList out;
  out.reserve(range->second - range->first);
  for (int64_t i = range->first; i < range->second; ++i) {
    int64_t vi = d->value_index[i];
    if (vi < 0) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(std::string(d->values.GetBytes(vi)));
    }
  }
  return out;
}

absl::StatusOr<std::optional<NestedRowGroupReader::StringMap>> NestedRowGroupReader::GetStringMap(
    int node, int64_t row) {
  if (node < 0 || node >= tree_.size()) return absl::InvalidArgumentError("no such schema node");
  if (row < 0 || row >= num_rows_)
    return absl::OutOfRangeError(StrCat(Name(node), ": no row ", row));
  PLINTH_ASSIGN_OR_RETURN(MapLayout layout, tree_.ResolveMap(node));
  PLINTH_RETURN_IF_ERROR(CheckPrimitiveElement(node, layout.key));
  if (layout.value >= 0) PLINTH_RETURN_IF_ERROR(CheckPrimitiveElement(node, layout.value));
  PLINTH_ASSIGN_OR_RETURN(const LeafData* k, Leaf(tree_.node(layout.key).leaf));
  const LeafData* v = nullptr;
  if (layout.value >= 0) {
    PLINTH_ASSIGN_OR_RETURN(v, Leaf(tree_.node(layout.value).leaf));
    if (v->values.storage() != StorageClass::kBytes) {
      return absl::InvalidArgumentError(StrCat(Name(layout.value), " is not a byte array"));
    }
  }
  if (k->values.storage() != StorageClass::kBytes) {
    return absl::InvalidArgumentError(StrCat(Name(layout.key), " is not a byte array"));
  }
  PLINTH_ASSIGN_OR_RETURN(auto range, CollectionEntries(node, layout.repeated, *k, row));
  if (v != nullptr) {
    // Keys and values must describe the same entries.
    PLINTH_ASSIGN_OR_RETURN(auto vrange, CollectionEntries(node, layout.repeated, *v, row));
    int64_t kn = range ? range->second - range->first : -1;
    int64_t vn = vrange ? vrange->second - vrange->first : -1;
    if (kn != vn) {
      return absl::DataLossError(
          StrCat(Name(node), ": row ", row, " has ", kn, " keys but ", vn, " values"));
    }
  }
  if (!range) return std::nullopt;
  StringMap out;
  out.reserve(range->second - range->first);
  int64_t vb = v != nullptr ? v->Begin(row) : 0;
  for (int64_t i = range->first; i < range->second; ++i) {
    int64_t ki = k->value_index[i];
    if (ki < 0)
      return absl::DataLossError(StrCat(Name(node), ": row ", row, " has a null map key"));
    std::optional<std::string> value;
    if (v != nullptr) {
      int64_t vi = v->value_index[vb + (i - range->first)];
      if (vi >= 0) value = std::string(v->values.GetBytes(vi));
    }
    out.emplace_back(std::string(k->values.GetBytes(ki)), std::move(value));
  }
  return out;
}

}  // namespace plinth::parquet
