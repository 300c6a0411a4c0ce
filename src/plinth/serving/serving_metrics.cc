#include "plinth/serving/serving_metrics.h"

#include "plinth/base/http_status.h"

namespace plinth::serving {

namespace {

// Label values here are validated names and numbers: nothing needs escaping except in
// theory; escape anyway so the exposition can never break.
std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

struct Sample {
  const char* name;
  const char* type;
  const char* help;
  int64_t value;
};

}  // namespace

void ServingMetrics::Observe(const std::string& deployment, const ModelKey* key, const absl::Status& status, size_t rows,
                             double seconds) {
  Labels labels{deployment, key ? key->name : "", key ? std::to_string(key->version) : ""};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(labels);
  if (it == series_.end()) {
    size_t& count = series_per_deployment_[deployment];
    if (count >= max_series_) {
      labels = Labels{deployment, "_other", ""};
      it = series_.find(labels);
    }
    if (it == series_.end()) {
      it = series_.emplace(labels, Series{}).first;
      ++count;
    }
  }
  Series& s = it->second;
  ++s.requests;
  if (!status.ok()) ++(HttpStatusFor(status.code()) < 500 ? s.invalid : s.errors);  // answered 4xx or 5xx
  s.rows += rows;
  s.latency.Observe(seconds);
}

std::string ServingMetrics::Render(const ModelCache::Stats& cache, const LoadSources& sources) const {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    struct Family {
      const char* name;
      const char* help;
      uint64_t Series::*field;
    };
    const Family families[] = {
        {"plinth_predict_requests_total", "Prediction requests by deployment and model version.", &Series::requests},
        {"plinth_predict_errors_total", "Prediction requests that failed in the server (5xx).", &Series::errors},
        {"plinth_predict_invalid_total", "Prediction requests refused for what the caller sent (4xx).", &Series::invalid},
        {"plinth_predict_rows_total", "Rows predicted.", &Series::rows},
    };
    for (const Family& f : families) {
      StrAppend(&out, "# HELP ", f.name, " ", f.help, "\n# TYPE ", f.name, " counter\n");
      for (const auto& [labels, s] : series_) {
        StrAppend(&out, f.name, "{deployment=\"", Escape(std::get<0>(labels)), "\",model=\"", Escape(std::get<1>(labels)),
                  "\",version=\"", std::get<2>(labels), "\"} ", s.*(f.field), "\n");
      }
    }
    StrAppend(&out, "# HELP plinth_predict_duration_seconds Prediction latency: routing, input decoding and model evaluation.\n",
              "# TYPE plinth_predict_duration_seconds histogram\n");
    for (const auto& [labels, s] : series_) {
      std::string l = StrCat("deployment=\"", Escape(std::get<0>(labels)), "\",model=\"", Escape(std::get<1>(labels)),
                             "\",version=\"", std::get<2>(labels), "\"");
      s.latency.Render(&out, "plinth_predict_duration_seconds", l);
    }
  }
  auto n = [](uint64_t v) { return static_cast<int64_t>(v); };
  const Sample samples[] = {
      {"plinth_model_cache_hits_total", "counter", "Model lookups served from memory.", n(cache.hits)},
      {"plinth_model_cache_misses_total", "counter", "Model lookups that waited for a load.", n(cache.misses)},
      {"plinth_model_cache_loads_total", "counter", "Model loads started.", n(cache.loads)},
      {"plinth_model_cache_load_failures_total", "counter", "Model loads that failed.", n(cache.load_failures)},
      {"plinth_model_cache_coalesced_total", "counter", "Misses that waited for another request's load.", n(cache.coalesced)},
      {"plinth_model_cache_evictions_total", "counter", "Models evicted to stay within the budget.", n(cache.evictions)},
      {"plinth_model_cache_compiled_loads_total", "counter", "Loads that mapped a cached compiled model.", n(sources.compiled)},
      {"plinth_model_cache_parsed_loads_total", "counter", "Loads that parsed the model artifact.", n(sources.parsed)},
      {"plinth_model_cache_bytes", "gauge", "Bytes held by loaded models.", cache.bytes},
      {"plinth_model_cache_pinned_bytes", "gauge", "Bytes held by pinned models.", cache.pinned_bytes},
      {"plinth_model_cache_entries", "gauge", "Loaded models.", cache.entries},
      {"plinth_model_cache_budget_bytes", "gauge", "The cache's byte budget.", cache.budget_bytes},
  };
  for (const Sample& s : samples) {
    StrAppend(&out, "# HELP ", s.name, " ", s.help, "\n# TYPE ", s.name, " ", s.type, "\n", s.name, " ", s.value, "\n");
  }
  StrAppend(&out, "# HELP plinth_model_cache_load_duration_seconds Time to load a model.\n",
            "# TYPE plinth_model_cache_load_duration_seconds histogram\n");
  cache.load_seconds.Render(&out, "plinth_model_cache_load_duration_seconds", "");
  return out;
}

}  // namespace plinth::serving
