// ServingMetrics: prediction counters per deployment and model version, and the Prometheus
// text for them and for the ModelCache.
//
//   plinth_predict_requests_total{deployment,model,version}   requests that reached a model
//   plinth_predict_errors_total{deployment,model,version}     of those and of unroutable ones, failures
//                                                             of the server (answered 5xx: alerting)
//   plinth_predict_invalid_total{deployment,model,version}    ... refused for what the caller sent
//                                                             (answered 4xx: bad input, unknown tenant)
//   plinth_predict_rows_total{deployment,model,version}       rows predicted
//   plinth_predict_duration_seconds{deployment,model,version} histogram: route, decode, predict
//   plinth_model_cache_{hits,misses,loads,load_failures,evictions}_total, _bytes, _entries,
//   _budget_bytes, _load_duration_seconds (histogram)
// Requests that fail before a model is chosen use model="" version="". Per-customer models
// can be many: past `max_series` (model, version) series per deployment the rest are counted
// under model="_other", so the exposition stays bounded.
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "plinth/serving/model_cache.h"

namespace plinth::serving {

class ServingMetrics {
 public:
  explicit ServingMetrics(size_t max_series = 256) : max_series_(max_series) {}

  // `key` is null when the request failed before a model was chosen; `status` is how it ended.
  void Observe(const std::string& deployment, const ModelKey* key, const absl::Status& status, size_t rows,
               double seconds);

  // Counters of model loads by source, from the ArtifactLoader.
  struct LoadSources {
    uint64_t compiled = 0;
    uint64_t parsed = 0;
  };
  std::string Render(const ModelCache::Stats& cache, const LoadSources& sources) const;

 private:
  struct Series {
    uint64_t requests = 0;
    uint64_t errors = 0;
    uint64_t invalid = 0;
    uint64_t rows = 0;
    LatencyHistogram latency;
  };
  using Labels = std::tuple<std::string, std::string, std::string>;  // deployment, model, version

  size_t max_series_;
  mutable std::mutex mu_;
  std::map<Labels, Series> series_;                // guarded by mu_
  std::map<std::string, size_t> series_per_deployment_;  // guarded by mu_
};

}  // namespace plinth::serving
