#include "plinth/server/http_server.h"

#include <algorithm>
#include <atomic>
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

#include "plinth/base/strings.h"
#include "plinth/server/connection_io.h"
#include "plinth/server/http_connection.h"
#include "plinth/server/io_lag.h"

namespace plinth::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

// How often each I/O thread cancels fast-path reads past their deadline.
constexpr int64_t kSweepMicros = 100'000;

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
    SetThreadIoLag(lag);
    const auto period = std::chrono::microseconds(
        std::clamp<int64_t>(int64_t{options_.max_io_lag_ms} * 250, 1000, 10000));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    int64_t last_sweep = SteadyMicros();
    while (!stopping_.load()) {
      if (int64_t now = SteadyMicros(); now - last_sweep >= kSweepMicros) {
        SweepDeadlines(static_cast<size_t>(index), now);
        last_sweep = now;
      }
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

  // Cancels the fast-path reads of thread `index`'s connections that are past their deadline.
  void SweepDeadlines(size_t index, int64_t now_micros) {
    std::lock_guard<std::mutex> lock(conns_mu_);
    for (auto& [id, entry] : conns_) {
      Connection& conn = *entry.first;
      if (conn.thread == index && conn.stream != nullptr) SweepDeadline(conn.deadline, conn.stream->socket(), now_micros);
    }
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
      const size_t thread = next_ctx_;
      asio::io_context& ctx = thread == 0 ? ioc_ : *workers_[thread - 1];
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
      asio::co_spawn(executor, Session(std::move(socket), thread), asio::detached);
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

  awaitable<void> Session(tcp::socket socket, size_t thread) {
    beast::error_code ec;
    std::string client;
    {
      auto ep = socket.remote_endpoint(ec);
      client = ec ? "unknown" : StrCat(ep.address().to_string(), ":", ep.port());
    }
    socket.non_blocking(true, ec);  // the fast path's reads and writes (connection_io.h)
    if (ec) co_return;
    socket.set_option(tcp::no_delay(true), ec);  // a response goes out as soon as it is written
    beast::tcp_stream stream(std::move(socket));
    auto conn = std::make_shared<Connection>();
    conn->stream = &stream;
    conn->thread = thread;
    bool over_limit = ConnectionCount() >= static_cast<size_t>(options_.max_connections);
    uint64_t id = Register(conn, stream.get_executor());
    if (options_.metrics) options_.metrics->AddConnections(1);
    if (over_limit) {
      HttpResponse r = ErrorResponse(absl::UnavailableError("too many connections; retry later"));
      r.headers.emplace_back("Retry-After", "1");
      co_await RefuseConnection(shared_, stream, std::move(r), client);
    } else {
      bool linger = co_await ServeConnection(shared_, stream, *conn, client);
      if (linger) co_await LingeringClose(stream);
    }
    conn->stream = nullptr;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    Unregister(id);
    if (options_.metrics) options_.metrics->AddConnections(-1);
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
  const ServerShared shared_{options_, stopping_, outstanding_};
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
