#include "plinth/features/feature_registry.h"

#include <filesystem>
#include <set>

#include "plinth/base/time.h"
#include "plinth/features/definitions_validate.h"
#include "plinth/features/source_schema.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

using storage::SqlRow;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;

namespace {

constexpr char kObjectColumns[] = "o.kind, o.name, o.version, o.spec, o.created_at, o.created_by";

absl::StatusOr<StoredObject> ObjectFromRow(const SqlRow& r) {
  StoredObject o;
  PLINTH_ASSIGN_OR_RETURN(o.kind, ParseObjectKind(r.Text(0)));
  o.name = r.Text(1);
  o.version = r.Int(2);
  auto spec = ParseJson(r.Text(3));
  if (!spec.ok()) return absl::DataLossError(StrCat(ObjectKindName(o.kind), " '", o.name, "': stored spec is not JSON"));
  o.spec = std::move(*spec);
  o.created_at = r.Int(4);
  o.created_by = r.Text(5);
  return o;
}

std::string_view OpName(Change::Op op) {
  switch (op) {
    case Change::Op::kAdd: return "add";
    case Change::Op::kUpdate: return "update";
    case Change::Op::kRemove: return "remove";
    case Change::Op::kUnchanged: return "unchanged";
  }
  return "?";
}

// Adds `j` (an object of `kind`) to `defs`.
absl::Status AddParsed(ObjectKind kind, const Json& j, const std::string& where, Definitions* defs) {
  switch (kind) {
    case ObjectKind::kEntity: {
      PLINTH_ASSIGN_OR_RETURN(EntityDef d, ParseEntity(j, where));
      defs->entities.push_back(std::move(d));
      break;
    }
    case ObjectKind::kSource: {
      PLINTH_ASSIGN_OR_RETURN(SourceDef d, ParseSource(j, where));
      defs->sources.push_back(std::move(d));
      break;
    }
    case ObjectKind::kFeatureView: {
      PLINTH_ASSIGN_OR_RETURN(FeatureViewDef d, ParseFeatureView(j, where));
      defs->feature_views.push_back(std::move(d));
      break;
    }
    case ObjectKind::kFeatureService: {
      PLINTH_ASSIGN_OR_RETURN(FeatureServiceDef d, ParseFeatureService(j, where));
      defs->feature_services.push_back(std::move(d));
      break;
    }
  }
  return absl::OkStatus();
}

// (kind, name) -> canonical JSON of every object in `defs`, in kind order.
std::vector<std::tuple<ObjectKind, std::string, Json>> Objects(const Definitions& defs) {
  std::vector<std::tuple<ObjectKind, std::string, Json>> out;
  for (const auto& d : defs.entities) out.emplace_back(ObjectKind::kEntity, d.name, ToJson(d));
  for (const auto& d : defs.sources) out.emplace_back(ObjectKind::kSource, d.name, ToJson(d));
  for (const auto& d : defs.feature_views) out.emplace_back(ObjectKind::kFeatureView, d.name, ToJson(d));
  for (const auto& d : defs.feature_services) out.emplace_back(ObjectKind::kFeatureService, d.name, ToJson(d));
  return out;
}

std::vector<std::string> ChangedFields(const Json& before, const Json& after) {
  std::vector<std::string> fields;
  for (const auto& [k, v] : after.items()) {
    if (!before.contains(k) || before[k] != v) fields.push_back(k);
  }
  for (const auto& [k, v] : before.items()) {
    if (!after.contains(k)) fields.push_back(k);
  }
  return fields;
}

absl::StatusOr<std::vector<StoredObject>> QueryObjects(SqlTransaction& txn, std::string_view where,
                                                       const std::vector<storage::SqlValue>& params) {
  PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(StrCat("SELECT ", kObjectColumns, " FROM feature_objects o ", where), params));
  std::vector<StoredObject> out;
  for (const auto& r : rows) {
    PLINTH_ASSIGN_OR_RETURN(StoredObject o, ObjectFromRow(r));
    out.push_back(std::move(o));
  }
  return out;
}

constexpr char kLiveJoin[] =
    "JOIN feature_live l ON l.kind = o.kind AND l.name = o.name AND l.version = o.version ";

int KindOrder(ObjectKind k) { return static_cast<int>(k); }

}  // namespace

Json StoredObject::ToJson() const {
  return {{"kind", ObjectKindName(kind)}, {"name", name},       {"version", version},
          {"spec", spec},                 {"created_at", FormatTimestamp(created_at)}, {"created_by", created_by}};
}

Json Change::ToJson() const {
  Json out = {{"op", OpName(op)}, {"kind", ObjectKindName(kind)}, {"name", name}};
  if (old_version) out["old_version"] = old_version;
  if (new_version) out["new_version"] = new_version;
  if (!fields.empty()) out["fields"] = fields;
  return out;
}

Json ApplyResult::ToJson() const {
  Json items = Json::array();
  int counts[4] = {0, 0, 0, 0};
  for (const auto& c : changes) {
    items.push_back(c.ToJson());
    ++counts[static_cast<int>(c.op)];
  }
  return {{"applied", applied},
          {"changes", items},
          {"summary", {{"added", counts[0]}, {"updated", counts[1]}, {"removed", counts[2]}, {"unchanged", counts[3]}}},
          {"created_tables", created_tables}};
}

absl::StatusOr<std::unique_ptr<FeatureRegistry>> FeatureRegistry::Create(Options options) {
  if (options.meta == nullptr) return absl::InvalidArgumentError("FeatureRegistry needs a MetaStore");
  if (options.clock == nullptr) options.clock = Clock::Real();
  if (options.lake_root.empty()) return absl::InvalidArgumentError("FeatureRegistry needs a lake root");
  return std::unique_ptr<FeatureRegistry>(new FeatureRegistry(std::move(options)));
}

absl::StatusOr<std::string> FeatureRegistry::TablePath(const SourceDef& source) const {
  std::filesystem::path rel(source.table);
  if (rel.is_absolute()) {
    return absl::InvalidArgumentError(StrCat("source '", source.name, "': table '", source.table,
                                             "' must be a path relative to the lake directory"));
  }
  for (const auto& part : rel) {
    if (part == "..") {
      return absl::InvalidArgumentError(StrCat("source '", source.name, "': table '", source.table, "' may not contain '..'"));
    }
  }
  return (std::filesystem::path(options_.lake_root) / rel).lexically_normal().string();
}

absl::StatusOr<std::optional<columnar::Schema>> FeatureRegistry::TableSchema(const SourceDef& source) const {
  PLINTH_ASSIGN_OR_RETURN(std::string root, TablePath(source));
  auto table = delta::DeltaTable::Open({.root = root});
  if (absl::IsNotFound(table.status())) return std::optional<columnar::Schema>();
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        StrCat("source '", source.name, "': cannot open table '", source.table, "': ", table.status().message()));
  }
  PLINTH_ASSIGN_OR_RETURN(auto snapshot, (*table)->LatestSnapshot());
  return std::optional<columnar::Schema>(delta::DeltaTable::ColumnarSchema(*snapshot));
}

absl::StatusOr<FeatureRegistry::Live> FeatureRegistry::LoadLive() {
  Live live;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    live = Live{};
    PLINTH_ASSIGN_OR_RETURN(auto objects, QueryObjects(txn, StrCat(kLiveJoin, "ORDER BY o.kind, o.name"), {}));
    for (const auto& o : objects) {
      PLINTH_RETURN_IF_ERROR(AddParsed(o.kind, o.spec, StrCat(ObjectKindName(o.kind), " '", o.name, "'"), &live.defs));
      live.versions[{o.kind, o.name}] = o.version;
    }
    return absl::OkStatus();
  }));
  return live;
}

absl::StatusOr<ApplyResult> FeatureRegistry::Apply(const Definitions& defs, const ApplyOptions& options,
                                                   const storage::AuditContext& ctx) {
  ApplyResult result;
  // Sources to create after validation, with the schema derived from the merged set.
  std::vector<std::pair<std::string, columnar::Schema>> to_create;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(options.dry_run ? TxnMode::kRead : TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    result = ApplyResult{};
    to_create.clear();
    PLINTH_ASSIGN_OR_RETURN(auto live_objects, QueryObjects(txn, kLiveJoin, {}));
    std::map<std::pair<ObjectKind, std::string>, const StoredObject*> live;
    for (const auto& o : live_objects) live[{o.kind, o.name}] = &o;

    // The merged set: the file's objects, plus live ones the file does not name (unless pruning).
    std::set<std::pair<ObjectKind, std::string>> in_file;
    Definitions merged = defs;
    for (const auto& [kind, name, json] : Objects(defs)) in_file.insert({kind, name});
    for (const auto& o : live_objects) {
      if (in_file.count({o.kind, o.name})) continue;
      if (options.prune) {
        result.changes.push_back({Change::Op::kRemove, o.kind, o.name, o.version, 0, {}, o.spec, nullptr});
        continue;
      }
      PLINTH_RETURN_IF_ERROR(AddParsed(o.kind, o.spec, StrCat("live ", ObjectKindName(o.kind), " '", o.name, "'"), &merged));
    }
    PLINTH_RETURN_IF_ERROR(ValidateDefinitions(merged, [this](const SourceDef& s) { return TableSchema(s); }));

    for (const auto& [kind, name, json] : Objects(defs)) {
      Change c;
      c.kind = kind;
      c.name = name;
      c.after = json;
      auto it = live.find({kind, name});
      if (it == live.end()) {
        c.op = Change::Op::kAdd;
        // A removed object that comes back continues its version numbers.
        PLINTH_ASSIGN_OR_RETURN(SqlRows last, txn.Query("SELECT MAX(version) FROM feature_objects WHERE kind = ? AND name = ?",
                                                        {std::string(ObjectKindName(kind)), name}));
        c.new_version = (last.empty() || last[0].IsNull(0) ? 0 : last[0].Int(0)) + 1;
      } else {
        c.before = it->second->spec;
        c.old_version = it->second->version;
        c.fields = ChangedFields(c.before, c.after);
        c.op = c.fields.empty() ? Change::Op::kUnchanged : Change::Op::kUpdate;
        c.new_version = c.fields.empty() ? c.old_version : c.old_version + 1;
      }
      result.changes.push_back(std::move(c));
    }
    std::stable_sort(result.changes.begin(), result.changes.end(), [](const Change& a, const Change& b) {
      return std::make_pair(KindOrder(a.kind), a.name) < std::make_pair(KindOrder(b.kind), b.name);
    });
    for (const SourceDef& s : merged.sources) {
      bool used = false;
      for (const auto& v : merged.feature_views) used = used || v.source == s.name;
      if (!used) continue;
      PLINTH_ASSIGN_OR_RETURN(auto schema, TableSchema(s));
      if (schema) continue;
      PLINTH_ASSIGN_OR_RETURN(columnar::Schema derived, DerivedSourceSchema(merged, s));
      PLINTH_ASSIGN_OR_RETURN(std::string path, TablePath(s));
      result.created_tables.push_back(path);
      to_create.emplace_back(path, std::move(derived));
    }
    if (options.dry_run) return absl::OkStatus();

    const int64_t now = options_.clock->NowMicros();
    Json audited = Json::array();
    for (const Change& c : result.changes) {
      const std::string kind(ObjectKindName(c.kind));
      if (c.op == Change::Op::kRemove) {
        PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM feature_live WHERE kind = ? AND name = ?", {kind, c.name}).status());
      } else if (c.op == Change::Op::kAdd || c.op == Change::Op::kUpdate) {
        PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO feature_objects (kind, name, version, spec, created_at, created_by) "
                                        "VALUES (?, ?, ?, ?, ?, ?)",
                                        {kind, c.name, c.new_version, DumpJson(c.after), now, ctx.actor})
                                   .status());
        PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM feature_live WHERE kind = ? AND name = ?", {kind, c.name}).status());
        PLINTH_RETURN_IF_ERROR(
            txn.Exec("INSERT INTO feature_live (kind, name, version) VALUES (?, ?, ?)", {kind, c.name, c.new_version}).status());
      }
      if (c.op != Change::Op::kUnchanged) audited.push_back(c.ToJson());
    }
    if (!audited.empty()) {
      PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "features.apply", "features", DumpJson(Json{{"changes", audited}})));
    }
    // Tables are created inside the transaction's span so a failure rolls the definitions back;
    // a table created by an apply that then fails to commit is empty and harmless.
    for (const auto& [path, schema] : to_create) {
      auto created = delta::DeltaTable::Create({.root = path}, schema, {});
      if (!created.ok() && !absl::IsAlreadyExists(created.status())) {
        return absl::InternalError(StrCat("cannot create source table ", path, ": ", created.status().message()));
      }
    }
    result.applied = true;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<StoredObject>> FeatureRegistry::List(std::optional<ObjectKind> kind) {
  std::vector<StoredObject> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    if (kind) {
      PLINTH_ASSIGN_OR_RETURN(out, QueryObjects(txn, StrCat(kLiveJoin, "WHERE o.kind = ? ORDER BY o.name"),
                                                {std::string(ObjectKindName(*kind))}));
    } else {
      PLINTH_ASSIGN_OR_RETURN(out, QueryObjects(txn, StrCat(kLiveJoin, "ORDER BY o.name"), {}));
    }
    return absl::OkStatus();
  }));
  std::stable_sort(out.begin(), out.end(),
                   [](const StoredObject& a, const StoredObject& b) { return KindOrder(a.kind) < KindOrder(b.kind); });
  return out;
}

absl::StatusOr<StoredObject> FeatureRegistry::Get(ObjectKind kind, const std::string& name, std::optional<int64_t> version) {
  StoredObject out;
  const std::string k(ObjectKindName(kind));
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    std::vector<StoredObject> found;
    if (version) {
      PLINTH_ASSIGN_OR_RETURN(found, QueryObjects(txn, "WHERE o.kind = ? AND o.name = ? AND o.version = ?", {k, name, *version}));
    } else {
      PLINTH_ASSIGN_OR_RETURN(found, QueryObjects(txn, StrCat(kLiveJoin, "WHERE o.kind = ? AND o.name = ?"), {k, name}));
    }
    if (found.empty()) {
      return absl::NotFoundError(version ? StrCat(k, " '", name, "' has no version ", *version)
                                         : StrCat(k, " '", name, "' not found"));
    }
    out = std::move(found[0]);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<StoredObject>> FeatureRegistry::History(ObjectKind kind, const std::string& name) {
  std::vector<StoredObject> out;
  const std::string k(ObjectKindName(kind));
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(out, QueryObjects(txn, "WHERE o.kind = ? AND o.name = ? ORDER BY o.version DESC", {k, name}));
    if (out.empty()) return absl::NotFoundError(StrCat(k, " '", name, "' not found"));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace plinth::features
