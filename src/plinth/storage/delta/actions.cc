#include "plinth/storage/delta/actions.h"

#include <algorithm>
#include <limits>

#include "plinth/storage/delta/json_fields.h"

namespace plinth::delta {

using internal::FieldReader;
using internal::ToJsonObject;

namespace {

absl::StatusOr<int32_t> ToInt32(int64_t v, const FieldReader& r, std::string_view key) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(StrCat(r.Where(key), " is out of range for an integer"));
  }
  return static_cast<int32_t>(v);
}

absl::StatusOr<std::optional<DeletionVectorDescriptor>> ParseDv(const FieldReader& parent) {
  const Json* dv = parent.Get("deletionVector");
  if (dv == nullptr) return std::optional<DeletionVectorDescriptor>();
  if (!dv->is_object()) return absl::InvalidArgumentError(StrCat(parent.Where("deletionVector"), " is not an object"));
  FieldReader r(*dv, parent.Where("deletionVector"));
  DeletionVectorDescriptor d;
  PLINTH_ASSIGN_OR_RETURN(d.storage_type, r.String("storageType"));
  PLINTH_ASSIGN_OR_RETURN(d.path_or_inline_dv, r.String("pathOrInlineDv"));
  PLINTH_ASSIGN_OR_RETURN(auto offset, r.OptInt("offset"));
  if (offset) {
    PLINTH_ASSIGN_OR_RETURN(d.offset, ToInt32(*offset, r, "offset"));
  }
  PLINTH_ASSIGN_OR_RETURN(int64_t size, r.Int("sizeInBytes"));
  PLINTH_ASSIGN_OR_RETURN(d.size_in_bytes, ToInt32(size, r, "sizeInBytes"));
  PLINTH_ASSIGN_OR_RETURN(d.cardinality, r.Int("cardinality"));
  PLINTH_ASSIGN_OR_RETURN(d.max_row_index, r.OptInt("maxRowIndex"));
  return std::optional<DeletionVectorDescriptor>(std::move(d));
}

Json DvToJson(const DeletionVectorDescriptor& d) {
  Json j = {{"storageType", d.storage_type}, {"pathOrInlineDv", d.path_or_inline_dv}};
  if (d.offset) j["offset"] = *d.offset;
  j["sizeInBytes"] = d.size_in_bytes;
  j["cardinality"] = d.cardinality;
  if (d.max_row_index) j["maxRowIndex"] = *d.max_row_index;
  return j;
}

Json PartitionValuesToJson(const PartitionValues& pv) {
  Json j = Json::object();
  for (const auto& [k, v] : pv) j[k] = v ? Json(*v) : Json(nullptr);
  return j;
}

absl::StatusOr<Protocol> ParseProtocol(const FieldReader& r) {
  Protocol p;
  PLINTH_ASSIGN_OR_RETURN(int64_t rv, r.Int("minReaderVersion"));
  PLINTH_ASSIGN_OR_RETURN(p.min_reader_version, ToInt32(rv, r, "minReaderVersion"));
  PLINTH_ASSIGN_OR_RETURN(int64_t wv, r.Int("minWriterVersion"));
  PLINTH_ASSIGN_OR_RETURN(p.min_writer_version, ToInt32(wv, r, "minWriterVersion"));
  PLINTH_ASSIGN_OR_RETURN(p.reader_features, r.OptStringList("readerFeatures"));
  PLINTH_ASSIGN_OR_RETURN(p.writer_features, r.OptStringList("writerFeatures"));
  return p;
}

absl::StatusOr<Metadata> ParseMetadata(const FieldReader& r) {
  Metadata m;
  PLINTH_ASSIGN_OR_RETURN(m.id, r.String("id"));
  PLINTH_ASSIGN_OR_RETURN(m.name, r.OptString("name"));
  PLINTH_ASSIGN_OR_RETURN(m.description, r.OptString("description"));
  if (r.Has("format")) {
    PLINTH_ASSIGN_OR_RETURN(const Json* f, r.Object("format"));
    FieldReader fr(*f, r.Where("format"));
    PLINTH_ASSIGN_OR_RETURN(auto provider, fr.OptString("provider"));
    if (provider) m.format.provider = *provider;
    PLINTH_ASSIGN_OR_RETURN(m.format.options, fr.StringMap("options"));
  }
  // Absent schemaString is reported by the snapshot, which needs it; parsing keeps going.
  PLINTH_ASSIGN_OR_RETURN(auto schema, r.OptString("schemaString"));
  m.schema_string = schema.value_or("");
  PLINTH_ASSIGN_OR_RETURN(m.partition_columns, r.StringList("partitionColumns"));
  PLINTH_ASSIGN_OR_RETURN(m.configuration, r.StringMap("configuration"));
  PLINTH_ASSIGN_OR_RETURN(m.created_time, r.OptInt("createdTime"));
  return m;
}

absl::StatusOr<AddFile> ParseAdd(const FieldReader& r) {
  AddFile a;
  PLINTH_ASSIGN_OR_RETURN(a.path, r.String("path"));
  if (a.path.empty()) return absl::InvalidArgumentError(StrCat(r.Where("path"), " is empty"));
  PLINTH_ASSIGN_OR_RETURN(a.partition_values, r.NullableStringMap("partitionValues"));
  PLINTH_ASSIGN_OR_RETURN(a.size, r.Int("size"));
  if (a.size < 0) return absl::InvalidArgumentError(StrCat(r.Where("size"), " is negative"));
  PLINTH_ASSIGN_OR_RETURN(a.modification_time, r.Int("modificationTime"));
  PLINTH_ASSIGN_OR_RETURN(a.data_change, r.Bool("dataChange"));
  PLINTH_ASSIGN_OR_RETURN(a.stats, r.OptString("stats"));
  PLINTH_ASSIGN_OR_RETURN(a.tags, r.OptStringMap("tags"));
  PLINTH_ASSIGN_OR_RETURN(a.deletion_vector, ParseDv(r));
  return a;
}

absl::StatusOr<RemoveFile> ParseRemove(const FieldReader& r) {
  RemoveFile rm;
  PLINTH_ASSIGN_OR_RETURN(rm.path, r.String("path"));
  if (rm.path.empty()) return absl::InvalidArgumentError(StrCat(r.Where("path"), " is empty"));
  PLINTH_ASSIGN_OR_RETURN(rm.deletion_timestamp, r.OptInt("deletionTimestamp"));
  PLINTH_ASSIGN_OR_RETURN(rm.data_change, r.Bool("dataChange"));
  PLINTH_ASSIGN_OR_RETURN(rm.extended_file_metadata, r.OptBool("extendedFileMetadata"));
  if (r.Has("partitionValues")) {
    PLINTH_ASSIGN_OR_RETURN(rm.partition_values, r.NullableStringMap("partitionValues"));
  }
  PLINTH_ASSIGN_OR_RETURN(rm.size, r.OptInt("size"));
  PLINTH_ASSIGN_OR_RETURN(rm.tags, r.OptStringMap("tags"));
  PLINTH_ASSIGN_OR_RETURN(rm.deletion_vector, ParseDv(r));
  return rm;
}

absl::StatusOr<SetTransaction> ParseTxn(const FieldReader& r) {
  SetTransaction t;
  PLINTH_ASSIGN_OR_RETURN(t.app_id, r.String("appId"));
  PLINTH_ASSIGN_OR_RETURN(t.version, r.Int("version"));
  PLINTH_ASSIGN_OR_RETURN(t.last_updated, r.OptInt("lastUpdated"));
  return t;
}

absl::StatusOr<Sidecar> ParseSidecar(const FieldReader& r) {
  Sidecar s;
  PLINTH_ASSIGN_OR_RETURN(s.path, r.String("path"));
  PLINTH_ASSIGN_OR_RETURN(s.size_in_bytes, r.Int("sizeInBytes"));
  PLINTH_ASSIGN_OR_RETURN(s.modification_time, r.Int("modificationTime"));
  PLINTH_ASSIGN_OR_RETURN(s.tags, r.OptStringMap("tags"));
  return s;
}

absl::StatusOr<DomainMetadata> ParseDomain(const FieldReader& r) {
  DomainMetadata d;
  PLINTH_ASSIGN_OR_RETURN(d.domain, r.String("domain"));
  PLINTH_ASSIGN_OR_RETURN(d.configuration, r.String("configuration"));
  PLINTH_ASSIGN_OR_RETURN(d.removed, r.Bool("removed"));
  return d;
}

constexpr std::string_view kKnown[] = {"protocol", "metaData", "add", "remove", "commitInfo",
                                       "txn", "checkpointMetadata", "sidecar", "domainMetadata"};

template <typename T>
std::optional<Action> Wrap(T v) {
  return std::optional<Action>(std::in_place, std::in_place_type<T>, std::move(v));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Protocol::HasReaderFeature(std::string_view f) const {
  return reader_features && std::find(reader_features->begin(), reader_features->end(), f) != reader_features->end();
}

bool Protocol::HasWriterFeature(std::string_view f) const {
  return writer_features && std::find(writer_features->begin(), writer_features->end(), f) != writer_features->end();
}

std::optional<std::string> Metadata::Config(std::string_view key) const {
  auto it = configuration.find(std::string(key));
  if (it == configuration.end()) return std::nullopt;
  return it->second;
}

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = StrCat(storage_type, path_or_inline_dv);
  if (offset) StrAppend(&id, "@", *offset);
  return id;
}

absl::StatusOr<std::string> DecodeLogPath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out.push_back(path[i]);
      continue;
    }
    int hi = i + 2 < path.size() ? HexValue(path[i + 1]) : -1;
    int lo = i + 2 < path.size() ? HexValue(path[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(StrCat("path '", path, "' has a malformed %-escape at offset ", i));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string EncodeLogPath(std::string_view decoded) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : decoded) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("-._~/=:@!$&'()*+,;").find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::string> AddFile::DecodedPath() const { return DecodeLogPath(path); }
absl::StatusOr<std::string> RemoveFile::DecodedPath() const { return DecodeLogPath(path); }

std::string AddFile::ReplayKey() const {
  return deletion_vector ? StrCat(path, '\n', deletion_vector->UniqueId()) : path;
}
std::string RemoveFile::ReplayKey() const {
  return deletion_vector ? StrCat(path, '\n', deletion_vector->UniqueId()) : path;
}

std::optional<int64_t> CommitInfo::timestamp() const {
  FieldReader r(raw, "commitInfo");
  auto v = r.OptInt("timestamp");
  return v.ok() ? *v : std::nullopt;
}

std::optional<int64_t> CommitInfo::in_commit_timestamp() const {
  FieldReader r(raw, "commitInfo");
  auto v = r.OptInt("inCommitTimestamp");
  return v.ok() ? *v : std::nullopt;
}

std::optional<std::string> CommitInfo::operation() const {
  FieldReader r(raw, "commitInfo");
  auto v = r.OptString("operation");
  return v.ok() ? *v : std::nullopt;
}

Json CommitInfo::operation_parameters() const {
  FieldReader r(raw, "commitInfo");
  const Json* v = r.Get("operationParameters");
  return v != nullptr && v->is_object() ? *v : Json(nullptr);
}

absl::StatusOr<std::optional<Action>> ActionFromJson(const Json& line) {
  if (!line.is_object()) return absl::InvalidArgumentError("action is not a JSON object");
  const Json* body = nullptr;
  std::string_view type;
  for (std::string_view k : kKnown) {
    auto it = line.find(std::string(k));
    if (it == line.end() || it->is_null()) continue;
    if (body != nullptr) {
      return absl::InvalidArgumentError(StrCat("line holds two actions ('", type, "' and '", k, "')"));
    }
    body = &*it;
    type = k;
  }
  if (body == nullptr) return std::optional<Action>();  // unknown action type (e.g. cdc): ignored
  if (!body->is_object()) return absl::InvalidArgumentError(StrCat(type, " is not an object"));
  FieldReader r(*body, std::string(type));
  if (type == "protocol") {
    PLINTH_ASSIGN_OR_RETURN(auto v, ParseProtocol(r));
    return Wrap(std::move(v));
  }
  if (type == "metaData") {
    PLINTH_ASSIGN_OR_RETURN(auto v, ParseMetadata(r));
    return Wrap(std::move(v));
  }
  if (type == "add") {
    PLINTH_ASSIGN_OR_RETURN(auto v, ParseAdd(r));
    return Wrap(std::move(v));
  }
  if (type == "remove") {
    PLINTH_ASSIGN_OR_RETURN(auto v, ParseRemove(r));
    return Wrap(std::move(v));
  }
  if (type == "commitInfo") return Wrap(CommitInfo{*body});
  if (type == "txn") {
    PLINTH_ASSIGN_OR_RETURN(auto v, ParseTxn(r));
    return Wrap(std::move(v));
  }
  if (type == "checkpointMetadata") {
    CheckpointMetadata c;
    PLINTH_ASSIGN_OR_RETURN(c.version, r.Int("version"));
    PLINTH_ASSIGN_OR_RETURN(c.tags, r.OptStringMap("tags"));
    return Wrap(std::move(c));
  }
  if (type == "sidecar") {
    PLINTH_ASSIGN_OR_RETURN(auto v, ParseSidecar(r));
    return Wrap(std::move(v));
  }
  PLINTH_ASSIGN_OR_RETURN(auto v, ParseDomain(r));
  return Wrap(std::move(v));
}

namespace {

struct ToJsonVisitor {
  Json operator()(const Protocol& p) const {
    Json j = {{"minReaderVersion", p.min_reader_version}, {"minWriterVersion", p.min_writer_version}};
    if (p.reader_features) j["readerFeatures"] = *p.reader_features;
    if (p.writer_features) j["writerFeatures"] = *p.writer_features;
    return {{"protocol", j}};
  }
  Json operator()(const Metadata& m) const {
    Json j = {{"id", m.id}};
    if (m.name) j["name"] = *m.name;
    if (m.description) j["description"] = *m.description;
    j["format"] = {{"provider", m.format.provider}, {"options", ToJsonObject(m.format.options)}};
    j["schemaString"] = m.schema_string;
    j["partitionColumns"] = m.partition_columns;
    j["configuration"] = ToJsonObject(m.configuration);
    if (m.created_time) j["createdTime"] = *m.created_time;
    return {{"metaData", j}};
  }
  Json operator()(const AddFile& a) const {
    Json j = {{"path", a.path}, {"partitionValues", PartitionValuesToJson(a.partition_values)}};
    j["size"] = a.size;
    j["modificationTime"] = a.modification_time;
    j["dataChange"] = a.data_change;
    if (a.stats) j["stats"] = *a.stats;
    if (a.tags) j["tags"] = ToJsonObject(*a.tags);
    if (a.deletion_vector) j["deletionVector"] = DvToJson(*a.deletion_vector);
    return {{"add", j}};
  }
  Json operator()(const RemoveFile& r) const {
    Json j = {{"path", r.path}};
    if (r.deletion_timestamp) j["deletionTimestamp"] = *r.deletion_timestamp;
    j["dataChange"] = r.data_change;
    if (r.extended_file_metadata) j["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values) j["partitionValues"] = PartitionValuesToJson(*r.partition_values);
    if (r.size) j["size"] = *r.size;
    if (r.tags) j["tags"] = ToJsonObject(*r.tags);
    if (r.deletion_vector) j["deletionVector"] = DvToJson(*r.deletion_vector);
    return {{"remove", j}};
  }
  Json operator()(const CommitInfo& c) const { return {{"commitInfo", c.raw}}; }
  Json operator()(const SetTransaction& t) const {
    Json j = {{"appId", t.app_id}, {"version", t.version}};
    if (t.last_updated) j["lastUpdated"] = *t.last_updated;
    return {{"txn", j}};
  }
  Json operator()(const CheckpointMetadata& c) const {
    Json j = {{"version", c.version}};
    if (c.tags) j["tags"] = ToJsonObject(*c.tags);
    return {{"checkpointMetadata", j}};
  }
  Json operator()(const Sidecar& s) const {
    Json j = {{"path", s.path}, {"sizeInBytes", s.size_in_bytes}, {"modificationTime", s.modification_time}};
    if (s.tags) j["tags"] = ToJsonObject(*s.tags);
    return {{"sidecar", j}};
  }
  Json operator()(const DomainMetadata& d) const {
    return {{"domainMetadata", {{"domain", d.domain}, {"configuration", d.configuration}, {"removed", d.removed}}}};
  }
};

}  // namespace

Json ActionToJson(const Action& action) { return std::visit(ToJsonVisitor{}, action); }

absl::StatusOr<std::vector<Action>> ParseCommit(std::string_view bytes, std::string_view source) {
  std::vector<Action> out;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = StripWhitespace(bytes.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    auto prefix = [&](const absl::Status& st) {
      return absl::Status(st.code(), StrCat(source, " line ", line_no, ": ", st.message()));
    };
    absl::StatusOr<Json> json = ParseJson(line);
    if (!json.ok()) return prefix(json.status());
    absl::StatusOr<std::optional<Action>> action = ActionFromJson(*json);
    if (!action.ok()) return prefix(action.status());
    if (*action) out.push_back(std::move(**action));
  }
  return out;
}

std::string SerializeCommit(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& a : actions) {
    out += DumpJson(ActionToJson(a));
    out += '\n';
  }
  return out;
}

}  // namespace plinth::delta
