#include "plinth/server/features_api.h"

#include "plinth/base/yaml_json.h"
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

}  // namespace

void AddFeaturesRoutes(Router& router, const FeaturesDeps& deps) {
  features::FeatureRegistry* reg = deps.registry;

  Route apply{"POST", "/api/v1/features/apply", Access::kWrite, false, [reg](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"yaml", "definitions", "dry_run", "prune"}, "apply request"));
                PLINTH_ASSIGN_OR_RETURN(features::Definitions defs, DefinitionsFromBody(body));
                features::ApplyOptions options;
                PLINTH_ASSIGN_OR_RETURN(auto dry_run, JsonOptBool(body, "dry_run"));
                PLINTH_ASSIGN_OR_RETURN(auto prune, JsonOptBool(body, "prune"));
                options.dry_run = dry_run.value_or(false);
                options.prune = prune.value_or(false);
                PLINTH_ASSIGN_OR_RETURN(features::ApplyResult result, reg->Apply(defs, options, AuditFrom(req)));
                return JsonResponse(200, result.ToJson());
              }};
  apply.offload = Route::Offload::kAlways;  // reads table schemas, may create tables
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
}

}  // namespace plinth::server
