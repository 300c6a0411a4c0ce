// http_floor: an HTTP/1.1 server that does no work, the floor under the serving benchmark.
//
// It reads requests off keep-alive connections (finds the end of each head and skips its
// Content-Length body, nothing more) and answers each with the same fixed bytes, given in
// --response-file (the serving bench passes a response Plinth actually sent, so the bytes on the
// wire match). Whatever latency or throughput it shows at a given request rate on this machine
// is what the loopback network, the scheduler, the hypervisor and the load generator cost any
// server; what a real server shows beyond it is its own.
//
// --threads event loops (epoll, one listening socket each, SO_REUSEPORT spreads connections),
// level-triggered, non-blocking sockets; a response is one send() (it fits the socket buffer
// of a connection with one request in flight).
//
// --work-us W spins W microseconds before each answer: a server with a given CPU cost per request
// and no code of its own (to tell the cost of being busy from anything else a real server adds).
//
//   http_floor --response-file F [--port 0] [--threads 1] [--work-us 0]
// Prints "listening on PORT" once every loop is ready; runs until killed.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

// The Content-Length of a head (0 if none); the name is matched without regard to case.
size_t ContentLength(std::string_view head) {
  constexpr std::string_view kName = "\r\ncontent-length:";
  for (size_t i = 0; i + kName.size() <= head.size(); ++i) {
    size_t k = 0;
    while (k < kName.size()) {
      char c = head[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kName[k]) break;
      ++k;
    }
    if (k == kName.size()) return std::strtoul(std::string(head.substr(i + k, 24)).c_str(), nullptr, 10);
  }
  return 0;
}

int Listen(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 1024) != 0) {
    std::perror("http_floor: bind/listen");
    std::exit(1);
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

void Spin(double micros) {
  if (micros <= 0) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<int64_t>(micros * 1000));
  while (std::chrono::steady_clock::now() < until) {
  }
}

void Serve(int listener, const std::string& response, double work_us) {
  const int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, std::string> pending;  // per connection: bytes of a request not yet whole
  std::vector<epoll_event> events(256);
  std::vector<char> buf(65536);
  const int one = 1;
  while (true) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        const int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
        if (c < 0) continue;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        epoll_event cev{};
        cev.events = EPOLLIN;
        cev.data.fd = c;
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        pending[c].clear();
        continue;
      }
      const ssize_t got = recv(fd, buf.data(), buf.size(), 0);
      if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        pending.erase(fd);
        continue;
      }
      std::string& in = pending[fd];
      in.append(buf.data(), static_cast<size_t>(got));
      size_t used = 0;
      while (true) {
        const size_t head_end = in.find("\r\n\r\n", used);
        if (head_end == std::string::npos) break;
        const size_t end = head_end + 4 + ContentLength(std::string_view(in).substr(used, head_end - used));
        if (end > in.size()) break;
        used = end;
        Spin(work_us);
        if (send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) break;
      }
      in.erase(0, used);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string response_file;
  int port = 0, threads = 1;
  double work_us = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--response-file") response_file = v;
    else if (k == "--port") port = std::atoi(v.c_str());
    else if (k == "--threads") threads = std::atoi(v.c_str());
    else if (k == "--work-us") work_us = std::atof(v.c_str());
    else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  std::ifstream f(response_file, std::ios::binary);
  if (response_file.empty() || !f || threads < 1) {
    std::fprintf(stderr, "usage: http_floor --response-file F [--port 0] [--threads 1] [--work-us 0]\n");
    return 2;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string response = ss.str();
  // The first listener picks the port (0: any free one); the others join it.
  std::vector<int> listeners = {Listen(port)};
  port = BoundPort(listeners[0]);
  for (int t = 1; t < threads; ++t) listeners.push_back(Listen(port));
  std::vector<std::thread> loops;
  for (int fd : listeners) loops.emplace_back(Serve, fd, std::cref(response), work_us);
  std::printf("listening on %d\n", port);
  std::fflush(stdout);
  for (auto& t : loops) t.join();
}
