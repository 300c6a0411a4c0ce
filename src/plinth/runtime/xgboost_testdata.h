// Test-only helpers for the XGBoost conformance test: reading the shared testdata's CSV inputs
// and expected predictions, encoding rows the way each producer did, and comparing predictions
// with float32 tolerance while tracking the largest error per source. Header-only; included by
// tests alone (GoogleTest assertions).
// Thread-safety: not thread-safe (ErrorStats is one test's accumulator).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "plinth/base/strings.h"
#include "plinth/runtime/parsed_model.h"

namespace plinth::runtime::testing_xgb {

inline std::string ReadText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << file;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int Column(std::string_view name) const {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  }
};

// Comma-separated, fields optionally in double quotes (no embedded quotes in this data).
inline std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back().push_back(c);
    }
  }
  return out;
}

inline Csv ReadCsv(const std::filesystem::path& file) {
  Csv csv;
  std::istringstream in(ReadText(file));
  std::string line;
  if (std::getline(in, line)) csv.header = SplitCsvLine(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    csv.rows.push_back(SplitCsvLine(line));
    EXPECT_EQ(csv.rows.back().size(), csv.header.size()) << file << " row " << csv.rows.size();
  }
  return csv;
}

inline double NumberCell(const std::string& s) {
  if (s == "NA" || s == "N/A" || s.empty()) return NAN;
  if (s == "TRUE") return 1;  // indicator features (Deductions)
  if (s == "FALSE") return 0;
  auto d = ParseDouble(s);
  EXPECT_TRUE(d.has_value()) << "not a number: " << s;
  return d.value_or(NAN);
}

// How a producer turned a categorical column into codes.
enum class Codes {
  kEncoder,       // XGBoost 3.x: index in the model's own category list (FeatureSpec::categories)
  kSortedValues,  // pandas: index in the column's sorted distinct values (numeric sort for numbers)
};

inline std::vector<std::string> SortedDistinct(const Csv& csv, int col) {
  std::vector<std::string> values;
  bool numeric = true;
  for (const auto& row : csv.rows) {
    if (row[col] == "NA") continue;
    values.push_back(row[col]);
    numeric = numeric && ParseDouble(row[col]).has_value();
  }
  std::sort(values.begin(), values.end(), [numeric](const std::string& a, const std::string& b) {
    return numeric ? *ParseDouble(a) < *ParseDouble(b) : a < b;
  });
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// Rows of the model's inputs, read from CSV columns of the same names.
inline std::vector<double> EncodeByName(const Csv& csv, const Signature& sig, Codes codes) {
  std::vector<int> cols;
  std::vector<std::vector<std::string>> categories;
  for (const FeatureSpec& f : sig.inputs) {
    cols.push_back(csv.Column(f.name));
    EXPECT_GE(cols.back(), 0) << "input has no column " << f.name;
    if (cols.back() < 0) return {};
    bool categorical = f.kind == FeatureKind::kCategorical;
    categories.push_back(!categorical ? std::vector<std::string>()
                         : codes == Codes::kEncoder ? f.categories : SortedDistinct(csv, cols.back()));
    EXPECT_TRUE(!categorical || !categories.back().empty()) << "no categories for " << f.name;
  }
  std::vector<double> rows;
  for (const auto& row : csv.rows) {
    for (size_t f = 0; f < cols.size(); ++f) {
      const std::string& cell = row[cols[f]];
      if (categories[f].empty()) {
        rows.push_back(NumberCell(cell));
      } else {
        auto it = std::find(categories[f].begin(), categories[f].end(), cell);
        rows.push_back(it == categories[f].end() ? NAN : static_cast<double>(it - categories[f].begin()));
      }
    }
  }
  return rows;
}

// Rows per an XGBoost feature map ("<index>\t<name or column=level>\t<type>"), as R's
// model.matrix built them: a level indicator is 1/0, NA when its column is NA. With `sparse`
// every 0 is missing (R passed a dgCMatrix).
inline std::vector<double> EncodeByFmap(const Csv& csv, const std::filesystem::path& fmap, bool sparse) {
  std::vector<std::pair<int, std::string>> features;  // column, level ("" = the value itself)
  std::istringstream in(ReadText(fmap));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string_view> parts = StrSplit(line, '\t');
    if (parts.size() < 2) continue;
    std::string name(parts[1]);
    size_t eq = name.find('=');
    std::string column = eq == std::string::npos ? name : name.substr(0, eq);
    features.emplace_back(csv.Column(column), eq == std::string::npos ? "" : name.substr(eq + 1));
    EXPECT_GE(features.back().first, 0) << "input has no column " << column;
    if (features.back().first < 0) return {};
  }
  std::vector<double> rows;
  for (const auto& row : csv.rows) {
    for (const auto& [col, level] : features) {
      const std::string& cell = row[col];
      double v = level.empty() ? NumberCell(cell) : cell == "NA" ? NAN : cell == level ? 1.0 : 0.0;
      rows.push_back(sparse && v == 0 ? NAN : v);
    }
  }
  return rows;
}

// Largest errors seen by one test, printed when it ends.
class ErrorStats {
 public:
  explicit ErrorStats(std::string source) : source_(std::move(source)) {}
  ~ErrorStats() {
    std::cout << "[ max error ] " << source_ << ": " << values_ << " values; max |got - want| " << max_abs_
              << "; max relative error " << max_rel_ << " (over |want| >= 1e-3)\n";
  }

  // got[i] ~ want[i]: |d| <= 1e-6 or |d| <= 2e-6 |want| (float32 predictions).
  void Expect(const std::string& what, const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) Value(what, i, got[i], want[i]);
  }

  // `got` holds rows of `width` predictions; the expected CSV names them in one of the jpmml
  // styles: _target, _target1.., probability(k), probability(_targetN, 1).
  void ExpectColumns(const std::string& what, const std::vector<double>& got, size_t width, const Csv& csv) {
    std::vector<std::pair<int, size_t>> pairs;  // csv column -> output index
    size_t probabilities = 0;
    for (const std::string& h : csv.header) probabilities += h.starts_with("probability(") ? 1 : 0;
    for (size_t c = 0; c < csv.header.size(); ++c) {
      const std::string& h = csv.header[c];
      if (h.starts_with("probability(_target") && h.ends_with(", 1)")) {
        pairs.emplace_back(c, std::stoul(h.substr(19)) - 1);
      } else if (h.starts_with("probability(") && probabilities == width) {
        pairs.emplace_back(c, std::stoul(h.substr(12)));
      } else if (h == "probability(1)" && width == 1) {
        pairs.emplace_back(c, 0);
      } else if (h.starts_with("_target") && probabilities == 0) {
        pairs.emplace_back(c, h == "_target" ? 0 : std::stoul(h.substr(7)) - 1);
      }
    }
    ASSERT_FALSE(pairs.empty()) << what << ": no expected column matches " << width << " outputs";
    ASSERT_EQ(got.size(), csv.rows.size() * width) << what;
    for (size_t r = 0; r < csv.rows.size(); ++r) {
      for (const auto& [c, k] : pairs) {
        ASSERT_LT(k, width) << what << " column " << csv.header[c];
        Value(StrCat(what, " row ", r, " ", csv.header[c]), 0, got[r * width + k], NumberCell(csv.rows[r][c]));
      }
    }
  }

 private:
  void Value(const std::string& what, size_t i, double got, double want) {
    double abs = std::fabs(got - want);
    double rel = abs / std::max(std::fabs(want), 1e-300);
    ++values_;
    bool ok = abs <= 1e-6 || rel <= 2e-6;
    if (ok) {
      max_abs_ = std::max(max_abs_, abs);
      if (std::fabs(want) >= 1e-3) max_rel_ = std::max(max_rel_, rel);
    } else if (++failures_ <= 20) {
      ADD_FAILURE() << what << " [" << i << "]: got " << got << ", expected " << want;
    }
  }

  std::string source_;
  size_t values_ = 0, failures_ = 0;
  double max_abs_ = 0, max_rel_ = 0;
};

// The same model, whatever file it came from.
inline bool SameModel(const ParsedModel& a, const ParsedModel& b) {
  const auto* x = std::get_if<TreeEnsemble>(&a);
  const auto* y = std::get_if<TreeEnsemble>(&b);
  if (x == nullptr || y == nullptr) return false;
  if (x->base_score != y->base_score || x->trees.size() != y->trees.size() ||
      x->signature.ToJson() != y->signature.ToJson() || x->transform != y->transform) {
    return false;
  }
  for (size_t t = 0; t < x->trees.size(); ++t) {
    const Tree& p = x->trees[t];
    const Tree& q = y->trees[t];
    if (p.output != q.output || p.weight != q.weight || p.nodes.size() != q.nodes.size()) return false;
    for (size_t i = 0; i < p.nodes.size(); ++i) {
      const TreeNode& m = p.nodes[i];
      const TreeNode& n = q.nodes[i];
      if (m.is_leaf != n.is_leaf || m.leaf_value != n.leaf_value || m.feature != n.feature || m.left != n.left ||
          m.right != n.right || m.threshold != n.threshold || m.default_left != n.default_left ||
          m.categorical != n.categorical || m.categories != n.categories) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace plinth::runtime::testing_xgb
