// Socket reads and writes for the server's fast path: reads are the socket's own Asio operation
// and writes a non-blocking system call, Asio only when the socket cannot take it all. Going
// through Beast's tcp_stream and parser (composed operations, a timer armed and cancelled per
// operation, type-erased executors) was about a sixth of the server's CPU per request.
// Deadlines are not timers: the connection writes when its wait must end into an IoDeadline,
// and its I/O thread's sweeper (http_server.cc) cancels waits that have run past it.
// Included only by the server's connection code (Beast headers are heavy).
// Thread-safety: one connection's calls, and its sweeps, on the connection's thread.
#pragma once

#include <array>
#include <cstdint>
#include <utility>  // boost/asio/awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

namespace plinth::server {

struct IoDeadline {
  int64_t at_micros = 0;  // steady clock (SteadyMicros)
  bool waiting = false;   // a read is in progress
  bool expired = false;   // the sweeper cancelled it for running past at_micros
};

int64_t SteadyMicros();

// Cancels the connection's read if it has run past its deadline.
void SweepDeadline(IoDeadline& deadline, boost::asio::ip::tcp::socket& socket, int64_t now_micros);

// kClosed: the socket failed or its read was cancelled (shutdown): nothing more to read.
enum class ReadResult { kData, kEof, kTimedOut, kClosed };

// Reads what the socket has (at least one byte) into `buffer`, waiting for it if need be,
// until `deadline.at_micros`.
boost::asio::awaitable<ReadResult> ReadSome(boost::asio::ip::tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                            IoDeadline& deadline);

// Writes both buffers (the second may be empty): one system call when the socket takes it all,
// else the rest through the stream with a `timeout_seconds` limit. Returns the bytes written,
// or -1 on failure.
boost::asio::awaitable<int64_t> WriteAll(boost::beast::tcp_stream& stream,
                                         const std::array<boost::asio::const_buffer, 2>& buffers, int timeout_seconds);

}  // namespace plinth::server
