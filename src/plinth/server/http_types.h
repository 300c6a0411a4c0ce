// HTTP request/response values shared by the server core, the router and the API handlers.
//
// Handlers never see Beast types. Errors leave as {"error": {"code", "message"}} with the
// HTTP status mapped once from the absl::StatusCode (ErrorResponse).
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plinth/base/http_status.h"
#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;    // decoded; last value wins
  std::map<std::string, std::string> headers;  // lower-cased names
  std::vector<std::string> path_params;        // {name} captures, in pattern order
  std::string body;                            // for ordinary routes
  std::optional<storage::ObjectInfo> upload;   // for upload routes: the stored body
  std::string client;                          // "ip:port"
  std::string actor = "anonymous";             // set by the authenticator
  int64_t received_at_micros = 0;
  bool on_io_thread = false;                   // a kWhenAsked route's first, non-blocking try

  std::string Header(const std::string& lower_name) const;
  std::optional<std::string> Query(const std::string& name) const;
  const std::string& Param(size_t i) const { return path_params.at(i); }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> file_path;  // stream this file as the body instead
  bool close_connection = false;
  bool run_offloaded = false;  // see OffloadResponse()
};

// What a handler called with `on_io_thread` answers when it would block: the server runs it
// again on the prediction executor.
inline HttpResponse OffloadResponse() {
  HttpResponse r;
  r.run_offloaded = true;
  return r;
}

HttpResponse JsonResponse(int status, const Json& body);

// How a route's errors look: Plinth's {"error": {"code", "message"}}, or {"error": "message"}
// as the Open Inference Protocol requires.
enum class ErrorFormat { kPlinth, kMessageOnly };

// Maps the status code to HTTP and the body to {"error": {"code", "message"}} (or
// {"error": "message"}). `http_status` overrides the mapped status (e.g. 413 for a body over
// the limit).
HttpResponse ErrorResponse(const absl::Status& status, int http_status = 0, ErrorFormat format = ErrorFormat::kPlinth);
std::string_view StatusCodeName(absl::StatusCode code);

// Percent-decoding; InvalidArgument on malformed escapes or a NUL byte.
absl::StatusOr<std::string> PercentDecode(std::string_view s, bool plus_is_space);
std::string PercentEncode(std::string_view s);
// Splits "a=1&b=2" into decoded pairs.
absl::StatusOr<std::map<std::string, std::string>> ParseQueryString(std::string_view q);

}  // namespace plinth::server
