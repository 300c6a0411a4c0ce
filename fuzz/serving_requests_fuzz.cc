// libFuzzer target over the serving layer's request decoders (untrusted HTTP bodies): the first
// byte picks the decoder — 0 the row API's "instances", 1 Open Inference Protocol "inputs",
// 2 a deployment spec (PUT /api/v1/deployments/{name}), 3 an OIP request in the binary tensor
// extension (the second byte, modulo what is left, is the JSON header's length) — and the rest
// is the body.
//
// Invariants besides "no crash": a decoded batch has as many rows as were admitted and one
// column per model input; the DOM-free row and OIP body readers agree with the document bit for
// bit; a spec that parses round-trips through its JSON form; every error is
// InvalidArgument (a client mistake), never another code.
// A crash found becomes a regression input in fuzz/corpus/serving_requests.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "plinth/server/oip_binary.h"
#include "plinth/server/oip_body.h"
#include "plinth/server/oip_tensors.h"
#include "plinth/serving/deployment_spec.h"
#include "plinth/serving/instances.h"
#include "plinth/serving/row_body.h"
#include "plinth/testing/fake_model.h"

namespace {

using namespace plinth;  // NOLINT

constexpr int64_t kMaxRows = 64;

const serving::Servable& Model() {
  static const serving::Servable* servable = [] {
    auto model = std::make_unique<testing::FakeModel>(std::vector<std::string>{"age", "city", "income"}, 0.5);
    model->mutable_signature().inputs[1].kind = runtime::FeatureKind::kCategorical;
    model->mutable_signature().inputs[1].categories = {"paris", "oslo", "rome"};
    return new serving::Servable(std::move(model));
  }();
  return *servable;
}

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

void CheckError(const absl::Status& st) {
  Require(st.ok() || absl::IsInvalidArgument(st), "decoders answer OK or InvalidArgument");
}

void CheckBatch(const absl::StatusOr<serving::FeatureMatrix>& m) {
  CheckError(m.status());
  if (!m.ok()) return;
  Require(m->rows() >= 1 && static_cast<int64_t>(m->rows()) <= kMaxRows, "rows within the limit");
  Require(m->cols() == Model().signature().inputs.size(), "one column per input");
  std::vector<double> out(m->rows());
  Require(Model().model().Predict(m->data(), m->rows(), out.data(), {}).ok(), "a decoded batch predicts");
}

// The row API's DOM-free reader (serving/row_body.h) against the document: whatever it takes
// must be a valid JSON object, with the same tenant, version and rows as the document gives.
void CheckRowBody(std::string_view text, const absl::StatusOr<Json>& json) {
  serving::RowBody rows;
  if (!serving::ParseRowBody(text, &rows)) return;
  Require(json.ok() && json->is_object(), "the row body reader takes only JSON objects");
  auto tenant = JsonOptString(*json, "tenant");
  auto version = JsonOptInt(*json, "version");
  Require(tenant.ok() && *tenant == rows.tenant, "same tenant");
  Require(version.ok() && *version == rows.version, "same version");
  const Json* instances = json->contains("instances") ? &(*json)["instances"] : nullptr;
  Require(instances != nullptr && instances->is_array() && instances->size() == rows.rows(), "same row count");
  serving::FeatureMatrix fast(rows.rows(), Model().signature().inputs.size());
  if (!serving::EncodeRowBody(rows, Model().encoder(), &fast)) return;
  auto dom = serving::DecodeInstances(*instances, Model());
  Require(dom.ok(), "rows the reader encodes decode from the document");
  for (size_t i = 0; i < fast.rows() * fast.cols(); ++i) {
    const double a = fast.data()[i], b = dom->data()[i];
    Require((std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0, "bit-identical values");
  }
}

// The OIP DOM-free reader (server/oip_body.h) against the document: what it takes is a valid
// request with the same id and tenant, and the matrix it encodes is the document's, bit for bit.
void CheckOipBody(std::string_view text, const absl::StatusOr<Json>& json) {
  server::OipBody body;
  if (!server::ParseOipBody(text, &body)) return;
  Require(json.ok() && json->is_object(), "the OIP body reader takes only JSON objects");
  Require(JsonCheckKeys(*json, {"id", "parameters", "inputs", "outputs"}, "request").ok(), "only known keys");
  auto id = JsonOptString(*json, "id");
  Require(id.ok() && *id == body.id, "same id");
  const Json* params = json->contains("parameters") ? &(*json)["parameters"] : nullptr;
  Require(params != nullptr || !body.tenant, "a tenant comes from parameters");
  if (params != nullptr) {
    auto tenant = JsonOptString(*params, "tenant");
    Require(tenant.ok() && *tenant == body.tenant, "same tenant");
  }
  Require(server::CheckOipOutputs(json->contains("outputs") ? &(*json)["outputs"] : nullptr).ok(), "valid outputs");
  auto fast = server::EncodeOipBody(body, Model().encoder(), kMaxRows);
  if (!fast) return;
  auto dom = server::DecodeOipInputs((*json)["inputs"], Model(), kMaxRows);
  Require(dom.ok(), "tensors the reader encodes decode from the document");
  Require(fast->rows() == dom->rows() && fast->cols() == dom->cols(), "same matrix shape");
  for (size_t i = 0; i < fast->rows() * fast->cols(); ++i) {
    const double a = fast->data()[i], b = dom->data()[i];
    Require((std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0, "bit-identical values");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 4;
  if (mode == 3) {
    if (size < 2) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
    auto request = server::DecodeOipBinaryRequest(body, std::to_string(data[1] % (body.size() + 1)));
    CheckError(request.status());
    if (request.ok() && request->contains("inputs")) CheckBatch(server::DecodeOipInputs((*request)["inputs"], Model(), kMaxRows));
    if (request.ok()) server::WantsOipBinaryOutput(*request);
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto json = ParseJson(text);
  if (mode == 0) CheckRowBody(text, json);
  if (mode == 1) CheckOipBody(text, json);
  if (!json.ok()) return 0;
  switch (mode) {
    case 0: {
      const Json* instances = json->is_object() && json->contains("instances") ? &(*json)["instances"] : nullptr;
      auto rows = serving::CountInstances(instances, kMaxRows);
      CheckError(rows.status());
      if (rows.ok()) CheckBatch(serving::DecodeInstances(*instances, Model()));
      break;
    }
    case 1: {
      const Json& inputs = json->is_object() && json->contains("inputs") ? (*json)["inputs"] : *json;
      CheckBatch(server::DecodeOipInputs(inputs, Model(), kMaxRows));
      CheckError(server::CheckOipOutputs(json->is_object() && json->contains("outputs") ? &(*json)["outputs"] : nullptr));
      break;
    }
    default: {
      auto spec = serving::ParseDeploymentSpec(*json);
      CheckError(spec.status());
      if (spec.ok()) {
        auto again = serving::ParseDeploymentSpec(spec->ToJson());
        Require(again.ok() && again->ToJson() == spec->ToJson(), "a spec round-trips");
        for (const auto& tenant : spec->pinned_tenants) Require(serving::TenantModelRef(*spec, tenant).ok(), "pinned tenants resolve");
      }
      break;
    }
  }
  return 0;
}
