// Running a route's handler: inline (CallHandler) or on a bounded executor while the
// connection's coroutine waits without holding an I/O thread (CallOffloaded).
//
// CallOffloaded submits the call to `executor`; when the executor is full it answers 503 with
// `Retry-After: retry_after_seconds` at once (admission control). Otherwise the coroutine waits
// on a timer that never expires and that the worker cancels, on the coroutine's executor, when
// the response is ready. `req` must outlive the call: it lives in the coroutine frame, and
// frames are only destroyed with the io_context, which the server keeps until `outstanding`
// (incremented per call, decremented by the worker as its last step) is back to zero.
// Thread-safety: CallHandler runs on the calling thread; CallOffloaded on the executor's.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>

#include "plinth/base/bounded_executor.h"
#include "plinth/server/router.h"

namespace plinth::server {

// The handler's response, or its error in the route's error format (exceptions become 500).
HttpResponse CallHandler(const Route& route, HttpRequest& req);

boost::asio::awaitable<HttpResponse> CallOffloaded(BoundedExecutor& executor, std::atomic<int64_t>& outstanding,
                                                   int retry_after_seconds, const Route& route, HttpRequest& req);

}  // namespace plinth::server
