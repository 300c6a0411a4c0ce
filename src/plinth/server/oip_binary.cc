#include "plinth/server/oip_binary.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "plinth/base/strings.h"
#include "plinth/server/oip_tensors.h"

namespace plinth::server {

namespace {

// Little-endian unsigned integer of `n` bytes at `p` (this code runs on little-endian hosts
// only, like the rest of the runtime, but reads byte by byte so the intent is plain).
uint64_t ReadLe(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

double HalfToDouble(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double v;
  if (exponent == 0) v = std::ldexp(mantissa, -24);                          // subnormal
  else if (exponent == 31) v = mantissa ? NAN : INFINITY;                    // NaN / infinity
  else v = std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -v : v;
}

// Well-formed UTF-8 as the JSON reader takes it: no overlong forms, no surrogates, nothing past
// U+10FFFF.
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) n = 1, cp = c, min = 0;
    else if ((c >> 5) == 0x6) n = 2, cp = c & 0x1f, min = 0x80;
    else if ((c >> 4) == 0xe) n = 3, cp = c & 0x0f, min = 0x800;
    else if ((c >> 3) == 0x1e) n = 4, cp = c & 0x07, min = 0x10000;
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i + k]);
      if ((b >> 6) != 0x2) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

// Bytes per element of a fixed-size datatype; 0 for BYTES and unknown ones.
size_t ElementSize(std::string_view datatype) {
  if (datatype == "BOOL" || datatype == "INT8" || datatype == "UINT8") return 1;
  if (datatype == "INT16" || datatype == "UINT16" || datatype == "FP16") return 2;
  if (datatype == "INT32" || datatype == "UINT32" || datatype == "FP32") return 4;
  if (datatype == "INT64" || datatype == "UINT64" || datatype == "FP64") return 8;
  return 0;
}

Json Element(std::string_view datatype, const unsigned char* p, size_t size) {
  const uint64_t bits = ReadLe(p, size);
  if (datatype == "BOOL") return Json(bits != 0);
  if (datatype == "FP16") return Json(HalfToDouble(static_cast<uint16_t>(bits)));
  if (datatype == "FP32") {
    float f;
    const uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b, sizeof f);
    return Json(static_cast<double>(f));
  }
  if (datatype == "FP64") {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return Json(d);
  }
  if (datatype[0] == 'U') return Json(bits);
  // Signed: sign-extend from `size` bytes.
  const int shift = static_cast<int>(64 - 8 * size);
  return Json(static_cast<int64_t>(bits << shift) >> shift);
}

// The elements of one binary input, `count` of them, from `data`.
absl::StatusOr<Json> DecodeTensor(std::string_view datatype, int64_t count, std::string_view data, const std::string& where) {
  Json out = Json::array();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  if (datatype == "BYTES") {
    size_t at = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (at + 4 > data.size()) return absl::InvalidArgumentError(StrCat(where, ": binary data ends inside element ", i));
      const size_t n = ReadLe(p + at, 4);
      at += 4;
      if (n > data.size() - at) return absl::InvalidArgumentError(StrCat(where, ": binary data ends inside element ", i));
      std::string_view text = data.substr(at, n);
      if (!IsUtf8(text)) return absl::InvalidArgumentError(StrCat(where, ": BYTES element ", i, " is not UTF-8 text"));
      out.push_back(std::string(text));
      at += n;
    }
    if (at != data.size()) {
      return absl::InvalidArgumentError(StrCat(where, ": 'binary_data_size' is ", data.size(), " bytes; the ", count,
                                               " elements take ", at));
    }
    return out;
  }
  const size_t size = ElementSize(datatype);
  if (size == 0) return absl::InvalidArgumentError(StrCat(where, ": unsupported datatype '", datatype, "'"));
  if (data.size() != static_cast<size_t>(count) * size) {
    return absl::InvalidArgumentError(StrCat(where, ": 'binary_data_size' is ", data.size(), " bytes; shape and ", datatype,
                                             " need ", static_cast<size_t>(count) * size));
  }
  for (int64_t i = 0; i < count; ++i) out.push_back(Element(datatype, p + static_cast<size_t>(i) * size, size));
  return out;
}

}  // namespace

absl::StatusOr<Json> DecodeOipBinaryRequest(std::string_view body, std::string_view header_length) {
  auto length = ParseInt64(header_length);
  if (!length || *length < 0 || static_cast<uint64_t>(*length) > body.size()) {
    return absl::InvalidArgumentError(StrCat("Inference-Header-Content-Length '", header_length,
                                             "' must be a byte count within the body (", body.size(), " bytes)"));
  }
  PLINTH_ASSIGN_OR_RETURN(Json request, ParseRequestJson(body.substr(0, static_cast<size_t>(*length))));
  std::string_view rest = body.substr(static_cast<size_t>(*length));
  int64_t elements = 0;  // decoded so far, across inputs
  if (request.contains("inputs") && request["inputs"].is_array()) {
    for (size_t i = 0; i < request["inputs"].size(); ++i) {
      Json& in = request["inputs"][i];
      if (!in.is_object() || !in.contains("parameters") || !in["parameters"].is_object() ||
          !in["parameters"].contains("binary_data_size")) {
        continue;
      }
      const std::string where = StrCat("inputs[", i, "]");
      const Json& size = in["parameters"]["binary_data_size"];
      if (!size.is_number_integer() || size.get<int64_t>() < 0) {
        return absl::InvalidArgumentError(StrCat(where, ": 'binary_data_size' must be a byte count"));
      }
      if (in.contains("data")) return absl::InvalidArgumentError(StrCat(where, ": give 'data' or 'binary_data_size', not both"));
      if (!in.contains("datatype") || !in["datatype"].is_string() || !in.contains("shape")) {
        return absl::InvalidArgumentError(StrCat(where, ": a binary input needs its 'datatype' and 'shape'"));
      }
      PLINTH_ASSIGN_OR_RETURN(const int64_t count, OipShapeCount(in["shape"], where));
      // Each element becomes a document value (16 bytes and more, from as little as 1 byte of
      // binary): bound them before decoding, as a JSON body is bounded by its size.
      elements += count;
      if (elements > kOipMaxBinaryElements) {
        return absl::InvalidArgumentError(StrCat(where, ": the binary inputs hold more than ", kOipMaxBinaryElements,
                                                 " elements; send fewer rows per request"));
      }
      const auto n = static_cast<size_t>(size.get<int64_t>());
      if (n > rest.size()) {
        return absl::InvalidArgumentError(StrCat(where, ": 'binary_data_size' is ", n, " bytes; only ", rest.size(),
                                                 " are left in the body"));
      }
      PLINTH_ASSIGN_OR_RETURN(in["data"], DecodeTensor(in["datatype"].get<std::string>(), count, rest.substr(0, n), where));
      in["parameters"].erase("binary_data_size");
      if (in["parameters"].empty()) in.erase("parameters");
      rest.remove_prefix(n);
    }
  }
  if (!rest.empty()) {
    return absl::InvalidArgumentError(StrCat(rest.size(), " bytes after the inference header are not claimed by any input's "
                                             "'binary_data_size'"));
  }
  return request;
}

bool WantsOipBinaryOutput(const Json& request) {
  auto flag = [](const Json& obj, const char* key) {
    return obj.is_object() && obj.contains("parameters") && obj["parameters"].is_object() &&
           obj["parameters"].contains(key) && obj["parameters"][key].is_boolean() && obj["parameters"][key].get<bool>();
  };
  // An output's own "binary_data" decides for it; the request's "binary_data_output" for the rest.
  if (request.is_object() && request.contains("outputs") && request["outputs"].is_array()) {
    for (const Json& o : request["outputs"]) {
      if (o.is_object() && o.contains("parameters") && o["parameters"].is_object() && o["parameters"].contains("binary_data")) {
        return flag(o, "binary_data");
      }
    }
  }
  return flag(request, "binary_data_output");
}

size_t AppendOipBinaryInferResponse(std::string* out, std::string_view model_name, int64_t version,
                                    std::string_view model_key, const std::optional<std::string>& id,
                                    const double* values, size_t rows, size_t width) {
  const size_t start = out->size();
  AppendOipResponseStart(out, model_name, version, id);
  StrAppend(out, "\"datatype\":\"FP64\",\"name\":\"", kOipOutputName, "\",\"parameters\":{\"binary_data_size\":",
            rows * width * sizeof(double), "},");
  AppendOipResponseEnd(out, rows, width, model_key);
  const size_t header = out->size() - start;
  for (size_t i = 0; i < rows * width; ++i) {
    uint64_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    for (int b = 0; b < 8; ++b) out->push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
  }
  return header;
}

}  // namespace plinth::server
