// Open Inference Protocol V2 over REST (KServe / Triton): health, metadata and inference.
// `{name}` is a deployment; `versions/{v}` pins a version of the model it resolves to; a
// "tenant" request parameter (or ?tenant= on GET routes) picks the per-customer model.
// Errors are {"error": "message"}, as the protocol requires.
#include "plinth/server/api_util.h"
#include "plinth/server/oip_binary.h"
#include "plinth/server/oip_body.h"
#include "plinth/server/oip_tensors.h"
#include "plinth/server/serving_api.h"

namespace plinth::server {

namespace {

// OIP versions are strings; Plinth's are numbers >= 1.
absl::StatusOr<int64_t> VersionParam(const std::string& text) {
  auto v = ParseInt64(text);
  if (!v || *v < 1) return absl::InvalidArgumentError(StrCat("invalid model version '", text, "': versions are numbers from 1"));
  return *v;
}

// Path captures: name, and the version when the route has one.
absl::StatusOr<std::optional<int64_t>> PathVersion(const HttpRequest& req) {
  if (req.path_params.size() < 2) return std::optional<int64_t>();
  PLINTH_ASSIGN_OR_RETURN(int64_t v, VersionParam(req.Param(1)));
  return std::optional<int64_t>(v);
}

// Health answers: 200 for true, 400 for false (the protocol's "4xx indicates false").
HttpResponse Health(const char* key, bool value, const std::string& name = "") {
  Json body = {{key, value}};
  if (!name.empty()) body["name"] = name;
  return JsonResponse(value ? 200 : 400, body);
}

absl::StatusOr<serving::Target> Resolve(serving::Router& r, const HttpRequest& req) {
  PLINTH_ASSIGN_OR_RETURN(std::optional<int64_t> version, PathVersion(req));
  return r.Acquire(req.Param(0), req.Query("tenant"), version);
}

Route OipRoute(std::string method, std::string pattern, Access access,
               std::function<absl::StatusOr<HttpResponse>(HttpRequest&)> handler,
               Route::Offload offload = Route::Offload::kNever) {
  Route route{std::move(method), std::move(pattern), access, false, std::move(handler)};
  route.offload = offload;
  route.error_format = ErrorFormat::kMessageOnly;
  return route;
}

}  // namespace

void AddOipRoutes(Router& router, const ServingDeps& deps) {
  serving::Router* r = deps.router;
  serving::Predictor* predictor = deps.predictor;
  router.SetPrefixErrorFormat("/v2", ErrorFormat::kMessageOnly);

  router.Add(OipRoute("GET", "/v2", Access::kRead, [deps](HttpRequest&) -> absl::StatusOr<HttpResponse> {
    return JsonResponse(200, {{"name", "plinth"}, {"version", deps.version}, {"extensions", Json::array({"binary_tensor_data"})}});
  }));
  router.Add(OipRoute("GET", "/v2/health/live", Access::kPublic,
                      [](HttpRequest&) -> absl::StatusOr<HttpResponse> { return Health("live", true); }));
  router.Add(OipRoute("GET", "/v2/health/ready", Access::kPublic, [deps](HttpRequest&) -> absl::StatusOr<HttpResponse> {
    return Health("ready", !(deps.stopping && deps.stopping()));
  }));

  for (const char* base : {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}) {
    router.Add(OipRoute("GET", base, Access::kRead, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
      PLINTH_ASSIGN_OR_RETURN(serving::Target t, Resolve(*r, req));
      const runtime::Model& model = t.handle->model();
      Json describe = model.Describe();
      std::string format = describe.contains("format") && describe["format"].is_string() ? describe["format"].get<std::string>()
                                                                                          : t.model->format;
      return JsonResponse(200, {{"name", req.Param(0)},
                                {"versions", Json::array({std::to_string(t.model->key.version)})},
                                {"platform", StrCat("plinth_", format)},
                                {"inputs", OipInputsMetadata(model.signature())},
                                {"outputs", OipOutputsMetadata(model)},
                                {"parameters", {{"model", t.model->key.ToString()}}}});
    }, Route::Offload::kAlways));

    router.Add(OipRoute("GET", StrCat(base, "/ready"), Access::kRead, [r](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
      auto t = Resolve(*r, req);
      if (absl::IsNotFound(t.status()) || absl::IsInvalidArgument(t.status())) return t.status();
      return Health("ready", t.ok(), req.Param(0));
    }, Route::Offload::kAlways));

    // {"id"?, "parameters"?: {"tenant"?}, "inputs": [...], "outputs"?: [{"name": "predict"}]}
    router.Add(OipRoute("POST", StrCat(base, "/infer"), Access::kRead, [predictor](HttpRequest& req) -> absl::StatusOr<HttpResponse> {
      if (req.on_io_thread && req.body.size() > kInlineBodyBytes) return OffloadResponse();
      serving::PredictRequest call;
      call.deployment = req.Param(0);
      call.may_block = !req.on_io_thread;
      PLINTH_ASSIGN_OR_RETURN(call.version, PathVersion(req));
      // The common body (numeric tensors) is read without a JSON document; anything else, and
      // any error, goes through the document. A body in the binary tensor extension (a JSON
      // header, then raw tensors) is turned into the document's form first (oip_binary.h).
      const std::string header_length = req.Header(std::string(kOipHeaderLengthField));
      OipBody fast_body;
      bool fast = false;
      bool binary_output = false;
      Json body;
      if (!header_length.empty()) {
        PLINTH_RETURN_IF_ERROR(CheckContentEncoding(req));
        PLINTH_ASSIGN_OR_RETURN(body, DecodeOipBinaryRequest(req.body, header_length));
      } else {
        PLINTH_RETURN_IF_ERROR(CheckJsonContentType(req));
        fast = ParseOipBody(req.body, &fast_body);
      }
      std::optional<std::string> id;
      if (fast) {
        call.tenant = std::move(fast_body.tenant);
        id = std::move(fast_body.id);
      } else {
        if (header_length.empty()) {
          PLINTH_ASSIGN_OR_RETURN(body, BodyObject(req));
        }
        binary_output = WantsOipBinaryOutput(body);
        PLINTH_RETURN_IF_ERROR(JsonCheckKeys(body, {"id", "parameters", "inputs", "outputs"}, "inference request"));
        PLINTH_ASSIGN_OR_RETURN(id, JsonOptString(body, "id"));
        if (body.contains("parameters") && !body["parameters"].is_null()) {
          if (!body["parameters"].is_object()) return absl::InvalidArgumentError("'parameters' must be an object");
          auto tenant = JsonOptString(body["parameters"], "tenant");
          if (!tenant.ok()) return absl::InvalidArgumentError("'parameters.tenant' must be a string");
          call.tenant = *tenant;
        }
        PLINTH_RETURN_IF_ERROR(CheckOipOutputs(body.contains("outputs") ? &body["outputs"] : nullptr));
        if (!body.contains("inputs")) return absl::InvalidArgumentError("'inputs' is required: an array of tensors");
      }
      PLINTH_ASSIGN_OR_RETURN(
          serving::PredictResult result,
          predictor->Predict(call, [&](const serving::Servable& model,
                                       const serving::Target& target) -> absl::StatusOr<serving::FeatureMatrix> {
            if (fast) {
              auto matrix = EncodeOipBody(fast_body, model.encoder(), target.max_batch_rows);
              if (matrix) return std::move(*matrix);
              // Tensors the model does not take as they are: the document's error message.
              PLINTH_ASSIGN_OR_RETURN(body, BodyObject(req));
            }
            return DecodeOipInputs(body["inputs"], model, target.max_batch_rows);
          }));
      if (result.would_block) return OffloadResponse();
      HttpResponse response;
      if (binary_output) {
        const size_t header = AppendOipBinaryInferResponse(&response.body, req.Param(0), result.target.model->key.version,
                                                           result.target.model->key.ToString(), id, result.values.data(),
                                                           result.rows, result.width);
        response.content_type = "application/octet-stream";
        response.headers.emplace_back("Inference-Header-Content-Length", std::to_string(header));
        return response;
      }
      AppendOipInferResponse(&response.body, req.Param(0), result.target.model->key.version,
                             result.target.model->key.ToString(), id, result.values.data(), result.rows, result.width);
      return response;
    }, Route::Offload::kWhenAsked));
  }
}

}  // namespace plinth::server
