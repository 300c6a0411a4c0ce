#include "plinth/storage/delta/json_fields.h"

#include <cmath>
#include <limits>

namespace plinth::delta::internal {

namespace {

std::optional<int64_t> AsInt(const Json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(u);
    return std::nullopt;
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status FieldReader::Error(std::string_view key, std::string_view problem) const {
  return absl::InvalidArgumentError(StrCat(Where(key), " ", problem));
}

const Json* FieldReader::Get(std::string_view key) const {
  if (!obj_.is_object()) return nullptr;
  auto it = obj_.find(std::string(key));
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool FieldReader::Has(std::string_view key) const { return Get(key) != nullptr; }

absl::StatusOr<std::optional<std::string>> FieldReader::OptString(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Error(key, "is not a string");
  return std::optional<std::string>(v->get<std::string>());
}

absl::StatusOr<std::string> FieldReader::String(std::string_view key) const {
  PLINTH_ASSIGN_OR_RETURN(auto v, OptString(key));
  if (!v) return Error(key, "is missing");
  return std::move(*v);
}

absl::StatusOr<std::optional<int64_t>> FieldReader::OptInt(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<int64_t>();
  std::optional<int64_t> i = AsInt(*v);
  if (!i) return Error(key, "is not an integer");
  return i;
}

absl::StatusOr<int64_t> FieldReader::Int(std::string_view key) const {
  PLINTH_ASSIGN_OR_RETURN(auto v, OptInt(key));
  if (!v) return Error(key, "is missing");
  return *v;
}

absl::StatusOr<std::optional<bool>> FieldReader::OptBool(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return Error(key, "is not a boolean");
  return std::optional<bool>(v->get<bool>());
}

absl::StatusOr<bool> FieldReader::Bool(std::string_view key) const {
  PLINTH_ASSIGN_OR_RETURN(auto v, OptBool(key));
  if (!v) return Error(key, "is missing");
  return *v;
}

absl::StatusOr<std::optional<std::map<std::string, std::string>>> FieldReader::OptStringMap(
    std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<std::map<std::string, std::string>>();
  if (!v->is_object()) return Error(key, "is not an object");
  std::map<std::string, std::string> out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) return Error(StrCat(key, ".", it.key()), "is not a string");
    out.emplace(it.key(), it->get<std::string>());
  }
  return std::optional<std::map<std::string, std::string>>(std::move(out));
}

absl::StatusOr<std::map<std::string, std::string>> FieldReader::StringMap(std::string_view key) const {
  PLINTH_ASSIGN_OR_RETURN(auto v, OptStringMap(key));
  return v ? std::move(*v) : std::map<std::string, std::string>();
}

absl::StatusOr<std::map<std::string, std::optional<std::string>>> FieldReader::NullableStringMap(
    std::string_view key) const {
  std::map<std::string, std::optional<std::string>> out;
  const Json* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_object()) return Error(key, "is not an object");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_null()) {
      out.emplace(it.key(), std::nullopt);
    } else if (it->is_string()) {
      out.emplace(it.key(), it->get<std::string>());
    } else {
      return Error(StrCat(key, ".", it.key()), "is not a string or null");
    }
  }
  return out;
}

absl::StatusOr<std::optional<std::vector<std::string>>> FieldReader::OptStringList(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return Error(key, "is not an array");
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) return Error(StrCat(key, "[", i, "]"), "is not a string");
    out.push_back((*v)[i].get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

absl::StatusOr<std::vector<std::string>> FieldReader::StringList(std::string_view key) const {
  PLINTH_ASSIGN_OR_RETURN(auto v, OptStringList(key));
  return v ? std::move(*v) : std::vector<std::string>();
}

absl::StatusOr<const Json*> FieldReader::Object(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return Error(key, "is missing");
  if (!v->is_object()) return Error(key, "is not an object");
  return v;
}

Json ToJsonObject(const std::map<std::string, std::string>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

}  // namespace plinth::delta::internal
