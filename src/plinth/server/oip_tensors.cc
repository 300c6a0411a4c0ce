#include "plinth/server/oip_tensors.h"

#include <cmath>
#include <limits>
#include <vector>

#include "plinth/base/json_text.h"

namespace plinth::server {

using serving::FeatureMatrix;

std::optional<OipDatatype> ParseOipDatatype(std::string_view datatype) {
  if (datatype == "BOOL") return OipDatatype::kBool;
  if (datatype == "FP64" || datatype == "FP16") return OipDatatype::kFloat;
  if (datatype == "FP32") return OipDatatype::kFloat32;
  if (datatype == "BYTES") return OipDatatype::kBytes;
  for (const char* t : {"INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"}) {
    if (datatype == t) return OipDatatype::kInteger;
  }
  return std::nullopt;
}

std::optional<OipRange> OipRangeOf(std::string_view datatype) {
  struct Named {
    std::string_view name;
    OipRange range;
  };
  static const Named kRanges[] = {
      {"INT8", {-128, 127}},
      {"INT16", {-32768, 32767}},
      {"INT32", {-2147483648.0, 2147483647.0}},
      {"INT64", {-9223372036854775808.0, 9223372036854775807.0}},
      {"UINT8", {0, 255}},
      {"UINT16", {0, 65535}},
      {"UINT32", {0, 4294967295.0}},
      {"UINT64", {0, 18446744073709551615.0}},
      // Floats: what rounds to a finite value (below max + half an ulp; the tie rounds to infinity).
      {"FP16", {-std::nextafter(65520.0, 0.0), std::nextafter(65520.0, 0.0)}},
      {"FP32", {-std::nextafter(0x1.ffffffp127, 0.0), std::nextafter(0x1.ffffffp127, 0.0)}},
      {"FP64", {-std::numeric_limits<double>::max(), std::numeric_limits<double>::max()}},
  };
  for (const Named& n : kRanges) {
    if (n.name == datatype) return n.range;
  }
  return std::nullopt;
}

absl::StatusOr<int64_t> OipShapeCount(const Json& shape, const std::string& where, std::vector<int64_t>* dims) {
  if (!shape.is_array() || shape.empty()) {
    return absl::InvalidArgumentError(StrCat(where, ": 'shape' must be an array of dimensions, e.g. [rows]"));
  }
  int64_t count = 1;
  for (const Json& d : shape) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > kOipMaxTensorElements) {
      return absl::InvalidArgumentError(StrCat(where, ": 'shape' must hold non-negative integers"));
    }
    if (dims != nullptr) dims->push_back(d.get<int64_t>());
    count *= d.get<int64_t>();
    if (count > kOipMaxTensorElements) return absl::InvalidArgumentError(StrCat(where, ": 'shape' is too large"));
  }
  return count;
}

bool OipNesting::Matches(const std::vector<int64_t>& shape) const {
  if (arrays.size() <= 1) return true;  // flat
  if (min_leaf_depth != max_leaf_depth && min_leaf_depth != SIZE_MAX) return false;
  if (min_leaf_depth != SIZE_MAX && min_leaf_depth + 1 != shape.size()) return false;
  for (const auto& [depth, count] : arrays) {
    if (depth >= shape.size() || static_cast<int64_t>(count) != shape[depth]) return false;
  }
  return true;
}

namespace {

absl::StatusOr<OipDatatype> KindOf(const std::string& datatype, const std::string& where) {
  if (auto kind = ParseOipDatatype(datatype)) return *kind;
  return absl::InvalidArgumentError(StrCat(where, ": unsupported datatype '", datatype,
                                           "' (use FP64, FP32, FP16, INT*, UINT*, BOOL or BYTES)"));
}

// Appends the leaves of `data` (flattened or nested) to `out`, describing its nesting.
absl::Status Flatten(const Json& data, std::vector<const Json*>* out, OipNesting* nesting, const std::string& where,
                     size_t depth = 0) {
  if (depth > kOipMaxDataNesting) return absl::InvalidArgumentError(StrCat(where, ": 'data' is nested too deeply"));
  nesting->arrays.emplace_back(depth, data.size());
  for (const Json& v : data) {
    if (v.is_array()) {
      PLINTH_RETURN_IF_ERROR(Flatten(v, out, nesting, where, depth + 1));
    } else {
      nesting->Leaf(depth);
      out->push_back(&v);
    }
  }
  return absl::OkStatus();
}

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  OipDatatype kind = OipDatatype::kFloat;
  std::optional<OipRange> range;  // numeric datatypes
  std::string datatype;
  std::vector<const Json*> values;
  std::string where;  // "inputs[1] 'age'"
};

absl::StatusOr<Tensor> ParseTensor(const Json& in, size_t index) {
  Tensor t;
  t.where = StrCat("inputs[", index, "]");
  if (!in.is_object()) return absl::InvalidArgumentError(StrCat(t.where, " must be an object {name, shape, datatype, data}"));
  PLINTH_RETURN_IF_ERROR(JsonCheckKeys(in, {"name", "shape", "datatype", "parameters", "data"}, t.where));
  PLINTH_ASSIGN_OR_RETURN(auto name, JsonOptString(in, "name"));
  PLINTH_ASSIGN_OR_RETURN(auto datatype, JsonOptString(in, "datatype"));
  if (!name) return absl::InvalidArgumentError(StrCat(t.where, ": 'name' is required"));
  t.name = *name;
  t.where = StrCat(t.where, " '", t.name, "'");
  if (!datatype) return absl::InvalidArgumentError(StrCat(t.where, ": 'datatype' is required"));
  PLINTH_ASSIGN_OR_RETURN(t.kind, KindOf(*datatype, t.where));
  t.datatype = *datatype;
  t.range = OipRangeOf(*datatype);
  auto shape = in.find("shape");
  PLINTH_ASSIGN_OR_RETURN(const int64_t count, OipShapeCount(shape == in.end() ? Json() : *shape, t.where, &t.shape));
  auto data = in.find("data");
  if (data == in.end() || !data->is_array()) return absl::InvalidArgumentError(StrCat(t.where, ": 'data' must be an array"));
  OipNesting nesting;
  PLINTH_RETURN_IF_ERROR(Flatten(*data, &t.values, &nesting, t.where));
  if (static_cast<int64_t>(t.values.size()) != count) {
    return absl::InvalidArgumentError(StrCat(t.where, ": shape [", StrJoin(t.shape, ","), "] needs ", count,
                                             " values; 'data' has ", t.values.size()));
  }
  if (!nesting.Matches(t.shape)) {
    return absl::InvalidArgumentError(StrCat(t.where, ": nested 'data' does not follow shape [", StrJoin(t.shape, ","),
                                             "] (send it flat, or nested exactly as the shape)"));
  }
  return t;
}

// Sets one element: checked against the tensor's datatype, then encoded for the feature.
absl::Status SetElement(const runtime::RowEncoder& encoder, FeatureMatrix& m, size_t row, size_t col, const Tensor& t,
                        const Json& v) {
  double* out = &m.at(row, col);
  if (!v.is_null()) {
    auto wrong = [&](const char* expected) {
      return absl::InvalidArgumentError(StrCat(t.where, ": element ", row, " must be ", expected));
    };
    // After the element's type is checked: a number the declared datatype cannot hold.
    auto in_range = [&]() -> absl::Status {
      if (!t.range || t.range->Holds(v.get<double>())) return absl::OkStatus();
      return absl::InvalidArgumentError(StrCat(t.where, ": element ", row, " (", v.dump(), ") is out of range for ",
                                               t.datatype));
    };
    switch (t.kind) {
      case OipDatatype::kBool:
        if (!v.is_boolean()) return wrong("a boolean (BOOL)");
        *out = v.get<bool>() ? 1 : 0;
        return absl::OkStatus();
      case OipDatatype::kInteger:
        if (!v.is_number_integer()) return wrong("an integer");
        PLINTH_RETURN_IF_ERROR(in_range());
        // 2^63 and a little more round to INT64's bound as doubles: compare as integers.
        if (t.datatype == "INT64" && v.is_number_unsigned() &&
            v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return absl::InvalidArgumentError(StrCat(t.where, ": element ", row, " (", v.dump(), ") is out of range for INT64"));
        }
        break;
      case OipDatatype::kFloat32:
        if (!v.is_number()) return wrong("a number");
        PLINTH_RETURN_IF_ERROR(in_range());
        *out = static_cast<double>(static_cast<float>(v.get<double>()));  // as the client declared it
        return absl::OkStatus();
      case OipDatatype::kFloat:
        if (!v.is_number()) return wrong("a number");
        PLINTH_RETURN_IF_ERROR(in_range());
        break;
      case OipDatatype::kBytes:
        if (!v.is_string()) return wrong("a string (BYTES)");
        break;
    }
  }
  return encoder.EncodeValue(static_cast<int>(col), v, out, t.where);
}

absl::Status CheckRows(int64_t rows, int64_t max_rows, const Tensor& t) {
  if (rows < 1) return absl::InvalidArgumentError(StrCat(t.where, ": no rows"));
  if (rows > max_rows) {
    return absl::InvalidArgumentError(StrCat(t.where, ": ", rows, " rows; this deployment takes at most ", max_rows, " per request"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FeatureMatrix> DecodeOipInputs(const Json& inputs, const serving::Servable& model, int64_t max_rows) {
  if (!inputs.is_array() || inputs.empty()) {
    return absl::InvalidArgumentError("'inputs' must be a non-empty array of tensors {name, shape, datatype, data}");
  }
  const runtime::Signature& sig = model.signature();
  const runtime::RowEncoder& encoder = model.encoder();
  const std::string names = serving::DescribeInputs(sig);
  std::vector<Tensor> tensors;
  bool all_features = true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    PLINTH_ASSIGN_OR_RETURN(Tensor t, ParseTensor(inputs[i], i));
    all_features = all_features && encoder.Find(t.name) >= 0;
    tensors.push_back(std::move(t));
  }
  const size_t cols = sig.inputs.size();
  if (!all_features) {
    const Tensor& t = tensors[0];
    if (tensors.size() != 1 || t.shape.size() != 2 || static_cast<size_t>(t.shape[1]) != cols) {
      for (const Tensor& x : tensors) {
        if (encoder.Find(x.name) < 0 && tensors.size() > 1) {
          return absl::InvalidArgumentError(StrCat(x.where, ": unknown feature '", x.name, "'; the model takes: ", names));
        }
      }
      return absl::InvalidArgumentError(StrCat(t.where, ": send one tensor of shape [rows, ", cols,
                                               "] or one tensor per feature (", names, "); got shape [",
                                               StrJoin(t.shape, ","), "]"));
    }
    PLINTH_RETURN_IF_ERROR(CheckRows(t.shape[0], max_rows, t));
    FeatureMatrix m(static_cast<size_t>(t.shape[0]), cols);
    for (size_t r = 0; r < m.rows(); ++r) {
      for (size_t c = 0; c < cols; ++c) PLINTH_RETURN_IF_ERROR(SetElement(encoder, m, r, c, t, *t.values[r * cols + c]));
    }
    return m;
  }
  const int64_t rows = tensors[0].shape[0];
  for (const Tensor& t : tensors) {
    if (t.shape[0] != rows || t.shape.size() > 2 || (t.shape.size() == 2 && t.shape[1] != 1)) {
      return absl::InvalidArgumentError(StrCat(t.where, ": a feature tensor has shape [", rows, "] or [", rows,
                                               ", 1]; got [", StrJoin(t.shape, ","), "]"));
    }
  }
  PLINTH_RETURN_IF_ERROR(CheckRows(rows, max_rows, tensors[0]));
  FeatureMatrix m(static_cast<size_t>(rows), cols);
  std::vector<bool> seen(cols, false);
  for (const Tensor& t : tensors) {
    size_t col = static_cast<size_t>(encoder.Find(t.name));
    if (seen[col]) return absl::InvalidArgumentError(StrCat(t.where, ": feature '", t.name, "' is given twice"));
    seen[col] = true;
    for (size_t r = 0; r < m.rows(); ++r) PLINTH_RETURN_IF_ERROR(SetElement(encoder, m, r, col, t, *t.values[r]));
  }
  for (size_t c = 0; c < cols; ++c) {
    if (!seen[c]) {
      return absl::InvalidArgumentError(StrCat("'inputs': feature '", sig.inputs[c].name,
                                               "' has no tensor (send null values for missing ones)"));
    }
  }
  return m;
}

absl::Status CheckOipOutputs(const Json* outputs) {
  if (outputs == nullptr || outputs->is_null()) return absl::OkStatus();
  if (!outputs->is_array()) return absl::InvalidArgumentError("'outputs' must be an array of {name}");
  for (size_t i = 0; i < outputs->size(); ++i) {
    const Json& o = (*outputs)[i];
    if (!o.is_object() || !o.contains("name") || !o["name"].is_string()) {
      return absl::InvalidArgumentError(StrCat("outputs[", i, "] must be an object with a 'name'"));
    }
    if (o["name"].get<std::string>() != kOipOutputName) {
      return absl::InvalidArgumentError(StrCat("outputs[", i, "]: unknown output '", o["name"].get<std::string>(),
                                               "'; the model has one output, '", kOipOutputName, "'"));
    }
  }
  return absl::OkStatus();
}

void AppendOipResponseStart(std::string* out, std::string_view model_name, int64_t version,
                            const std::optional<std::string>& id) {
  // Keys in the order a JSON document would dump them (sorted).
  out->push_back('{');
  if (id) {
    out->append("\"id\":");
    AppendJsonString(out, *id);
    out->push_back(',');
  }
  out->append("\"model_name\":");
  AppendJsonString(out, model_name);
  StrAppend(out, ",\"model_version\":\"", version, "\",\"outputs\":[{");
}

void AppendOipResponseEnd(std::string* out, size_t rows, size_t width, std::string_view model_key) {
  StrAppend(out, "\"shape\":[", rows);
  if (width != 1) StrAppend(out, ",", width);
  out->append("]}],\"parameters\":{\"model\":");
  AppendJsonString(out, model_key);
  out->append("}}");
}

void AppendOipInferResponse(std::string* out, std::string_view model_name, int64_t version, std::string_view model_key,
                            const std::optional<std::string>& id, const double* values, size_t rows, size_t width) {
  AppendOipResponseStart(out, model_name, version, id);
  out->append("\"data\":");
  serving::AppendPredictionsJson(out, values, rows * width, 1);  // flat, row-major; NaN as null
  StrAppend(out, ",\"datatype\":\"FP64\",\"name\":\"", kOipOutputName, "\",");
  AppendOipResponseEnd(out, rows, width, model_key);
  out->push_back('\n');
}

Json OipInputsMetadata(const runtime::Signature& signature) {
  Json out = Json::array();
  for (const runtime::FeatureSpec& f : signature.inputs) {
    bool names = f.kind == runtime::FeatureKind::kCategorical && !f.categories.empty();
    out.push_back(Json{{"name", f.name}, {"datatype", names ? "BYTES" : "FP64"}, {"shape", Json::array({-1})}});
  }
  return out;
}

Json OipOutputsMetadata(const runtime::Model& model) {
  int32_t width = model.OutputWidth({});
  Json shape = width == 1 ? Json::array({-1}) : Json::array({-1, width});
  return Json::array({Json{{"name", kOipOutputName}, {"datatype", "FP64"}, {"shape", shape}}});
}

}  // namespace plinth::server
