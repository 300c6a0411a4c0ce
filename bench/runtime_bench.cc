// In-process tree-model benchmark: Plinth's compiled forest against libxgboost on the same
// model and the same rows, in one run.
//
// Trains a binary:logistic model with libxgboost's C API (synthetic data, 2% missing values),
// saves it as XGBoost JSON, loads that JSON into Plinth, checks both give the same predictions,
// then measures single-row latency (p50/p99 over many calls, 1 thread each, each library in its
// own loop: Plinth Predict vs XGBoosterPredictFromDense, XGBoost's in-place prediction) and 10,000-row batch throughput on
// `--threads` threads. Prints one JSON object.
//
//   runtime_bench --trees 100 --depth 6 [--features 32] [--train-rows 50000] [--batch-rows 10000]
//                 [--single-calls 20000] [--batch-reps 30] [--threads 2] [--model-file PATH]
// --model-file reuses the model saved there by an earlier run (and saves the trained one there
// when the file does not exist yet): repeated runs then skip training. Use one file per
// --trees/--depth/--features; a file with another number of trees is refused.
#include <xgboost/c_api.h>

#include "bench_util.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "plinth/base/worker_pool.h"
#include "plinth/runtime/model_loader.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int trees = 100, depth = 6, features = 32, train_rows = 50000, batch_rows = 10000;
  int single_calls = 20000, batch_reps = 30, threads = 2;
  std::string model_file;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--model-file") {
      a.model_file = argv[i + 1];
      continue;
    }
    int v = std::atoi(argv[i + 1]);
    if (k == "--trees") a.trees = v;
    else if (k == "--depth") a.depth = v;
    else if (k == "--features") a.features = v;
    else if (k == "--train-rows") a.train_rows = v;
    else if (k == "--batch-rows") a.batch_rows = v;
    else if (k == "--single-calls") a.single_calls = v;
    else if (k == "--batch-reps") a.batch_reps = v;
    else if (k == "--threads") a.threads = v;
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); std::exit(2); }
  }
  return a;
}

// Rows with a nonlinear label; 2% of values missing.
void MakeData(int rows, int features, uint64_t seed, std::vector<float>* x, std::vector<float>* y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0, 1);
  std::uniform_real_distribution<float> u(0, 1);
  x->resize(static_cast<size_t>(rows) * features);
  y->resize(rows);
  for (int r = 0; r < rows; ++r) {
    float* row = x->data() + static_cast<size_t>(r) * features;
    for (int f = 0; f < features; ++f) row[f] = n(rng);
    float s = row[0] * row[1] + std::sin(3 * row[2]) + (row[3] > 0.5f ? 1.f : -1.f) * row[4] + 0.3f * n(rng);
    (*y)[r] = s > 0 ? 1.f : 0.f;
    for (int f = 0; f < features; ++f) {
      if (u(rng) < 0.02f) row[f] = NAN;
    }
  }
}

std::string ArrayInterface(const float* data, size_t rows, int cols) {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "{\"data\": [%llu, true], \"shape\": [%zu, %d], \"strides\": null, \"typestr\": \"<f4\", \"version\": 3}",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(data)), rows, cols);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = ParseArgs(argc, argv);
  std::vector<float> xtrain, ytrain, xtest, ytest;
  MakeData(a.train_rows, a.features, 1, &xtrain, &ytrain);
  MakeData(a.batch_rows, a.features, 2, &xtest, &ytest);

  DMatrixHandle dtrain;
  XGB_CHECK(XGDMatrixCreateFromMat(xtrain.data(), a.train_rows, a.features, NAN, &dtrain));
  XGB_CHECK(XGDMatrixSetFloatInfo(dtrain, "label", ytrain.data(), a.train_rows));
  BoosterHandle booster;
  XGB_CHECK(XGBoosterCreate(&dtrain, 1, &booster));
  std::string depth = std::to_string(a.depth);
  XGB_CHECK(XGBoosterSetParam(booster, "objective", "binary:logistic"));
  XGB_CHECK(XGBoosterSetParam(booster, "max_depth", depth.c_str()));
  XGB_CHECK(XGBoosterSetParam(booster, "eta", "0.1"));
  XGB_CHECK(XGBoosterSetParam(booster, "tree_method", "hist"));
  XGB_CHECK(XGBoosterSetParam(booster, "min_child_weight", "0"));
  XGB_CHECK(XGBoosterSetParam(booster, "nthread", std::to_string(a.threads).c_str()));
  auto t0 = Clock::now();
  const bool reuse = !a.model_file.empty() && std::ifstream(a.model_file).good();
  if (reuse) {
    XGB_CHECK(XGBoosterLoadModel(booster, a.model_file.c_str()));
    int rounds = 0;
    XGB_CHECK(XGBoosterBoostedRounds(booster, &rounds));
    if (rounds != a.trees) {  // (depth is not checked: use one file per --trees/--depth)
      std::fprintf(stderr, "%s holds %d trees, not --trees %d: remove it or name another file\n",
                   a.model_file.c_str(), rounds, a.trees);
      return 2;
    }
  } else {
    for (int i = 0; i < a.trees; ++i) XGB_CHECK(XGBoosterUpdateOneIter(booster, i, dtrain));
    if (!a.model_file.empty()) XGB_CHECK(XGBoosterSaveModel(booster, a.model_file.c_str()));
  }
  double train_s = reuse ? 0.0 : std::chrono::duration<double>(Clock::now() - t0).count();

  bst_ulong len = 0;
  const char* buf = nullptr;
  XGB_CHECK(XGBoosterSaveModelToBuffer(booster, "{\"format\": \"json\"}", &len, &buf));
  std::string json(buf, len);
  auto model = plinth::runtime::LoadModel("xgboost-json", json);
  if (!model.ok()) {
    std::fprintf(stderr, "Plinth cannot load the model: %s\n", std::string(model.status().message()).c_str());
    return 1;
  }
  const plinth::runtime::Model& m = **model;

  DMatrixHandle proxy;
  XGB_CHECK(XGProxyDMatrixCreate(&proxy));
  const char* config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false, \"missing\": NaN, \"cache_id\": 0}";
  auto xgb_predict = [&](const float* rows, size_t n, std::vector<float>* out) {
    std::string ai = ArrayInterface(rows, n, a.features);
    bst_ulong const* shape;
    bst_ulong dim;
    const float* result;
    XGB_CHECK(XGBoosterPredictFromDense(booster, ai.c_str(), config, proxy, &shape, &dim, &result));
    if (out) out->assign(result, result + n);
  };

  // Same answers on the whole batch (Plinth reads doubles; the float inputs convert exactly).
  std::vector<double> xtest_d(xtest.begin(), xtest.end());
  std::vector<float> want;
  xgb_predict(xtest.data(), a.batch_rows, &want);
  std::vector<double> got(a.batch_rows);
  if (!m.Predict(xtest_d.data(), a.batch_rows, got.data(), {}).ok()) return 1;
  double max_rel = 0;
  for (int i = 0; i < a.batch_rows; ++i) {
    double d = std::fabs(got[i] - want[i]);
    max_rel = std::max(max_rel, d / std::max(1e-7, std::fabs(static_cast<double>(want[i]))));
  }

  // Single row, one thread each.
  XGB_CHECK(XGBoosterSetParam(booster, "nthread", "1"));
  std::vector<double> xgb_lat, plinth_lat;
  xgb_lat.reserve(a.single_calls);
  plinth_lat.reserve(a.single_calls);
  // Each library in its own loop (warm caches for both; interleaving the calls would make each
  // evict the other's model between calls).
  double sink = 0;
  for (int i = 0; i < a.single_calls; ++i) {
    size_t r = static_cast<size_t>(i % a.batch_rows);
    auto s = Clock::now();
    std::vector<float> o;
    xgb_predict(xtest.data() + r * a.features, 1, &o);
    auto e = Clock::now();
    sink += o[0];
    xgb_lat.push_back(std::chrono::duration<double, std::micro>(e - s).count());
  }
  for (int i = 0; i < a.single_calls; ++i) {
    size_t r = static_cast<size_t>(i % a.batch_rows);
    double p;
    auto s = Clock::now();
    (void)m.Predict(xtest_d.data() + r * a.features, 1, &p, {});
    auto e = Clock::now();
    sink += p;
    plinth_lat.push_back(std::chrono::duration<double, std::micro>(e - s).count());
  }

  // Batch throughput on `threads` threads: best of the repetitions.
  XGB_CHECK(XGBoosterSetParam(booster, "nthread", std::to_string(a.threads).c_str()));
  plinth::WorkerPool pool(a.threads);
  plinth::runtime::PredictOptions popts;
  popts.pool = &pool;
  double xgb_best = 1e30, plinth_best = 1e30;
  for (int rep = 0; rep < a.batch_reps; ++rep) {
    auto s = Clock::now();
    xgb_predict(xtest.data(), a.batch_rows, nullptr);
    xgb_best = std::min(xgb_best, std::chrono::duration<double>(Clock::now() - s).count());
    s = Clock::now();
    (void)m.Predict(xtest_d.data(), a.batch_rows, got.data(), popts);
    plinth_best = std::min(plinth_best, std::chrono::duration<double>(Clock::now() - s).count());
  }

  int maj = 0, min = 0, pat = 0;
  XGBoostVersion(&maj, &min, &pat);
  std::printf(
      "{\"trees\": %d, \"depth\": %d, \"features\": %d, \"xgboost\": \"%d.%d.%d\", \"train_seconds\": %.2f, "
      "\"max_rel_diff\": %.3g, \"compiled_bytes\": %zu, "
      "\"single_row_us\": {\"plinth_p50\": %.2f, \"plinth_p99\": %.2f, \"xgboost_p50\": %.2f, \"xgboost_p99\": %.2f, "
      "\"speedup_p50\": %.1f, \"speedup_p99\": %.1f}, "
      "\"batch\": {\"rows\": %d, \"threads\": %d, \"plinth_rows_per_s\": %.0f, \"xgboost_rows_per_s\": %.0f, \"speedup\": %.2f}, "
      "\"checksum\": %.3f}\n",
      a.trees, a.depth, a.features, maj, min, pat, train_s, max_rel, m.MemoryBytes(), Percentile(plinth_lat, 0.5),
      Percentile(plinth_lat, 0.99), Percentile(xgb_lat, 0.5), Percentile(xgb_lat, 0.99),
      Percentile(xgb_lat, 0.5) / Percentile(plinth_lat, 0.5), Percentile(xgb_lat, 0.99) / Percentile(plinth_lat, 0.99),
      a.batch_rows, a.threads, a.batch_rows / plinth_best, a.batch_rows / xgb_best, xgb_best / plinth_best, sink);
  XGDMatrixFree(proxy);
  XGDMatrixFree(dtrain);
  XGBoosterFree(booster);
  return max_rel <= 1e-6 ? 0 : 3;
}
