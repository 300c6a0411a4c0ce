// Small helpers shared by the API route files: body parsing, query parameters, audit context.
// Thread-safety: stateless.
#pragma once

#include <map>
#include <string>

#include "plinth/server/http_types.h"
#include "plinth/storage/meta/audit_log.h"

namespace plinth::server {

// Parses the body as a JSON object; an empty body gives {}. A declared Content-Type other
// than JSON (or curl's form-urlencoded default) is refused.
// InvalidArgument when the request declares a Content-Type that is not JSON (none, JSON and
// form-urlencoded, curl's default for -d, are read as JSON).
absl::Status CheckJsonContentType(const HttpRequest& req);
// InvalidArgument for a Content-Encoding other than identity (bodies are read uncompressed);
// part of CheckJsonContentType, alone for bodies that are not JSON.
absl::Status CheckContentEncoding(const HttpRequest& req);
absl::StatusOr<Json> BodyObject(const HttpRequest& req);
storage::AuditContext AuditFrom(const HttpRequest& req);
// Integer query parameter with bounds; InvalidArgument names the parameter.
absl::StatusOr<int64_t> QueryInt(const HttpRequest& req, const std::string& name, int64_t fallback, int64_t min, int64_t max);
absl::StatusOr<bool> QueryBool(const HttpRequest& req, const std::string& name, bool fallback);
// A JSON object of strings (numbers and bools are stringified) as a map.
absl::StatusOr<std::map<std::string, std::string>> StringMap(const Json& obj, const std::string& field);

}  // namespace plinth::server
