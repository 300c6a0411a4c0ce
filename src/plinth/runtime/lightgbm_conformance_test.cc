// Conformance of the LightGBM loader (through the reference evaluator) with the predictions
// real LightGBM made for the models under ../shared/testdata/models (see its MANIFEST.md).
// Each source reports its largest relative error on stdout ("[ max error ]").
#include <zlib.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "plinth/base/json.h"
#include "plinth/base/sha256.h"
#include "plinth/runtime/compiled_model.h"
#include "plinth/runtime/lightgbm_model.h"
#include "plinth/runtime/model_loader.h"
#include "plinth/runtime/reference_eval.h"
#include "plinth/testing/test_util.h"
#include "plinth/testing/testdata.h"

namespace plinth::runtime {
namespace {

using ::plinth::testing::kNaN;
constexpr double kExact = 1e-12;  // relative; LightGBM triples are expected to match bit for bit

// Every prediction is made by the reference evaluator and by the compiled engine (what serving
// runs), which must agree bit for bit; these count the values compared and those that differ.
size_t compiled_values = 0, compiled_mismatches = 0;

// Agreement of one source with its expected values (and of the two engines on its predictions).
class Tally {
 public:
  explicit Tally(std::string source)
      : source_(std::move(source)),
        compiled_before_(compiled_values),
        mismatches_before_(compiled_mismatches) {}
  ~Tally() {
    std::cout << "[ max error ] " << source_ << ": " << values_ << " values, " << exact_
              << " exact, max relative error " << max_rel_
              << "; compiled engine: " << compiled_values - compiled_before_ << " values, "
              << compiled_mismatches - mismatches_before_ << " differ from the reference\n";
  }

  void Check(double got, double want, std::string_view where, double tolerance = kExact) {
    ++values_;
    if (got == want || (std::isnan(got) && std::isnan(want))) {
      ++exact_;
      return;
    }
    double rel =
        std::abs(got - want) / std::max(std::abs(want), std::numeric_limits<double>::min());
    max_rel_ = std::max(max_rel_, rel);
    if (!(rel <= tolerance) && ++failures_ <= 10) {
      ADD_FAILURE() << source_ << " " << where << ": got " << got << ", want " << want
                    << " (relative error " << rel << ")";
    }
  }

 private:
  std::string source_;
  size_t compiled_before_, mismatches_before_;
  size_t values_ = 0, exact_ = 0, failures_ = 0;
  double max_rel_ = 0;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << "cannot read " << path;
  if (f == nullptr) return {};
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, n);
  gzclose(f);
  return out;
}

double Number(std::string_view s) {
  s = StripWhitespace(s);
  if (s == "N/A" || s == "NA" || s.empty()) return kNaN;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_TRUE(ec == std::errc() && end == s.data() + s.size()) << "not a number: '" << s << "'";
  return v;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view line : StrSplit(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Rows of whitespace-separated numbers.
std::vector<std::vector<double>> ReadMatrix(const std::string& path) {
  std::vector<std::vector<double>> rows;
  std::string text = ReadFile(path);
  for (std::string_view line : Lines(text)) {
    auto& row = rows.emplace_back();
    const std::string spaced = ReplaceAll(line, "\t", " ");
    for (std::string_view cell : StrSplit(spaced, ' ', /*skip_empty=*/true)) {
      row.push_back(Number(cell));
    }
  }
  return rows;
}

// libsvm rows ("label idx:value ..."), 0-based indices; absent entries take `absent`.
std::vector<double> ReadLibsvm(const std::string& path, int32_t num_features, double absent,
                               size_t* num_rows) {
  std::vector<double> rows;
  std::string text = ReadFile(path);
  *num_rows = 0;
  for (std::string_view line : Lines(text)) {
    size_t base = rows.size();
    rows.resize(base + num_features, absent);
    auto cells = StrSplit(line, ' ', /*skip_empty=*/true);
    for (size_t i = 1; i < cells.size(); ++i) {
      size_t colon = cells[i].find(':');
      auto index = ParseInt64(cells[i].substr(0, colon));
      EXPECT_TRUE(index && *index >= 0 && *index < num_features) << cells[i];
      if (index && *index >= 0 && *index < num_features)
        rows[base + *index] = Number(cells[i].substr(colon + 1));
    }
    ++*num_rows;
  }
  return rows;
}

struct LgbCsv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int Column(std::string_view name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

LgbCsv ReadCsv(const std::string& path) {
  LgbCsv csv;
  std::string text = ReadFile(path);
  auto lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> cells;
    for (std::string_view c : StrSplit(lines[i], ',')) cells.emplace_back(c);
    if (i == 0) {
      csv.header = std::move(cells);
    } else {
      csv.rows.push_back(std::move(cells));
    }
  }
  return csv;
}

// Feature value of one CSV cell: missing -> NaN, a category name -> its code (unseen -> NaN).
double EncodeCell(const FeatureSpec& spec, std::string_view cell) {
  if (cell == "N/A" || cell.empty()) return kNaN;
  if (spec.categories.empty()) return Number(cell);
  if (cell == "FALSE" || cell == "TRUE")
    return CategoryCode(spec, cell == "TRUE" ? "true" : "false");
  return CategoryCode(spec, cell);
}

// Rows in the model's feature order, read from the CSV by feature name. A feature named
// Column_Value that is no column is the 0/1 dummy of Column == Value (missing -> 0).
std::vector<double> EncodeCsv(const Signature& sig, const LgbCsv& csv) {
  std::vector<double> rows;
  for (const auto& cells : csv.rows) {
    for (const FeatureSpec& spec : sig.inputs) {
      int col = csv.Column(spec.name);
      if (col >= 0) {
        rows.push_back(EncodeCell(spec, cells[col]));
        continue;
      }
      size_t sep = spec.name.find('_');
      col = sep == std::string::npos ? -1 : csv.Column(spec.name.substr(0, sep));
      EXPECT_GE(col, 0) << "no column for feature " << spec.name;
      rows.push_back(col >= 0 && cells[col] == spec.name.substr(sep + 1) ? 1.0 : 0.0);
    }
  }
  return rows;
}

TreeEnsemble LoadText(std::string_view text, std::string_view name) {
  auto e = ParseLightgbmText(text);
  EXPECT_TRUE(e.ok()) << name << ": " << e.status();
  return e.ok() ? *std::move(e) : TreeEnsemble{};
}

TreeEnsemble LoadLgb(const std::string& path) { return LoadText(ReadFile(path), path); }

void ExpectCompiledAgrees(const TreeEnsemble& e, const std::vector<double>& rows,
                          const PredictOptions& options, const std::vector<double>& reference) {
  auto bytes = CompileModel(ParsedModel(e));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto model = CompiledModel::Create(ModelBytes::Own(*std::move(bytes)));
  ASSERT_TRUE(model.ok()) << model.status();
  const size_t n = rows.size() / e.num_features;
  std::vector<double> got(n * (*model)->OutputWidth(options));
  ASSERT_EQ(got.size(), reference.size());
  ASSERT_TRUE((*model)->Predict(rows.data(), n, got.data(), options).ok());
  for (size_t i = 0; i < got.size(); ++i) {
    ++compiled_values;
    if (got[i] != reference[i] && ++compiled_mismatches <= 10) {
      ADD_FAILURE() << "compiled engine: value " << i << " is " << got[i] << ", reference "
                    << reference[i];
    }
  }
}

std::vector<double> PredictRows(const TreeEnsemble& e, const std::vector<double>& rows,
                                PredictOptions options = {}) {
  if (e.trees.empty() || e.num_features == 0) return {};
  std::vector<double> out = ReferencePredict(e, rows.data(), rows.size() / e.num_features, options);
  ExpectCompiledAgrees(e, rows, options, out);
  return out;
}

void ExpectRefusedAsLinear(const std::string& path) {
  auto e = ParseLightgbmText(ReadFile(path));
  EXPECT_TRUE(testing::StatusIs(e, absl::StatusCode::kInvalidArgument,
                                "LightGBM linear trees (is_linear=1) are not supported"))
      << path;
}

struct JpmmlCase {
  std::string model, input, expected;
  int32_t iterations = 0;
};

TEST(LightgbmConformanceTest, JpmmlLightgbm) {
  PLINTH_REQUIRE_TESTDATA(root);
  const std::string dir = root + "/models/jpmml-lightgbm/";
  const std::vector<JpmmlCase> cases = {
      {"ClassificationAudit", "Audit", "ClassificationAudit"},
      {"ClassificationAudit", "Audit", "ClassificationAudit@17", 17},
      {"ClassificationAudit", "AuditInvalid", "ClassificationAuditInvalid"},
      {"ClassificationAuditBin", "Audit", "ClassificationAuditBin"},
      {"ClassificationAuditBinNA", "AuditNA", "ClassificationAuditBinNA"},
      {"ClassificationIris", "Iris", "ClassificationIris"},
      {"ClassificationIris", "Iris", "ClassificationIris@7", 7},
      {"ClassificationVersicolor", "Versicolor", "ClassificationVersicolor"},
      {"ClassificationVersicolor", "Versicolor", "ClassificationVersicolor@9", 9},
      {"RFClassificationAudit", "Audit", "RFClassificationAudit"},
      {"RFClassificationIris", "Iris", "RFClassificationIris"},
      {"RFRegressionAuto", "Auto", "RFRegressionAuto"},
      {"RegressionAuto", "Auto", "RegressionAuto"},
      {"RegressionAuto", "Auto", "RegressionAuto@17", 17},
      {"RegressionAutoNA", "AutoNA", "RegressionAutoNA"},
      {"RegressionAutoNA", "AutoNA", "RegressionAutoNA@17", 17},
      {"RegressionHousing", "Housing", "RegressionHousing"},
      {"RegressionHousing", "Housing", "RegressionHousing@31", 31},
      {"RegressionVisit", "Visit", "RegressionVisit"},
      {"RegressionVisit", "Visit", "RegressionVisit@31", 31},
      {"RegressionVisitNA", "VisitNA", "RegressionVisitNA"},
      {"RegressionVisitNA", "VisitNA", "RegressionVisitNA@31", 31},
  };
  Tally tally("jpmml-lightgbm");
  for (const JpmmlCase& c : cases) {
    SCOPED_TRACE(c.expected);
    TreeEnsemble e = LoadLgb(dir + "lgbm/" + c.model + ".txt");
    LgbCsv input = ReadCsv(dir + "csv/" + c.input + ".csv");
    LgbCsv expected = ReadCsv(dir + "csv/" + c.expected + ".csv");
    ASSERT_EQ(input.rows.size(), expected.rows.size());
    std::vector<double> got =
        PredictRows(e, EncodeCsv(e.signature, input), {.iteration_limit = c.iterations});
    const size_t width = e.num_outputs;
    ASSERT_EQ(got.size(), input.rows.size() * width);
    for (size_t r = 0; r < expected.rows.size(); ++r) {
      const auto& want = expected.rows[r];
      const std::string where = StrCat(c.expected, " row ", r);
      if (expected.Column("probability(1)") < 0) {
        tally.Check(got[r], Number(want[expected.Column("_target")]), where);
      } else if (width == 1) {
        tally.Check(got[r], Number(want[expected.Column("probability(1)")]), where);
        tally.Check(1 - got[r], Number(want[expected.Column("probability(0)")]), where);
      } else {
        for (size_t k = 0; k < width; ++k) {
          tally.Check(got[r * width + k],
                      Number(want[expected.Column(StrCat("probability(", k, ")"))]), where);
        }
      }
    }
  }
  for (const char* linear : {"LinearTreeClassificationAudit", "LinearTreeClassificationAuditNA",
                             "LinearTreeRegressionAuto", "LinearTreeRegressionAutoNA"}) {
    ExpectRefusedAsLinear(dir + "lgbm/" + linear + ".txt");
  }
}

TEST(LightgbmConformanceTest, JpmmlPandasCategoriesAreNamed) {
  PLINTH_REQUIRE_TESTDATA(root);
  TreeEnsemble audit = LoadLgb(root + "/models/jpmml-lightgbm/lgbm/ClassificationAudit.txt");
  const auto& in = audit.signature.inputs;
  ASSERT_EQ(in.size(), 9u);
  EXPECT_EQ(in[1].name, "Employment");
  EXPECT_EQ(in[1].categories.front(), "Consultant");
  EXPECT_EQ(in[7].categories, (std::vector<std::string>{"false", "true"}));
  EXPECT_EQ(in[0].kind, FeatureKind::kNumeric);
  TreeEnsemble auto_na = LoadLgb(root + "/models/jpmml-lightgbm/lgbm/RegressionAutoNA.txt");
  EXPECT_EQ(auto_na.signature.inputs[5].categories.front(), "70");  // written 70.0
}

TEST(LightgbmConformanceTest, Leaves) {
  PLINTH_REQUIRE_TESTDATA(root);
  const std::string dir = root + "/models/leaves/lightgbm/";
  const std::string data = root + "/models/leaves/data/";
  Tally tally("leaves");
  auto flat = [](const std::vector<std::vector<double>>& m, size_t skip_columns = 0) {
    std::vector<double> out;
    for (const auto& row : m) out.insert(out.end(), row.begin() + skip_columns, row.end());
    return out;
  };
  auto compare = [&](const std::string& name, const std::vector<double>& got,
                     const std::string& expected_path) {
    std::vector<double> want = flat(ReadMatrix(expected_path));
    ASSERT_EQ(got.size(), want.size()) << name;
    for (size_t i = 0; i < want.size(); ++i)
      tally.Check(got[i], want[i], StrCat(name, " value ", i));
  };

  {  // pred_leaf: LightGBM's leaf numbers per tree.
    TreeEnsemble e = LoadLgb(dir + "lg_breast_cancer.txt");
    auto rows = ReadMatrix(dir + "lg_breast_cancer_data.txt");
    auto leaves = ReadMatrix(dir + "lg_breast_cancer_data_pred_leaves.txt");
    ASSERT_EQ(rows.size(), leaves.size());
    for (size_t r = 0; r < rows.size(); ++r) {
      ASSERT_EQ(leaves[r].size(), e.trees.size());
      for (size_t t = 0; t < e.trees.size(); ++t) {
        int32_t node = ReferenceLeaf(e.trees[t], rows[r].data(), e.precision);
        tally.Check(LightgbmLeafIndex(e.trees[t], node), leaves[r][t],
                    StrCat("breast_cancer leaf r", r, " t", t));
      }
    }
  }
  {
    TreeEnsemble e = LoadLgb(dir + "lg_dart_breast_cancer.model");
    compare("dart", PredictRows(e, flat(ReadMatrix(data + "breast_cancer_test.tsv"))),
            dir + "lg_dart_breast_cancer_true_predictions.txt");
  }
  {
    TreeEnsemble e = LoadLgb(dir + "lg_kddcup99.model");
    compare("kddcup99",
            PredictRows(e, flat(ReadMatrix(data + "kddcup99_test.tsv")), {.output_margin = true}),
            dir + "lg_kddcup99_true_predictions.txt");
  }
  {
    TreeEnsemble e = LoadLgb(dir + "lgmulticlass.model");
    std::vector<double> rows = flat(ReadMatrix(data + "multiclass_test.tsv"), /*skip_columns=*/1);
    compare("multiclass", PredictRows(e, rows), dir + "lgmulticlass_true_predictions.txt");
    compare("multiclass raw", PredictRows(e, rows, {.output_margin = true}),
            dir + "lgmulticlass_true_raw_predictions.txt");
  }
  for (const char* name : {"genlin_fmtp_poisson_Frequency", "genlin_fmtp_gamma_AvgClaimAmount",
                           "genlin_fmtp_tweedie_PurePremium"}) {
    TreeEnsemble e = LoadLgb(dir + name + ".model");
    compare(name, PredictRows(e, flat(ReadMatrix(dir + name + "_features.tsv"))),
            dir + name + "_true_predictions.txt");
  }
  {
    // Made by LightGBM 2.x, whose RF leaves were already probabilities: its "true predictions"
    // are the plain averages (no sigmoid), i.e. our margins. Current LightGBM applies the
    // sigmoid on top, which is what the default output does.
    TreeEnsemble e = LoadLgb(dir + "lg_rf_iris.model");
    EXPECT_TRUE(e.average_output);
    size_t n = 0;
    std::vector<double> rows = ReadLibsvm(data + "iris_test.libsvm", e.num_features, 0.0, &n);
    compare("rf_iris (legacy, margins)", PredictRows(e, rows, {.output_margin = true}),
            dir + "lg_rf_iris_true_predictions.txt");
  }
  {
    // Values in the source test carry 8 digits, so they are compared at 1e-7 (its tolerance).
    Tally rounded("leaves model_simple (8-digit values)");
    TreeEnsemble e = LoadLgb(dir + "model_simple.txt");
    auto json = ParseJson(ReadFile(dir + "model_simple_expected.json"));
    ASSERT_TRUE(json.ok());
    std::vector<double> rows;
    for (const Json& row : (*json)["inputs"]) {
      for (const Json& v : row)
        rows.push_back(v.is_string() ? Number(v.get<std::string>()) : v.get<double>());
    }
    std::vector<double> all = PredictRows(e, rows, {.output_margin = true});
    std::vector<double> first = PredictRows(e, rows, {.output_margin = true, .iteration_limit = 1});
    for (size_t r = 0; r < all.size(); ++r) {
      rounded.Check(all[r], (*json)["expected_raw_all_trees"][r].get<double>(), StrCat("row ", r),
                    1e-7);
      rounded.Check(first[r], (*json)["expected_raw_first_tree_only"][r].get<double>(),
                    StrCat("row ", r), 1e-7);
    }
  }
}

TEST(LightgbmConformanceTest, Boosters) {
  PLINTH_REQUIRE_TESTDATA(root);
  const std::string dir = root + "/models/boosters/lightgbm/inference/";
  Tally tally("boosters");
  for (const char* name :
       {"small_tree", "regression", "regression_missing", "binary_classification", "multiclass"}) {
    SCOPED_TRACE(name);
    TreeEnsemble e = LoadLgb(dir + name + "/model.txt");
    auto input = ParseJson(ReadFile(dir + name + "/input.json"));
    auto expected = ParseJson(ReadFile(dir + name + "/expected.json"));
    ASSERT_TRUE(input.ok() && expected.ok());
    std::vector<double> rows;
    for (const Json& row : (*input)["data"]) {
      for (const Json& v : row) rows.push_back(v.is_null() ? kNaN : v.get<double>());
    }
    for (const char* key : {"raw", "proba"}) {
      if (!expected->contains(key)) continue;
      std::vector<double> want;
      for (const Json& v : (*expected)[key]) {
        if (v.is_array()) {
          for (const Json& x : v) want.push_back(x.get<double>());
        } else {
          want.push_back(v.get<double>());
        }
      }
      std::vector<double> got =
          PredictRows(e, rows, {.output_margin = std::string_view(key) == "raw"});
      ASSERT_EQ(got.size(), want.size()) << key;
      for (size_t i = 0; i < want.size(); ++i)
        tally.Check(got[i], want[i], StrCat(name, " ", key, " ", i));
    }
  }
  ExpectRefusedAsLinear(dir + "linear_tree/model.txt");
}

TEST(LightgbmConformanceTest, Lleaves) {
  PLINTH_REQUIRE_TESTDATA(root);
  const std::string dir = root + "/models/lleaves/models/";
  Tally tally("lleaves pure_categorical");
  TreeEnsemble e = LoadLgb(dir + "pure_categorical/model.txt");
  auto expected = ParseJson(ReadFile(dir + "pure_categorical/expected_from_test.json"));
  ASSERT_TRUE(expected.ok());
  for (const Json& c : (*expected)["cases"]) {
    std::vector<double> row;
    for (const Json& v : c["input"])
      row.push_back(v.is_string() ? Number(v.get<std::string>()) : v.get<double>());
    tally.Check(PredictRows(e, row)[0], c["expected"].get<double>(), c["input"].dump());
  }
  // No stored predictions for the others: they must parse and validate.
  for (const char* name :
       {"airline/model.txt", "mtpl2/model_small.txt", "NYC_taxi/model.txt",
        "boston_housing/model.txt", "multiclass/model.txt", "mixed_categorical/model.txt",
        "single_tree/model.txt", "tiniest_single_tree/model.txt", "leaf_scan/model.txt"}) {
    TreeEnsemble m = LoadLgb(dir + name);
    EXPECT_FALSE(m.trees.empty()) << name;
  }
  TreeEnsemble mtpl2 = LoadLgb(dir + "mtpl2/model_small.txt");
  EXPECT_EQ(mtpl2.signature.inputs[13].name, "Region");
  EXPECT_EQ(mtpl2.signature.inputs[13].categories.front(), "R11");
  EXPECT_EQ(mtpl2.signature.inputs[14].categories, (std::vector<std::string>{"Diesel", "Regular"}));
}

TEST(LightgbmConformanceTest, Treelite) {
  PLINTH_REQUIRE_TESTDATA(root);
  const std::string dir = root + "/models/treelite/";
  Tally tally("treelite");
  {
    TreeEnsemble e = LoadLgb(dir + "toy_categorical/toy_categorical_model.txt");
    size_t n = 0;
    std::vector<double> rows =
        ReadLibsvm(dir + "toy_categorical/toy_categorical.test", e.num_features, 0.0, &n);
    std::vector<double> got = PredictRows(e, rows, {.output_margin = true});
    auto want = ReadMatrix(dir + "toy_categorical/toy_categorical.test.pred");
    ASSERT_EQ(got.size(), want.size());
    for (size_t r = 0; r < n; ++r)
      tally.Check(got[r], want[r][0], StrCat("toy_categorical row ", r));
  }
  {
    // 3.66 MB, one tree with high-cardinality bitsets. Absent libsvm entries are missing (NaN):
    // the expected margins were made with treelite's sparse semantics (MANIFEST caveat).
    std::string text = ReadGzip(dir + "sparse_categorical/sparse_categorical_model.txt.gz");
    std::string sha = std::string(
        StripWhitespace(ReadFile(dir + "sparse_categorical/sparse_categorical_model.txt.sha256")));
    EXPECT_EQ(Sha256Hex(text), sha.substr(0, 64));
    auto start = std::chrono::steady_clock::now();
    TreeEnsemble e = LoadText(text, "sparse_categorical");
    auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ timing    ] sparse_categorical (" << text.size() << " bytes) parsed in " << ms
              << " ms\n";
    size_t n = 0;
    std::vector<double> rows =
        ReadLibsvm(dir + "sparse_categorical/sparse_categorical.test", e.num_features, kNaN, &n);
    std::vector<double> got = PredictRows(e, rows, {.output_margin = true});
    auto want = ReadMatrix(dir + "sparse_categorical/sparse_categorical.test.margin");
    ASSERT_EQ(got.size(), want.size());
    for (size_t r = 0; r < n; ++r)
      tally.Check(got[r], want[r][0], StrCat("sparse_categorical row ", r));
  }
}

TEST(LightgbmConformanceTest, AnkaneLightgbmRuby) {
  PLINTH_REQUIRE_TESTDATA(root);
  const std::string dir = root + "/models/ankane-lightgbm-ruby/";
  Tally tally("ankane-lightgbm-ruby");
  auto expected = ParseJson(ReadFile(dir + "expected_from_tests.json"));
  ASSERT_TRUE(expected.ok());
  {
    const Json& c = (*expected)["model.txt"];
    TreeEnsemble e = LoadLgb(dir + "model.txt");
    std::vector<double> rows;
    for (const Json& row : c["inputs"]) {
      for (const Json& v : row) rows.push_back(v.get<double>());
    }
    std::vector<double> predict = PredictRows(e, rows);
    std::vector<double> raw = PredictRows(e, rows, {.output_margin = true});
    for (size_t r = 0; r < 2; ++r) {
      tally.Check(predict[r], c["expected_predict"][r].get<double>(), StrCat("predict ", r));
      tally.Check(raw[r], c["expected_raw_score"][r].get<double>(), StrCat("raw ", r));
      const double* row = rows.data() + r * e.num_features;
      for (size_t t = 0; t < e.trees.size(); ++t) {
        int32_t leaf = LightgbmLeafIndex(e.trees[t], ReferenceLeaf(e.trees[t], row, e.precision));
        tally.Check(leaf, c["expected_pred_leaf"][r][t].get<double>(),
                    StrCat("pred_leaf ", r, " tree ", t));
      }
    }
  }
  {
    TreeEnsemble e = LoadLgb(dir + "categorical.txt");
    const FeatureSpec& x3 = e.signature.inputs[3];
    EXPECT_EQ(x3.kind, FeatureKind::kCategorical);
    ASSERT_EQ(x3.categories.size(), 10u);
    for (const Json& c : (*expected)["categorical.txt"]["cases"]) {
      std::vector<double> by_name, by_code;
      for (size_t f = 0; f < 4; ++f) {
        const Json& v = c["input"][f];
        by_name.push_back(v.is_null() ? kNaN
                          : v.is_string()
                              ? CategoryCode(e.signature.inputs[f], v.get<std::string>())
                              : v.get<double>());
        const Json& code = c["input_codes"][f];
        by_code.push_back(code.is_string() ? Number(code.get<std::string>()) : code.get<double>());
      }
      tally.Check(PredictRows(e, by_name)[0], c["expected"].get<double>(), c["input"].dump());
      tally.Check(PredictRows(e, by_code)[0], c["expected"].get<double>(), c["input_codes"].dump());
    }
  }
}

}  // namespace
}  // namespace plinth::runtime
