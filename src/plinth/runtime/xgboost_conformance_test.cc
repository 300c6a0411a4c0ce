// Conformance of the XGBoost loader (through ReferencePredict) with predictions XGBoost itself
// made, versions 1.7.2 to 3.4.1, from ../shared/testdata/models. MANIFEST.md there gives each
// source's conventions; the ones that matter here:
//   boosters/         input rows as JSON (null = NaN); `predictions` are margins.
//   jpmml-xgboost/    3.4.1; CSV columns by feature name, NA = missing, categorical codes = index
//                     in the model's `cats` encoder; @N = first N iterations; models with a
//                     best_iteration were predicted with best_iteration + 1 iterations.
//   jpmml-xgboost-2.1.0/  codes = index in the sorted distinct values of the column.
//   jpmml-xgboost-1.7.2/  features from the .fmap (name=level indicators); two models were fed a
//                     sparse matrix, so there every 0 is missing.
// The stored predictions are float32: values agree within rel 2e-6 or abs 1e-6; the largest
// errors seen per source are printed. The compiled engine must agree with the reference exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include "plinth/runtime/model_loader.h"
#include "plinth/runtime/reference_eval.h"
#include "plinth/runtime/xgboost_testdata.h"
#include "plinth/testing/testdata.h"

namespace plinth::runtime {
namespace {

namespace fs = std::filesystem;
using testing_xgb::Csv;
using testing_xgb::ErrorStats;
using testing_xgb::ReadCsv;
using testing_xgb::ReadText;

absl::StatusOr<ParsedModel> LoadXgb(const fs::path& file) {
  std::string bytes = ReadText(file);
  return file.extension() == ".ubj" ? ParseXgboostUbj(bytes) : ParseXgboostJson(bytes);
}

const Signature& SignatureOf(const ParsedModel& m) {
  return std::visit([](const auto& x) -> const Signature& { return x.signature; }, m);
}

// The reference evaluator's predictions; the compiled engine must give the very same numbers.
std::vector<double> PredictXgbRows(const ParsedModel& m, const std::vector<double>& rows, bool margin, int32_t iterations) {
  PredictOptions o;
  o.output_margin = margin;
  o.iteration_limit = iterations;
  size_t n = rows.size() / SignatureOf(m).inputs.size();
  std::vector<double> reference = std::visit([&](const auto& x) { return ReferencePredict(x, rows.data(), n, o); }, m);
  auto bytes = CompileModel(m);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  auto compiled = bytes.ok() ? LoadModel(kCompiledFormat, *bytes) : bytes.status();
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (compiled.ok()) {
    std::vector<double> out(n * (*compiled)->OutputWidth(o));
    EXPECT_TRUE((*compiled)->Predict(rows.data(), n, out.data(), o).ok());
    EXPECT_EQ(out, reference) << "compiled and reference engines disagree";
  }
  return reference;
}

// Row-major numbers from a JSON array of rows (null = NaN) or a flat array.
std::vector<double> Numbers(const Json& j) {
  std::vector<double> out;
  for (const Json& v : j) {
    if (v.is_array()) {
      for (const Json& x : v) out.push_back(x.is_null() ? NAN : x.get<double>());
    } else {
      out.push_back(v.is_null() ? NAN : v.get<double>());
    }
  }
  return out;
}

Json ReadJson(const fs::path& file) { return Json::parse(ReadText(file)); }

TEST(XgboostConformance, BoostersInference) {
  PLINTH_REQUIRE_TESTDATA(root);
  ErrorStats stats("boosters inference (XGBoost 3.1.1)");
  int models = 0;
  for (const char* booster : {"gbtree", "dart", "gblinear"}) {
    fs::path dir = fs::path(root) / "models/boosters/xgboost" / booster / "inference";
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string file = entry.path().filename().string();
      if (!file.ends_with(".model.json")) continue;
      std::string base = entry.path().string().substr(0, entry.path().string().size() - 11);
      SCOPED_TRACE(file);
      auto m = LoadXgb(entry.path());
      ASSERT_TRUE(m.ok()) << m.status();
      std::vector<double> rows = Numbers(ReadJson(base + ".input.json")["features"]);
      Json expected = ReadJson(base + ".expected.json");
      stats.Expect(file + " margins", PredictXgbRows(*m, rows, true, 0), Numbers(expected["predictions"]));
      stats.Expect(file + " transformed", PredictXgbRows(*m, rows, false, 0), Numbers(expected["predictions_transformed"]));
      ++models;
    }
  }
  EXPECT_EQ(models, 16);
}

TEST(XgboostConformance, BoostersTraining) {
  PLINTH_REQUIRE_TESTDATA(root);
  ErrorStats stats("boosters training fixtures (XGBoost 3.1.1)");
  int models = 0;
  fs::path dir = fs::path(root) / "models/boosters/xgboost/gbtree/training";
  for (const fs::path& sub : {dir, dir / "weighted"}) {
    for (const auto& entry : fs::directory_iterator(sub)) {
      std::string file = entry.path().filename().string();
      if (!file.ends_with(".model.json")) continue;
      std::string base = entry.path().string().substr(0, entry.path().string().size() - 11);
      // The unweighted twin of class_imbalance_weighted was scored on that case's test rows.
      std::string data = fs::exists(base + ".test_data.json") ? base : (sub / "class_imbalance_weighted").string();
      SCOPED_TRACE(file);
      auto m = LoadXgb(entry.path());
      ASSERT_TRUE(m.ok()) << m.status();
      std::vector<double> rows = Numbers(ReadJson(data + ".test_data.json")["data"]);
      stats.Expect(file, PredictXgbRows(*m, rows, true, 0), Numbers(ReadJson(base + ".test_predictions.json")["predictions"]));
      ++models;
    }
  }
  EXPECT_EQ(models, 13);
}

// The dataset a jpmml model was trained on: Audit, AuditNA, Auto, ..., LungNA.
std::string Dataset(const std::string& model) {
  for (const char* d : {"Audit", "Auto", "Visit", "Iris", "Lung"}) {
    if (model.find(d) != std::string::npos) return model.ends_with("NA") ? StrCat(d, "NA") : d;
  }
  return "";
}

// Expected files for `model`: <model>.csv (all iterations, or best_iteration + 1) and <model>@N.csv.
std::vector<std::pair<fs::path, int32_t>> ExpectedFiles(const fs::path& csv_dir, const std::string& model,
                                                        const ParsedModel& m) {
  std::vector<std::pair<fs::path, int32_t>> out;
  const auto* trees = std::get_if<TreeEnsemble>(&m);
  int32_t all = trees != nullptr && trees->best_iteration >= 0 ? static_cast<int32_t>(trees->best_iteration + 1) : 0;
  if (fs::exists(csv_dir / (model + ".csv"))) out.emplace_back(csv_dir / (model + ".csv"), all);
  for (const auto& entry : fs::directory_iterator(csv_dir)) {
    std::string f = entry.path().filename().string();
    if (f.starts_with(model + "@") && f.ends_with(".csv")) {
      out.emplace_back(entry.path(), std::stoi(f.substr(model.size() + 1)));
    }
  }
  return out;
}

// Encodes a jpmml source's input CSV (named by its dataset) for one of its models.
using Encoder = std::function<std::vector<double>(const std::string& model, const Csv& input, const ParsedModel& m)>;

struct Counts {
  int models = 0;
  int files = 0;  // expected-prediction files checked
};

// Every model of one jpmml source (`source`/xgboost/*) against every expected file in
// `source`/csv; inputs are ../jpmml-xgboost/csv/<dataset>.csv. A .ubj model must read as the
// very same model as its .json twin.
void CheckJpmmlSource(const fs::path& models_root, const std::string& source, const Encoder& encode,
                      ErrorStats* stats, Counts* counts) {
  const fs::path dir = models_root / source;
  for (const auto& entry : fs::directory_iterator(dir / "xgboost")) {
    SCOPED_TRACE(entry.path().filename().string());
    std::string model = entry.path().stem().string();
    auto m = LoadXgb(entry.path());
    ASSERT_TRUE(m.ok()) << m.status();
    Csv input = ReadCsv(models_root / "jpmml-xgboost/csv" / (Dataset(model) + ".csv"));
    std::vector<double> rows = encode(model, input, *m);
    ASSERT_EQ(rows.size(), input.rows.size() * SignatureOf(*m).inputs.size());
    for (const auto& [file, iterations] : ExpectedFiles(dir / "csv", model, *m)) {
      SCOPED_TRACE(file.string());
      stats->ExpectColumns(StrCat(entry.path().filename().string(), " vs ", file.filename().string()),
                           PredictXgbRows(*m, rows, false, iterations), SignatureOf(*m).outputs.size(), ReadCsv(file));
      ++counts->files;
    }
    if (entry.path().extension() == ".ubj") {
      auto twin = LoadXgb(dir / "xgboost" / (model + ".json"));
      ASSERT_TRUE(twin.ok()) << twin.status();
      EXPECT_TRUE(testing_xgb::SameModel(*m, *twin));
    }
    ++counts->models;
  }
}

TEST(XgboostConformance, Jpmml341) {
  PLINTH_REQUIRE_TESTDATA(root);
  ErrorStats stats("jpmml-xgboost (XGBoost 3.4.1, .json and .ubj)");
  Counts counts;
  CheckJpmmlSource(fs::path(root) / "models", "jpmml-xgboost", [](const std::string&, const Csv& input, const ParsedModel& m) {
    return testing_xgb::EncodeByName(input, SignatureOf(m), testing_xgb::Codes::kEncoder);
  }, &stats, &counts);
  EXPECT_EQ(counts.models, 35);  // 29 .json + 6 .ubj
  EXPECT_EQ(counts.files, 42);
}

TEST(XgboostConformance, Jpmml210) {
  PLINTH_REQUIRE_TESTDATA(root);
  ErrorStats stats("jpmml-xgboost-2.1.0 (XGBoost 2.1.0)");
  Counts counts;
  CheckJpmmlSource(fs::path(root) / "models", "jpmml-xgboost-2.1.0", [](const std::string&, const Csv& input, const ParsedModel& m) {
    return testing_xgb::EncodeByName(input, SignatureOf(m), testing_xgb::Codes::kSortedValues);
  }, &stats, &counts);
  EXPECT_EQ(counts.models, 7);
  EXPECT_EQ(counts.files, 9);
}

TEST(XgboostConformance, Jpmml172) {
  PLINTH_REQUIRE_TESTDATA(root);
  ErrorStats stats("jpmml-xgboost-1.7.2 (XGBoost 1.7.2, R)");
  Counts counts;
  const fs::path fmaps = fs::path(root) / "models/jpmml-xgboost-1.7.2/csv";
  CheckJpmmlSource(fs::path(root) / "models", "jpmml-xgboost-1.7.2", [&](const std::string& model, const Csv& input, const ParsedModel&) {
    bool sparse = model == "LinearRegressionAuto" || model == "LogisticRegressionAuditNA";
    return testing_xgb::EncodeByFmap(input, fmaps / (Dataset(model) + ".fmap"), sparse);
  }, &stats, &counts);
  EXPECT_EQ(counts.models, 4);
  EXPECT_EQ(counts.files, 5);
}

}  // namespace
}  // namespace plinth::runtime
