// libFuzzer target over the model file parsers (untrusted bytes uploaded to the registry): the
// first byte picks the format — 0 XGBoost JSON, 1 XGBoost UBJSON, 2 LightGBM text, 3 linear
// JSON, 4 the compiled plinth-forest form — and the rest is the file.
//
// Invariants besides "no crash": a model that parses compiles, and the compiled model predicts
// exactly what the reference evaluator predicts on fixed rows (NaN, zero, negatives, large
// values, category codes); a compiled file that loads predicts without reading out of bounds.
// A crash found becomes a regression input in fuzz/corpus/model_files.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "plinth/runtime/model_loader.h"
#include "plinth/runtime/reference_eval.h"

using namespace plinth::runtime;  // NOLINT

namespace {

constexpr const char* kFormats[] = {"xgboost-json", "xgboost-ubj", "lightgbm-text", "linear-json", "plinth-forest"};

std::vector<double> Rows(int features, size_t rows) {
  const double values[] = {std::numeric_limits<double>::quiet_NaN(), 0.0, -0.0, 1e-36, -1.5, 0.5, 3.0, 7.0,
                           31.0, 1e9, -1e9, std::numeric_limits<double>::infinity()};
  std::vector<double> x(static_cast<size_t>(features) * rows);
  for (size_t i = 0; i < x.size(); ++i) x[i] = values[(i * 7 + i / 3) % 12];
  return x;
}

void CheckSame(const ParsedModel& parsed, const Model& model) {
  const int f = model.num_features();
  if (f > 100000) return;
  const size_t rows = 8;
  std::vector<double> x = Rows(f, rows);
  for (bool margin : {true, false}) {
    PredictOptions opts;
    opts.output_margin = margin;
    std::vector<double> want =
        std::visit([&](const auto& m) { return ReferencePredict(m, x.data(), rows, opts); }, parsed);
    std::vector<double> got(rows * model.OutputWidth(opts));
    if (!model.Predict(x.data(), rows, got.data(), opts).ok() || got.size() != want.size()) std::abort();
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::memcmp(&got[i], &want[i], sizeof(double)) != 0 && !(std::isnan(got[i]) && std::isnan(want[i]))) {
        std::fprintf(stderr, "compiled %.17g != reference %.17g at %zu\n", got[i], want[i], i);
        std::abort();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const char* format = kFormats[data[0] % 5];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (std::string_view(format) == kCompiledFormat) {
    auto model = LoadModel(format, bytes);
    if (model.ok() && (*model)->num_features() <= 100000) {
      std::vector<double> x = Rows((*model)->num_features(), 4);
      std::vector<double> out(4 * (*model)->OutputWidth({}));
      (void)(*model)->Predict(x.data(), 4, out.data(), {});
    }
    return 0;
  }
  auto parsed = ParseModel(format, bytes);
  if (!parsed.ok()) return 0;
  auto compiled = CompileModel(*parsed);
  if (!compiled.ok()) {
    std::fprintf(stderr, "parsed model does not compile: %s\n", std::string(compiled.status().message()).c_str());
    std::abort();
  }
  auto model = LoadModel(kCompiledFormat, *compiled);
  if (!model.ok()) std::abort();
  CheckSame(*parsed, **model);
  return 0;
}
