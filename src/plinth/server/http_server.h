// HttpServer: HTTP/1.1 on Boost.Asio (and Beast) with keep-alive, a small thread pool and limits.
//
// Each connection runs as a coroutine on one of `threads` I/O threads (an io_context each);
// http_connection.h holds what happens on a connection. A request's header is read first, so
// the route, auth and limits are decided before any body byte is accepted. Ordinary bodies are
// read into memory up to `max_body_bytes`; routes marked `upload` stream their body into the
// ObjectStore up to `max_upload_bytes`. Timeouts: `request_timeout` for a request's header and
// body, `idle_timeout` between keep-alive requests and between upload reads.
// Shutdown() stops accepting, lets in-flight requests finish (up to `shutdown_grace`),
// closes idle keep-alive connections, then Run() returns.
// Handlers run on the I/O threads, except those of `offload` routes (router.h), which run on
// the `offload` executor while the connection's coroutine waits without holding a thread.
// Thread-safety: Create, then Run on one thread; Shutdown and port() from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "plinth/base/bounded_executor.h"
#include "plinth/base/logging.h"
#include "plinth/server/metrics.h"
#include "plinth/server/router.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

// Decides whether a request may reach its route (401/403/429 otherwise); sets req.actor.
using Authorizer = std::function<absl::Status(HttpRequest& req, const Route& route)>;

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 7070;  // 0 picks a free port; see port()
    int threads = 4;
    int64_t max_body_bytes = 16 << 20;
    int64_t max_upload_bytes = int64_t{2} << 30;
    uint32_t max_header_bytes = 16 << 10;
    int request_timeout_seconds = 30;  // reading a header and an ordinary body
    int idle_timeout_seconds = 60;     // keep-alive idle, and upload progress
    int shutdown_grace_seconds = 30;
    int max_connections = 1024;
    bool handle_signals = true;  // SIGTERM/SIGINT start a graceful shutdown
    const Router* router = nullptr;
    Authorizer authorizer;
    storage::ObjectStore* uploads = nullptr;
    HttpMetrics* metrics = nullptr;
    LineSink* access_log = nullptr;  // JSON lines; may be null
    // Runs the handlers of `offload` routes (predictions); when it is full they answer 503
    // with Retry-After: `retry_after_seconds`. Null runs them on the I/O threads.
    BoundedExecutor* offload = nullptr;
    // Runs the handlers of Offload::kWrites routes, refusing with 503 the same way when full.
    // Null runs them on `offload`.
    BoundedExecutor* writes = nullptr;
    int retry_after_seconds = 1;
    // Requests of Offload::kWhenAsked routes (predictions that run inline) are refused with 503
    // + Retry-After while their I/O thread runs ready work later than this (io_lag.h); 0 = never.
    int max_io_lag_ms = 0;
  };

  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(Options options);
  ~HttpServer();

  uint16_t port() const;
  // Serves until shutdown completes.
  void Run();
  void Shutdown();
  bool stopping() const;

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth::server
