// libFuzzer target over the serving layer's request decoders (untrusted HTTP bodies): the first
// byte picks the decoder — 0 the row API's "instances", 1 Open Inference Protocol "inputs",
// 2 a deployment spec (PUT /api/v1/deployments/{name}) — and the rest is the JSON body.
//
// Invariants besides "no crash": a decoded batch has as many rows as were admitted and one
// column per model input; a spec that parses round-trips through its JSON form; every error is
// InvalidArgument (a client mistake), never another code.
// A crash found becomes a regression input in fuzz/corpus/serving_requests.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "plinth/serving/deployment_spec.h"
#include "plinth/serving/instances.h"
#include "plinth/server/oip_tensors.h"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 3;
  auto json = ParseJson(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
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
