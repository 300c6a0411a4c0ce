// Plinth's linear/logistic model format ("linear-json"), documented in docs/MODELS.md:
//   {"format": "plinth-linear", "format_version": 1, "features": ["age", "income"],
//    "weights": [0.5, -1.25], "bias": 0.1, "link": "identity" | "logistic" | "exp" | "softmax",
//    "outputs": ["score"], "description": "..."}
// Several outputs: "weights" is one array per output, "bias" one value per output. "intercept"
// may stand for "bias", and an XGBoost-style "objective" (binary:logistic, reg:squarederror,
// count:poisson, multi:softprob, ...) for "link".
#include <cmath>
#include <set>

#include "plinth/runtime/parsed_model.h"

namespace plinth::runtime {
namespace {

absl::Status Bad(std::string_view what) { return absl::InvalidArgumentError(StrCat("linear-json model: ", what)); }

absl::StatusOr<double> Number(const Json& j, std::string_view where) {
  if (!j.is_number()) return Bad(StrCat(where, " must be a number"));
  double v = j.get<double>();
  if (!std::isfinite(v)) return Bad(StrCat(where, " must be finite"));
  return v;
}

}  // namespace

absl::StatusOr<LinearSpec> ParseLinearJson(std::string_view text) {
  auto parsed = ParseJsonObject(text);
  if (!parsed.ok()) return Bad(StrCat(parsed.status().message()));
  const Json& j = *parsed;
  auto format = j.find("format");
  if (format == j.end() || *format != "plinth-linear") return Bad("\"format\" must be \"plinth-linear\"");
  static const std::set<std::string> kKeys = {"format", "format_version", "features", "weights", "bias", "intercept",
                                              "link", "objective", "outputs", "description"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!kKeys.count(it.key())) return Bad(StrCat("unknown field '", it.key(), "'"));
  }
  if (auto v = j.find("format_version"); v != j.end() && *v != 1) return Bad("\"format_version\" must be 1");
  if (j.contains("bias") && j.contains("intercept")) return Bad("give \"bias\" or \"intercept\", not both");
  if (j.contains("link") && j.contains("objective")) return Bad("give \"link\" or \"objective\", not both");
  LinearSpec s;
  s.source_format = "linear-json";
  s.precision = Precision::kFloat64;

  auto features = j.find("features");
  if (features == j.end() || !features->is_array() || features->empty()) {
    return Bad("\"features\" must be a non-empty array of names");
  }
  std::set<std::string> seen;
  for (const Json& f : *features) {
    if (!f.is_string() || f.get<std::string>().empty()) return Bad("\"features\" entries must be non-empty strings");
    if (!seen.insert(f.get<std::string>()).second) return Bad(StrCat("feature '", f.get<std::string>(), "' appears twice"));
    s.signature.inputs.push_back({f.get<std::string>(), FeatureKind::kNumeric, {}});
  }
  s.num_features = static_cast<int32_t>(s.signature.inputs.size());

  auto weights = j.find("weights");
  if (weights == j.end() || !weights->is_array() || weights->empty()) return Bad("\"weights\" must be a non-empty array");
  std::vector<std::vector<double>> per_output;
  if ((*weights)[0].is_array()) {
    for (const Json& row : *weights) {
      if (!row.is_array()) return Bad("\"weights\" must be all numbers or all arrays");
      std::vector<double> w;
      for (const Json& x : row) {
        PLINTH_ASSIGN_OR_RETURN(double v, Number(x, "a weight"));
        w.push_back(v);
      }
      per_output.push_back(std::move(w));
    }
  } else {
    std::vector<double> w;
    for (const Json& x : *weights) {
      PLINTH_ASSIGN_OR_RETURN(double v, Number(x, "a weight"));
      w.push_back(v);
    }
    per_output.push_back(std::move(w));
  }
  s.num_outputs = static_cast<int32_t>(per_output.size());
  for (size_t k = 0; k < per_output.size(); ++k) {
    if (per_output[k].size() != static_cast<size_t>(s.num_features)) {
      return Bad(StrCat("output ", k, " has ", per_output[k].size(), " weights for ", s.num_features, " features"));
    }
  }
  s.weights.resize(static_cast<size_t>(s.num_features) * s.num_outputs);
  for (int32_t k = 0; k < s.num_outputs; ++k) {
    for (int32_t f = 0; f < s.num_features; ++f) s.weights[static_cast<size_t>(f) * s.num_outputs + k] = per_output[k][f];
  }

  auto bias = j.find("bias");
  if (bias == j.end()) bias = j.find("intercept");
  if (bias == j.end()) {
    s.bias.assign(s.num_outputs, 0.0);
  } else if (bias->is_array()) {
    for (const Json& b : *bias) {
      PLINTH_ASSIGN_OR_RETURN(double v, Number(b, "a bias"));
      s.bias.push_back(v);
    }
    if (s.bias.size() != static_cast<size_t>(s.num_outputs)) {
      return Bad(StrCat("\"bias\" has ", s.bias.size(), " values for ", s.num_outputs, " outputs"));
    }
  } else {
    PLINTH_ASSIGN_OR_RETURN(double v, Number(*bias, "\"bias\""));
    if (s.num_outputs != 1) return Bad("\"bias\" must be an array with one value per output");
    s.bias.push_back(v);
  }
  s.base_score.assign(s.num_outputs, 0.0);

  std::string link = "identity";
  if (auto it = j.find("link"); it != j.end()) {
    if (!it->is_string()) return Bad("\"link\" must be a string");
    link = it->get<std::string>();
  } else if (auto obj = j.find("objective"); obj != j.end()) {
    if (!obj->is_string()) return Bad("\"objective\" must be a string");
    const std::string o = obj->get<std::string>();
    if (o == "binary:logistic" || o == "reg:logistic" || o == "logistic") {
      link = "logistic";
    } else if (o == "reg:squarederror" || o == "regression" || o == "reg:linear" || o == "identity") {
      link = "identity";
    } else if (o == "count:poisson" || o == "reg:gamma" || o == "reg:tweedie" || o == "poisson") {
      link = "exp";
    } else if (o == "multi:softprob" || o == "multiclass" || o == "softmax") {
      link = "softmax";
    } else {
      return Bad(StrCat("unknown objective '", o, "' (use binary:logistic, reg:squarederror, count:poisson or multi:softprob)"));
    }
  }
  if (link == "identity") {
    s.transform = OutputTransform::kIdentity;
  } else if (link == "logistic") {
    s.transform = OutputTransform::kSigmoid;
  } else if (link == "exp") {
    s.transform = OutputTransform::kExp;
  } else if (link == "softmax") {
    if (s.num_outputs < 2) return Bad("\"softmax\" needs at least two outputs");
    s.transform = OutputTransform::kSoftmax;
  } else {
    return Bad(StrCat("unknown link '", link, "' (use identity, logistic, exp or softmax)"));
  }
  s.objective = link;

  if (auto it = j.find("outputs"); it != j.end()) {
    if (!it->is_array()) return Bad("\"outputs\" must be an array of names");
    for (const Json& o : *it) {
      if (!o.is_string()) return Bad("\"outputs\" entries must be strings");
      s.signature.outputs.push_back(o.get<std::string>());
    }
    if (s.signature.outputs.size() != static_cast<size_t>(s.num_outputs)) {
      return Bad(StrCat("\"outputs\" names ", s.signature.outputs.size(), " values for ", s.num_outputs, " outputs"));
    }
  } else if (s.num_outputs == 1) {
    s.signature.outputs = {"prediction"};
  } else {
    for (int32_t k = 0; k < s.num_outputs; ++k) s.signature.outputs.push_back(StrCat("output_", k));
  }
  PLINTH_RETURN_IF_ERROR(ValidateLinear(s));
  return s;
}

}  // namespace plinth::runtime
