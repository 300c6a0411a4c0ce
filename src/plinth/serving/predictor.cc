#include "plinth/serving/predictor.h"

namespace plinth::serving {

absl::StatusOr<PredictResult> Predictor::Predict(const PredictRequest& request, const DecodeFn& decode) const {
  const int64_t start = options_.clock->NowMicros();
  PredictResult result;
  auto observe = [&](const ModelKey* key, const absl::Status& status) {
    double seconds = static_cast<double>(options_.clock->NowMicros() - start) / 1e6;
    if (options_.metrics != nullptr) {
      options_.metrics->Observe(request.deployment, key, status, status.ok() ? result.rows : 0, seconds);
    }
  };
  auto target = options_.router->Acquire(request.deployment, request.tenant, request.version, request.may_block);
  if (target.ok() && target->would_block) {
    result.would_block = true;
    return result;
  }
  if (!target.ok()) {
    // Unknown deployments are not counted: their names are the caller's to choose.
    if (options_.router->Has(request.deployment)) observe(nullptr, target.status());
    return target.status();
  }
  result.target = std::move(*target);
  const ModelKey& key = result.target.model->key;
  const Servable& servable = *result.target.handle;
  const runtime::Model& model = servable.model();
  absl::Status st = [&]() -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(FeatureMatrix rows, decode(servable, result.target));
    runtime::PredictOptions options;
    result.rows = rows.rows();
    result.width = static_cast<size_t>(model.OutputWidth(options));
    result.values.resize(result.rows * result.width);
    return model.Predict(rows.data(), result.rows, result.values.data(), options);
  }();
  observe(&key, st);
  if (!st.ok()) return st;
  return result;
}

}  // namespace plinth::serving
