#include "plinth/runtime/xgboost_document.h"

#include <cmath>
#include <limits>

namespace plinth::runtime::xgb {
namespace {

constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

// The non-finite token starting at text[i] (outside a string), or 0.
size_t NonFiniteTokenLength(std::string_view text, size_t i) {
  std::string_view rest = text.substr(i);
  if (rest.starts_with("NaN")) return 3;
  if (rest.starts_with("Infinity")) return 8;
  if ((rest.starts_with("-Infinity") || rest.starts_with("+Infinity"))) return 9;
  return 0;
}

absl::StatusOr<int64_t> Integral(double d, std::string_view path) {
  if (!(std::fabs(d) <= kMaxExactInt) || d != std::trunc(d)) {
    return absl::InvalidArgumentError(StrCat(path, " must be an integer"));
  }
  return static_cast<int64_t>(d);
}

absl::StatusOr<int64_t> IntElement(const Json& e, std::string_view path) {
  switch (e.type()) {
    case Json::value_t::number_integer: return e.get<int64_t>();
    case Json::value_t::number_unsigned: {
      uint64_t u = e.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) break;
      return static_cast<int64_t>(u);
    }
    case Json::value_t::number_float: return Integral(e.get<double>(), path);
    case Json::value_t::boolean: return e.get<bool>() ? 1 : 0;
    default: break;
  }
  return absl::InvalidArgumentError(StrCat(path, " must be an integer"));
}

}  // namespace

absl::StatusOr<Json> ParseXgboostText(std::string_view text) {
  std::string rewritten;
  size_t copied = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != 'N' && c != 'I' && c != '-' && c != '+') continue;
    size_t n = NonFiniteTokenLength(text, i);
    if (n == 0) continue;
    rewritten.append(text.substr(copied, i - copied));
    rewritten.append("null");
    copied = i + n;
    i += n - 1;
  }
  if (copied == 0) return ParseJson(text);
  rewritten.append(text.substr(copied));
  return ParseJson(rewritten);
}

const Json* Member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

absl::StatusOr<const Json*> RequireObject(const Json& obj, std::string_view key, std::string_view path) {
  const Json* m = Member(obj, key);
  if (m == nullptr || !m->is_object()) {
    return absl::InvalidArgumentError(StrCat(path, ".", key, m == nullptr ? " is missing" : " must be an object"));
  }
  return m;
}

absl::StatusOr<const Json*> RequireArray(const Json& obj, std::string_view key, std::string_view path) {
  const Json* m = Member(obj, key);
  if (m == nullptr || !m->is_array()) {
    return absl::InvalidArgumentError(StrCat(path, ".", key, m == nullptr ? " is missing" : " must be an array"));
  }
  return m;
}

absl::StatusOr<double> NumberParam(const Json& v, std::string_view path) {
  if (v.is_number()) {
    double d = v.get<double>();
    if (std::isfinite(d)) return d;
  } else if (v.is_string()) {
    if (auto d = ParseDouble(v.get_ref<const std::string&>())) return *d;
  }
  return absl::InvalidArgumentError(StrCat(path, " must be a finite number"));
}

absl::StatusOr<int64_t> IntParam(const Json& v, std::string_view path) {
  if (v.is_string()) {
    if (auto i = ParseInt64(v.get_ref<const std::string&>())) return *i;
  } else if (!v.is_number_float()) {
    if (v.is_number()) return IntElement(v, path);
    return absl::InvalidArgumentError(StrCat(path, " must be an integer"));
  }
  PLINTH_ASSIGN_OR_RETURN(double d, NumberParam(v, path));
  return Integral(d, path);
}

absl::StatusOr<std::vector<double>> VectorParam(const Json& v, std::string_view path) {
  std::vector<double> out;
  if (v.is_array()) {
    for (const Json& e : v) {
      PLINTH_ASSIGN_OR_RETURN(double d, NumberParam(e, path));
      out.push_back(d);
    }
  } else if (v.is_string()) {
    std::string_view s = StripWhitespace(v.get_ref<const std::string&>());
    if (!s.starts_with('[')) {
      PLINTH_ASSIGN_OR_RETURN(double d, NumberParam(v, path));
      out.push_back(d);
    } else if (s.ends_with(']')) {
      for (std::string_view part : StrSplit(s.substr(1, s.size() - 2), ',')) {
        auto d = ParseDouble(part);
        if (!d) return absl::InvalidArgumentError(StrCat(path, " has '", part, "', not a finite number"));
        out.push_back(*d);
      }
    }
  } else {
    PLINTH_ASSIGN_OR_RETURN(double d, NumberParam(v, path));
    out.push_back(d);
  }
  if (out.empty()) return absl::InvalidArgumentError(StrCat(path, " must hold at least one number"));
  return out;
}

absl::StatusOr<std::vector<float>> FloatArray(const Json& arr, std::string_view path) {
  if (!arr.is_array()) return absl::InvalidArgumentError(StrCat(path, " must be an array"));
  std::vector<float> out;
  out.reserve(arr.size());
  for (const Json& e : arr) {
    if (e.is_number()) {
      out.push_back(static_cast<float>(e.get<double>()));
    } else if (e.is_null()) {
      out.push_back(std::numeric_limits<float>::quiet_NaN());
    } else {
      return absl::InvalidArgumentError(StrCat(path, "[", out.size(), "] must be a number"));
    }
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> IntArray(const Json& arr, std::string_view path) {
  if (!arr.is_array()) return absl::InvalidArgumentError(StrCat(path, " must be an array"));
  std::vector<int64_t> out;
  out.reserve(arr.size());
  for (const Json& e : arr) {
    auto v = IntElement(e, path);
    if (!v.ok()) return absl::InvalidArgumentError(StrCat(path, "[", out.size(), "] must be an integer"));
    out.push_back(*v);
  }
  return out;
}

}  // namespace plinth::runtime::xgb
