#include "plinth/server/admin_api.h"

#include "plinth/base/time.h"
#include "plinth/server/api_util.h"
#include "plinth/storage/meta/audit_log.h"

namespace plinth::server {

namespace {


absl::StatusOr<std::optional<int64_t>> QueryTime(const HttpRequest& req, const std::string& name) {
  auto v = req.Query(name);
  if (!v) return std::optional<int64_t>();
  auto t = ParseTimestamp(*v);
  if (!t.ok()) return absl::InvalidArgumentError(StrCat("query parameter '", name, "': ", t.status().message()));
  return std::optional<int64_t>(*t);
}

}  // namespace

Json TokenJson(const security::TokenInfo& t) {
  Json scopes = Json::array();
  for (auto s : t.scopes) scopes.push_back(security::ScopeName(s));
  Json j = {{"name", t.name}, {"scopes", scopes}, {"created_at", FormatTimestamp(t.created_at)}, {"created_by", t.created_by}};
  j["revoked_at"] = t.revoked_at ? Json(FormatTimestamp(*t.revoked_at)) : Json(nullptr);
  j["last_used_at"] = t.last_used_at ? Json(FormatTimestamp(*t.last_used_at)) : Json(nullptr);
  return j;
}

void AddAdminRoutes(Router& router, AdminDeps deps) {
  router.Add({"GET", "/healthz", Access::kPublic, false, [](HttpRequest&) -> absl::StatusOr<HttpResponse> {
                return JsonResponse(200, {{"status", "ok"}});
              }});

  router.Add({"GET", "/readyz", Access::kPublic, false, [deps](HttpRequest&) -> absl::StatusOr<HttpResponse> {
                if (deps.stopping && deps.stopping()) return absl::UnavailableError("shutting down");
                absl::Status st = deps.meta->Run(storage::TxnMode::kRead, [](storage::SqlTransaction& txn) {
                  return txn.Query("SELECT 1", {}).status();
                });
                if (!st.ok()) return absl::UnavailableError(StrCat("meta store unavailable: ", st.message()));
                return JsonResponse(200, {{"status", "ready"}});
              }});

  router.Add({"GET", "/metrics", Access::kRead, false, [deps](HttpRequest&) -> absl::StatusOr<HttpResponse> {
                std::string extra = StrCat("# HELP plinth_build_info Build information.\n# TYPE plinth_build_info gauge\n",
                                           "plinth_build_info{version=\"", deps.version, "\"} 1\n",
                                           "# HELP plinth_meta_schema_version Schema version of the meta store.\n",
                                           "# TYPE plinth_meta_schema_version gauge\nplinth_meta_schema_version ",
                                           deps.meta->schema_version(), "\n");
                if (deps.extra_metrics) extra += deps.extra_metrics();
                HttpResponse r;
                r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                r.body = deps.metrics->Render(extra);
                return r;
              }});

  router.Add({"GET", "/api/v1/whoami", Access::kRead, false, [](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                return JsonResponse(200, {{"actor", req.actor}, {"client", req.client}});
              }});

  router.Add({"GET", "/api/v1/audit", Access::kAdmin, false, [deps](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                storage::AuditQuery q;
                q.actor = req.Query("actor");
                q.action = req.Query("action");
                q.resource_prefix = req.Query("resource");
                PLINTH_ASSIGN_OR_RETURN(q.since, QueryTime(req, "since"));
                PLINTH_ASSIGN_OR_RETURN(q.until, QueryTime(req, "until"));
                PLINTH_ASSIGN_OR_RETURN(int64_t limit, QueryInt(req, "limit", 100, 1, 1000));
                q.limit = static_cast<int>(limit);
                if (auto token = req.Query("page_token")) {
                  auto id = ParseInt64(*token);
                  if (!id || *id < 1) return absl::InvalidArgumentError("invalid page_token");
                  q.before_id = *id;
                }
                storage::AuditLog log(deps.clock);
                PLINTH_ASSIGN_OR_RETURN(auto page, log.List(*deps.meta, q));
                Json entries = Json::array();
                for (const auto& e : page.entries) {
                  Json details = Json::parse(e.details, nullptr, false);
                  if (details.is_discarded()) details = e.details;
                  entries.push_back({{"id", e.id},
                                     {"timestamp", FormatTimestamp(e.ts)},
                                     {"actor", e.actor},
                                     {"action", e.action},
                                     {"resource", e.resource},
                                     {"details", details},
                                     {"client", e.client}});
                }
                Json out = {{"entries", entries}};
                out["next_page_token"] = page.next_before_id ? Json(std::to_string(page.next_before_id)) : Json(nullptr);
                return JsonResponse(200, out);
              }});

  router.Add({"GET", "/api/v1/tokens", Access::kAdmin, false, [deps](HttpRequest&) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto tokens, deps.tokens->List());
                Json list = Json::array();
                for (const auto& t : tokens) list.push_back(TokenJson(t));
                return JsonResponse(200, {{"tokens", list}});
              }});

  router.Add({"POST", "/api/v1/tokens", Access::kAdmin, false, [deps](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
                PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"name", "scopes"}, "token"));
                PLINTH_ASSIGN_OR_RETURN(auto name, JsonOptString(body, "name"));
                if (!name) return absl::InvalidArgumentError("'name' is required");
                std::string scopes;
                if (body.contains("scopes") && body["scopes"].is_array()) {
                  for (const auto& s : body["scopes"]) {
                    if (!s.is_string()) return absl::InvalidArgumentError("'scopes' must be strings");
                    StrAppend(&scopes, scopes.empty() ? "" : ",", s.get<std::string>());
                  }
                } else {
                  PLINTH_ASSIGN_OR_RETURN(auto csv, JsonOptString(body, "scopes"));
                  scopes = csv.value_or("read");
                }
                PLINTH_ASSIGN_OR_RETURN(auto created, deps.tokens->Create(*name, scopes, AuditFrom(req)));
                Json out = TokenJson(created.info);
                out["secret"] = created.secret;
                return JsonResponse(201, out);
              }});

  router.Add({"DELETE", "/api/v1/tokens/{name}", Access::kAdmin, false, [deps](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_RETURN_IF_ERROR(deps.tokens->Revoke(req.Param(0), AuditFrom(req)));
                return JsonResponse(200, {{"revoked", req.Param(0)}});
              }});
}

}  // namespace plinth::server
