#include "plinth/server/registry_api.h"

#include <set>

#include "plinth/base/names.h"
#include "plinth/base/time.h"
#include "plinth/server/api_util.h"

namespace plinth::server {

using registry::ModelRef;
using registry::Registry;

namespace {

template <typename T>
Json PageJson(const registry::Page<T>& page, const char* key) {
  Json items = Json::array();
  for (const auto& item : page.items) items.push_back(registry::ToJson(item));
  Json out = {{key, std::move(items)}};
  out["next_page_token"] = page.next_page_token.empty() ? Json(nullptr) : Json(page.next_page_token);
  return out;
}

absl::StatusOr<ModelRef> VersionRef(const HttpRequest& req, size_t name_index, size_t version_index) {
  ModelRef ref;
  ref.name = req.Param(name_index);
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", ref.name));
  PLINTH_RETURN_IF_ERROR(registry::ParseVersionSelector(req.Param(version_index), ref));
  return ref;
}

absl::StatusOr<registry::UpdateRequest> ParseUpdate(const Json& body) {
  PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"description", "tags", "remove_tags"}, "update"));
  registry::UpdateRequest u;
  PLINTH_ASSIGN_OR_RETURN(u.description, JsonOptString(body, "description"));
  PLINTH_ASSIGN_OR_RETURN(u.set_tags, StringMap(body, "tags"));
  if (body.contains("remove_tags") && !body["remove_tags"].is_null()) {
    if (!body["remove_tags"].is_array()) return absl::InvalidArgumentError("'remove_tags' must be an array of strings");
    for (const auto& k : body["remove_tags"]) {
      if (!k.is_string()) return absl::InvalidArgumentError("'remove_tags' must be an array of strings");
      u.remove_tags.push_back(k.get<std::string>());
    }
  }
  return u;
}

absl::StatusOr<registry::SearchRequest> ParseSearch(const HttpRequest& req, const Json* body) {
  registry::SearchRequest s;
  if (body != nullptr) {
    PLINTH_RETURN_IF_ERROR(JsonCheckKeys(*body, {"filter", "order_by", "page_size", "page_token"}, "search"));
    PLINTH_ASSIGN_OR_RETURN(auto filter, JsonOptString(*body, "filter"));
    PLINTH_ASSIGN_OR_RETURN(auto order, JsonOptString(*body, "order_by"));
    PLINTH_ASSIGN_OR_RETURN(auto size, JsonOptInt(*body, "page_size"));
    PLINTH_ASSIGN_OR_RETURN(auto token, JsonOptString(*body, "page_token"));
    s.filter = filter.value_or("");
    s.order_by = order.value_or("");
    s.page_token = token.value_or("");
    if (size && (*size < 1 || *size > 1000)) return absl::InvalidArgumentError("'page_size' must be from 1 to 1000");
    s.page_size = static_cast<int>(size.value_or(100));
    return s;
  }
  s.filter = req.Query("filter").value_or("");
  s.order_by = req.Query("order_by").value_or("");
  s.page_token = req.Query("page_token").value_or("");
  PLINTH_ASSIGN_OR_RETURN(int64_t size, QueryInt(req, "page_size", 100, 1, 1000));
  s.page_size = static_cast<int>(size);
  return s;
}

absl::StatusOr<registry::RegisterVersionRequest> ParseRegister(const Json& body) {
  PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body,
                                       {"artifact_sha256", "format", "signature", "description", "lineage", "params",
                                        "tags", "metrics", "create_model"},
                                       "version registration"));
  registry::RegisterVersionRequest r;
  PLINTH_ASSIGN_OR_RETURN(auto sha, JsonOptString(body, "artifact_sha256"));
  if (!sha) return absl::InvalidArgumentError("'artifact_sha256' is required: upload the artifact to /api/v1/artifacts first");
  r.artifact_sha256 = *sha;
  PLINTH_ASSIGN_OR_RETURN(auto format, JsonOptString(body, "format"));
  if (!format) return absl::InvalidArgumentError("'format' is required (xgboost-json, xgboost-ubj, lightgbm-text, linear-json, other)");
  r.format = *format;
  if (body.contains("signature") && !body["signature"].is_null()) r.signature = body["signature"];
  PLINTH_ASSIGN_OR_RETURN(auto desc, JsonOptString(body, "description"));
  r.description = desc.value_or("");
  if (body.contains("lineage") && !body["lineage"].is_null()) {
    const Json& l = body["lineage"];
    PLINTH_RETURN_IF_ERROR(JsonCheckKeys(l, {"source_run", "training_dataset", "git_commit", "parent"}, "lineage"));
    PLINTH_ASSIGN_OR_RETURN(auto a, JsonOptString(l, "source_run"));
    PLINTH_ASSIGN_OR_RETURN(auto b, JsonOptString(l, "training_dataset"));
    PLINTH_ASSIGN_OR_RETURN(auto c, JsonOptString(l, "git_commit"));
    PLINTH_ASSIGN_OR_RETURN(auto d, JsonOptString(l, "parent"));
    r.lineage = {a.value_or(""), b.value_or(""), c.value_or(""), d.value_or("")};
  }
  PLINTH_ASSIGN_OR_RETURN(r.params, StringMap(body, "params"));
  PLINTH_ASSIGN_OR_RETURN(r.tags, StringMap(body, "tags"));
  if (body.contains("metrics") && !body["metrics"].is_null()) {
    if (!body["metrics"].is_object()) return absl::InvalidArgumentError("'metrics' must be an object of numbers");
    for (auto it = body["metrics"].begin(); it != body["metrics"].end(); ++it) {
      if (!it->is_number()) return absl::InvalidArgumentError(StrCat("metric '", it.key(), "' must be a number"));
      r.metrics[it.key()] = it->get<double>();
    }
  }
  PLINTH_ASSIGN_OR_RETURN(auto create, JsonOptBool(body, "create_model"));
  r.create_model = create.value_or(false);
  return r;
}

absl::StatusOr<std::vector<registry::MetricPoint>> ParseMetricPoints(const Json& body) {
  PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"metrics"}, "metrics request"));
  if (!body.contains("metrics") || !body["metrics"].is_array()) {
    return absl::InvalidArgumentError("'metrics' must be an array of {key, value, step, timestamp}");
  }
  std::vector<registry::MetricPoint> points;
  for (const Json& m : body["metrics"]) {
    PLINTH_RETURN_IF_ERROR(JsonCheckKeys(m, {"key", "value", "step", "timestamp"}, "metric point"));
    registry::MetricPoint p;
    PLINTH_ASSIGN_OR_RETURN(auto key, JsonOptString(m, "key"));
    PLINTH_ASSIGN_OR_RETURN(auto value, JsonOptDouble(m, "value"));
    PLINTH_ASSIGN_OR_RETURN(auto step, JsonOptInt(m, "step"));
    if (!key || !value) return absl::InvalidArgumentError("each metric point needs 'key' and a numeric 'value'");
    p.key = *key;
    p.value = *value;
    p.step = step.value_or(0);
    if (m.contains("timestamp") && !m["timestamp"].is_null()) {
      if (m["timestamp"].is_string()) {
        PLINTH_ASSIGN_OR_RETURN(p.timestamp, ParseTimestamp(m["timestamp"].get<std::string>()));
      } else if (m["timestamp"].is_number()) {
        p.timestamp = static_cast<int64_t>(m["timestamp"].get<double>() * 1e6);  // seconds since epoch
      } else {
        return absl::InvalidArgumentError("metric 'timestamp' must be ISO-8601 text or seconds since the epoch");
      }
    }
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace

void AddRegistryRoutes(Router& router, Registry& reg, storage::ObjectStore& objects, serving::CompiledModelDir* compiled,
                       InUseCheck in_use) {
  Registry* r = &reg;
  storage::ObjectStore* store = &objects;
  if (!in_use) in_use = [](const std::string&, const std::optional<std::string>&, std::optional<int64_t>) { return absl::OkStatus(); };

  router.Add({"POST", "/api/v1/artifacts", Access::kWrite, /*upload=*/true, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                if (!req.upload) return absl::InvalidArgumentError("no artifact body received");
                PLINTH_RETURN_IF_ERROR(r->RecordArtifactUpload(*req.upload, AuditFrom(req)));
                return JsonResponse(201, {{"sha256", req.upload->sha256}, {"size", req.upload->size}});
              }});

  router.Add({"GET", "/api/v1/models", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto search, ParseSearch(req, nullptr));
                PLINTH_ASSIGN_OR_RETURN(auto page, r->SearchModels(search));
                return JsonResponse(200, PageJson(page, "models"));
              }});

  router.Add({"POST", "/api/v1/models", Access::kWrite, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"name", "description", "tags"}, "model"));
                registry::CreateModelRequest c;
                PLINTH_ASSIGN_OR_RETURN(auto name, JsonOptString(body, "name"));
                if (!name) return absl::InvalidArgumentError("'name' is required");
                c.name = *name;
                PLINTH_ASSIGN_OR_RETURN(auto desc, JsonOptString(body, "description"));
                c.description = desc.value_or("");
                PLINTH_ASSIGN_OR_RETURN(c.tags, StringMap(body, "tags"));
                PLINTH_ASSIGN_OR_RETURN(auto model, r->CreateModel(c, AuditFrom(req)));
                return JsonResponse(201, registry::ToJson(model));
              }});

  router.Add({"GET", "/api/v1/models/{name}", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto model, r->GetModel(req.Param(0)));
                return JsonResponse(200, registry::ToJson(model));
              }});

  router.Add({"PATCH", "/api/v1/models/{name}", Access::kWrite, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_ASSIGN_OR_RETURN(auto update, ParseUpdate(body));
                PLINTH_ASSIGN_OR_RETURN(auto model, r->UpdateModel(req.Param(0), update, AuditFrom(req)));
                return JsonResponse(200, registry::ToJson(model));
              }});

  router.Add({"DELETE", "/api/v1/models/{name}", Access::kWrite, false, [r, in_use](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(bool force, QueryBool(req, "force", false));
                PLINTH_RETURN_IF_ERROR(in_use(req.Param(0), std::nullopt, std::nullopt));
                PLINTH_RETURN_IF_ERROR(r->DeleteModel(req.Param(0), force, AuditFrom(req)));
                return JsonResponse(200, {{"deleted", req.Param(0)}});
              }});

  router.Add({"GET", "/api/v1/models/{name}/versions", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(int64_t size, QueryInt(req, "page_size", 100, 1, 1000));
                PLINTH_ASSIGN_OR_RETURN(auto page, r->ListVersions(req.Param(0), static_cast<int>(size),
                                                                   req.Query("page_token").value_or("")));
                return JsonResponse(200, PageJson(page, "versions"));
              }});

  router.Add({"POST", "/api/v1/models/{name}/versions", Access::kWrite, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_ASSIGN_OR_RETURN(auto reg_req, ParseRegister(body));
                PLINTH_ASSIGN_OR_RETURN(auto version, r->RegisterVersion(req.Param(0), reg_req, AuditFrom(req)));
                return JsonResponse(201, registry::ToJson(version));
              }});

  router.Add({"GET", "/api/v1/models/{name}/versions/{version}", Access::kRead, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, VersionRef(req, 0, 1));
                PLINTH_ASSIGN_OR_RETURN(auto version, r->GetVersion(ref));
                return JsonResponse(200, registry::ToJson(version));
              }});

  router.Add({"PATCH", "/api/v1/models/{name}/versions/{version}", Access::kWrite, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, VersionRef(req, 0, 1));
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_ASSIGN_OR_RETURN(auto update, ParseUpdate(body));
                PLINTH_ASSIGN_OR_RETURN(auto version, r->UpdateVersion(ref, update, AuditFrom(req)));
                return JsonResponse(200, registry::ToJson(version));
              }});

  router.Add({"DELETE", "/api/v1/models/{name}/versions/{version}", Access::kWrite, false,
              [r, in_use](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, VersionRef(req, 0, 1));
                // What deployments name is checked by number ("latest" or an alias in the path
                // names a number too); and the model's last version is what NAME@latest serves.
                PLINTH_ASSIGN_OR_RETURN(auto target, r->GetVersion(ref));
                PLINTH_RETURN_IF_ERROR(in_use(ref.name, std::nullopt, target.version));
                PLINTH_ASSIGN_OR_RETURN(auto two, r->ListVersions(ref.name, 2, ""));
                if (two.items.size() == 1) {
                  PLINTH_RETURN_IF_ERROR(in_use(ref.name, std::string(registry::kLatestAlias), std::nullopt));
                }
                PLINTH_RETURN_IF_ERROR(r->DeleteVersion(ref, AuditFrom(req)));
                return JsonResponse(200, {{"deleted", ref.ToString()}});
              }});

  router.Add({"GET", "/api/v1/models/{name}/versions/{version}/artifact", Access::kRead, false,
              [r, store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, VersionRef(req, 0, 1));
                PLINTH_ASSIGN_OR_RETURN(registry::Artifact art, r->ArtifactForDownload(ref, AuditFrom(req)));
                // Never serve bytes that no longer match their digest.
                absl::Status verified = store->Verify(art.sha256);
                if (!verified.ok()) return verified;
                auto path = store->LocalPath(art.sha256);
                if (!path) return absl::InternalError("object store has no local path");
                HttpResponse resp;
                resp.content_type = "application/octet-stream";
                resp.file_path = *path;
                resp.headers.emplace_back("X-Plinth-Sha256", art.sha256);
                resp.headers.emplace_back("X-Plinth-Model-Version", StrCat(art.model_name, "/", art.version));
                resp.headers.emplace_back("ETag", StrCat("\"", art.sha256, "\""));
                resp.headers.emplace_back("Content-Disposition",
                                          StrCat("attachment; filename=\"", art.model_name, "-", art.version, ".bin\""));
                return resp;
              }});

  router.Add({"POST", "/api/v1/models/{name}/versions/{version}/metrics", Access::kWrite, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, VersionRef(req, 0, 1));
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_ASSIGN_OR_RETURN(auto points, ParseMetricPoints(body));
                PLINTH_RETURN_IF_ERROR(r->LogMetrics(ref, points, AuditFrom(req)));
                return JsonResponse(200, {{"logged", points.size()}});
              }});

  router.Add({"GET", "/api/v1/models/{name}/versions/{version}/metrics/{key}", Access::kRead, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, VersionRef(req, 0, 1));
                PLINTH_ASSIGN_OR_RETURN(auto points, r->MetricHistory(ref, req.Param(2)));
                Json list = Json::array();
                for (const auto& p : points) list.push_back(registry::ToJson(p));
                return JsonResponse(200, {{"key", req.Param(2)}, {"points", list}});
              }});

  router.Add({"GET", "/api/v1/models/{name}/aliases", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto aliases, r->ListAliases(req.Param(0)));
                Json list = Json::array();
                for (const auto& a : aliases) list.push_back(registry::ToJson(a));
                return JsonResponse(200, {{"aliases", list}});
              }});

  router.Add({"GET", "/api/v1/models/{name}/aliases/{alias}", Access::kRead, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                ModelRef ref{req.Param(0), std::nullopt, req.Param(1)};
                PLINTH_RETURN_IF_ERROR(ValidateName("model name", ref.name));
                PLINTH_RETURN_IF_ERROR(ValidateName("alias", *ref.alias));
                PLINTH_ASSIGN_OR_RETURN(auto version, r->GetVersion(ref));
                return JsonResponse(200, registry::ToJson(version));
              }});

  router.Add({"PUT", "/api/v1/models/{name}/aliases/{alias}", Access::kWrite, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"version"}, "alias"));
                PLINTH_ASSIGN_OR_RETURN(auto version, JsonOptInt(body, "version"));
                if (!version) return absl::InvalidArgumentError("'version' is required");
                PLINTH_ASSIGN_OR_RETURN(auto info, r->SetAlias(req.Param(0), req.Param(1), *version, AuditFrom(req)));
                return JsonResponse(200, registry::ToJson(info));
              }});

  router.Add({"DELETE", "/api/v1/models/{name}/aliases/{alias}", Access::kWrite, false,
              [r, in_use](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                // "latest" is not stored: the registry's own answer comes first.
                if (req.Param(1) != registry::kLatestAlias) PLINTH_RETURN_IF_ERROR(in_use(req.Param(0), req.Param(1), std::nullopt));
                PLINTH_RETURN_IF_ERROR(r->DeleteAlias(req.Param(0), req.Param(1), AuditFrom(req)));
                return JsonResponse(200, {{"deleted", req.Param(1)}, {"model", req.Param(0)}});
              }});

  router.Add({"GET", "/api/v1/models/{name}/alias-history", Access::kRead, false,
              [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto events, r->AliasHistory(req.Param(0), req.Query("alias")));
                Json list = Json::array();
                for (const auto& e : events) list.push_back(registry::ToJson(e));
                return JsonResponse(200, {{"model", req.Param(0)}, {"events", list}});
              }});

  router.Add({"GET", "/api/v1/model-versions", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto search, ParseSearch(req, nullptr));
                PLINTH_ASSIGN_OR_RETURN(auto page, r->SearchVersions(search));
                return JsonResponse(200, PageJson(page, "versions"));
              }});

  router.Add({"POST", "/api/v1/model-versions/search", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_ASSIGN_OR_RETURN(auto search, ParseSearch(req, &body));
                PLINTH_ASSIGN_OR_RETURN(auto page, r->SearchVersions(search));
                return JsonResponse(200, PageJson(page, "versions"));
              }});

  router.Add({"POST", "/api/v1/aliases/bulk-set", Access::kWrite, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"alias", "filter", "dry_run"}, "bulk alias request"));
                PLINTH_ASSIGN_OR_RETURN(auto alias, JsonOptString(body, "alias"));
                PLINTH_ASSIGN_OR_RETURN(auto filter, JsonOptString(body, "filter"));
                PLINTH_ASSIGN_OR_RETURN(auto dry_run, JsonOptBool(body, "dry_run"));
                if (!alias || !filter) return absl::InvalidArgumentError("'alias' and 'filter' are required");
                PLINTH_ASSIGN_OR_RETURN(auto result, r->BulkSetAlias(*alias, *filter, dry_run.value_or(false), AuditFrom(req)));
                Json moved = Json::array();
                for (const auto& a : result.moved) moved.push_back({{"model", a.model_name}, {"version", a.version}});
                return JsonResponse(200, {{"alias", *alias},
                                          {"dry_run", dry_run.value_or(false)},
                                          {"moved", moved},
                                          {"moved_count", result.moved.size()},
                                          {"unchanged_count", result.unchanged}});
              }});

  router.Add({"POST", "/api/v1/admin/gc", Access::kAdmin, false, [r, store, compiled](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"older_than", "dry_run"}, "gc request"));
                PLINTH_ASSIGN_OR_RETURN(auto older, JsonOptString(body, "older_than"));
                PLINTH_ASSIGN_OR_RETURN(auto dry_run, JsonOptBool(body, "dry_run"));
                PLINTH_ASSIGN_OR_RETURN(int64_t grace, ParseDuration(older.value_or("24h")));
                PLINTH_ASSIGN_OR_RETURN(auto report, r->CollectGarbage(grace, dry_run.value_or(false), AuditFrom(req)));
                Json out = {{"dry_run", dry_run.value_or(false)},
                            {"objects", report.objects},
                            {"unreferenced", report.unreferenced},
                            {"deleted", report.deleted},
                            {"deleted_bytes", report.deleted_bytes},
                            {"kept_recent", report.kept_recent}};
                if (compiled != nullptr) {
                  // Compiled forms of artifacts that are gone (deleted now, or earlier) go too.
                  std::set<std::string, std::less<>> gone(report.deleted_sha256.begin(), report.deleted_sha256.end());
                  PLINTH_ASSIGN_OR_RETURN(auto swept, compiled->RemoveUnless(
                                                          [store, &gone](std::string_view sha) {
                                                            return !gone.count(sha) && store->Stat(sha).ok();
                                                          },
                                                          dry_run.value_or(false)));
                  out["compiled_removed"] = swept.removed;
                  out["compiled_removed_bytes"] = swept.removed_bytes;
                }
                return JsonResponse(200, out);
              }});

  router.Add({"GET", "/api/v1/resolve/{ref}", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(ModelRef ref, registry::ParseModelRef(req.Param(0)));
                if (!ref.names_version()) {
                  PLINTH_ASSIGN_OR_RETURN(auto model, r->GetModel(ref.name));
                  return JsonResponse(200, {{"model", registry::ToJson(model)}});
                }
                PLINTH_ASSIGN_OR_RETURN(auto version, r->GetVersion(ref));
                return JsonResponse(200, {{"version", registry::ToJson(version)}});
              }});
}

}  // namespace plinth::server
