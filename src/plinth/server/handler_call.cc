#include "plinth/server/handler_call.h"

#include <memory>

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "plinth/base/logging.h"

namespace plinth::server {

namespace asio = boost::asio;

namespace {

// One call handed to the executor; shared by the coroutine and the worker.
struct OffloadedCall {
  OffloadedCall(asio::any_io_executor ex, HttpRequest* r) : done(ex, asio::steady_timer::time_point::max()), req(r) {}
  asio::steady_timer done;
  HttpRequest* req;
  HttpResponse resp;
};

}  // namespace

HttpResponse CallHandler(const Route& route, HttpRequest& req) {
  try {
    absl::StatusOr<HttpResponse> out = route.handler(req);
    return out.ok() ? std::move(*out) : ErrorResponse(out.status(), 0, route.error_format);
  } catch (const std::exception& e) {
    LogError(StrCat("handler ", route.pattern, " threw: ", e.what()));
    return ErrorResponse(absl::InternalError("internal error"), 0, route.error_format);
  }
}

asio::awaitable<HttpResponse> CallOffloaded(BoundedExecutor& executor, std::atomic<int64_t>& outstanding,
                                            int retry_after_seconds, const Route& route, HttpRequest& req) {
  auto ex = co_await asio::this_coro::executor;
  auto call = std::make_shared<OffloadedCall>(ex, &req);
  outstanding.fetch_add(1);
  bool admitted = executor.TrySubmit([&outstanding, &route, call, ex] {
    call->resp = CallHandler(route, *call->req);
    asio::post(ex, [call] { call->done.cancel(); });
    outstanding.fetch_sub(1);
  });
  if (!admitted) {
    outstanding.fetch_sub(1);
    HttpResponse r = ErrorResponse(absl::UnavailableError("the server is at its limit of concurrent predictions; retry later"),
                                   503, route.error_format);
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
    co_return r;
  }
  boost::system::error_code ec;
  co_await call->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return std::move(call->resp);
}

}  // namespace plinth::server
