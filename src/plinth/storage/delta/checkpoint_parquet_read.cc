// Reading checkpoints: per row, the present action struct decoded field by field.
#include <limits>
#include <optional>

#include "plinth/base/strings.h"
#include "plinth/storage/delta/checkpoint_parquet.h"
#include "plinth/storage/parquet/nested_reader.h"

namespace plinth::delta::internal {

namespace {

using parquet::NestedRowGroupReader;

// Typed field access within one top-level struct of one row group. Absent columns read as null.
class Fields {
 public:
  Fields(NestedRowGroupReader& rg, int node, std::string what)
      : rg_(rg), node_(node), what_(std::move(what)) {}

  int node() const { return node_; }
  const std::string& what() const { return what_; }
  Fields Sub(std::string_view name) const {
    return Fields(rg_, node_ < 0 ? -1 : rg_.tree().Child(node_, name), StrCat(what_, ".", name));
  }
  absl::StatusOr<bool> Present(int64_t row) const {
    if (node_ < 0) return false;
    return rg_.IsDefined(node_, row);
  }

  absl::StatusOr<std::optional<std::string>> OptString(std::string_view name, int64_t row) const {
    int n = Child(name);
    if (n < 0) return std::optional<std::string>();
    PLINTH_ASSIGN_OR_RETURN(auto v, rg_.GetBytes(n, row));
    if (!v) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*v));
  }
  absl::StatusOr<std::string> String(std::string_view name, int64_t row) const {
    PLINTH_ASSIGN_OR_RETURN(auto v, OptString(name, row));
    if (!v) return Missing(name);
    return std::move(*v);
  }
  absl::StatusOr<std::optional<int64_t>> OptInt(std::string_view name, int64_t row) const {
    int n = Child(name);
    if (n < 0) return std::optional<int64_t>();
    return rg_.GetInt(n, row);
  }
  absl::StatusOr<int64_t> Int(std::string_view name, int64_t row) const {
    PLINTH_ASSIGN_OR_RETURN(auto v, OptInt(name, row));
    if (!v) return Missing(name);
    return *v;
  }
  absl::StatusOr<std::optional<int32_t>> OptInt32(std::string_view name, int64_t row) const {
    PLINTH_ASSIGN_OR_RETURN(auto v, OptInt(name, row));
    if (!v) return std::optional<int32_t>();
    if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
      return absl::DataLossError(StrCat(what_, ".", name, " is out of range: ", *v));
    }
    return std::optional<int32_t>(static_cast<int32_t>(*v));
  }
  absl::StatusOr<int32_t> Int32(std::string_view name, int64_t row) const {
    PLINTH_ASSIGN_OR_RETURN(auto v, OptInt32(name, row));
    if (!v) return Missing(name);
    return *v;
  }
  absl::StatusOr<std::optional<bool>> OptBool(std::string_view name, int64_t row) const {
    int n = Child(name);
    if (n < 0) return std::optional<bool>();
    return rg_.GetBool(n, row);
  }
  absl::StatusOr<bool> Bool(std::string_view name, int64_t row) const {
    PLINTH_ASSIGN_OR_RETURN(auto v, OptBool(name, row));
    if (!v) return Missing(name);
    return *v;
  }
  // A map with nullable values (partitionValues).
  absl::StatusOr<std::optional<PartitionValues>> OptNullableMap(std::string_view name,
                                                                int64_t row) const {
    int n = Child(name);
    if (n < 0) return std::optional<PartitionValues>();
    PLINTH_ASSIGN_OR_RETURN(auto m, rg_.GetStringMap(n, row));
    if (!m) return std::optional<PartitionValues>();
    PartitionValues out;
    for (auto& [k, v] : *m) out[std::move(k)] = std::move(v);
    return std::optional<PartitionValues>(std::move(out));
  }
  // A map whose values must not be null.
  absl::StatusOr<std::optional<std::map<std::string, std::string>>> OptMap(std::string_view name,
                                                                           int64_t row) const {
    PLINTH_ASSIGN_OR_RETURN(auto m, OptNullableMap(name, row));
    if (!m) return std::optional<std::map<std::string, std::string>>();
    std::map<std::string, std::string> out;
    for (auto& [k, v] : *m) {
      if (!v)
        return absl::DataLossError(StrCat(what_, ".", name, " has a null value for key '", k, "'"));
      out[k] = std::move(*v);
    }
    return std::optional<std::map<std::string, std::string>>(std::move(out));
  }
  absl::StatusOr<std::optional<std::vector<std::string>>> OptList(std::string_view name,
                                                                  int64_t row) const {
    int n = Child(name);
    if (n < 0) return std::optional<std::vector<std::string>>();
    PLINTH_ASSIGN_OR_RETURN(auto l, rg_.GetStringList(n, row));
    if (!l) return std::optional<std::vector<std::string>>();
    std::vector<std::string> out;
    out.reserve(l->size());
    for (auto& e : *l) {
      if (!e) return absl::DataLossError(StrCat(what_, ".", name, " has a null element"));
      out.push_back(std::move(*e));
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }

 private:
  int Child(std::string_view name) const { return node_ < 0 ? -1 : rg_.tree().Child(node_, name); }
  absl::Status Missing(std::string_view name) const {
    return absl::DataLossError(StrCat(what_, ".", name, " is missing"));
  }

  NestedRowGroupReader& rg_;
  int node_;
  std::string what_;
};

absl::StatusOr<std::optional<DeletionVectorDescriptor>> ReadDv(const Fields& parent, int64_t row) {
  Fields f = parent.Sub("deletionVector");
  PLINTH_ASSIGN_OR_RETURN(bool present, f.Present(row));
  if (!present) return std::optional<DeletionVectorDescriptor>();
  DeletionVectorDescriptor d;
  PLINTH_ASSIGN_OR_RETURN(d.storage_type, f.String("storageType", row));
  PLINTH_ASSIGN_OR_RETURN(d.path_or_inline_dv, f.String("pathOrInlineDv", row));
  PLINTH_ASSIGN_OR_RETURN(d.offset, f.OptInt32("offset", row));
  PLINTH_ASSIGN_OR_RETURN(d.size_in_bytes, f.Int32("sizeInBytes", row));
  PLINTH_ASSIGN_OR_RETURN(d.cardinality, f.Int("cardinality", row));
  PLINTH_ASSIGN_OR_RETURN(d.max_row_index, f.OptInt("maxRowIndex", row));
  return std::optional<DeletionVectorDescriptor>(std::move(d));
}

absl::StatusOr<Action> ReadAdd(const Fields& f, int64_t row) {
  AddFile a;
  PLINTH_ASSIGN_OR_RETURN(a.path, f.String("path", row));
  if (a.path.empty()) return absl::DataLossError("add.path is empty");
  PLINTH_ASSIGN_OR_RETURN(auto pv, f.OptNullableMap("partitionValues", row));
  a.partition_values = std::move(pv).value_or(PartitionValues{});
  PLINTH_ASSIGN_OR_RETURN(a.size, f.Int("size", row));
  if (a.size < 0) return absl::DataLossError("add.size is negative");
  PLINTH_ASSIGN_OR_RETURN(a.modification_time, f.Int("modificationTime", row));
  PLINTH_ASSIGN_OR_RETURN(a.data_change, f.Bool("dataChange", row));
  PLINTH_ASSIGN_OR_RETURN(a.stats, f.OptString("stats", row));
  PLINTH_ASSIGN_OR_RETURN(a.tags, f.OptMap("tags", row));
  PLINTH_ASSIGN_OR_RETURN(a.deletion_vector, ReadDv(f, row));
  return a;
}

absl::StatusOr<Action> ReadRemove(const Fields& f, int64_t row) {
  RemoveFile r;
  PLINTH_ASSIGN_OR_RETURN(r.path, f.String("path", row));
  if (r.path.empty()) return absl::DataLossError("remove.path is empty");
  PLINTH_ASSIGN_OR_RETURN(r.deletion_timestamp, f.OptInt("deletionTimestamp", row));
  PLINTH_ASSIGN_OR_RETURN(r.data_change, f.Bool("dataChange", row));
  PLINTH_ASSIGN_OR_RETURN(r.extended_file_metadata, f.OptBool("extendedFileMetadata", row));
  PLINTH_ASSIGN_OR_RETURN(r.partition_values, f.OptNullableMap("partitionValues", row));
  PLINTH_ASSIGN_OR_RETURN(r.size, f.OptInt("size", row));
  PLINTH_ASSIGN_OR_RETURN(r.tags, f.OptMap("tags", row));
  PLINTH_ASSIGN_OR_RETURN(r.deletion_vector, ReadDv(f, row));
  return r;
}

absl::StatusOr<Action> ReadMetadata(const Fields& f, int64_t row) {
  Metadata m;
  PLINTH_ASSIGN_OR_RETURN(m.id, f.String("id", row));
  PLINTH_ASSIGN_OR_RETURN(m.name, f.OptString("name", row));
  PLINTH_ASSIGN_OR_RETURN(m.description, f.OptString("description", row));
  Fields format = f.Sub("format");
  PLINTH_ASSIGN_OR_RETURN(bool has_format, format.Present(row));
  if (has_format) {
    PLINTH_ASSIGN_OR_RETURN(auto provider, format.OptString("provider", row));
    if (provider) m.format.provider = std::move(*provider);
    PLINTH_ASSIGN_OR_RETURN(auto options, format.OptMap("options", row));
    m.format.options = std::move(options).value_or(std::map<std::string, std::string>{});
  }
  PLINTH_ASSIGN_OR_RETURN(auto schema, f.OptString("schemaString", row));
  m.schema_string = std::move(schema).value_or("");
  PLINTH_ASSIGN_OR_RETURN(auto cols, f.OptList("partitionColumns", row));
  m.partition_columns = std::move(cols).value_or(std::vector<std::string>{});
  PLINTH_ASSIGN_OR_RETURN(auto conf, f.OptMap("configuration", row));
  m.configuration = std::move(conf).value_or(std::map<std::string, std::string>{});
  PLINTH_ASSIGN_OR_RETURN(m.created_time, f.OptInt("createdTime", row));
  return m;
}

absl::StatusOr<Action> ReadProtocol(const Fields& f, int64_t row) {
  Protocol p;
  PLINTH_ASSIGN_OR_RETURN(p.min_reader_version, f.Int32("minReaderVersion", row));
  PLINTH_ASSIGN_OR_RETURN(p.min_writer_version, f.Int32("minWriterVersion", row));
  PLINTH_ASSIGN_OR_RETURN(p.reader_features, f.OptList("readerFeatures", row));
  PLINTH_ASSIGN_OR_RETURN(p.writer_features, f.OptList("writerFeatures", row));
  return p;
}

absl::StatusOr<Action> ReadTxn(const Fields& f, int64_t row) {
  SetTransaction t;
  PLINTH_ASSIGN_OR_RETURN(t.app_id, f.String("appId", row));
  PLINTH_ASSIGN_OR_RETURN(t.version, f.Int("version", row));
  PLINTH_ASSIGN_OR_RETURN(t.last_updated, f.OptInt("lastUpdated", row));
  return t;
}

absl::StatusOr<Action> ReadDomain(const Fields& f, int64_t row) {
  DomainMetadata d;
  PLINTH_ASSIGN_OR_RETURN(d.domain, f.String("domain", row));
  PLINTH_ASSIGN_OR_RETURN(d.configuration, f.String("configuration", row));
  PLINTH_ASSIGN_OR_RETURN(d.removed, f.Bool("removed", row));
  return d;
}

absl::StatusOr<Action> ReadCheckpointMetadata(const Fields& f, int64_t row) {
  CheckpointMetadata c;
  PLINTH_ASSIGN_OR_RETURN(c.version, f.Int("version", row));
  PLINTH_ASSIGN_OR_RETURN(c.tags, f.OptMap("tags", row));
  return c;
}

absl::StatusOr<Action> ReadSidecar(const Fields& f, int64_t row) {
  Sidecar s;
  PLINTH_ASSIGN_OR_RETURN(s.path, f.String("path", row));
  PLINTH_ASSIGN_OR_RETURN(s.size_in_bytes, f.Int("sizeInBytes", row));
  PLINTH_ASSIGN_OR_RETURN(s.modification_time, f.Int("modificationTime", row));
  PLINTH_ASSIGN_OR_RETURN(s.tags, f.OptMap("tags", row));
  return s;
}

// One action type: its column, the required field that marks a row as holding it, its decoder.
struct Kind {
  const char* column;
  const char* key;
  absl::StatusOr<Action> (*read)(const Fields&, int64_t);
};

constexpr Kind kKinds[] = {
    {"protocol", "minReaderVersion", ReadProtocol},
    {"metaData", "id", ReadMetadata},
    {"txn", "appId", ReadTxn},
    {"domainMetadata", "domain", ReadDomain},
    {"checkpointMetadata", "version", ReadCheckpointMetadata},
    {"sidecar", "path", ReadSidecar},
    {"add", "path", ReadAdd},
    {"remove", "path", ReadRemove},
};

}  // namespace

absl::Status ReadCheckpointParquet(const parquet::ParquetReader& reader, std::vector<Action>* out) {
  const std::string& name = reader.file().name();
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    PLINTH_ASSIGN_OR_RETURN(auto rg, NestedRowGroupReader::Open(reader, g));
    struct Column {
      const Kind* kind;
      Fields fields;
      int key;
    };
    std::vector<Column> columns;
    for (const Kind& k : kKinds) {
      int node = rg->Find({k.column});
      if (node < 0 || rg->tree().node(node).leaf >= 0) continue;
      int key = rg->tree().Child(node, k.key);
      if (key < 0 || rg->tree().node(key).leaf < 0) continue;  // cannot hold this action
      columns.push_back({&k, Fields(*rg, node, k.column), key});
    }
    for (int64_t row = 0; row < rg->num_rows(); ++row) {
      for (const Column& c : columns) {
        absl::StatusOr<bool> present = rg->IsDefined(c.key, row);
        absl::StatusOr<Action> action;
        if (present.ok() && !*present) continue;
        action = present.ok() ? c.kind->read(c.fields, row) : present.status();
        if (!action.ok()) {
          return absl::DataLossError(
              StrCat(name, ": row group ", g, " row ", row, ": ", action.status().message()));
        }
        out->push_back(std::move(*action));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace plinth::delta::internal
