#include "plinth/server/serving_api.h"

#include "plinth/base/json_text.h"

#include "plinth/serving/entity_inputs.h"
#include "plinth/serving/instances.h"
#include "plinth/serving/row_body.h"
#include "plinth/server/api_util.h"

namespace plinth::server {

using serving::DeploymentStatus;

namespace {

Json StatusJson(const serving::Router& router, const DeploymentStatus& status) { return status.ToJson(router.cache()); }

}  // namespace

void AddServingRoutes(Router& router, const ServingDeps& deps) {
  serving::Router* r = deps.router;
  serving::Predictor* predictor = deps.predictor;

  // Loads the new models before answering, so it runs off the I/O threads like predictions.
  features::FeatureStore* features = deps.features;
  Route put{"PUT", "/api/v1/deployments/{name}", Access::kWrite, false, [r, features](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
              PLINTH_ASSIGN_OR_RETURN(Json body, BodyObject(req));
              PLINTH_ASSIGN_OR_RETURN(serving::DeploymentSpec spec, serving::ParseDeploymentSpec(body));
              if (!spec.feature_service.empty() && (features == nullptr || features->catalog()->Service(spec.feature_service) == nullptr)) {
                return absl::InvalidArgumentError(StrCat("'feature_service': feature service '", spec.feature_service, "' not found"));
              }
              PLINTH_ASSIGN_OR_RETURN(auto applied, r->Apply(req.Param(0), spec, AuditFrom(req)));
              return JsonResponse(applied.created ? 201 : 200, StatusJson(*r, applied.status));
            }};
  put.offload = Route::Offload::kAlways;
  router.Add(std::move(put));

  router.Add({"GET", "/api/v1/deployments", Access::kRead, false, [r](HttpRequest&) -> absl::StatusOr<HttpResponse> {
                Json items = Json::array();
                for (const auto& s : r->List()) items.push_back(StatusJson(*r, s));
                return JsonResponse(200, {{"deployments", std::move(items)}});
              }});

  router.Add({"GET", "/api/v1/deployments/{name}", Access::kRead, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_ASSIGN_OR_RETURN(DeploymentStatus s, r->Get(req.Param(0)));
                return JsonResponse(200, StatusJson(*r, s));
              }});

  router.Add({"DELETE", "/api/v1/deployments/{name}", Access::kWrite, false, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                PLINTH_RETURN_IF_ERROR(r->Delete(req.Param(0), AuditFrom(req)));
                return JsonResponse(200, {{"deleted", req.Param(0)}});
              }});

  // {"tenant"?, "version"?, "instances": [{"feature": value, ...}, ...]}, or for a deployment with a
  // feature service {"entities": [{"user_id": 42, "tenant"?: ...}], "request"?: {...}, "return_features"?}
  // -> {"model": "NAME/VERSION", "predictions": [...]} (+ "outputs" names for multi-output models,
  // + "features" when asked)
  features::FeatureStore* feature_store = deps.features;
  Route predict{"POST", "/api/v1/deployments/{name}/predict", Access::kRead, false,
                [predictor, feature_store](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
                  if (req.on_io_thread && req.body.size() > kInlineBodyBytes) return OffloadResponse();
                  serving::PredictRequest call;
                  call.deployment = req.Param(0);
                  call.may_block = !req.on_io_thread;
                  // The common body (instances of numbers) is read without a JSON document;
                  // anything else, and any error, goes through the document.
                  PLINTH_RETURN_IF_ERROR(CheckJsonContentType(req));
                  serving::RowBody rows;
                  const bool fast = serving::ParseRowBody(req.body, &rows);
                  Json body;
                  std::optional<bool> return_features;
                  const Json* instances = nullptr;
                  const Json* entities = nullptr;
                  if (fast) {
                    call.tenant = rows.tenant;
                    call.version = rows.version;
                  } else {
                    PLINTH_ASSIGN_OR_RETURN(body, BodyObject(req));
                    PLINTH_RETURN_IF_ERROR(JsonCheckKeys(
                        body, {"tenant", "version", "instances", "entities", "request", "return_features"}, "predict request"));
                    PLINTH_ASSIGN_OR_RETURN(call.tenant, JsonOptString(body, "tenant"));
                    PLINTH_ASSIGN_OR_RETURN(call.version, JsonOptInt(body, "version"));
                    PLINTH_ASSIGN_OR_RETURN(return_features, JsonOptBool(body, "return_features"));
                    instances = body.contains("instances") ? &body["instances"] : nullptr;
                    entities = body.contains("entities") ? &body["entities"] : nullptr;
                    if (instances != nullptr && entities != nullptr) {
                      return absl::InvalidArgumentError("send either 'instances' (feature values) or 'entities' (keys), not both");
                    }
                    if (entities != nullptr && !call.tenant) {
                      PLINTH_ASSIGN_OR_RETURN(call.tenant, serving::TenantOfEntities(*entities));
                    }
                  }
                  if (call.version && *call.version < 1) {
                    return absl::InvalidArgumentError("'version' must be a version number (1 or more)");
                  }
                  Json used_features;
                  PLINTH_ASSIGN_OR_RETURN(
                      serving::PredictResult result,
                      predictor->Predict(call, [&](const serving::Servable& model,
                                                   const serving::Target& target) -> absl::StatusOr<serving::FeatureMatrix> {
                        if (fast) {
                          if (static_cast<int64_t>(rows.rows()) <= target.max_batch_rows) {
                            serving::FeatureMatrix matrix(rows.rows(), static_cast<size_t>(model.encoder().num_features()));
                            if (serving::EncodeRowBody(rows, model.encoder(), &matrix)) return matrix;
                          }
                          // Rows the model does not take as they are: the document's error message.
                          PLINTH_ASSIGN_OR_RETURN(body, BodyObject(req));
                          instances = &body["instances"];
                        }
                        if (entities == nullptr) {
                          PLINTH_RETURN_IF_ERROR(serving::CountInstances(instances, target.max_batch_rows).status());
                          return serving::DecodeInstances(*instances, model);
                        }
                        if (target.feature_service.empty() || feature_store == nullptr) {
                          return absl::InvalidArgumentError(StrCat("deployment '", call.deployment,
                                                                   "' names no feature service: send 'instances' with feature values"));
                        }
                        PLINTH_ASSIGN_OR_RETURN(serving::EntityInputs decoded,
                                                serving::DecodeEntities(*entities, body.value("request", Json()), model,
                                                                        *feature_store, target.feature_service,
                                                                        target.max_batch_rows, return_features.value_or(false)));
                        used_features = std::move(decoded.features);
                        return std::move(decoded.matrix);
                      }));
                  if (result.would_block) return OffloadResponse();
                  // Written as text, keys in the order a JSON document would dump them.
                  HttpResponse response;
                  std::string& text = response.body;
                  text = "{";
                  if (return_features.value_or(false) && entities != nullptr) {
                    text += "\"features\":";
                    text += DumpJson(used_features);
                    text += ",";
                  }
                  text += "\"model\":";
                  AppendJsonString(&text, result.target.model->key.ToString());
                  if (result.width > 1) {
                    text += ",\"outputs\":[";
                    const auto& outputs = result.target.handle->signature().outputs;
                    for (size_t k = 0; k < outputs.size(); ++k) {
                      if (k > 0) text += ",";
                      AppendJsonString(&text, outputs[k]);
                    }
                    text += "]";
                  }
                  text += ",\"predictions\":";
                  serving::AppendPredictionsJson(&text, result.values.data(), result.rows, result.width);
                  text += "}\n";
                  return response;
                }};
  predict.offload = Route::Offload::kWhenAsked;
  router.Add(std::move(predict));
}

}  // namespace plinth::server
