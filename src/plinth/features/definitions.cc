#include "plinth/features/definitions.h"

#include <set>

#include "plinth/base/names.h"
#include "plinth/base/time.h"

namespace plinth::features {

namespace {

std::string At(std::string_view where, std::string_view field) { return StrCat(where, ".", field); }

template <typename... Parts>
absl::Status Err(std::string_view where, const Parts&... msg) {
  return absl::InvalidArgumentError(StrCat(where, ": ", msg...));
}

absl::Status CheckObject(const Json& j, std::string_view where, std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) return Err(where, "must be a mapping");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      return Err(where, StrCat("unknown field '", key, "' (expected ", StrJoin(names, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

// A string field; YAML scalars arrive as strings, JSON numbers are accepted as their text.
absl::StatusOr<std::string> Str(const Json& j, std::string_view key, std::string_view where, bool required,
                                std::string fallback = "") {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) {
    if (required) return Err(where, StrCat("'", key, "' is required"));
    return fallback;
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return StrCat(it->get<int64_t>());
  return Err(At(where, key), "must be a string");
}

absl::StatusOr<bool> Bool(const Json& j, std::string_view key, std::string_view where, bool fallback) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  return Err(At(where, key), "must be true or false");
}

absl::StatusOr<ValueType> Type(const Json& j, std::string_view key, std::string_view where) {
  PLINTH_ASSIGN_OR_RETURN(std::string t, Str(j, key, where, true));
  auto type = ParseValueType(t);
  if (!type.ok()) return Err(At(where, key), type.status().message());
  return *type;
}

// A list field (absent = empty); each element is handed to `fn` with its path.
absl::Status List(const Json& j, std::string_view key, std::string_view where,
                  const std::function<absl::Status(const Json&, const std::string&)>& fn) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) return Err(At(where, key), "must be a list");
  for (size_t i = 0; i < it->size(); ++i) PLINTH_RETURN_IF_ERROR(fn((*it)[i], StrCat(where, ".", key, "[", i, "]")));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> StrList(const Json& j, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  PLINTH_RETURN_IF_ERROR(List(j, key, where, [&](const Json& e, const std::string& path) -> absl::Status {
    if (!e.is_string()) return Err(path, "must be a string");
    out.push_back(e.get<std::string>());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Tags(const Json& j, std::string_view where) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = j.find("tags");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return Err(At(where, "tags"), "must be a mapping of strings");
  for (const auto& [k, v] : it->items()) {
    PLINTH_RETURN_IF_ERROR(ValidateKey("tag key", k));
    if (v.is_string()) {
      out.emplace_back(k, v.get<std::string>());
    } else if (v.is_number() || v.is_boolean()) {
      out.emplace_back(k, v.dump());
    } else {
      return Err(At(where, StrCat("tags.", k)), "must be a string");
    }
  }
  return out;  // nlohmann's object is ordered by key: canonical already
}

absl::Status Name(std::string_view kind, const std::string& name, std::string_view where) {
  absl::Status s = ValidateName(kind, name);
  if (!s.ok()) return Err(where, s.message());
  return absl::OkStatus();
}

// Column and feature names: identifiers, so transforms can reference them.
absl::Status Identifier(std::string_view kind, const std::string& name, std::string_view where) {
  bool ok = !name.empty() && name.size() <= 128 && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) return Err(where, StrCat(kind, " '", name, "' must match [A-Za-z_][A-Za-z0-9_]* (at most 128 characters)"));
  return absl::OkStatus();
}

std::string FormatDuration(int64_t micros) {
  struct Unit {
    int64_t micros;
    const char* suffix;
  };
  static const Unit kUnits[] = {{86400000000, "d"}, {3600000000, "h"}, {60000000, "m"}, {1000000, "s"}, {1000, "ms"}};
  for (const Unit& u : kUnits) {
    if (micros % u.micros == 0) return StrCat(micros / u.micros, u.suffix);
  }
  return StrCat(micros, "us");
}

Json TagsJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  Json out = Json::object();
  for (const auto& [k, v] : tags) out[k] = v;
  return out;
}

template <typename T>
absl::Status Unique(const std::vector<T>& items, std::string_view what) {
  std::set<std::string> seen;
  for (const T& i : items) {
    if (!seen.insert(i.name).second) return absl::InvalidArgumentError(StrCat("duplicate ", what, " '", i.name, "'"));
  }
  return absl::OkStatus();
}

template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const T& i : items) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

}  // namespace

std::string_view ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kEntity: return "entity";
    case ObjectKind::kSource: return "source";
    case ObjectKind::kFeatureView: return "feature_view";
    case ObjectKind::kFeatureService: return "feature_service";
  }
  return "?";
}

absl::StatusOr<ObjectKind> ParseObjectKind(std::string_view name) {
  if (name == "entity" || name == "entities") return ObjectKind::kEntity;
  if (name == "source" || name == "sources") return ObjectKind::kSource;
  if (name == "feature_view" || name == "feature_views" || name == "view" || name == "views") return ObjectKind::kFeatureView;
  if (name == "feature_service" || name == "feature_services" || name == "service" || name == "services") {
    return ObjectKind::kFeatureService;
  }
  return absl::InvalidArgumentError(
      StrCat("unknown kind '", name, "': use entity, source, feature_view or feature_service"));
}

const EntityDef* Definitions::FindEntity(std::string_view name) const { return FindByName(entities, name); }
const SourceDef* Definitions::FindSource(std::string_view name) const { return FindByName(sources, name); }
const FeatureViewDef* Definitions::FindView(std::string_view name) const { return FindByName(feature_views, name); }
const FeatureServiceDef* Definitions::FindService(std::string_view name) const {
  return FindByName(feature_services, name);
}

Json ToJson(const EntityDef& d) {
  Json keys = Json::array();
  for (const auto& k : d.join_keys) keys.push_back({{"name", k.name}, {"type", ValueTypeName(k.type)}});
  return {{"name", d.name}, {"join_keys", keys}, {"description", d.description}};
}

Json ToJson(const SourceDef& d) {
  return {{"name", d.name},
          {"table", d.table},
          {"event_timestamp_column", d.event_timestamp_column},
          {"created_timestamp_column", d.created_timestamp_column},
          {"description", d.description}};
}

Json ToJson(const FeatureViewDef& d) {
  Json features = Json::array();
  for (const auto& f : d.features) {
    features.push_back(
        {{"name", f.name}, {"type", ValueTypeName(f.type)}, {"column", f.SourceColumn()}, {"description", f.description}});
  }
  Json request = Json::array();
  for (const auto& r : d.request) request.push_back({{"name", r.name}, {"type", ValueTypeName(r.type)}});
  Json transforms = Json::array();
  for (const auto& t : d.transforms) {
    Json tj = {{"name", t.name}, {"expr", t.expr}, {"description", t.description}};
    tj["type"] = t.type ? Json(ValueTypeName(*t.type)) : Json(nullptr);
    transforms.push_back(std::move(tj));
  }
  return {{"name", d.name},
          {"entities", d.entities},
          {"source", d.source},
          {"features", features},
          {"ttl", d.ttl_micros == 0 ? Json(nullptr) : Json(FormatDuration(d.ttl_micros))},
          {"request", request},
          {"transforms", transforms},
          {"online", d.online},
          {"description", d.description},
          {"tags", TagsJson(d.tags)}};
}

Json ToJson(const FeatureServiceDef& d) {
  Json refs = Json::array();
  for (const auto& r : d.features) refs.push_back(r.ToString());
  return {{"name", d.name}, {"features", refs}, {"description", d.description}, {"tags", TagsJson(d.tags)}};
}

Json ToJson(const Definitions& d) {
  Json out = {{"entities", Json::array()}, {"sources", Json::array()}, {"feature_views", Json::array()},
              {"feature_services", Json::array()}};
  for (const auto& e : d.entities) out["entities"].push_back(ToJson(e));
  for (const auto& s : d.sources) out["sources"].push_back(ToJson(s));
  for (const auto& v : d.feature_views) out["feature_views"].push_back(ToJson(v));
  for (const auto& s : d.feature_services) out["feature_services"].push_back(ToJson(s));
  return out;
}

absl::StatusOr<EntityDef> ParseEntity(const Json& j, std::string_view where) {
  PLINTH_RETURN_IF_ERROR(CheckObject(j, where, {"name", "join_keys", "description"}));
  EntityDef d;
  PLINTH_ASSIGN_OR_RETURN(d.name, Str(j, "name", where, true));
  PLINTH_RETURN_IF_ERROR(Name("entity name", d.name, where));
  PLINTH_ASSIGN_OR_RETURN(d.description, Str(j, "description", where, false));
  PLINTH_RETURN_IF_ERROR(List(j, "join_keys", where, [&](const Json& k, const std::string& path) -> absl::Status {
    JoinKey key;
    if (k.is_string()) {  // shorthand: just a name, typed int64
      key.name = k.get<std::string>();
    } else {
      PLINTH_RETURN_IF_ERROR(CheckObject(k, path, {"name", "type"}));
      PLINTH_ASSIGN_OR_RETURN(key.name, Str(k, "name", path, true));
      PLINTH_ASSIGN_OR_RETURN(key.type, Type(k, "type", path));
    }
    PLINTH_RETURN_IF_ERROR(Identifier("join key", key.name, path));
    if (key.type != ValueType::kInt64 && key.type != ValueType::kString) {
      return Err(path, StrCat("join key '", key.name, "' must be int64 or string, not ", ValueTypeName(key.type)));
    }
    d.join_keys.push_back(std::move(key));
    return absl::OkStatus();
  }));
  if (d.join_keys.empty()) return Err(where, StrCat("entity '", d.name, "' needs at least one join key"));
  PLINTH_RETURN_IF_ERROR(Unique(d.join_keys, StrCat("join key in entity '", d.name, "':")));
  return d;
}

absl::StatusOr<SourceDef> ParseSource(const Json& j, std::string_view where) {
  PLINTH_RETURN_IF_ERROR(
      CheckObject(j, where, {"name", "table", "event_timestamp_column", "created_timestamp_column", "description"}));
  SourceDef d;
  PLINTH_ASSIGN_OR_RETURN(d.name, Str(j, "name", where, true));
  PLINTH_RETURN_IF_ERROR(Name("source name", d.name, where));
  PLINTH_ASSIGN_OR_RETURN(d.table, Str(j, "table", where, false, StrCat("features/", d.name)));
  if (d.table.empty()) return Err(where, "'table' must not be empty");
  PLINTH_ASSIGN_OR_RETURN(d.event_timestamp_column, Str(j, "event_timestamp_column", where, false, "event_timestamp"));
  PLINTH_RETURN_IF_ERROR(Identifier("event timestamp column", d.event_timestamp_column, where));
  PLINTH_ASSIGN_OR_RETURN(d.created_timestamp_column, Str(j, "created_timestamp_column", where, false));
  if (!d.created_timestamp_column.empty()) {
    PLINTH_RETURN_IF_ERROR(Identifier("created timestamp column", d.created_timestamp_column, where));
    if (d.created_timestamp_column == d.event_timestamp_column) {
      return Err(where, "created_timestamp_column must differ from event_timestamp_column");
    }
  }
  PLINTH_ASSIGN_OR_RETURN(d.description, Str(j, "description", where, false));
  return d;
}

absl::StatusOr<FeatureViewDef> ParseFeatureView(const Json& j, std::string_view where) {
  PLINTH_RETURN_IF_ERROR(CheckObject(j, where, {"name", "entities", "source", "features", "ttl", "request", "transforms",
                                                "online", "description", "tags"}));
  FeatureViewDef d;
  PLINTH_ASSIGN_OR_RETURN(d.name, Str(j, "name", where, true));
  PLINTH_RETURN_IF_ERROR(Name("feature view name", d.name, where));
  PLINTH_ASSIGN_OR_RETURN(d.entities, StrList(j, "entities", where));
  if (d.entities.empty()) return Err(where, StrCat("feature view '", d.name, "' needs at least one entity"));
  PLINTH_ASSIGN_OR_RETURN(d.source, Str(j, "source", where, true));
  PLINTH_ASSIGN_OR_RETURN(std::string ttl, Str(j, "ttl", where, false));
  if (!ttl.empty() && ttl != "0") {
    auto micros = ParseDuration(ttl);
    if (!micros.ok()) return Err(At(where, "ttl"), micros.status().message());
    d.ttl_micros = *micros;
  }
  PLINTH_RETURN_IF_ERROR(List(j, "features", where, [&](const Json& f, const std::string& path) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(CheckObject(f, path, {"name", "type", "column", "description"}));
    FeatureDef fd;
    PLINTH_ASSIGN_OR_RETURN(fd.name, Str(f, "name", path, true));
    PLINTH_RETURN_IF_ERROR(Identifier("feature name", fd.name, path));
    PLINTH_ASSIGN_OR_RETURN(fd.type, Type(f, "type", path));
    PLINTH_ASSIGN_OR_RETURN(fd.column, Str(f, "column", path, false));
    if (!fd.column.empty()) PLINTH_RETURN_IF_ERROR(Identifier("column", fd.column, path));
    if (fd.column == fd.name) fd.column.clear();
    PLINTH_ASSIGN_OR_RETURN(fd.description, Str(f, "description", path, false));
    d.features.push_back(std::move(fd));
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(List(j, "request", where, [&](const Json& r, const std::string& path) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(CheckObject(r, path, {"name", "type"}));
    RequestValueDef rd;
    PLINTH_ASSIGN_OR_RETURN(rd.name, Str(r, "name", path, true));
    PLINTH_RETURN_IF_ERROR(Identifier("request value name", rd.name, path));
    PLINTH_ASSIGN_OR_RETURN(rd.type, Type(r, "type", path));
    d.request.push_back(std::move(rd));
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(List(j, "transforms", where, [&](const Json& t, const std::string& path) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(CheckObject(t, path, {"name", "expr", "type", "description"}));
    TransformSpec ts;
    PLINTH_ASSIGN_OR_RETURN(ts.name, Str(t, "name", path, true));
    PLINTH_RETURN_IF_ERROR(Identifier("transform name", ts.name, path));
    PLINTH_ASSIGN_OR_RETURN(ts.expr, Str(t, "expr", path, true));
    PLINTH_ASSIGN_OR_RETURN(std::string type, Str(t, "type", path, false));
    if (!type.empty()) {
      PLINTH_ASSIGN_OR_RETURN(ts.type, Type(t, "type", path));
    }
    PLINTH_ASSIGN_OR_RETURN(ts.description, Str(t, "description", path, false));
    d.transforms.push_back(std::move(ts));
    return absl::OkStatus();
  }));
  if (d.features.empty() && d.transforms.empty()) {
    return Err(where, StrCat("feature view '", d.name, "' declares no features"));
  }
  // Features and transforms share one namespace (a service names either as view:name).
  std::set<std::string> names;
  for (const auto& f : d.features) {
    if (!names.insert(f.name).second) return Err(where, StrCat("duplicate feature '", f.name, "'"));
  }
  for (const auto& t : d.transforms) {
    if (!names.insert(t.name).second) return Err(where, StrCat("transform '", t.name, "' clashes with a feature or transform of the same name"));
  }
  PLINTH_RETURN_IF_ERROR(Unique(d.request, StrCat("request value in view '", d.name, "':")));
  PLINTH_ASSIGN_OR_RETURN(d.online, Bool(j, "online", where, true));
  PLINTH_ASSIGN_OR_RETURN(d.description, Str(j, "description", where, false));
  PLINTH_ASSIGN_OR_RETURN(d.tags, Tags(j, where));
  return d;
}

absl::StatusOr<FeatureRef> ParseFeatureRef(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size() ||
      text.find(':', colon + 1) != std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("feature reference '", text, "' must look like view:feature or view:*"));
  }
  return FeatureRef{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

absl::StatusOr<FeatureServiceDef> ParseFeatureService(const Json& j, std::string_view where) {
  PLINTH_RETURN_IF_ERROR(CheckObject(j, where, {"name", "features", "description", "tags"}));
  FeatureServiceDef d;
  PLINTH_ASSIGN_OR_RETURN(d.name, Str(j, "name", where, true));
  PLINTH_RETURN_IF_ERROR(Name("feature service name", d.name, where));
  PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> refs, StrList(j, "features", where));
  if (refs.empty()) return Err(where, StrCat("feature service '", d.name, "' lists no features"));
  std::set<std::string> seen;
  for (const auto& r : refs) {
    auto ref = ParseFeatureRef(r);
    if (!ref.ok()) return Err(At(where, "features"), ref.status().message());
    if (!seen.insert(ref->ToString()).second) return Err(At(where, "features"), StrCat("'", r, "' is listed twice"));
    d.features.push_back(std::move(*ref));
  }
  PLINTH_ASSIGN_OR_RETURN(d.description, Str(j, "description", where, false));
  PLINTH_ASSIGN_OR_RETURN(d.tags, Tags(j, where));
  return d;
}

absl::StatusOr<Definitions> ParseDefinitions(const Json& j) {
  if (j.is_null()) return Definitions{};
  PLINTH_RETURN_IF_ERROR(CheckObject(j, "definitions", {"entities", "sources", "feature_views", "feature_services"}));
  Definitions d;
  PLINTH_RETURN_IF_ERROR(List(j, "entities", "", [&](const Json& e, const std::string& path) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(EntityDef def, ParseEntity(e, path.substr(1)));
    d.entities.push_back(std::move(def));
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(List(j, "sources", "", [&](const Json& e, const std::string& path) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SourceDef def, ParseSource(e, path.substr(1)));
    d.sources.push_back(std::move(def));
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(List(j, "feature_views", "", [&](const Json& e, const std::string& path) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(FeatureViewDef def, ParseFeatureView(e, path.substr(1)));
    d.feature_views.push_back(std::move(def));
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(List(j, "feature_services", "", [&](const Json& e, const std::string& path) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(FeatureServiceDef def, ParseFeatureService(e, path.substr(1)));
    d.feature_services.push_back(std::move(def));
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(Unique(d.entities, "entity"));
  PLINTH_RETURN_IF_ERROR(Unique(d.sources, "source"));
  PLINTH_RETURN_IF_ERROR(Unique(d.feature_views, "feature view"));
  PLINTH_RETURN_IF_ERROR(Unique(d.feature_services, "feature service"));
  return d;
}

}  // namespace plinth::features
