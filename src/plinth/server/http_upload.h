// Upload bodies (routes marked `upload`): streamed from the connection into the ObjectStore,
// never held in memory. A body of known length is copied from the socket in large reads;
// a chunked one goes through Beast's parser. The `x-plinth-sha256` header, when sent, is
// checked at commit. Included only by http_server.cc (Beast headers are heavy).
// Thread-safety: one call per connection, on the connection's thread.
#pragma once

#include <cstdint>
#include <utility>  // boost/asio/awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "plinth/server/http_types.h"
#include "plinth/server/metrics.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

struct UploadLimits {
  storage::ObjectStore* uploads = nullptr;
  int64_t max_upload_bytes = 0;
  int idle_timeout_seconds = 60;  // between reads
  HttpMetrics* metrics = nullptr;
};

// Reads the body announced by `header_parser` into a new object; on success sets req.upload.
// ResourceExhausted over the limit ("upload larger than ..."), Cancelled when the client went
// away, the store's error otherwise (the object is aborted).
boost::asio::awaitable<absl::Status> ReadUpload(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                                boost::beast::http::request_parser<boost::beast::http::empty_body>& header_parser,
                                                HttpRequest& req, const UploadLimits& limits);

}  // namespace plinth::server
