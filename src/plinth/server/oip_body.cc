#include "plinth/server/oip_body.h"

#include <limits>

#include "plinth/server/oip_tensors.h"
#include "plinth/serving/json_scanner.h"

namespace plinth::server {

namespace {

bool ParseFastShape(serving::JsonScanner& s, std::vector<int64_t>* shape) {
  if (!s.Consume('[') || s.Peek(']')) return false;
  int64_t count = 1;
  do {
    double d = 0;
    bool integer = false;
    int64_t v = 0;
    if (!s.Number(&d, &integer, &v) || !integer || v < 0 || v > kOipMaxTensorElements) return false;
    shape->push_back(v);
    count *= v;
    if (count > kOipMaxTensorElements) return false;
  } while (s.Consume(','));
  return s.Consume(']');
}

// The elements of `data` (numbers or null, arrays nested up to kOipMaxDataNesting), appended to
// `out` as raw numbers, its nesting described in `nesting`; *all_integers turns false at a
// number not written as an integer.
bool ParseFastData(serving::JsonScanner& s, size_t depth, std::vector<double>* out, OipNesting* nesting,
                   bool* all_integers) {
  if (!s.Consume('[')) return false;
  const size_t index = nesting->arrays.size();
  nesting->arrays.emplace_back(depth, 0);
  if (s.Consume(']')) return true;
  size_t count = 0;
  do {
    ++count;
    if (s.Peek('[')) {
      if (depth + 1 > kOipMaxDataNesting || !ParseFastData(s, depth + 1, out, nesting, all_integers)) return false;
      continue;
    }
    nesting->Leaf(depth);
    if (s.ConsumeNull()) {
      out->push_back(std::numeric_limits<double>::quiet_NaN());
    } else {
      double v = 0;
      bool integer = false;
      if (!s.Number(&v, &integer)) return false;
      *all_integers = *all_integers && integer;
      out->push_back(v);
    }
  } while (s.Consume(','));
  nesting->arrays[index].second = count;
  return s.Consume(']');
}

bool ParseFastTensor(serving::JsonScanner& s, OipBody* out) {
  if (!s.Consume('{')) return false;
  OipBody::Tensor t;
  bool name = false, shape = false, datatype = false, data = false;
  std::optional<OipDatatype> kind;
  std::optional<OipRange> range;
  OipNesting nesting;
  bool all_integers = true;
  t.begin = out->values.size();
  if (s.Peek('}')) return false;
  do {
    std::string_view key;
    if (!s.String(&key) || !s.Consume(':')) return false;
    if (key == "name" && !name) {
      name = true;
      if (!s.String(&t.name)) return false;
    } else if (key == "shape" && !shape) {
      shape = true;
      if (!ParseFastShape(s, &t.shape)) return false;
    } else if (key == "datatype" && !datatype) {
      datatype = true;
      std::string_view v;
      if (!s.String(&v)) return false;
      kind = ParseOipDatatype(v);  // BOOL, BYTES and unknown datatypes: the document path
      if (!kind || kind == OipDatatype::kBool || kind == OipDatatype::kBytes) return false;
      range = OipRangeOf(v);
    } else if (key == "data" && !data) {
      data = true;
      if (!ParseFastData(s, 0, &out->values, &nesting, &all_integers)) return false;
    } else {
      return false;
    }
  } while (s.Consume(','));
  if (!s.Consume('}') || !name || !shape || !datatype || !data) return false;
  if (kind == OipDatatype::kInteger && !all_integers) return false;
  t.end = out->values.size();
  int64_t count = 1;
  for (int64_t d : t.shape) count *= d;
  if (static_cast<int64_t>(t.end - t.begin) != count || !nesting.Matches(t.shape)) return false;
  // Values the datatype cannot hold: the document path names them.
  for (size_t i = t.begin; i < t.end; ++i) {
    if (!range->Holds(out->values[i])) return false;
  }
  if (kind == OipDatatype::kFloat32) {  // rounded to float as the client declared it (NaN stays NaN)
    for (size_t i = t.begin; i < t.end; ++i) out->values[i] = static_cast<double>(static_cast<float>(out->values[i]));
  }
  out->inputs.push_back(std::move(t));
  return true;
}

bool ParseFastParameters(serving::JsonScanner& s, OipBody* out) {
  if (!s.Consume('{')) return false;
  if (s.Consume('}')) return true;
  std::string_view key, tenant;
  if (!s.String(&key) || key != "tenant" || !s.Consume(':') || !s.String(&tenant)) return false;
  out->tenant = std::string(tenant);
  return s.Consume('}');
}

bool ParseFastOutputs(serving::JsonScanner& s) {
  if (!s.Consume('[')) return false;
  if (s.Consume(']')) return true;
  do {
    std::string_view key, name;
    if (!s.Consume('{') || !s.String(&key) || key != "name" || !s.Consume(':') || !s.String(&name) ||
        name != "predict" || !s.Consume('}')) {
      return false;
    }
  } while (s.Consume(','));
  return s.Consume(']');
}

}  // namespace

bool ParseOipBody(std::string_view text, OipBody* out) {
  *out = OipBody();
  serving::JsonScanner s(text);
  if (!s.Consume('{') || s.Peek('}')) return false;
  bool id = false, parameters = false, inputs = false, outputs = false;
  do {
    std::string_view key;
    if (!s.String(&key) || !s.Consume(':')) return false;
    if (key == "id" && !id) {
      id = true;
      std::string_view v;
      if (!s.String(&v)) return false;
      out->id = std::string(v);
    } else if (key == "parameters" && !parameters) {
      parameters = true;
      if (!ParseFastParameters(s, out)) return false;
    } else if (key == "inputs" && !inputs) {
      inputs = true;
      if (!s.Consume('[')) return false;
      do {
        if (!ParseFastTensor(s, out)) return false;
      } while (s.Consume(','));
      if (!s.Consume(']')) return false;
    } else if (key == "outputs" && !outputs) {
      outputs = true;
      if (!ParseFastOutputs(s)) return false;
    } else {
      return false;
    }
  } while (s.Consume(','));
  return s.Consume('}') && s.AtEnd() && inputs;
}

std::optional<serving::FeatureMatrix> EncodeOipBody(const OipBody& body, const runtime::RowEncoder& encoder, int64_t max_rows) {
  const size_t cols = static_cast<size_t>(encoder.num_features());
  bool all_features = true;
  for (const OipBody::Tensor& t : body.inputs) all_features = all_features && encoder.Find(t.name) >= 0;
  const int64_t rows = body.inputs[0].shape[0];
  if (rows < 1 || rows > max_rows) return std::nullopt;
  serving::FeatureMatrix m(static_cast<size_t>(rows), cols);
  if (!all_features) {  // one [rows, features] tensor in model order
    const OipBody::Tensor& t = body.inputs[0];
    if (body.inputs.size() != 1 || t.shape.size() != 2 || static_cast<size_t>(t.shape[1]) != cols) return std::nullopt;
    std::copy(body.values.begin() + static_cast<std::ptrdiff_t>(t.begin),
              body.values.begin() + static_cast<std::ptrdiff_t>(t.end), m.mutable_row(0));
    return m;
  }
  std::vector<uint8_t> seen(cols, 0);
  for (const OipBody::Tensor& t : body.inputs) {  // one [rows] or [rows, 1] tensor per feature
    if (t.shape[0] != rows || t.shape.size() > 2 || (t.shape.size() == 2 && t.shape[1] != 1)) return std::nullopt;
    const size_t col = static_cast<size_t>(encoder.Find(t.name));
    if (seen[col]) return std::nullopt;
    seen[col] = 1;
    for (size_t r = 0; r < m.rows(); ++r) m.at(r, col) = body.values[t.begin + r];
  }
  for (uint8_t s : seen) {
    if (!s) return std::nullopt;
  }
  return m;
}

}  // namespace plinth::server
