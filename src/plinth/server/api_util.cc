#include "plinth/server/api_util.h"

namespace plinth::server {

absl::Status CheckContentEncoding(const HttpRequest& req) {
  // A compressed body would otherwise reach the parser as binary ("malformed JSON").
  const std::string encoding = ToLower(req.Header("content-encoding"));
  if (!encoding.empty() && encoding != "identity") {
    return absl::InvalidArgumentError(StrCat("Content-Encoding '", encoding, "' is not supported: send the body uncompressed"));
  }
  return absl::OkStatus();
}

absl::Status CheckJsonContentType(const HttpRequest& req) {
  // JSON, no Content-Type, or curl's default for -d (form-urlencoded) are read as JSON; any
  // other declared type is a client mistake worth naming (e.g. a multipart artifact upload).
  std::string ct = ToLower(req.Header("content-type"));
  if (!ct.empty() && ct.find("json") == std::string::npos && !StartsWith(ct, "application/x-www-form-urlencoded")) {
    return absl::InvalidArgumentError(StrCat("expected a JSON body (Content-Type: application/json), got '", ct,
                                             "'; upload artifacts as raw bytes to /api/v1/artifacts"));
  }
  return CheckContentEncoding(req);
}

absl::StatusOr<Json> BodyObject(const HttpRequest& req) {
  PLINTH_RETURN_IF_ERROR(CheckJsonContentType(req));
  if (StripWhitespace(req.body).empty()) return Json::object();
  return ParseRequestJson(req.body);
}

storage::AuditContext AuditFrom(const HttpRequest& req) { return storage::AuditContext{req.actor, req.client}; }

absl::StatusOr<int64_t> QueryInt(const HttpRequest& req, const std::string& name, int64_t fallback, int64_t min, int64_t max) {
  auto v = req.Query(name);
  if (!v) return fallback;
  auto parsed = ParseInt64(*v);
  if (!parsed || *parsed < min || *parsed > max) {
    return absl::InvalidArgumentError(StrCat("query parameter '", name, "' must be an integer from ", min, " to ", max));
  }
  return *parsed;
}

absl::StatusOr<bool> QueryBool(const HttpRequest& req, const std::string& name, bool fallback) {
  auto v = req.Query(name);
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || v->empty()) return true;
  if (*v == "false" || *v == "0") return false;
  return absl::InvalidArgumentError(StrCat("query parameter '", name, "' must be true or false"));
}

absl::StatusOr<std::map<std::string, std::string>> StringMap(const Json& obj, const std::string& field) {
  std::map<std::string, std::string> out;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return absl::InvalidArgumentError(StrCat("'", field, "' must be an object of strings"));
  for (auto kv = it->begin(); kv != it->end(); ++kv) {
    const Json& v = kv.value();
    if (v.is_string()) out[kv.key()] = v.get<std::string>();
    else if (v.is_number() || v.is_boolean()) out[kv.key()] = v.dump();
    else return absl::InvalidArgumentError(StrCat("'", field, ".", kv.key(), "' must be a string, number or boolean"));
  }
  return out;
}

}  // namespace plinth::server
