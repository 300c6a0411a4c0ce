#include "plinth/serving/entity_inputs.h"

#include "plinth/features/json_values.h"

namespace plinth::serving {

namespace {

// Where a model input comes from.
struct Source {
  enum Kind { kFeature, kRequest, kEntityField } kind = kFeature;
  size_t feature = 0;
  std::string name;
};

absl::StatusOr<std::vector<Source>> MapInputs(const runtime::Signature& sig, const features::ServicePlan& service,
                                              const features::RequestValues& request) {
  std::vector<Source> out;
  for (const runtime::FeatureSpec& input : sig.inputs) {
    Source src;
    bool found = false;
    for (size_t i = 0; i < service.features.size() && !found; ++i) {
      const std::string& full = service.features[i].name;  // view:feature
      size_t colon = full.find(':');
      std::string_view view(full.data(), colon), short_name(full.data() + colon + 1, full.size() - colon - 1);
      if (input.name == full || input.name == short_name || input.name == StrCat(view, "__", short_name)) {
        src = {Source::kFeature, i, ""};
        found = true;
      }
    }
    if (!found && request.count(input.name)) {
      src = {Source::kRequest, 0, input.name};
      found = true;
    }
    if (!found) src = {Source::kEntityField, 0, input.name};  // checked per row
    out.push_back(std::move(src));
  }
  return out;
}

std::string ServiceFeatureNames(const features::ServicePlan& service) {
  std::vector<std::string> names;
  for (const auto& f : service.features) names.push_back(f.name);
  return StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<std::optional<std::string>> TenantOfEntities(const Json& entities) {
  std::optional<std::string> tenant;
  if (!entities.is_array()) return tenant;
  for (size_t i = 0; i < entities.size(); ++i) {
    if (!entities[i].is_object() || !entities[i].contains("tenant")) continue;
    const Json& t = entities[i]["tenant"];
    if (!t.is_string()) return absl::InvalidArgumentError(StrCat("entities[", i, "].tenant must be a string"));
    if (tenant && *tenant != t.get<std::string>()) {
      return absl::InvalidArgumentError("all entities of one request must have the same tenant");
    }
    tenant = t.get<std::string>();
  }
  return tenant;
}

absl::StatusOr<EntityInputs> DecodeEntities(const Json& entities, const Json& request, const Servable& model,
                                            features::FeatureStore& store, const std::string& service_name,
                                            int64_t max_rows, bool want_features) {
  if (!entities.is_array() || entities.empty()) {
    return absl::InvalidArgumentError("'entities' must be a non-empty array of objects of join keys");
  }
  if (static_cast<int64_t>(entities.size()) > max_rows) {
    return absl::InvalidArgumentError(
        StrCat("'entities' has ", entities.size(), " rows; this deployment takes at most ", max_rows, " per request"));
  }
  std::shared_ptr<const features::Catalog> catalog = store.catalog();
  auto service = catalog->FindService(service_name);
  if (!service.ok()) {
    return absl::FailedPreconditionError(StrCat("the deployment's feature service '", service_name, "' does not exist"));
  }
  const features::ServicePlan& plan = **service;
  // Request values: typed by the service where it declares them, kept as JSON otherwise.
  features::RequestValues typed;
  if (!request.is_null() && !request.is_object()) return absl::InvalidArgumentError("'request' must be an object");
  if (request.is_object()) {
    for (const auto& [key, value] : request.items()) {
      features::ValueType type = value.is_string() ? features::ValueType::kString
                                 : value.is_boolean() ? features::ValueType::kBool
                                 : value.is_number_integer() ? features::ValueType::kInt64
                                                             : features::ValueType::kDouble;
      for (const auto& r : plan.request) {
        if (r.name == key) type = r.type;
      }
      PLINTH_ASSIGN_OR_RETURN(features::Value v, features::ValueFromJson(value, type, StrCat("request.", key)));
      typed.emplace(key, std::move(v));
    }
  }
  std::vector<features::EntityKeys> keys(entities.size());
  for (size_t e = 0; e < entities.size(); ++e) {
    const Json& row = entities[e];
    if (!row.is_object()) return absl::InvalidArgumentError(StrCat("entities[", e, "] must be an object"));
    for (const features::JoinKey& k : plan.join_keys) {
      auto it = row.find(k.name);
      if (it == row.end()) return absl::InvalidArgumentError(StrCat("entities[", e, "]: missing join key '", k.name, "'"));
      PLINTH_ASSIGN_OR_RETURN(features::Value v, features::ValueFromJson(*it, k.type, StrCat("entities[", e, "].", k.name)));
      keys[e].emplace(k.name, std::move(v));
    }
  }
  PLINTH_ASSIGN_OR_RETURN(features::OnlineReadResult read, store.ReadOnline(plan, keys, typed));

  const runtime::RowEncoder& encoder = model.encoder();
  const runtime::Signature& sig = model.signature();
  PLINTH_ASSIGN_OR_RETURN(std::vector<Source> sources, MapInputs(sig, plan, typed));
  EntityInputs out;
  out.matrix = FeatureMatrix(entities.size(), static_cast<size_t>(encoder.num_features()));
  for (size_t e = 0; e < entities.size(); ++e) {
    Json used = Json::object();
    for (size_t c = 0; c < sources.size(); ++c) {
      const Source& src = sources[c];
      const std::string& name = sig.inputs[c].name;
      Json value;
      if (src.kind == Source::kFeature) {
        value = features::ValueToJson(read.rows[e].values[src.feature]);
      } else if (src.kind == Source::kRequest) {
        value = features::ValueToJson(typed.at(src.name));
      } else {
        auto it = entities[e].find(name);
        if (it == entities[e].end()) {
          return absl::InvalidArgumentError(StrCat("model input '", name, "' is not a feature of service '", plan.def.name,
                                                   "' (", ServiceFeatureNames(plan), "), a request value or a field of entities[",
                                                   e, "]"));
        }
        value = *it;
      }
      PLINTH_RETURN_IF_ERROR(encoder.EncodeValue(static_cast<int>(c), value, &out.matrix.at(e, c), StrCat("entities[", e, "].", name)));
      if (want_features) used[name] = std::move(value);
    }
    if (want_features) {
      Json statuses = Json::object();
      for (size_t i = 0; i < plan.features.size(); ++i) {
        statuses[plan.features[i].name] = features::FeatureStatusName(read.rows[e].status[i]);
      }
      out.features.push_back({{"values", std::move(used)}, {"statuses", std::move(statuses)}});
    }
  }
  return out;
}

}  // namespace plinth::serving
