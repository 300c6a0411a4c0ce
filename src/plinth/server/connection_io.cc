#include "plinth/server/connection_io.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace plinth::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

// Smallest room offered to a read; the buffer doubles when it has less.
constexpr size_t kMinReadRoom = 4096;

bool WouldBlock(const beast::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SweepDeadline(IoDeadline& deadline, asio::ip::tcp::socket& socket, int64_t now_micros) {
  if (!deadline.waiting || now_micros < deadline.at_micros) return;
  deadline.expired = true;
  beast::error_code ec;
  socket.cancel(ec);
}

asio::awaitable<ReadResult> ReadSome(asio::ip::tcp::socket& socket, beast::flat_buffer& buffer, IoDeadline& deadline) {
  size_t room = buffer.capacity() - buffer.size();
  if (room < kMinReadRoom) room = std::max(kMinReadRoom, buffer.size());
  if (SteadyMicros() >= deadline.at_micros) co_return ReadResult::kTimedOut;
  // Straight to the socket's Asio operation, not a read attempted here first: Asio's reactor
  // knows whether the socket became readable since its last short read and skips the system
  // call that would fail (an attempt here plus an Asio wait cost a failed read and an epoll_ctl
  // per request).
  beast::error_code ec;
  deadline.waiting = true;
  deadline.expired = false;
  const size_t n = co_await socket.async_read_some(buffer.prepare(room), redirect_error(use_awaitable, ec));
  deadline.waiting = false;
  if (deadline.expired) co_return ReadResult::kTimedOut;
  if (!ec) {
    buffer.commit(n);
    co_return ReadResult::kData;
  }
  if (ec == asio::error::eof) co_return ReadResult::kEof;
  co_return ReadResult::kClosed;
}

asio::awaitable<int64_t> WriteAll(beast::tcp_stream& stream, const std::array<asio::const_buffer, 2>& buffers,
                                  int timeout_seconds) {
  const size_t total = buffers[0].size() + buffers[1].size();
  beast::error_code ec;
  size_t n = stream.socket().write_some(buffers, ec);
  if (ec && !WouldBlock(ec)) co_return -1;
  if (ec) n = 0;
  if (n == total) co_return static_cast<int64_t>(n);
  // The socket's send buffer is full: the rest waits for the client to read.
  std::array<asio::const_buffer, 2> rest = buffers;
  if (n < rest[0].size()) {
    rest[0] += n;
  } else {
    rest[1] += n - rest[0].size();
    rest[0] = asio::const_buffer();
  }
  stream.expires_after(std::chrono::seconds(timeout_seconds));
  const size_t more = co_await asio::async_write(stream, rest, redirect_error(use_awaitable, ec));
  if (ec) co_return -1;
  co_return static_cast<int64_t>(n + more);
}

}  // namespace plinth::server
