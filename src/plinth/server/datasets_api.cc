#include "plinth/server/datasets_api.h"

#include "plinth/server/api_util.h"

namespace plinth::server {

absl::StatusOr<Json> DatasetJson(const features::Dataset& dataset, registry::Registry& models) {
  Json out = dataset.ToJson();
  Json used = Json::array();
  registry::SearchRequest req;
  // Dataset names are plain identifiers (ValidateName), safe inside the quotes.
  req.filter = StrCat("training_dataset = '", dataset.name, "@", dataset.version, "'");
  req.order_by = "created_at ASC";
  req.page_size = 1000;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(auto page, models.SearchVersions(req));
    for (const auto& v : page.items) used.push_back({{"model", v.model_name}, {"version", v.version}});
    if (page.next_page_token.empty()) break;
    req.page_token = page.next_page_token;
  }
  out["model_versions"] = std::move(used);
  return out;
}

void AddDatasetsRoutes(Router& router, features::DatasetStore* store, registry::Registry* models) {
  router.Add({"GET", "/api/v1/datasets", Access::kRead, false, [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                std::optional<std::string> name;
                if (auto n = req.Query("name"); n && !n->empty()) name = *n;
                PLINTH_ASSIGN_OR_RETURN(auto all, store->List(name));
                Json items = Json::array();
                for (const auto& d : all) items.push_back(d.ToJson());
                return JsonResponse(200, {{"datasets", std::move(items)}});
              }});
  router.Add({"GET", "/api/v1/datasets/{name}", Access::kRead, false,
              [store, models](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto d, store->Get(req.Param(0)));
                PLINTH_ASSIGN_OR_RETURN(Json body, DatasetJson(d, *models));
                return JsonResponse(200, std::move(body));
              }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{version}", Access::kRead, false,
              [store, models](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                std::optional<int64_t> version = ParseInt64(req.Param(1));
                if (!version || *version < 1) {
                  return absl::InvalidArgumentError(StrCat("invalid dataset version '", req.Param(1), "'"));
                }
                PLINTH_ASSIGN_OR_RETURN(auto d, store->Get(req.Param(0), *version));
                PLINTH_ASSIGN_OR_RETURN(Json body, DatasetJson(d, *models));
                return JsonResponse(200, std::move(body));
              }});
}

}  // namespace plinth::server
