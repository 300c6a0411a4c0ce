// Per-customer models: cold loads of compiled models, and memory per model.
//
// Trains a few base models with libxgboost (binary:logistic, --trees of --depth), then writes
// --models distinct per-customer models by perturbing every leaf of a base model with the
// customer's own noise, each compiled to the plinth-forest form in --dir. Then, in a shuffled
// order, loads every file (LoadModelFile: map + validate) and predicts one row with it, timing
// load and load+first-prediction separately. Reports p50/p99/max, the compiled size, and the
// resident memory of all models held at once (process RSS growth / models).
// Run with --drop-caches to drop the page cache first (root only): that is the truly cold case.
// Finally the serving layer's ModelCache with a byte budget that holds 10% (then 2%) of the
// models serves --requests single-row predictions whose tenants follow a Zipf(1.1) law (a few
// big customers, a long tail): hit ratio, evictions, and request latency including loads.
//
//   cold_load_bench --models 10000 --trees 50 --depth 5 --features 20 --dir /tmp/x [--drop-caches]
#include <xgboost/c_api.h>

#include "bench_util.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "plinth/runtime/model_loader.h"
#include "plinth/serving/model_cache.h"

namespace {

using Clock = std::chrono::steady_clock;

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

std::string TrainBase(int seed, int trees, int depth, int features) {
  const int rows = 2000;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0, 1);
  std::vector<float> x(static_cast<size_t>(rows) * features), y(rows);
  for (int r = 0; r < rows; ++r) {
    float* row = x.data() + static_cast<size_t>(r) * features;
    for (int f = 0; f < features; ++f) row[f] = n(rng);
    y[r] = row[0] + row[1] * row[2] + 0.5f * n(rng) > 0 ? 1.f : 0.f;
  }
  DMatrixHandle d;
  XGB_CHECK(XGDMatrixCreateFromMat(x.data(), rows, features, NAN, &d));
  XGB_CHECK(XGDMatrixSetFloatInfo(d, "label", y.data(), rows));
  BoosterHandle b;
  XGB_CHECK(XGBoosterCreate(&d, 1, &b));
  XGB_CHECK(XGBoosterSetParam(b, "objective", "binary:logistic"));
  XGB_CHECK(XGBoosterSetParam(b, "max_depth", std::to_string(depth).c_str()));
  XGB_CHECK(XGBoosterSetParam(b, "tree_method", "hist"));
  XGB_CHECK(XGBoosterSetParam(b, "nthread", "2"));
  for (int i = 0; i < trees; ++i) XGB_CHECK(XGBoosterUpdateOneIter(b, i, d));
  bst_ulong len;
  const char* buf;
  XGB_CHECK(XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &len, &buf));
  std::string json(buf, len);
  XGBoosterFree(b);
  XGDMatrixFree(d);
  return json;
}

}  // namespace

int main(int argc, char** argv) {
  int models = 10000, trees = 50, depth = 5, features = 20, bases = 8, requests = 200000;
  bool drop = false;
  std::string dir = "/tmp/plinth-cold-load";
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--drop-caches") { drop = true; continue; }
    if (i + 1 >= argc) return 2;
    std::string v = argv[++i];
    if (k == "--models") models = std::atoi(v.c_str());
    else if (k == "--trees") trees = std::atoi(v.c_str());
    else if (k == "--depth") depth = std::atoi(v.c_str());
    else if (k == "--features") features = std::atoi(v.c_str());
    else if (k == "--dir") dir = v;
    else if (k == "--requests") requests = std::atoi(v.c_str());
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); return 2; }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  std::vector<plinth::runtime::TreeEnsemble> base;
  for (int s = 0; s < bases; ++s) {
    auto parsed = plinth::runtime::ParseModel("xgboost-json", TrainBase(s + 1, trees, depth, features));
    if (!parsed.ok()) { std::fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str()); return 1; }
    base.push_back(std::get<plinth::runtime::TreeEnsemble>(*parsed));
  }
  auto t0 = Clock::now();
  size_t bytes = 0;
  for (int m = 0; m < models; ++m) {
    plinth::runtime::TreeEnsemble e = base[m % bases];
    std::mt19937_64 rng(1000 + m);
    std::normal_distribution<double> noise(0, 0.01);
    for (auto& tree : e.trees) {
      for (auto& node : tree.nodes) {
        if (node.is_leaf) node.leaf_value += noise(rng);
      }
    }
    auto compiled = plinth::runtime::CompileModel(e);
    if (!compiled.ok()) return 1;
    bytes += compiled->size();
    std::ofstream(dir + "/customer-" + std::to_string(m) + ".pf", std::ios::binary) << *compiled;
  }
  double compile_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (drop) {
    std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
  }

  std::vector<int> order(models);
  for (int m = 0; m < models; ++m) order[m] = m;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  std::vector<double> row(features, 0.25), load_us, first_us;
  std::vector<std::unique_ptr<plinth::runtime::Model>> held;
  held.reserve(models);
  long rss0 = RssKb();
  size_t model_bytes = 0;
  double sink = 0;
  for (int m : order) {
    auto s = Clock::now();
    auto model = plinth::runtime::LoadModelFile("plinth-forest", dir + "/customer-" + std::to_string(m) + ".pf");
    auto loaded = Clock::now();
    if (!model.ok()) { std::fprintf(stderr, "%s\n", std::string(model.status().message()).c_str()); return 1; }
    double p;
    (void)(*model)->Predict(row.data(), 1, &p, {});
    auto done = Clock::now();
    sink += p;
    load_us.push_back(std::chrono::duration<double, std::micro>(loaded - s).count());
    first_us.push_back(std::chrono::duration<double, std::micro>(done - s).count());
    model_bytes += (*model)->MemoryBytes();
    held.push_back(std::move(*model));
  }
  long rss1 = RssKb();
  held.clear();

  // Cache hit ratio under skewed per-customer traffic.
  std::vector<double> weights(models);
  for (int m = 0; m < models; ++m) weights[m] = 1.0 / std::pow(m + 1, 1.1);
  std::discrete_distribution<int> zipf(weights.begin(), weights.end());
  const size_t per_model = model_bytes / models;
  std::string cache_json;
  for (double share : {0.10, 0.02}) {
    plinth::serving::ModelCache::Options co;
    co.budget_bytes = static_cast<int64_t>(share * models * per_model);
    auto cache = plinth::serving::ModelCache::Create(co);
    if (!cache.ok()) return 1;
    std::mt19937_64 traffic(42);
    std::vector<double> req_us;
    req_us.reserve(requests);
    for (int r = 0; r < requests; ++r) {
      // Tenant rank -> a customer id, shuffled so big customers are spread over the files.
      const int m = order[zipf(traffic)];
      plinth::serving::ModelKey key{"customer-" + std::to_string(m), 1, ""};
      auto s = Clock::now();
      auto handle = (*cache)->Get(key, [&]() {
        return plinth::runtime::LoadModelFile("plinth-forest", dir + "/customer-" + std::to_string(m) + ".pf");
      });
      if (!handle.ok()) return 1;
      double p;
      (void)(*handle)->model().Predict(row.data(), 1, &p, {});
      req_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
      sink += p;
    }
    auto st = (*cache)->GetStats();
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "%s{\"budget_share\": %.2f, \"budget_bytes\": %lld, \"requests\": %d, \"hit_ratio\": %.4f, "
                  "\"evictions\": %llu, \"request_us\": {\"p50\": %.1f, \"p99\": %.1f, \"p999\": %.1f}}",
                  cache_json.empty() ? "" : ", ", share, static_cast<long long>(co.budget_bytes), requests,
                  static_cast<double>(st.hits) / std::max<uint64_t>(1, st.hits + st.misses),
                  static_cast<unsigned long long>(st.evictions), Percentile(req_us, 0.5), Percentile(req_us, 0.99),
                  Percentile(req_us, 0.999));
    cache_json += buf;
  }
  std::printf(
      "{\"models\": %d, \"trees\": %d, \"depth\": %d, \"features\": %d, \"page_cache_dropped\": %s, "
      "\"compile_seconds\": %.2f, \"compiled_bytes_per_model\": %zu, "
      "\"load_us\": {\"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f}, "
      "\"load_and_first_predict_us\": {\"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f}, "
      "\"memory_bytes_per_model\": %zu, \"rss_kb_per_model\": %.1f, \"zipf_1_1_cache\": [%s], \"checksum\": %.3f}\n",
      models, trees, depth, features, drop ? "true" : "false", compile_s, bytes / models, Percentile(load_us, 0.5),
      Percentile(load_us, 0.99), Percentile(load_us, 1.0), Percentile(first_us, 0.5), Percentile(first_us, 0.99), Percentile(first_us, 1.0),
      model_bytes / models, static_cast<double>(rss1 - rss0) / models, cache_json.c_str(), sink);
  std::filesystem::remove_all(dir);
  return 0;
}
