#include "plinth/server/datasets_api.h"

#include "plinth/server/api_util.h"

namespace plinth::server {

void AddDatasetsRoutes(Router& router, features::DatasetStore* store) {
  router.Add({"GET", "/api/v1/datasets", Access::kRead, false, [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                std::optional<std::string> name;
                if (auto n = req.Query("name"); n && !n->empty()) name = *n;
                PLINTH_ASSIGN_OR_RETURN(auto all, store->List(name));
                Json items = Json::array();
                for (const auto& d : all) items.push_back(d.ToJson());
                return JsonResponse(200, {{"datasets", std::move(items)}});
              }});
  router.Add({"GET", "/api/v1/datasets/{name}", Access::kRead, false, [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(auto d, store->Get(req.Param(0)));
                return JsonResponse(200, d.ToJson());
              }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{version}", Access::kRead, false,
              [store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                std::optional<int64_t> version = ParseInt64(req.Param(1));
                if (!version || *version < 1) {
                  return absl::InvalidArgumentError(StrCat("invalid dataset version '", req.Param(1), "'"));
                }
                PLINTH_ASSIGN_OR_RETURN(auto d, store->Get(req.Param(0), *version));
                return JsonResponse(200, d.ToJson());
              }});
}

}  // namespace plinth::server
