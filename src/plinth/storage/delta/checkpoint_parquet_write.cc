// Writing checkpoints: the schema and the shredding of actions into leaf levels.
#include <optional>

#include "plinth/base/strings.h"
#include "plinth/storage/delta/checkpoint_parquet.h"
#include "plinth/storage/parquet/nested_writer.h"

namespace plinth::delta::internal {

namespace {

using parquet::ConvertedType;
using parquet::LeafLevels;
using parquet::LogicalType;
using parquet::PhysicalType;
using parquet::Repetition;
using parquet::SchemaElement;
using parquet::SchemaTree;

constexpr int64_t kRowsPerGroup = 1 << 16;

SchemaElement Group(std::string name, int children, Repetition r = Repetition::kOptional) {
  SchemaElement e;
  e.name = std::move(name);
  e.num_children = children;
  e.repetition_type = r;
  return e;
}

SchemaElement Leaf(std::string name, PhysicalType t, Repetition r = Repetition::kOptional) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = t;
  e.repetition_type = r;
  return e;
}

SchemaElement Str(std::string name, Repetition r = Repetition::kOptional) {
  SchemaElement e = Leaf(std::move(name), PhysicalType::kByteArray, r);
  e.converted_type = ConvertedType::kUtf8;
  LogicalType lt;
  lt.kind = LogicalType::Kind::kString;
  e.logical_type = lt;
  return e;
}

void StringMap(std::vector<SchemaElement>* s, std::string name) {
  SchemaElement m = Group(std::move(name), 1);
  m.converted_type = ConvertedType::kMap;
  LogicalType lt;
  lt.kind = LogicalType::Kind::kMap;
  m.logical_type = lt;
  s->push_back(m);
  s->push_back(Group("key_value", 2, Repetition::kRepeated));
  s->push_back(Str("key", Repetition::kRequired));
  s->push_back(Str("value"));
}

void StringList(std::vector<SchemaElement>* s, std::string name) {
  SchemaElement l = Group(std::move(name), 1);
  l.converted_type = ConvertedType::kList;
  LogicalType lt;
  lt.kind = LogicalType::Kind::kList;
  l.logical_type = lt;
  s->push_back(l);
  s->push_back(Group("list", 1, Repetition::kRepeated));
  s->push_back(Str("element"));
}

void DeletionVector(std::vector<SchemaElement>* s) {
  s->push_back(Group("deletionVector", 6));
  s->push_back(Str("storageType"));
  s->push_back(Str("pathOrInlineDv"));
  s->push_back(Leaf("offset", PhysicalType::kInt32));
  s->push_back(Leaf("sizeInBytes", PhysicalType::kInt32));
  s->push_back(Leaf("cardinality", PhysicalType::kInt64));
  s->push_back(Leaf("maxRowIndex", PhysicalType::kInt64));
}

using OptStringMap = std::optional<std::map<std::string, std::string>>;

// Shreds one action per row into the leaves of the checkpoint schema.
class Shredder {
 public:
  Shredder(const SchemaTree& tree, const std::vector<parquet::LeafColumn>& leaves) : tree_(tree) {
    for (const auto& l : leaves) leaves_.emplace_back(l);
  }

  int64_t rows() const { return rows_; }
  std::vector<LeafLevels>& leaves() { return leaves_; }
  void Reset(const std::vector<parquet::LeafColumn>& leaves) {
    leaves_.clear();
    for (const auto& l : leaves) leaves_.emplace_back(l);
    rows_ = 0;
  }

  // One row: `a` fills its struct, every other top-level struct is null.
  void Row(const Action& a) {
    for (int top : tree_.node(tree_.root()).children) {
      const std::string& name = tree_.node(top).name;
      bool mine = std::visit([&](const auto& v) { return Fill(name, top, v); }, a);
      if (!mine) Absent(top);
    }
    ++rows_;
  }

 private:
  int N(int parent, std::string_view name) const { return tree_.Child(parent, name); }
  int16_t ParentDef(int node) const { return tree_.node(tree_.node(node).parent).def; }
  // Every leaf under `node` gets an entry at the parent's level (the node is null).
  void Absent(int node, std::optional<int16_t> def = std::nullopt) {
    int16_t d = def.value_or(ParentDef(node));
    for (int leaf : tree_.LeavesUnder(node)) leaves_[leaf].Null(d);
  }
  LeafLevels& L(int node) { return leaves_[tree_.node(node).leaf]; }
  void S(int parent, std::string_view name, const std::optional<std::string>& v) {
    int n = N(parent, name);
    if (v)
      L(n).Bytes(*v);
    else
      Absent(n);
  }
  void I64(int parent, std::string_view name, std::optional<int64_t> v) {
    int n = N(parent, name);
    if (v)
      L(n).Value<int64_t>(*v);
    else
      Absent(n);
  }
  void I32(int parent, std::string_view name, std::optional<int32_t> v) {
    int n = N(parent, name);
    if (v)
      L(n).Value<int32_t>(*v);
    else
      Absent(n);
  }
  void B(int parent, std::string_view name, std::optional<bool> v) {
    int n = N(parent, name);
    if (v)
      L(n).Value<uint8_t>(*v ? 1 : 0);
    else
      Absent(n);
  }
  template <typename Map>
  void M(int parent, std::string_view name, const std::optional<Map>& m) {
    int n = N(parent, name);
    if (!m) return Absent(n);
    if (m->empty()) return Absent(n, tree_.node(n).def);
    int kv = tree_.node(n).children[0];
    int key = tree_.node(kv).children[0], value = tree_.node(kv).children[1];
    int16_t r = 0;
    for (const auto& [k, v] : *m) {
      L(key).Bytes(k, r);
      std::optional<std::string> val(v);
      if (val)
        L(value).Bytes(*val, r);
      else
        L(value).Null(tree_.node(kv).def, r);
      r = tree_.node(kv).rep;
    }
  }
  void List(int parent, std::string_view name, const std::optional<std::vector<std::string>>& l) {
    int n = N(parent, name);
    if (!l) return Absent(n);
    if (l->empty()) return Absent(n, tree_.node(n).def);
    int list = tree_.node(n).children[0];
    int element = tree_.node(list).children[0];
    int16_t r = 0;
    for (const std::string& s : *l) {
      L(element).Bytes(s, r);
      r = tree_.node(list).rep;
    }
  }
  void Dv(int parent, const std::optional<DeletionVectorDescriptor>& dv) {
    int n = N(parent, "deletionVector");
    if (!dv) return Absent(n);
    S(n, "storageType", dv->storage_type);
    S(n, "pathOrInlineDv", dv->path_or_inline_dv);
    I32(n, "offset", dv->offset);
    I32(n, "sizeInBytes", dv->size_in_bytes);
    I64(n, "cardinality", dv->cardinality);
    I64(n, "maxRowIndex", dv->max_row_index);
  }

  bool Fill(const std::string& name, int n, const SetTransaction& t) {
    if (name != "txn") return false;
    S(n, "appId", t.app_id);
    I64(n, "version", t.version);
    I64(n, "lastUpdated", t.last_updated);
    return true;
  }
  bool Fill(const std::string& name, int n, const AddFile& a) {
    if (name != "add") return false;
    S(n, "path", a.path);
    M(n, "partitionValues", std::optional<PartitionValues>(a.partition_values));
    I64(n, "size", a.size);
    I64(n, "modificationTime", a.modification_time);
    B(n, "dataChange", a.data_change);
    S(n, "stats", a.stats);
    M(n, "tags", a.tags);
    Dv(n, a.deletion_vector);
    return true;
  }
  bool Fill(const std::string& name, int n, const RemoveFile& r) {
    if (name != "remove") return false;
    S(n, "path", r.path);
    I64(n, "deletionTimestamp", r.deletion_timestamp);
    B(n, "dataChange", r.data_change);
    B(n, "extendedFileMetadata", r.extended_file_metadata);
    M(n, "partitionValues", r.partition_values);
    I64(n, "size", r.size);
    M(n, "tags", r.tags);
    Dv(n, r.deletion_vector);
    return true;
  }
  bool Fill(const std::string& name, int n, const Metadata& m) {
    if (name != "metaData") return false;
    S(n, "id", m.id);
    S(n, "name", m.name);
    S(n, "description", m.description);
    int f = N(n, "format");
    S(f, "provider", m.format.provider);
    M(f, "options", std::optional(m.format.options));
    S(n, "schemaString", m.schema_string);
    List(n, "partitionColumns", m.partition_columns);
    M(n, "configuration", std::optional(m.configuration));
    I64(n, "createdTime", m.created_time);
    return true;
  }
  bool Fill(const std::string& name, int n, const Protocol& p) {
    if (name != "protocol") return false;
    I32(n, "minReaderVersion", p.min_reader_version);
    I32(n, "minWriterVersion", p.min_writer_version);
    List(n, "readerFeatures", p.reader_features);
    List(n, "writerFeatures", p.writer_features);
    return true;
  }
  bool Fill(const std::string& name, int n, const DomainMetadata& d) {
    if (name != "domainMetadata") return false;
    S(n, "domain", d.domain);
    S(n, "configuration", d.configuration);
    B(n, "removed", d.removed);
    return true;
  }
  bool Fill(const std::string& name, int n, const CheckpointMetadata& c) {
    if (name != "checkpointMetadata") return false;
    I64(n, "version", c.version);
    M(n, "tags", c.tags);
    return true;
  }
  bool Fill(const std::string& name, int n, const Sidecar& s) {
    if (name != "sidecar") return false;
    S(n, "path", s.path);
    I64(n, "sizeInBytes", s.size_in_bytes);
    I64(n, "modificationTime", s.modification_time);
    M(n, "tags", s.tags);
    return true;
  }
  bool Fill(const std::string&, int, const CommitInfo&) { return false; }

  const SchemaTree& tree_;
  std::vector<LeafLevels> leaves_;
  int64_t rows_ = 0;
};

}  // namespace

std::vector<SchemaElement> CheckpointParquetSchema(bool with_checkpoint_metadata,
                                                   bool with_sidecar) {
  std::vector<SchemaElement> s;
  s.push_back(
      Group("spark_schema", 6 + with_checkpoint_metadata + with_sidecar, Repetition::kRequired));
  s.front().repetition_type.reset();
  s.push_back(Group("txn", 3));
  s.push_back(Str("appId"));
  s.push_back(Leaf("version", PhysicalType::kInt64));
  s.push_back(Leaf("lastUpdated", PhysicalType::kInt64));
  s.push_back(Group("add", 8));
  s.push_back(Str("path"));
  StringMap(&s, "partitionValues");
  s.push_back(Leaf("size", PhysicalType::kInt64));
  s.push_back(Leaf("modificationTime", PhysicalType::kInt64));
  s.push_back(Leaf("dataChange", PhysicalType::kBoolean));
  s.push_back(Str("stats"));
  StringMap(&s, "tags");
  DeletionVector(&s);
  s.push_back(Group("remove", 8));
  s.push_back(Str("path"));
  s.push_back(Leaf("deletionTimestamp", PhysicalType::kInt64));
  s.push_back(Leaf("dataChange", PhysicalType::kBoolean));
  s.push_back(Leaf("extendedFileMetadata", PhysicalType::kBoolean));
  StringMap(&s, "partitionValues");
  s.push_back(Leaf("size", PhysicalType::kInt64));
  StringMap(&s, "tags");
  DeletionVector(&s);
  s.push_back(Group("metaData", 8));
  s.push_back(Str("id"));
  s.push_back(Str("name"));
  s.push_back(Str("description"));
  s.push_back(Group("format", 2));
  s.push_back(Str("provider"));
  StringMap(&s, "options");
  s.push_back(Str("schemaString"));
  StringList(&s, "partitionColumns");
  StringMap(&s, "configuration");
  s.push_back(Leaf("createdTime", PhysicalType::kInt64));
  s.push_back(Group("protocol", 4));
  s.push_back(Leaf("minReaderVersion", PhysicalType::kInt32));
  s.push_back(Leaf("minWriterVersion", PhysicalType::kInt32));
  StringList(&s, "readerFeatures");
  StringList(&s, "writerFeatures");
  s.push_back(Group("domainMetadata", 3));
  s.push_back(Str("domain"));
  s.push_back(Str("configuration"));
  s.push_back(Leaf("removed", PhysicalType::kBoolean));
  if (with_checkpoint_metadata) {
    s.push_back(Group("checkpointMetadata", 2));
    s.push_back(Leaf("version", PhysicalType::kInt64));
    StringMap(&s, "tags");
  }
  if (with_sidecar) {
    s.push_back(Group("sidecar", 4));
    s.push_back(Str("path"));
    s.push_back(Leaf("sizeInBytes", PhysicalType::kInt64));
    s.push_back(Leaf("modificationTime", PhysicalType::kInt64));
    StringMap(&s, "tags");
  }
  return s;
}

absl::StatusOr<int64_t> WriteCheckpointParquet(const std::vector<Action>& actions,
                                               std::unique_ptr<parquet::OutputFile> out,
                                               const parquet::WriterOptions& options) {
  bool cm = false, sc = false;
  for (const Action& a : actions) {
    cm |= std::holds_alternative<CheckpointMetadata>(a);
    sc |= std::holds_alternative<Sidecar>(a);
  }
  PLINTH_ASSIGN_OR_RETURN(auto w, parquet::NestedParquetWriter::Create(
                                      std::move(out), CheckpointParquetSchema(cm, sc), options));
  Shredder shredder(w->tree(), w->schema().leaves());
  auto flush = [&]() -> absl::Status {
    auto& leaves = shredder.leaves();
    for (size_t i = 0; i < leaves.size(); ++i) {
      PLINTH_RETURN_IF_ERROR(
          w->WriteLeafLevels(static_cast<int>(i), leaves[i].def, leaves[i].rep, leaves[i].values));
    }
    PLINTH_RETURN_IF_ERROR(w->FlushRowGroup(shredder.rows()));
    shredder.Reset(w->schema().leaves());
    return absl::OkStatus();
  };
  int64_t rows = 0;
  for (const Action& a : actions) {
    if (std::holds_alternative<CommitInfo>(a)) continue;
    shredder.Row(a);
    ++rows;
    if (shredder.rows() >= kRowsPerGroup) PLINTH_RETURN_IF_ERROR(flush());
  }
  if (shredder.rows() > 0) PLINTH_RETURN_IF_ERROR(flush());
  PLINTH_RETURN_IF_ERROR(w->Close());
  return rows;
}

}  // namespace plinth::delta::internal
