// Router: maps (method, path) to a route. Patterns are literal segments and {captures}:
//   "/api/v1/models/{name}/versions/{version}"
// Captures match one non-empty, percent-decoded segment. Literal segments win over
// captures when both match. Each route names the scope it needs and whether its body is a
// streamed upload (the server then writes the body to the ObjectStore, never to memory).
// `offload` says where a handler runs: on the I/O thread (kNever); on the server's bounded
// prediction executor (kAlways; 503 + Retry-After when it is full); or first on the I/O thread
// with `req.on_io_thread` set, where a handler that would block (load a model, a big batch)
// answers OffloadResponse() and is then run again on the executor (kWhenAsked); or on the
// server's bounded executor for feature-store writes (kWrites: pushes, materializations and
// applies wait on disk and may run long, so they never hold a prediction worker).
// `error_format` shapes its errors.
// Thread-safety: build at start-up; Match is then safe for concurrent use.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plinth/security/token_store.h"
#include "plinth/server/http_types.h"

namespace plinth::server {

enum class Access { kPublic, kRead, kWrite, kAdmin };

struct Route {
  std::string method;
  std::string pattern;  // also the metrics label
  Access access = Access::kRead;
  bool upload = false;
  std::function<absl::StatusOr<HttpResponse>(HttpRequest&)> handler;
  enum class Offload { kNever, kAlways, kWhenAsked, kWrites };
  Offload offload = Offload::kNever;
  ErrorFormat error_format = ErrorFormat::kPlinth;
};

class Router {
 public:
  void Add(Route route);
  // `path` is the raw (still percent-encoded) path, so an encoded '/' stays inside its
  // segment. Returns the matched route and fills `params` (decoded); nullptr if none. Sets `*method_mismatch`
  // when the path matched a route under another method (405 rather than 404).
  const Route* Match(std::string_view method, std::string_view path, std::vector<std::string>* params,
                     bool* method_mismatch) const;
  const std::vector<Route>& routes() const { return routes_; }

  // Errors for unmatched paths under `prefix` (a whole first segment such as "/v2") take
  // `format`, so a protocol's clients always get its error shape.
  void SetPrefixErrorFormat(std::string prefix, ErrorFormat format) { prefix_formats_.emplace_back(std::move(prefix), format); }
  ErrorFormat ErrorFormatFor(std::string_view path) const;

 private:
  std::vector<std::pair<std::string, ErrorFormat>> prefix_formats_;
  struct Compiled {
    struct Segment {
      std::string literal;  // empty for a capture
      bool capture = false;
    };
    std::vector<Segment> segments;
    size_t literal_count = 0;
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace plinth::server
