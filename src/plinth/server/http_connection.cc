#include "plinth/server/http_connection.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <optional>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include "plinth/base/clock.h"
#include "plinth/base/json_text.h"
#include "plinth/base/stopwatch.h"
#include "plinth/base/strings.h"
#include "plinth/base/time.h"
#include "plinth/server/handler_call.h"
#include "plinth/server/http_upload.h"
#include "plinth/server/request_head.h"
#include "plinth/server/response_head.h"

namespace plinth::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

// Initial capacity of a connection's read buffer (it grows for larger requests).
constexpr size_t kReadBufferBytes = 16384;
// Response bodies up to this size are copied behind their head and sent as one buffer.
constexpr size_t kInlineBodyBytes = 16384;
// Room reserved for a response head (status line and fields), so building it takes one allocation.
constexpr size_t kResponseHeadBytes = 256;

// One access log line: a JSON object written as text (a JSON document per request cost about
// 6% of a small prediction's server time).
std::string AccessLogLine(std::string_view client, std::string_view actor, std::string_view method, std::string_view target,
                          std::string_view route, int status, int64_t bytes, double seconds) {
  std::string line = "{\"ts\":";
  line.reserve(256);
  AppendJsonString(&line, FormatTimestamp(Clock::Real()->NowMicros()));
  line += ",\"client\":";
  AppendJsonString(&line, client);
  line += ",\"actor\":";
  AppendJsonString(&line, actor);
  line += ",\"method\":";
  AppendJsonString(&line, method);
  line += ",\"target\":";
  AppendJsonString(&line, target);
  line += ",\"route\":";
  AppendJsonString(&line, route);
  StrAppend(&line, ",\"status\":", status, ",\"bytes\":", bytes, ",\"ms\":");
  AppendJsonDouble(&line, seconds * 1000.0);
  line += '}';
  return line;
}

// The queueing delay of the I/O thread running the current code (io_lag.h); null elsewhere.
thread_local IoLag* t_io_lag = nullptr;

// The requests of one server's connections; its calls keep no state between them.
class Exchange {
 public:
  explicit Exchange(const ServerShared& server) : server_(server), options_(server.options) {}

  // See ServeConnection.
  awaitable<bool> Serve(beast::tcp_stream& stream, Connection& conn, const std::string& client) {
    // No size argument: flat_buffer(n) caps the buffer at n bytes, which turned headers over 8 KiB
    // into "buffer overflow" 400s. header_limit and the body limits bound what is read.
    beast::flat_buffer buffer;
    // Room for a typical request from the start, so it arrives in one read.
    buffer.reserve(kReadBufferBytes);
    RequestHead head;  // reused: its fields keep their capacity
    for (;;) {
      conn.idle = true;
      if (server_.stopping) co_return false;
      // Fast path: a plain request head (request_head.h) read with non-blocking calls
      // (connection_io.h). Anything unusual goes to Beast's parser below, bytes and all.
      const int64_t request_micros = int64_t{options_.request_timeout_seconds} * 1'000'000;
      conn.deadline.at_micros =
          SteadyMicros() + (buffer.size() > 0 ? request_micros : int64_t{options_.idle_timeout_seconds} * 1'000'000);
      HeadParse parsed;
      bool oversized = false;  // (Beast lets a head over its limit through when it arrives in one read)
      for (;;) {
        parsed = ParseRequestHead(std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()), &head);
        if (parsed != HeadParse::kIncomplete) break;
        if (buffer.size() >= options_.max_header_bytes) {
          oversized = true;
          break;
        }
        const bool began = buffer.size() == 0;
        const ReadResult read = co_await ReadSome(stream.socket(), buffer, conn.deadline);
        if (read == ReadResult::kEof && buffer.size() > 0) {
          parsed = HeadParse::kUnusual;  // Beast reports the partial request
          break;
        }
        if (read != ReadResult::kData) co_return false;  // closed, reset, timed out, shutting down
        if (began) conn.deadline.at_micros = SteadyMicros() + request_micros;
      }
      conn.idle = false;
      auto started = std::chrono::steady_clock::now();
      auto too_large = [&]() -> awaitable<void> {
        HttpResponse r = ErrorResponse(
            absl::InvalidArgumentError(StrCat("request header larger than ", options_.max_header_bytes, " bytes")), 431);
        r.close_connection = true;
        co_await Respond(stream, r, 11, false, nullptr, "-", "-", client, "-", started);
      };
      if (oversized || (parsed == HeadParse::kComplete && head.head_bytes > options_.max_header_bytes)) {
        co_await too_large();
        co_return true;  // the rest of the head may still be on its way: linger
      }
      Outcome outcome;
      if (parsed == HeadParse::kComplete) {
        if (options_.metrics) options_.metrics->AddInFlight(1);
        outcome = co_await HandleOne(stream, buffer, conn, &head, nullptr, client, started);
        if (options_.metrics) options_.metrics->AddInFlight(-1);
      } else {
        beast::error_code ec;
        http::request_parser<http::empty_body> header_parser;
        header_parser.header_limit(options_.max_header_bytes);
        header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none is broken in Beast 1.74
        stream.expires_after(std::chrono::seconds(options_.request_timeout_seconds));
        co_await http::async_read_header(stream, buffer, header_parser, redirect_error(use_awaitable, ec));
        if (ec) {
          if (ec == http::error::header_limit) {
            co_await too_large();
            co_return true;
          }
          if (ec != http::error::end_of_stream && ec != beast::error::timeout && ec != asio::error::operation_aborted &&
              ec != asio::error::connection_reset && ec != asio::error::eof) {
            HttpResponse r = ErrorResponse(absl::InvalidArgumentError(StrCat("malformed HTTP request: ", ec.message())));
            r.close_connection = true;
            co_await Respond(stream, r, 11, false, nullptr, "-", "-", client, "-", started);
          }
          co_return false;
        }
        if (options_.metrics) options_.metrics->AddInFlight(1);
        outcome = co_await HandleOne(stream, buffer, conn, nullptr, &header_parser, client, started);
        if (options_.metrics) options_.metrics->AddInFlight(-1);
      }
      if (outcome == Outcome::kLinger) co_return true;
      if (outcome == Outcome::kClose) co_return false;
      // Let the thread's other ready connections go first. Reading at once, right after the
      // answer, would mostly find nothing yet (a failed system call per request: Asio tries a
      // read before it waits); by the time they are done, the client has usually sent its next
      // request. It also keeps pipelined requests from holding the thread.
      co_await asio::post(stream.get_executor(), use_awaitable);
    }
  }

  // What to do with the connection after a request.
  enum class Outcome { kKeepAlive, kClose, kLinger };
  static Outcome After(bool keep) { return keep ? Outcome::kKeepAlive : Outcome::kClose; }

  // Handles one request whose head is at the front of `buffer` (`fast`, parsed in place) or was
  // read by Beast (`parsed`); exactly one of them is set.
  awaitable<Outcome> HandleOne(beast::tcp_stream& stream, beast::flat_buffer& buffer, Connection& conn,
                               const RequestHead* fast, http::request_parser<http::empty_body>* parsed,
                               const std::string& client, std::chrono::steady_clock::time_point started) {
    HttpRequest req;
    unsigned version;
    bool keep_alive, body_expected;
    uint64_t declared_length;
    size_t head_bytes = 0;
    if (fast != nullptr) {
      version = fast->version;
      keep_alive = fast->keep_alive;
      declared_length = fast->content_length;
      body_expected = declared_length > 0;
      head_bytes = fast->head_bytes;
      req.method.assign(fast->method);
      req.target.assign(fast->target);
      for (const auto& [name, value] : fast->fields) req.headers[ToLower(name)].assign(value);
      // `fast` views the buffer, which reading the body may move: not used past this point.
      fast = nullptr;
    } else {
      auto& hreq = parsed->get();
      version = hreq.version();
      keep_alive = hreq.keep_alive();
      declared_length = parsed->content_length().value_or(0);
      body_expected = declared_length > 0 || parsed->chunked();
      req.method = std::string(hreq.method_string());
      req.target = std::string(hreq.target());
      for (const auto& field : hreq) {
        req.headers[ToLower(std::string_view(field.name_string().data(), field.name_string().size()))] =
            std::string(field.value());
      }
    }
    const bool in_place = head_bytes > 0;  // the head is still in `buffer`, unconsumed
    req.client = client;
    req.received_at_micros = Clock::Real()->NowMicros();
    std::string_view target(req.target);
    size_t qpos = target.find('?');
    std::string_view raw_path = target.substr(0, qpos);

    // Answers before the body is read. Unread body bytes would be taken for the next request:
    // close the connection, lingering so the client still reads the answer.
    ErrorFormat error_format = ErrorFormat::kPlinth;  // the matched route's, once known
    auto fail = [&](absl::Status st, int http_status, const std::string& route) -> awaitable<Outcome> {
      if (in_place && !body_expected) buffer.consume(head_bytes);
      HttpResponse r = ErrorResponse(st, http_status, error_format);
      r.close_connection = body_expected || !keep_alive;
      bool keep = co_await Respond(stream, r, version, keep_alive, &req, req.method, route, client, req.actor, started);
      co_return body_expected ? Outcome::kLinger : After(keep);
    };

    auto decoded_path = PercentDecode(raw_path, false);
    if (!decoded_path.ok() || raw_path.empty() || raw_path[0] != '/') {
      co_return co_await fail(absl::InvalidArgumentError("malformed request path"), 0, "unmatched");
    }
    req.path = *decoded_path;
    if (qpos != std::string_view::npos) {
      auto q = ParseQueryString(target.substr(qpos + 1));
      if (!q.ok()) co_return co_await fail(q.status(), 0, "unmatched");
      req.query = std::move(*q);
    }
    bool method_mismatch = false;
    error_format = options_.router->ErrorFormatFor(raw_path);
    const Route* route = options_.router->Match(req.method, raw_path, &req.path_params, &method_mismatch);
    if (route == nullptr) {
      if (method_mismatch) {
        co_return co_await fail(absl::InvalidArgumentError(StrCat("method ", req.method, " not allowed on ", req.path)), 405,
                                "unmatched");
      }
      co_return co_await fail(absl::NotFoundError(StrCat("no route for ", req.method, " ", req.path)), 0, "unmatched");
    }
    error_format = route->error_format;
    if (options_.authorizer) {
      absl::Status st = options_.authorizer(req, *route);
      if (!st.ok()) co_return co_await fail(st, 0, route->pattern);
    }

    // Beast compares body_limit with Content-Length only while it parses the header, which ran
    // with no limit: refuse a declared length over the route's limit here, before reading it.
    const int64_t body_limit = route->upload ? options_.max_upload_bytes : options_.max_body_bytes;
    if (declared_length > static_cast<uint64_t>(body_limit)) {
      co_return co_await fail(absl::ResourceExhaustedError(StrCat(route->upload ? "upload" : "request body",
                                                                  " larger than ", body_limit, " bytes")),
                              413, route->pattern);
    }

    // 100-continue: tell the client to send the body only once the request is accepted.
    if (body_expected && ToLower(req.Header("expect")) == "100-continue") {
      http::response<http::empty_body> cont{http::status::continue_, version};
      beast::error_code ec;
      co_await http::async_write(stream, cont, redirect_error(use_awaitable, ec));
      if (ec) co_return Outcome::kClose;
    }

    // The body did not arrive within request_timeout: 408, then the connection closes.
    auto body_too_slow = [&]() -> awaitable<void> {
      HttpResponse r = ErrorResponse(absl::DeadlineExceededError("request body not received in time"), 408, error_format);
      r.close_connection = true;
      co_await Respond(stream, r, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started);
    };
    if (route->upload) {
      std::optional<http::request_parser<http::empty_body>> taken_over;
      if (in_place) {
        // Uploads stream through Beast's parser: it takes over the head the fast path read.
        taken_over.emplace();
        taken_over->header_limit(options_.max_header_bytes);
        taken_over->body_limit(std::numeric_limits<std::uint64_t>::max());
        beast::error_code ec;
        const size_t used = taken_over->put(asio::buffer(buffer.data().data(), head_bytes), ec);
        if (ec || !taken_over->is_header_done() || used != head_bytes) {
          co_return co_await fail(absl::InvalidArgumentError("malformed HTTP request"), 0, route->pattern);
        }
        buffer.consume(head_bytes);
        parsed = &*taken_over;
      }
      auto st = co_await ReadUpload(stream, buffer, *parsed, req,
                                    {options_.uploads, options_.max_upload_bytes, options_.idle_timeout_seconds, options_.metrics});
      if (!st.ok()) {
        if (absl::IsCancelled(st)) co_return Outcome::kClose;  // client went away: nothing to answer
        bool over_limit = absl::IsResourceExhausted(st) && StartsWith(std::string(st.message()), "upload larger");
        HttpResponse r = ErrorResponse(st, over_limit ? 413 : 0, error_format);
        r.close_connection = true;
        co_await Respond(stream, r, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started);
        co_return over_limit ? Outcome::kLinger : Outcome::kClose;
      }
    } else if (body_expected && in_place) {
      // declared_length is within max_body_bytes (checked above).
      const size_t need = head_bytes + static_cast<size_t>(declared_length);
      conn.deadline.at_micros = SteadyMicros() + int64_t{options_.request_timeout_seconds} * 1'000'000;
      while (buffer.size() < need) {
        const ReadResult read = co_await ReadSome(stream.socket(), buffer, conn.deadline);
        if (read == ReadResult::kTimedOut) co_await body_too_slow();
        if (read != ReadResult::kData) co_return Outcome::kClose;  // truncated body or a reset: never completed
      }
      req.body.assign(static_cast<const char*>(buffer.data().data()) + head_bytes, static_cast<size_t>(declared_length));
      buffer.consume(need);
      if (options_.metrics) options_.metrics->AddBytesReceived(static_cast<int64_t>(req.body.size()));
    } else if (body_expected) {
      http::request_parser<http::string_body> body_parser{std::move(*parsed)};
      body_parser.body_limit(static_cast<uint64_t>(options_.max_body_bytes));
      beast::error_code ec;
      // tcp_stream's own expiry closes the socket, which would leave no way to answer 408: a
      // separate timer on the connection's thread only cancels the read.
      stream.expires_never();
      asio::steady_timer deadline(stream.get_executor(), std::chrono::seconds(options_.request_timeout_seconds));
      bool timed_out = false;
      deadline.async_wait([&stream, &timed_out](const beast::error_code& tec) {
        if (!tec) {
          timed_out = true;
          stream.socket().cancel();
        }
      });
      co_await http::async_read(stream, buffer, body_parser, redirect_error(use_awaitable, ec));
      deadline.cancel();
      if (timed_out) ec = beast::error::timeout;
      if (ec == http::error::body_limit) {
        HttpResponse r = ErrorResponse(
            absl::ResourceExhaustedError(StrCat("request body larger than ", options_.max_body_bytes, " bytes")), 413,
            error_format);
        r.close_connection = true;
        co_await Respond(stream, r, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started);
        co_return Outcome::kLinger;
      }
      if (ec) {
        if (ec == beast::error::timeout) co_await body_too_slow();
        co_return Outcome::kClose;  // truncated body or a reset: the request never completed
      }
      req.body = std::move(body_parser.get().body());
      if (options_.metrics) options_.metrics->AddBytesReceived(static_cast<int64_t>(req.body.size()));
    } else if (in_place) {
      buffer.consume(head_bytes);
    }

    // (No co_await inside ?: — GCC 12 miscompiles it.)
    HttpResponse resp;
    using Offload = Route::Offload;
    if (route->offload == Offload::kWhenAsked && Overloaded()) {
      // Behind by more than the limit: refusing costs far less than predicting, so the
      // backlog drains instead of every request waiting longer (io_lag.h).
      if (options_.metrics) options_.metrics->AddShed();
      resp = ErrorResponse(absl::UnavailableError(StrCat("the server is overloaded (requests wait ",
                                                         t_io_lag->micros() / 1000, " ms for an I/O thread); retry later")),
                           503, route->error_format);
      resp.headers.emplace_back("Retry-After", std::to_string(options_.retry_after_seconds));
    } else if (route->offload == Offload::kWrites && (options_.writes != nullptr || options_.offload != nullptr)) {
      BoundedExecutor& executor = options_.writes != nullptr ? *options_.writes : *options_.offload;
      resp = co_await CallOffloaded(executor, server_.outstanding, options_.retry_after_seconds, *route, req);
    } else if (route->offload == Offload::kAlways && options_.offload != nullptr) {
      resp = co_await CallOffloaded(*options_.offload, server_.outstanding, options_.retry_after_seconds, *route, req);
    } else {
      req.on_io_thread = route->offload == Offload::kWhenAsked && options_.offload != nullptr;
      resp = CallHandler(*route, req);
      if (resp.run_offloaded) {
        req.on_io_thread = false;
        resp = co_await CallOffloaded(*options_.offload, server_.outstanding, options_.retry_after_seconds, *route, req);
      }
    }
    co_return After(co_await Respond(stream, resp, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started));
  }

  // Writes `r` (access log and metrics included); true when the connection stays open.
  awaitable<bool> Respond(beast::tcp_stream& stream, HttpResponse& r, unsigned version, bool keep_alive,
                          const HttpRequest* req, const std::string& method, const std::string& route,
                          const std::string& client, const std::string& actor,
                          std::chrono::steady_clock::time_point started) {
    bool keep = keep_alive && !r.close_connection && !server_.stopping;
    bool ok;
    int64_t bytes = 0;
    if (r.file_path) {
      http::response<http::file_body> res{static_cast<http::status>(r.status), version};
      beast::error_code ec;
      res.body().open(r.file_path->c_str(), beast::file_mode::scan, ec);
      if (ec) {
        HttpResponse err = ErrorResponse(absl::InternalError(StrCat("cannot open artifact: ", ec.message())));
        err.close_connection = r.close_connection;
        co_return co_await Respond(stream, err, version, keep_alive, req, method, route, client, actor, started);
      }
      res.set(http::field::content_type, r.content_type);
      for (const auto& [k, v] : r.headers) res.set(k, v);
      res.keep_alive(keep);
      res.prepare_payload();
      bytes = static_cast<int64_t>(res.body().size());
      ok = co_await Write(stream, res);
    } else {
      // Written as text: the head and a small body in one buffer (see response_head.h).
      std::string head;
      head.reserve(kResponseHeadBytes + (r.body.size() <= kInlineBodyBytes ? r.body.size() : 0));
      AppendResponseHead(&head, version, r.status, r.content_type, r.headers, r.body.size(), keep);
      bytes = static_cast<int64_t>(r.body.size());
      std::array<asio::const_buffer, 2> buffers;
      if (r.body.size() <= kInlineBodyBytes) {
        head += r.body;
        buffers = {asio::buffer(head), asio::const_buffer()};
      } else {
        buffers = {asio::buffer(head), asio::buffer(r.body)};
      }
      const int64_t sent = co_await WriteAll(stream, buffers, options_.idle_timeout_seconds);
      if (sent > 0 && options_.metrics) options_.metrics->AddBytesSent(sent);
      ok = sent >= 0;
    }
    double seconds = SecondsSince(started);
    if (options_.metrics) options_.metrics->Observe(method, route, r.status, seconds);
    if (options_.access_log && options_.access_log->enabled()) {
      options_.access_log->Write(AccessLogLine(client, actor, method, req ? std::string_view(req->target) : "-", route,
                                               r.status, bytes, seconds));
    }
    co_return ok && keep;
  }

 private:
  // Whether a prediction about to run inline (a kWhenAsked route: row predict, OIP infer) should
  // be refused: its I/O thread is behind by more than max_io_lag_ms. Control-plane routes, even
  // offloaded ones, are never shed.
  bool Overloaded() const {
    return options_.max_io_lag_ms > 0 && t_io_lag != nullptr && t_io_lag->micros() > int64_t{options_.max_io_lag_ms} * 1000;
  }

  template <typename Body>
  awaitable<bool> Write(beast::tcp_stream& stream, http::response<Body>& res) {
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    size_t n = co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
    if (options_.metrics) options_.metrics->AddBytesSent(static_cast<int64_t>(n));
    co_return !ec;
  }

  const ServerShared& server_;
  const HttpServer::Options& options_;
};

}  // namespace

void SetThreadIoLag(IoLag* lag) { t_io_lag = lag; }

awaitable<bool> ServeConnection(const ServerShared& server, beast::tcp_stream& stream, Connection& conn,
                                const std::string& client) {
  Exchange exchange(server);
  co_return co_await exchange.Serve(stream, conn, client);
}

awaitable<void> RefuseConnection(const ServerShared& server, beast::tcp_stream& stream, HttpResponse r,
                                 const std::string& client) {
  Exchange exchange(server);
  r.close_connection = true;
  co_await exchange.Respond(stream, r, 11, false, nullptr, "-", "-", client, "-", std::chrono::steady_clock::now());
}

awaitable<void> LingeringClose(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::vector<char> sink(64 * 1024);
  size_t drained = 0;
  stream.expires_after(std::chrono::seconds(2));
  while (!ec && drained < (size_t{16} << 20)) {
    drained += co_await stream.async_read_some(asio::buffer(sink), redirect_error(use_awaitable, ec));
  }
}


}  // namespace plinth::server
