// Predictor: one prediction request from deployment name to output values.
//
//   Router::Acquire (deployment, tenant, pinned version -> loaded model)
//   -> decode(model): the protocol's rows -> FeatureMatrix, checked against the signature
//   -> Model::Predict -> PredictResult (values, and the version that answered)
// and records the request in ServingMetrics under the version that answered. The result
// holds the model's handle, so the version stays loaded until the response is built.
// With `may_block` false (an I/O thread's first try) a request that would wait for the
// registry or a model load comes back with `would_block` before anything is decoded.
// Thread-safety: safe for concurrent use (runs on the prediction workers).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/serving/feature_matrix.h"
#include "plinth/serving/router.h"
#include "plinth/serving/serving_metrics.h"

namespace plinth::serving {

struct PredictRequest {
  std::string deployment;
  std::optional<std::string> tenant;
  std::optional<int64_t> version;  // pin a version of the resolved model
  bool may_block = true;           // false: stop with `would_block` rather than wait (Router::Acquire)
};

struct PredictResult {
  Target target;
  size_t rows = 0;
  size_t width = 0;  // values per row
  std::vector<double> values;
  bool would_block = false;  // nothing was done or counted; call again with may_block
};

// Builds the model's input rows; `target` carries the deployment's limits (max_batch_rows) and
// its feature service.
using DecodeFn = std::function<absl::StatusOr<FeatureMatrix>(const Servable& model, const Target& target)>;

class Predictor {
 public:
  struct Options {
    Router* router = nullptr;
    ServingMetrics* metrics = nullptr;
    Clock* clock = Clock::Real();
  };
  explicit Predictor(Options options) : options_(options) {}

  absl::StatusOr<PredictResult> Predict(const PredictRequest& request, const DecodeFn& decode) const;

 private:
  Options options_;
};

}  // namespace plinth::serving
