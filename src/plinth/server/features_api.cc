#include "plinth/server/features_api.h"

#include "plinth/base/json_text.h"
#include "plinth/base/time.h"
#include "plinth/base/yaml_json.h"
#include "plinth/features/json_values.h"
#include "plinth/server/api_util.h"

namespace plinth::server {

namespace {

// Definitions larger than this are refused (the server's body limit applies first).
constexpr size_t kMaxDefinitionBytes = 8 << 20;

absl::StatusOr<features::Definitions> DefinitionsFromBody(const Json& body) {
  const bool has_yaml = body.contains("yaml"), has_json = body.contains("definitions");
  if (has_yaml == has_json) return absl::InvalidArgumentError("give exactly one of 'yaml' (text) or 'definitions' (object)");
  Json doc;
  if (has_yaml) {
    if (!body["yaml"].is_string()) return absl::InvalidArgumentError("'yaml' must be a string");
    const std::string& text = body["yaml"].get_ref<const std::string&>();
    if (text.size() > kMaxDefinitionBytes) return absl::InvalidArgumentError("definitions larger than 8 MiB");
    PLINTH_ASSIGN_OR_RETURN(doc, YamlToJson(text));
  } else {
    doc = body["definitions"];
  }
  return features::ParseDefinitions(doc);
}

// "entities": {"user_id": [1, 2], "merchant": ["a", "b"]} (columns of equal length) or
// [{"user_id": 1, "merchant": "a"}, ...] (rows), typed by the service's join keys.
absl::StatusOr<std::vector<features::EntityKeys>> EntitiesFromJson(const Json& j, const features::ServicePlan& service) {
  auto key_type = [&](const std::string& name) -> absl::StatusOr<features::ValueType> {
    for (const features::JoinKey& k : service.join_keys) {
      if (k.name == name) return k.type;
    }
    std::vector<std::string> names;
    for (const features::JoinKey& k : service.join_keys) names.push_back(k.name);
    return absl::InvalidArgumentError(StrCat("entities: unknown join key '", name, "' (service '", service.def.name,
                                             "' uses ", StrJoin(names, ", "), ")"));
  };
  std::vector<features::EntityKeys> out;
  if (j.is_object()) {
    size_t n = 0;
    bool first = true;
    for (const auto& [key, column] : j.items()) {
      if (!column.is_array()) return absl::InvalidArgumentError(StrCat("entities.", key, " must be a list"));
      if (!first && column.size() != n) return absl::InvalidArgumentError("entities: every join key needs the same number of values");
      n = column.size();
      first = false;
    }
    if (n > features::kMaxOnlineEntities) {
      return absl::InvalidArgumentError(StrCat("at most ", features::kMaxOnlineEntities, " entities per request"));
    }
    out.resize(n);
    for (const auto& [key, column] : j.items()) {
      PLINTH_ASSIGN_OR_RETURN(features::ValueType type, key_type(key));
      for (size_t i = 0; i < n; ++i) {
        PLINTH_ASSIGN_OR_RETURN(features::Value v, features::ValueFromJson(column[i], type, StrCat("entities.", key, "[", i, "]")));
        out[i].emplace(key, std::move(v));
      }
    }
  } else if (j.is_array()) {
    if (j.size() > features::kMaxOnlineEntities) {
      return absl::InvalidArgumentError(StrCat("at most ", features::kMaxOnlineEntities, " entities per request"));
    }
    for (size_t i = 0; i < j.size(); ++i) {
      if (!j[i].is_object()) return absl::InvalidArgumentError(StrCat("entities[", i, "] must be an object"));
      features::EntityKeys row;
      for (const auto& [key, value] : j[i].items()) {
        auto type = key_type(key);
        if (!type.ok()) continue;  // other fields of a row (e.g. a tenant) are not join keys
        PLINTH_ASSIGN_OR_RETURN(features::Value v, features::ValueFromJson(value, *type, StrCat("entities[", i, "].", key)));
        row.emplace(key, std::move(v));
      }
      out.push_back(std::move(row));
    }
  } else {
    return absl::InvalidArgumentError("'entities' must be an object of lists or a list of objects");
  }
  return out;
}

// "request": {"now": "2026-...", ...}, typed by the service's request values.
absl::StatusOr<features::RequestValues> RequestFromJson(const Json& j, const features::ServicePlan& service) {
  features::RequestValues out;
  if (j.is_null()) return out;
  if (!j.is_object()) return absl::InvalidArgumentError("'request' must be an object");
  for (const auto& [key, value] : j.items()) {
    const features::RequestValueDef* def = nullptr;
    for (const auto& r : service.request) {
      if (r.name == key) def = &r;
    }
    if (def == nullptr) {
      return absl::InvalidArgumentError(StrCat("request: unknown value '", key, "' for service '", service.def.name, "'"));
    }
    PLINTH_ASSIGN_OR_RETURN(features::Value v, features::ValueFromJson(value, def->type, StrCat("request.", key)));
    out.emplace(key, std::move(v));
  }
  return out;
}

// {"service", "features": [names], "results": [{"entity", "values", "statuses",
// "event_timestamps"}]}, written as text: this is the online read's hot path.
std::string OnlineResultBody(const features::ServicePlan& service, const std::vector<features::EntityKeys>& entities,
                             const features::OnlineReadResult& result) {
  std::string out;
  out.reserve(256 + service.features.size() * 64 * std::max<size_t>(1, result.rows.size()));
  out.append("{\"service\":");
  AppendJsonString(&out, service.def.name);
  out.append(",\"features\":[");
  for (size_t i = 0; i < service.features.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, service.features[i].name);
  }
  out.append("],\"results\":[");
  for (size_t e = 0; e < result.rows.size(); ++e) {
    const features::OnlineVector& row = result.rows[e];
    if (e > 0) out.push_back(',');
    out.append("{\"entity\":{");
    bool first = true;
    for (const auto& [name, value] : entities[e]) {  // a std::map: in name order, as a DOM object
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(&out, name);
      out.push_back(':');
      features::AppendValueJson(value, &out);
    }
    out.append("},\"values\":[");
    for (size_t i = 0; i < row.values.size(); ++i) {
      if (i > 0) out.push_back(',');
      features::AppendValueJson(row.values[i], &out);
    }
    out.append("],\"statuses\":[");
    for (size_t i = 0; i < row.status.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.push_back('"');
      out.append(features::FeatureStatusName(row.status[i]));
      out.push_back('"');
    }
    out.append("],\"event_timestamps\":[");
    // A view's features share one event time: format each distinct time once.
    int64_t last_micros = features::kNoTimestamp;
    std::string last_time = "null";
    for (size_t i = 0; i < row.event_micros.size(); ++i) {
      if (i > 0) out.push_back(',');
      if (row.event_micros[i] != last_micros) {
        last_micros = row.event_micros[i];
        last_time.clear();
        if (last_micros == features::kNoTimestamp) last_time = "null";
        else AppendJsonString(&last_time, FormatTimestamp(last_micros));
      }
      out.append(last_time);
    }
    out.append("]}");
  }
  out.append("]}");
  return out;
}

}  // namespace

void AddFeaturesRoutes(Router& router, const FeaturesDeps& deps) {
  features::FeatureRegistry* reg = deps.registry;
  features::FeatureStore* store = deps.store;

  Route apply{"POST", "/api/v1/features/apply", Access::kWrite, false, [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"yaml", "definitions", "dry_run", "prune"}, "apply request"));
                PLINTH_ASSIGN_OR_RETURN(features::Definitions defs, DefinitionsFromBody(body));
                features::ApplyOptions options;
                PLINTH_ASSIGN_OR_RETURN(auto dry_run, JsonOptBool(body, "dry_run"));
                PLINTH_ASSIGN_OR_RETURN(auto prune, JsonOptBool(body, "prune"));
                options.dry_run = dry_run.value_or(false);
                options.prune = prune.value_or(false);
                PLINTH_ASSIGN_OR_RETURN(features::ApplyResult result, store->Apply(defs, options, AuditFrom(req)));
                return JsonResponse(200, result.ToJson());
              }};
  apply.offload = Route::Offload::kWrites;  // reads table schemas, may create tables
  router.Add(std::move(apply));

  router.Add({"GET", "/api/v1/features", Access::kRead, false, [reg](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                std::optional<features::ObjectKind> kind;
                if (auto k = req.Query("kind"); k && !k->empty()) {
                  PLINTH_ASSIGN_OR_RETURN(kind, features::ParseObjectKind(*k));
                }
                PLINTH_ASSIGN_OR_RETURN(auto objects, reg->List(kind));
                Json items = Json::array();
                for (const auto& o : objects) items.push_back(o.ToJson());
                return JsonResponse(200, {{"objects", std::move(items)}});
              }});

  router.Add({"GET", "/api/v1/features/{kind}/{name}", Access::kRead, false,
              [reg](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(features::ObjectKind kind, features::ParseObjectKind(req.Param(0)));
                std::optional<int64_t> version;
                if (req.Query("version")) {
                  PLINTH_ASSIGN_OR_RETURN(version, QueryInt(req, "version", 0, 1, INT64_MAX));
                }
                PLINTH_ASSIGN_OR_RETURN(auto object, reg->Get(kind, req.Param(1), version));
                return JsonResponse(200, object.ToJson());
              }});

  router.Add({"GET", "/api/v1/features/{kind}/{name}/history", Access::kRead, false,
              [reg](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(features::ObjectKind kind, features::ParseObjectKind(req.Param(0)));
                PLINTH_ASSIGN_OR_RETURN(auto versions, reg->History(kind, req.Param(1)));
                Json items = Json::array();
                for (const auto& o : versions) items.push_back(o.ToJson());
                return JsonResponse(200, {{"versions", std::move(items)}});
              }});

  Route materialize{"POST", "/api/v1/features/materialize", Access::kWrite, false,
                    [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                      PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                      PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"views", "full", "start", "end"}, "materialize request"));
                      std::vector<std::string> views;
                      if (body.contains("views")) {
                        if (!body["views"].is_array()) return absl::InvalidArgumentError("'views' must be a list of names");
                        for (const auto& v : body["views"]) {
                          if (!v.is_string()) return absl::InvalidArgumentError("'views' must be a list of names");
                          views.push_back(v.get<std::string>());
                        }
                      }
                      features::MaterializeOptions options;
                      PLINTH_ASSIGN_OR_RETURN(auto full, JsonOptBool(body, "full"));
                      options.full = full.value_or(false);
                      for (const char* key : {"start", "end"}) {
                        if (!body.contains(key) || body[key].is_null()) continue;
                        PLINTH_ASSIGN_OR_RETURN(features::Value t,
                                                features::ValueFromJson(body[key], features::ValueType::kTimestamp, key));
                        (std::string(key) == "start" ? options.start : options.end) = t.timestamp_micros();
                      }
                      PLINTH_ASSIGN_OR_RETURN(auto results, store->Materialize(views, options));
                      Json items = Json::array();
                      for (const auto& r : results) items.push_back(r.ToJson());
                      return JsonResponse(200, {{"views", items}});
                    }};
  materialize.offload = Route::Offload::kWrites;
  router.Add(std::move(materialize));

  Route push{"POST", "/api/v1/features/push", Access::kWrite, false, [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
               PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
               PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"view", "rows"}, "push request"));
               PLINTH_ASSIGN_OR_RETURN(auto view, JsonOptString(body, "view"));
               if (!view) return absl::InvalidArgumentError("'view' is required");
               if (!body.contains("rows")) return absl::InvalidArgumentError("'rows' is required");
               PLINTH_ASSIGN_OR_RETURN(features::PushResult result, store->Push(*view, body["rows"]));
               return JsonResponse(200, result.ToJson());
             }};
  push.offload = Route::Offload::kWrites;  // commits to the Delta table
  router.Add(std::move(push));

  router.Add({"POST", "/api/v1/features/online", Access::kRead, false, [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"service", "entities", "request", "as_of"}, "online request"));
                PLINTH_ASSIGN_OR_RETURN(auto service_name, JsonOptString(body, "service"));
                if (!service_name) return absl::InvalidArgumentError("'service' is required");
                if (!body.contains("entities")) return absl::InvalidArgumentError("'entities' is required");
                std::shared_ptr<const features::Catalog> catalog = store->catalog();
                PLINTH_ASSIGN_OR_RETURN(const features::ServicePlan* service, catalog->FindService(*service_name));
                PLINTH_ASSIGN_OR_RETURN(auto entities, EntitiesFromJson(body["entities"], *service));
                PLINTH_ASSIGN_OR_RETURN(auto request, RequestFromJson(body.value("request", Json()), *service));
                std::optional<int64_t> as_of;
                if (body.contains("as_of") && !body["as_of"].is_null()) {
                  PLINTH_ASSIGN_OR_RETURN(features::Value t,
                                          features::ValueFromJson(body["as_of"], features::ValueType::kTimestamp, "as_of"));
                  as_of = t.timestamp_micros();
                }
                PLINTH_ASSIGN_OR_RETURN(auto result, store->ReadOnline(*service, entities, request, as_of));
                HttpResponse resp;
                resp.body = OnlineResultBody(*service, entities, result);
                return resp;
              }});
}

}  // namespace plinth::server
