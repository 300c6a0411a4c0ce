// One client connection's HTTP/1.1 exchange, for HttpServer (http_server.cc).
//
// A connection reads into one buffer. A plain request head is parsed in place
// (request_head.h), its body taken from the same buffer, and reads and writes are the socket's
// own (connection_io.h); any other head goes through Beast's parser. The route, auth and limits
// are decided before a body byte is accepted; ordinary bodies are read into memory up to
// max_body_bytes, upload routes stream theirs into the ObjectStore (http_upload.h). Handlers run
// inline or offloaded (handler_call.h). Included only by http_server.cc (Beast headers are heavy).
// Thread-safety: a connection's calls run on its I/O thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>  // boost/asio/awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core.hpp>

#include "plinth/server/connection_io.h"
#include "plinth/server/http_server.h"
#include "plinth/server/io_lag.h"

namespace plinth::server {

// What the server shares with its connections.
struct ServerShared {
  const HttpServer::Options& options;
  const std::atomic<bool>& stopping;
  std::atomic<int64_t>& outstanding;  // offloaded handler calls not yet finished
};

// Per-connection state visible to Shutdown() and the I/O thread's deadline sweep; touched
// only on the connection's thread.
struct Connection {
  boost::beast::tcp_stream* stream = nullptr;
  size_t thread = 0;  // index of the connection's I/O thread
  bool idle = true;   // waiting for a request to begin
  IoDeadline deadline;  // of the fast path's reads
};

// The queueing delay of the I/O thread calling (set once by each I/O thread): predictions are
// shed while it exceeds max_io_lag_ms.
void SetThreadIoLag(IoLag* lag);

// Serves requests until the connection should close; true when it should linger first (an
// answer went out with part of the request unread: see LingeringClose).
boost::asio::awaitable<bool> ServeConnection(const ServerShared& server, boost::beast::tcp_stream& stream,
                                             Connection& conn, const std::string& client);

// Answers `r` and closes (e.g. 503 past the connection limit).
boost::asio::awaitable<void> RefuseConnection(const ServerShared& server, boost::beast::tcp_stream& stream,
                                              HttpResponse r, const std::string& client);

// After answering early (413, 431, 401...) with part of a request unread, the client may still
// be sending; closing now would reset the connection before it reads the answer. Stops
// sending, then reads and drops what arrives for a little while (a "lingering close").
boost::asio::awaitable<void> LingeringClose(boost::beast::tcp_stream& stream);

}  // namespace plinth::server
