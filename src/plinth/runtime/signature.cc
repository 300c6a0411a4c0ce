#include "plinth/runtime/signature.h"

#include <cmath>
#include <limits>

namespace plinth::runtime {

int Signature::FindInput(std::string_view name) const {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Json Signature::ToJson() const {
  Json in = Json::array();
  for (const FeatureSpec& f : inputs) {
    Json j = {{"name", f.name}, {"type", f.kind == FeatureKind::kCategorical ? "categorical" : "numeric"}};
    if (!f.categories.empty()) j["categories"] = f.categories;
    in.push_back(std::move(j));
  }
  return Json{{"inputs", std::move(in)}, {"outputs", outputs}};
}

absl::StatusOr<Signature> Signature::FromJson(const Json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("signature must be an object");
  Signature s;
  auto in = j.find("inputs");
  if (in == j.end() || !in->is_array()) return absl::InvalidArgumentError("signature.inputs must be an array");
  for (const Json& f : *in) {
    if (!f.is_object()) return absl::InvalidArgumentError("signature.inputs[] must be objects");
    auto name = f.find("name");
    if (name == f.end() || !name->is_string() || name->get<std::string>().empty()) {
      return absl::InvalidArgumentError("signature.inputs[].name must be a non-empty string");
    }
    FeatureSpec spec;
    spec.name = name->get<std::string>();
    auto type = f.find("type");
    if (type != f.end()) {
      if (!type->is_string()) return absl::InvalidArgumentError("signature.inputs[].type must be a string");
      const std::string t = type->get<std::string>();
      if (t == "categorical") {
        spec.kind = FeatureKind::kCategorical;
      } else if (t != "numeric") {
        return absl::InvalidArgumentError(StrCat("signature input '", spec.name, "' has type '", t,
                                                 "' (use numeric or categorical)"));
      }
    }
    auto cats = f.find("categories");
    if (cats != f.end()) {
      if (!cats->is_array()) return absl::InvalidArgumentError("signature.inputs[].categories must be an array");
      for (const Json& c : *cats) {
        if (!c.is_string()) return absl::InvalidArgumentError("signature.inputs[].categories[] must be strings");
        spec.categories.push_back(c.get<std::string>());
      }
    }
    s.inputs.push_back(std::move(spec));
  }
  auto out = j.find("outputs");
  if (out != j.end()) {
    if (!out->is_array()) return absl::InvalidArgumentError("signature.outputs must be an array");
    for (const Json& o : *out) {
      if (!o.is_string()) return absl::InvalidArgumentError("signature.outputs[] must be strings");
      s.outputs.push_back(o.get<std::string>());
    }
  }
  return s;
}

double CategoryCode(const FeatureSpec& spec, std::string_view name) {
  for (size_t i = 0; i < spec.categories.size(); ++i) {
    if (spec.categories[i] == name) return static_cast<double>(i);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace plinth::runtime
