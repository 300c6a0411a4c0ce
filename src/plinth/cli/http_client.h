// HttpClient: the CLI's blocking HTTP/1.1 client for a Plinth server (Boost.Beast).
//
// One keep-alive connection, reopened when the server closes it. Uploads stream a file from
// disk and downloads stream to disk, so artifacts of any size use constant memory. Error
// responses become absl::Status with the server's code and message.
// Thread-safety: not thread-safe; one client per thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::cli {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names
};

class HttpClient {
 public:
  // `server` like "http://127.0.0.1:7070"; `token` may be empty.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(const std::string& server, const std::string& token);
  ~HttpClient();

  // Sends a request with an optional JSON body; returns the parsed JSON of a 2xx answer.
  absl::StatusOr<Json> Call(const std::string& method, const std::string& target, const std::optional<Json>& body = std::nullopt);
  // Streams `file` as the body of POST `target`; sends X-Plinth-Sha256 = `sha256`.
  absl::StatusOr<Json> Upload(const std::string& target, const std::string& file, const std::string& sha256);
  // GET `target` into `out_file` (written to a temp file, renamed when complete).
  absl::StatusOr<HttpResult> Download(const std::string& target, const std::string& out_file);

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Turns an error response into a Status carrying the server's code and message.
absl::Status StatusFromResponse(int http_status, const std::string& body);

}  // namespace plinth::cli
