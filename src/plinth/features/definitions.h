// Feature store definitions: entities, sources, feature views and feature services.
//
// Users write them in YAML (definitions_yaml.h); they are stored and compared as canonical
// JSON (ToJson / ParseDefinitions), so two spellings of one definition are equal.
//
//   entities:        name, join keys with types
//   sources:         a Delta table (path under <data-dir>/lake/ or absolute), its event-timestamp
//                    column and optionally a created-timestamp column that breaks ties
//   feature_views:   entities, source, features (name, type, source column), TTL, request
//                    values and on-demand transforms over features and request values
//   feature_services: the named set of features a model consumes ("view:feature", "view:*")
//
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/features/value.h"

namespace plinth::features {

struct JoinKey {
  std::string name;
  ValueType type = ValueType::kInt64;
};

struct EntityDef {
  std::string name;
  std::vector<JoinKey> join_keys;
  std::string description;
};

struct SourceDef {
  std::string name;
  std::string table;  // Delta table: relative to <data-dir>/lake/, or absolute
  std::string event_timestamp_column = "event_timestamp";
  std::string created_timestamp_column;  // optional tie breaker
  std::string description;
};

struct FeatureDef {
  std::string name;
  ValueType type = ValueType::kDouble;
  std::string column;  // source column; empty = same as name
  std::string description;
  const std::string& SourceColumn() const { return column.empty() ? name : column; }
};

// A value the caller supplies at request time (online) or the label row holds (offline).
// Transforms see it as "request.<name>".
struct RequestValueDef {
  std::string name;
  ValueType type = ValueType::kDouble;
};

struct TransformSpec {
  std::string name;
  std::string expr;
  std::optional<ValueType> type;  // declared; checked against the inferred type
  std::string description;
};

struct FeatureViewDef {
  std::string name;
  std::vector<std::string> entities;
  std::string source;
  std::vector<FeatureDef> features;
  int64_t ttl_micros = 0;  // 0 = values never expire
  std::vector<RequestValueDef> request;
  std::vector<TransformSpec> transforms;
  bool online = true;  // materialized into the online store
  std::string description;
  std::vector<std::pair<std::string, std::string>> tags;
};

// "view:feature", or "view:*" for every feature and transform of the view.
struct FeatureRef {
  std::string view;
  std::string feature;  // "*" = all
  std::string ToString() const { return StrCat(view, ":", feature); }
};

struct FeatureServiceDef {
  std::string name;
  std::vector<FeatureRef> features;
  std::string description;
  std::vector<std::pair<std::string, std::string>> tags;
};

enum class ObjectKind { kEntity, kSource, kFeatureView, kFeatureService };
// "entity", "source", "feature_view", "feature_service".
std::string_view ObjectKindName(ObjectKind kind);
absl::StatusOr<ObjectKind> ParseObjectKind(std::string_view name);

// A set of definitions (a file, or what is live).
struct Definitions {
  std::vector<EntityDef> entities;
  std::vector<SourceDef> sources;
  std::vector<FeatureViewDef> feature_views;
  std::vector<FeatureServiceDef> feature_services;

  const EntityDef* FindEntity(std::string_view name) const;
  const SourceDef* FindSource(std::string_view name) const;
  const FeatureViewDef* FindView(std::string_view name) const;
  const FeatureServiceDef* FindService(std::string_view name) const;
  size_t size() const { return entities.size() + sources.size() + feature_views.size() + feature_services.size(); }
};

// Canonical JSON of one object (defaults written out, fields in a fixed order).
Json ToJson(const EntityDef& d);
Json ToJson(const SourceDef& d);
Json ToJson(const FeatureViewDef& d);
Json ToJson(const FeatureServiceDef& d);
// {"entities": [...], "sources": [...], "feature_views": [...], "feature_services": [...]}
Json ToJson(const Definitions& d);

// Parses one object of `kind` (as ToJson writes it, or as a user writes it in YAML: scalars
// may be strings). `where` prefixes error messages ("feature_views[2]").
absl::StatusOr<EntityDef> ParseEntity(const Json& j, std::string_view where);
absl::StatusOr<SourceDef> ParseSource(const Json& j, std::string_view where);
absl::StatusOr<FeatureViewDef> ParseFeatureView(const Json& j, std::string_view where);
absl::StatusOr<FeatureServiceDef> ParseFeatureService(const Json& j, std::string_view where);
// The whole document; unknown top-level keys are errors. Checks names and shapes only; the
// cross-references and source tables are checked by ValidateDefinitions (definitions_validate.h).
absl::StatusOr<Definitions> ParseDefinitions(const Json& j);

// "view:feature" / "view:*".
absl::StatusOr<FeatureRef> ParseFeatureRef(std::string_view text);

}  // namespace plinth::features
