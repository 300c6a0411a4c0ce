#include "plinth/features/definitions_validate.h"

#include <set>

#include "plinth/features/source_schema.h"
#include "plinth/features/transform_set.h"

namespace plinth::features {

namespace {

template <typename... Parts>
absl::Status ViewError(const FeatureViewDef& v, const Parts&... msg) {
  return absl::InvalidArgumentError(StrCat("feature view '", v.name, "': ", msg...));
}

absl::Status CheckViewAgainstTable(const Definitions& defs, const FeatureViewDef& v, const SourceDef& source,
                                   const columnar::Schema& schema) {
  auto column = [&](const std::string& name, ValueType type, std::string_view what) -> absl::Status {
    std::optional<size_t> i = schema.IndexOf(name);
    if (!i) {
      return ViewError(v, StrCat("unknown source column '", name, "' (", what, ") in table '", source.table, "' of source '",
                                 source.name, "'"));
    }
    absl::Status s = CheckColumnType(schema.field(*i), type, what);
    if (!s.ok()) return ViewError(v, s.message());
    return absl::OkStatus();
  };
  for (const JoinKey& k : ViewJoinKeys(defs, v)) {
    std::optional<size_t> i = schema.IndexOf(k.name);
    if (!i) {
      return ViewError(v, StrCat("unknown source column '", k.name, "' (join key) in table '", source.table, "' of source '",
                                 source.name, "'"));
    }
    columnar::TypeId id = schema.field(*i).type.id;
    bool integer = id == columnar::TypeId::kInt8 || id == columnar::TypeId::kInt16 || id == columnar::TypeId::kInt32 ||
                   id == columnar::TypeId::kInt64 || id == columnar::TypeId::kUInt8 || id == columnar::TypeId::kUInt16 ||
                   id == columnar::TypeId::kUInt32;
    bool ok = k.type == ValueType::kString ? id == columnar::TypeId::kString : integer;
    if (!ok) {
      return ViewError(v, StrCat("type mismatch: column '", k.name, "' is ", columnar::TypeName(schema.field(*i).type),
                                 ", join key '", k.name, "' is ", ValueTypeName(k.type)));
    }
  }
  PLINTH_RETURN_IF_ERROR(column(source.event_timestamp_column, ValueType::kTimestamp, "the event timestamp"));
  if (!source.created_timestamp_column.empty()) {
    PLINTH_RETURN_IF_ERROR(column(source.created_timestamp_column, ValueType::kTimestamp, "the created timestamp"));
  }
  for (const FeatureDef& f : v.features) {
    PLINTH_RETURN_IF_ERROR(column(f.SourceColumn(), f.type, StrCat("feature '", f.name, "'")));
  }
  return absl::OkStatus();
}

absl::Status CheckView(const Definitions& defs, const FeatureViewDef& v) {
  std::set<std::string> keys;
  for (const auto& e : v.entities) {
    const EntityDef* entity = defs.FindEntity(e);
    if (entity == nullptr) return ViewError(v, StrCat("unknown entity '", e, "'"));
    for (const JoinKey& k : entity->join_keys) {
      if (!keys.insert(k.name).second) return ViewError(v, StrCat("join key '", k.name, "' comes from two entities"));
    }
  }
  if (defs.FindSource(v.source) == nullptr) return ViewError(v, StrCat("unknown source '", v.source, "'"));
  for (const FeatureDef& f : v.features) {
    if (keys.count(f.name)) return ViewError(v, StrCat("feature '", f.name, "' has the name of a join key"));
  }
  std::vector<TransformDef> transforms;
  for (const TransformSpec& t : v.transforms) transforms.push_back({t.name, t.expr, t.type});
  auto set = TransformSet::Create(TransformInputs(v), transforms);
  if (!set.ok()) return ViewError(v, set.status().message());
  return absl::OkStatus();
}

absl::Status CheckService(const Definitions& defs, const FeatureServiceDef& s) {
  for (const FeatureRef& ref : s.features) {
    const FeatureViewDef* v = defs.FindView(ref.view);
    auto err = [&](std::string_view msg) {
      return absl::InvalidArgumentError(StrCat("feature service '", s.name, "': ", msg));
    };
    if (v == nullptr) return err(StrCat("unknown feature view '", ref.view, "' in '", ref.ToString(), "'"));
    if (ref.feature == "*") continue;
    bool found = false;
    for (const auto& f : v->features) found = found || f.name == ref.feature;
    for (const auto& t : v->transforms) found = found || t.name == ref.feature;
    if (!found) return err(StrCat("unknown feature '", ref.ToString(), "': view '", v->name, "' has no such feature or transform"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::pair<std::string, ValueType>> TransformInputs(const FeatureViewDef& view) {
  std::vector<std::pair<std::string, ValueType>> inputs;
  for (const FeatureDef& f : view.features) inputs.emplace_back(f.name, f.type);
  for (const RequestValueDef& r : view.request) inputs.emplace_back(StrCat("request.", r.name), r.type);
  return inputs;
}

absl::Status ValidateDefinitions(const Definitions& defs, const TableSchemaLookup& lookup) {
  for (const FeatureViewDef& v : defs.feature_views) PLINTH_RETURN_IF_ERROR(CheckView(defs, v));
  for (const FeatureServiceDef& s : defs.feature_services) PLINTH_RETURN_IF_ERROR(CheckService(defs, s));
  for (const SourceDef& source : defs.sources) {
    bool used = false;
    for (const auto& v : defs.feature_views) used = used || v.source == source.name;
    if (!used) continue;
    PLINTH_ASSIGN_OR_RETURN(std::optional<columnar::Schema> schema, lookup(source));
    if (!schema) {
      // No table yet: the views must agree on the table apply will create.
      PLINTH_RETURN_IF_ERROR(DerivedSourceSchema(defs, source).status());
      continue;
    }
    for (const FeatureViewDef& v : defs.feature_views) {
      if (v.source == source.name) PLINTH_RETURN_IF_ERROR(CheckViewAgainstTable(defs, v, source, *schema));
    }
  }
  return absl::OkStatus();
}

}  // namespace plinth::features
