#include "plinth/server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "plinth/base/clock.h"
#include "plinth/base/stopwatch.h"
#include "plinth/base/json.h"
#include "plinth/base/json_text.h"
#include "plinth/base/strings.h"
#include "plinth/base/time.h"
#include "plinth/server/handler_call.h"
#include "plinth/server/http_upload.h"
#include "plinth/server/io_lag.h"
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

// Per-connection state visible to Shutdown(); touched only on the connection's thread.
struct Connection {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
};

}  // namespace

class HttpServer::Impl {
 public:
  // One io_context per thread (the first also accepts): each connection lives on one thread,
  // so its reads, handler and writes never hop between threads. (One io_context run by every
  // thread woke the other thread for most completions: futex wake-ups and context switches
  // were a fifth of the server's CPU under load.)
  explicit Impl(Options o) : options_(std::move(o)), ioc_(1), acceptor_(ioc_), signals_(ioc_) {
    for (int i = 1; i < std::max(1, options_.threads); ++i) {
      workers_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(asio::make_work_guard(*workers_.back()));
    }
    for (size_t i = 0; i <= workers_.size(); ++i) lags_.push_back(std::make_unique<IoLag>());
  }

  absl::Status Bind() {
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return absl::InvalidArgumentError(StrCat("invalid listen host '", options_.host, "': ", ec.message()));
    tcp::endpoint ep(address, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(StrCat("cannot listen on ", options_.host, ":", options_.port, ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    return absl::OkStatus();
  }

  uint16_t port() const { return port_; }
  bool stopping() const { return stopping_.load(); }

  void Run() {
    if (options_.handle_signals) {
      signals_.add(SIGTERM);
      signals_.add(SIGINT);
      signals_.async_wait([this](const beast::error_code& ec, int sig) {
        if (!ec) {
          LogInfo(StrCat("received signal ", sig, ": shutting down gracefully"));
          Shutdown();
        }
      });
    }
    asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);
    for (size_t i = 0; i < lags_.size(); ++i) {
      asio::io_context& ctx = i == 0 ? ioc_ : *workers_[i - 1];
      asio::co_spawn(ctx, MeasureLag(static_cast<int>(i)), asio::detached);
    }
    std::vector<std::thread> threads;
    for (auto& w : workers_) threads.emplace_back([ctx = w.get()] { ctx->run(); });
    ioc_.run();
    for (auto& g : guards_) g.reset();
    for (auto& w : workers_) w->stop();
    for (auto& t : threads) t.join();
    // Offloaded handlers past the shutdown grace still touch the io_context: wait for them.
    while (outstanding_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  void Shutdown() {
    if (stopping_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      signals_.cancel(ec);
    });
    CloseIdleConnections();
    asio::co_spawn(ioc_, Drain(), asio::detached);
  }

 private:
  void CloseIdleConnections() {
    std::lock_guard<std::mutex> lock(conns_mu_);
    for (auto& [id, entry] : conns_) {
      auto conn = entry.first;
      asio::post(entry.second, [conn] {
        if (conn->stream != nullptr && conn->idle) conn->stream->cancel();
      });
    }
  }

  // Ticks on I/O thread `index` until shutdown, measuring how late the ticks run (io_lag.h):
  // every quarter of the shedding limit, at most every 10 ms.
  awaitable<void> MeasureLag(int index) {
    IoLag* lag = lags_[static_cast<size_t>(index)].get();
    t_io_lag = lag;
    const auto period = std::chrono::microseconds(
        std::clamp<int64_t>(int64_t{options_.max_io_lag_ms} * 250, 1000, 10000));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!stopping_.load()) {
      timer.expires_after(period);
      const auto due = timer.expiry();
      beast::error_code ec;
      co_await timer.async_wait(redirect_error(use_awaitable, ec));
      if (ec) co_return;
      auto micros = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
      };
      lag->Tick(micros(due), micros(std::chrono::steady_clock::now()));
      if (options_.metrics) options_.metrics->SetIoLag(index, lag->micros());
    }
  }

  // Whether a prediction about to run inline (a kWhenAsked route: row predict, OIP infer) should
  // be refused: its I/O thread is behind by more than max_io_lag_ms. Control-plane routes, even
  // offloaded ones, are never shed.
  bool Overloaded() const {
    return options_.max_io_lag_ms > 0 && t_io_lag != nullptr && t_io_lag->micros() > int64_t{options_.max_io_lag_ms} * 1000;
  }

  // Waits for in-flight requests, then stops the io_context.
  awaitable<void> Drain() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options_.shutdown_grace_seconds);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(conns_mu_);
        if (conns_.empty()) break;
      }
      CloseIdleConnections();
      timer.expires_after(std::chrono::milliseconds(20));
      beast::error_code ec;
      co_await timer.async_wait(redirect_error(use_awaitable, ec));
    }
    ioc_.stop();
  }

  awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      // Connections go round-robin to the threads' io_contexts.
      asio::io_context& ctx = next_ctx_ == 0 ? ioc_ : *workers_[next_ctx_ - 1];
      next_ctx_ = (next_ctx_ + 1) % (workers_.size() + 1);
      tcp::socket socket = co_await acceptor_.async_accept(ctx, redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        LogWarn(StrCat("accept failed: ", ec.message()));
        asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(50));  // e.g. out of fds
        co_await t.async_wait(redirect_error(use_awaitable, ec));
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
    }
  }

  uint64_t Register(const std::shared_ptr<Connection>& conn, asio::any_io_executor ex) {
    std::lock_guard<std::mutex> lock(conns_mu_);
    uint64_t id = next_id_++;
    conns_.emplace(id, std::make_pair(conn, ex));
    return id;
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(conns_mu_);
    conns_.erase(id);
  }
  size_t ConnectionCount() {
    std::lock_guard<std::mutex> lock(conns_mu_);
    return conns_.size();
  }

  template <typename Body>
  awaitable<bool> Write(beast::tcp_stream& stream, http::response<Body>& res) {
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    size_t n = co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
    if (options_.metrics) options_.metrics->AddBytesSent(static_cast<int64_t>(n));
    co_return !ec;
  }

  template <typename Buffers>
  awaitable<bool> WriteText(beast::tcp_stream& stream, const Buffers& buffers) {
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    size_t n = co_await asio::async_write(stream, buffers, redirect_error(use_awaitable, ec));
    if (options_.metrics) options_.metrics->AddBytesSent(static_cast<int64_t>(n));
    co_return !ec;
  }

  // After answering early (413, 401...) with part of a body unread, the client may still be
  // sending; closing now would reset the connection before it reads the answer. Stop
  // sending, then read and drop what arrives for a little while (a "lingering close").
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

  awaitable<void> Session(tcp::socket socket) {
    beast::error_code ec;
    std::string client;
    {
      auto ep = socket.remote_endpoint(ec);
      client = ec ? "unknown" : StrCat(ep.address().to_string(), ":", ep.port());
    }
    beast::tcp_stream stream(std::move(socket));
    auto conn = std::make_shared<Connection>();
    conn->stream = &stream;
    bool over_limit = ConnectionCount() >= static_cast<size_t>(options_.max_connections);
    uint64_t id = Register(conn, stream.get_executor());
    if (options_.metrics) options_.metrics->AddConnections(1);
    if (over_limit) {
      HttpResponse r = ErrorResponse(absl::UnavailableError("too many connections; retry later"));
      http::response<http::string_body> res{http::status::service_unavailable, 11};
      res.set(http::field::content_type, r.content_type);
      res.set(http::field::retry_after, "1");
      res.body() = r.body;
      res.keep_alive(false);
      res.prepare_payload();
      co_await Write(stream, res);
    } else {
      bool linger = co_await Serve(stream, *conn, client);
      if (linger) co_await LingeringClose(stream);
    }
    conn->stream = nullptr;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    Unregister(id);
    if (options_.metrics) options_.metrics->AddConnections(-1);
  }

  awaitable<bool> Serve(beast::tcp_stream& stream, Connection& conn, const std::string& client) {
    // No size argument: flat_buffer(n) caps the buffer at n bytes, which turned headers over 8 KiB
    // into "buffer overflow" 400s. header_limit and the body limits bound what is read.
    beast::flat_buffer buffer;
    // Room for a typical request from the start: Beast sizes each read by the buffer's free
    // capacity (at least 512 bytes), and a 1 KB prediction request was read in two syscalls.
    buffer.reserve(kReadBufferBytes);
    for (;;) {
      conn.idle = true;
      if (stopping_) co_return false;
      beast::error_code ec;
      http::request_parser<http::empty_body> header_parser;
      header_parser.header_limit(options_.max_header_bytes);
      header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none is broken in Beast 1.74
      stream.expires_after(std::chrono::seconds(buffer.size() > 0 ? options_.request_timeout_seconds : options_.idle_timeout_seconds));
      co_await http::async_read_header(stream, buffer, header_parser, redirect_error(use_awaitable, ec));
      conn.idle = false;
      auto started = std::chrono::steady_clock::now();
      if (ec) {
        if (ec == http::error::header_limit) {
          HttpResponse r = ErrorResponse(absl::InvalidArgumentError(
                                             StrCat("request header larger than ", options_.max_header_bytes, " bytes")),
                                         431);
          r.close_connection = true;
          co_await Respond(stream, r, 11, false, nullptr, "-", "-", client, "-", started);
        } else if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
                   ec != asio::error::operation_aborted && ec != asio::error::connection_reset && ec != asio::error::eof) {
          HttpResponse r = ErrorResponse(absl::InvalidArgumentError(StrCat("malformed HTTP request: ", ec.message())));
          r.close_connection = true;
          co_await Respond(stream, r, 11, false, nullptr, "-", "-", client, "-", started);
        }
        co_return false;
      }
      if (options_.metrics) options_.metrics->AddInFlight(1);
      Outcome outcome = co_await HandleOne(stream, buffer, header_parser, client, started);
      if (options_.metrics) options_.metrics->AddInFlight(-1);
      if (outcome == Outcome::kLinger) co_return true;
      if (outcome == Outcome::kClose) co_return false;
    }
  }

  // What to do with the connection after a request.
  enum class Outcome { kKeepAlive, kClose, kLinger };
  static Outcome After(bool keep) { return keep ? Outcome::kKeepAlive : Outcome::kClose; }

  // Handles one request whose header has been read.
  awaitable<Outcome> HandleOne(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                            http::request_parser<http::empty_body>& header_parser, const std::string& client,
                            std::chrono::steady_clock::time_point started) {
    auto& hreq = header_parser.get();
    const unsigned version = hreq.version();
    const bool keep_alive = hreq.keep_alive();
    HttpRequest req;
    req.method = std::string(hreq.method_string());
    req.target = std::string(hreq.target());
    req.client = client;
    req.received_at_micros = Clock::Real()->NowMicros();
    for (const auto& field : hreq) req.headers[ToLower(std::string_view(field.name_string().data(), field.name_string().size()))] =
        std::string(field.value());
    std::string_view target(req.target);
    size_t qpos = target.find('?');
    std::string_view raw_path = target.substr(0, qpos);
    const bool body_expected = header_parser.content_length().value_or(0) > 0 || header_parser.chunked();

    // Answers before the body is read. Unread body bytes would be taken for the next request:
    // close the connection, lingering so the client still reads the answer.
    ErrorFormat error_format = ErrorFormat::kPlinth;  // the matched route's, once known
    auto fail = [&](absl::Status st, int http_status, const std::string& route) -> awaitable<Outcome> {
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
    if (header_parser.content_length().value_or(0) > static_cast<uint64_t>(body_limit)) {
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

    if (route->upload) {
      auto st = co_await ReadUpload(stream, buffer, header_parser, req,
                                    {options_.uploads, options_.max_upload_bytes, options_.idle_timeout_seconds, options_.metrics});
      if (!st.ok()) {
        if (absl::IsCancelled(st)) co_return Outcome::kClose;  // client went away: nothing to answer
        bool over_limit = absl::IsResourceExhausted(st) && StartsWith(std::string(st.message()), "upload larger");
        HttpResponse r = ErrorResponse(st, over_limit ? 413 : 0, error_format);
        r.close_connection = true;
        co_await Respond(stream, r, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started);
        co_return over_limit ? Outcome::kLinger : Outcome::kClose;
      }
    } else if (body_expected) {
      http::request_parser<http::string_body> body_parser{std::move(header_parser)};
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
        if (ec == beast::error::timeout) {
          HttpResponse r = ErrorResponse(absl::DeadlineExceededError("request body not received in time"), 408, error_format);
          r.close_connection = true;
          co_await Respond(stream, r, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started);
        }
        co_return Outcome::kClose;  // truncated body or a reset: the request never completed
      }
      req.body = std::move(body_parser.get().body());
      if (options_.metrics) options_.metrics->AddBytesReceived(static_cast<int64_t>(req.body.size()));
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
      resp = co_await CallOffloaded(executor, outstanding_, options_.retry_after_seconds, *route, req);
    } else if (route->offload == Offload::kAlways && options_.offload != nullptr) {
      resp = co_await CallOffloaded(*options_.offload, outstanding_, options_.retry_after_seconds, *route, req);
    } else {
      req.on_io_thread = route->offload == Offload::kWhenAsked && options_.offload != nullptr;
      resp = CallHandler(*route, req);
      if (resp.run_offloaded) {
        req.on_io_thread = false;
        resp = co_await CallOffloaded(*options_.offload, outstanding_, options_.retry_after_seconds, *route, req);
      }
    }
    co_return After(co_await Respond(stream, resp, version, keep_alive, &req, req.method, route->pattern, client, req.actor, started));
  }

  awaitable<bool> Respond(beast::tcp_stream& stream, HttpResponse& r, unsigned version, bool keep_alive,
                          const HttpRequest* req, const std::string& method, const std::string& route,
                          const std::string& client, const std::string& actor,
                          std::chrono::steady_clock::time_point started) {
    bool keep = keep_alive && !r.close_connection && !stopping_;
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
      if (r.body.size() <= kInlineBodyBytes) {
        head += r.body;
        ok = co_await WriteText(stream, asio::buffer(head));
      } else {
        ok = co_await WriteText(stream, std::array<asio::const_buffer, 2>{asio::buffer(head), asio::buffer(r.body)});
      }
    }
    double seconds = SecondsSince(started);
    if (options_.metrics) options_.metrics->Observe(method, route, r.status, seconds);
    if (options_.access_log && options_.access_log->enabled()) {
      options_.access_log->Write(AccessLogLine(client, actor, method, req ? std::string_view(req->target) : "-", route,
                                               r.status, bytes, seconds));
    }
    co_return ok && keep;
  }

  Options options_;
  // The workers' io_contexts outlive ioc_: a pending accept on ioc_ holds a socket bound to a
  // worker, and ioc_'s destructor destroys it (AddressSanitizer caught the use after free when the
  // workers went first).
  std::vector<std::unique_ptr<asio::io_context>> workers_;  // one per thread after the first
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  asio::io_context ioc_;
  std::vector<std::unique_ptr<IoLag>> lags_;  // per I/O thread: ioc_, then workers_
  size_t next_ctx_ = 0;  // touched by Accept only
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> outstanding_{0};  // offloaded handler calls not yet finished
  std::mutex conns_mu_;
  std::map<uint64_t, std::pair<std::shared_ptr<Connection>, asio::any_io_executor>> conns_;  // guarded by conns_mu_
  uint64_t next_id_ = 1;                                                                     // guarded by conns_mu_
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(Options options) {
  if (options.router == nullptr) return absl::InvalidArgumentError("HttpServer needs a router");
  auto impl = std::make_unique<Impl>(std::move(options));
  PLINTH_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Shutdown() { impl_->Shutdown(); }
bool HttpServer::stopping() const { return impl_->stopping(); }

}  // namespace plinth::server
