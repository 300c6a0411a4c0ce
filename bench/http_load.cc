// http_load: an HTTP/1.1 load generator for POST requests with keep-alive, open or closed loop.
//
// Closed loop (--rate 0): each connection sends its next request as soon as the previous answer
// arrives; the result is the saturation throughput. Open loop (--rate R): requests are due at a
// fixed schedule (R per second in total, spread over the connections) and latency is measured
// from when a request was due, not from when it was sent, so a stalled server shows up in the
// percentiles instead of silently slowing the generator (no coordinated omission). A request
// that falls due while its connection still waits for an answer waits its turn (one request in
// flight per connection) and is charged the wait.
//
// The connections are driven by --threads event loops (epoll, non-blocking reads; default 1):
// a generator that shares the machine with the server under test should take as little CPU
// and cause as few context switches as it can, so that it measures the server, not itself.
//
//   http_load --host 127.0.0.1 --port 7070[,7071...] --path /api/v1/deployments/d/predict --body-file b.json
//             [--connections 8] [--threads 1] [--duration 10] [--rate 0] [--warmup 1] [--header "K: V"]
//             [--trace FILE]   ("due_seconds latency_us" per request, to find when stalls happen)
// Prints one JSON object: requests, errors, seconds, rps, latency percentiles in microseconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string host = "127.0.0.1", path = "/", body, headers;
  std::string trace;  // a file for "due_seconds latency_us" of every request measured
  std::vector<int> ports = {7070};  // connection c goes to ports[c % ports.size()]
  int connections = 8;
  int threads = 1;
  double duration = 10, rate = 0, warmup = 1;
};

struct Result {
  std::vector<double> latencies_us;
  std::vector<double> due_s;  // --trace: when each request was due (seconds from the start)
  long errors = 0;
  long non_2xx = 0;
};

Clock::time_point At(Clock::time_point start, double seconds) {
  return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

int Connect(const Args& a, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, a.host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// One complete response at the front of `buf`: its status, its length in *size and whether
// the server closes the connection after it; 0 when more bytes are needed.
int ParseResponse(const std::string& buf, size_t* size, bool* close_after) {
  const size_t header_end = buf.find("\r\n\r\n");
  if (header_end == std::string::npos || buf.size() < 12) return 0;
  std::string lower = buf.substr(0, header_end);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t content_length = 0;
  const size_t cl = lower.find("content-length:");
  if (cl != std::string::npos) content_length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
  const size_t total = header_end + 4 + content_length;
  if (buf.size() < total) return 0;
  *size = total;
  *close_after = lower.find("connection: close") != std::string::npos;
  return std::max(1, std::atoi(buf.c_str() + 9));
}

struct Connection {
  int index = 0;
  int port = 0;
  int fd = -1;
  std::string request;
  std::string buf;
  bool in_flight = false;
  Clock::time_point due;                // of the request in flight
  std::deque<Clock::time_point> waiting;  // open loop: due, not sent yet
  long scheduled = 0;                   // open loop: requests scheduled so far
};

class Loop {
 public:
  Loop(const Args& a, Clock::time_point start, Clock::time_point measure_from, Clock::time_point end, Result* out)
      : a_(a), start_(start), measure_from_(measure_from), end_(end), out_(out), epoll_(epoll_create1(0)) {}
  ~Loop() {
    for (Connection& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
    close(epoll_);
  }

  void Add(int index) {
    Connection c;
    c.index = index;
    c.port = a_.ports[index % a_.ports.size()];
    std::ostringstream req;
    req << "POST " << a_.path << " HTTP/1.1\r\nHost: " << a_.host << ":" << c.port
        << "\r\nContent-Type: application/json\r\nContent-Length: " << a_.body.size() << "\r\n" << a_.headers << "\r\n"
        << a_.body;
    c.request = req.str();
    conns_.push_back(std::move(c));
  }

  void Run() {
    for (size_t i = 0; i < conns_.size(); ++i) Reconnect(i);
    const double interval = a_.rate > 0 ? a_.connections / a_.rate : 0;  // seconds between a connection's requests
    std::vector<epoll_event> events(conns_.size() + 1);
    // In-flight requests get this long to finish after the end.
    const Clock::time_point drain_until = end_ + std::chrono::seconds(5);
    while (true) {
      Clock::time_point now = Clock::now();
      Clock::time_point wake = now >= end_ ? drain_until : end_;
      bool any_in_flight = false;
      for (size_t i = 0; i < conns_.size(); ++i) {
        Connection& c = conns_[i];
        if (a_.rate > 0) {
          while (true) {
            const Clock::time_point due = At(start_, interval * (c.scheduled + static_cast<double>(c.index) / a_.connections));
            if (due >= end_) break;
            if (due > now) {
              wake = std::min(wake, due);
              break;
            }
            c.waiting.push_back(due);
            ++c.scheduled;
          }
          if (!c.in_flight && !c.waiting.empty()) {
            const Clock::time_point due = c.waiting.front();
            c.waiting.pop_front();
            Send(i, due);
          }
        } else if (!c.in_flight && now < end_) {
          Send(i, now);
        }
        any_in_flight = any_in_flight || c.in_flight;
      }
      if (now >= end_ && !any_in_flight) break;
      if (now >= drain_until) break;
      const auto wait = std::max<Clock::duration>(Clock::duration::zero(), wake - Clock::now());
      timespec ts{};
      ts.tv_sec = static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(wait).count());
      ts.tv_nsec = static_cast<long>((wait - std::chrono::seconds(ts.tv_sec)).count());
      const int n = epoll_pwait2(epoll_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
      for (int e = 0; e < n; ++e) Receive(static_cast<size_t>(events[e].data.u64));
    }
    for (Connection& c : conns_) {
      if (c.in_flight) Record(c.due, -1);
    }
  }

 private:
  void Reconnect(size_t i) {
    Connection& c = conns_[i];
    if (c.fd >= 0) close(c.fd);
    c.buf.clear();
    c.fd = Connect(a_, c.port);
    if (c.fd < 0) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
  }

  void Send(size_t i, Clock::time_point due) {
    Connection& c = conns_[i];
    if (c.fd < 0) Reconnect(i);
    // A request of a few hundred bytes fits the socket buffer of a connection with nothing in
    // flight: the send is whole (blocking only if it is not).
    if (c.fd < 0 || send(c.fd, c.request.data(), c.request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(c.request.size())) {
      Record(due, -1);
      if (c.fd >= 0) {
        close(c.fd);
        c.fd = -1;
      }
      return;
    }
    c.in_flight = true;
    c.due = due;
  }

  void Receive(size_t i) {
    Connection& c = conns_[i];
    char tmp[16384];
    bool closed = false;
    while (true) {
      const ssize_t n = recv(c.fd, tmp, sizeof(tmp), MSG_DONTWAIT);
      if (n > 0) {
        c.buf.append(tmp, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof(tmp)) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      closed = true;
      break;
    }
    size_t size = 0;
    bool close_after = false;
    const int status = ParseResponse(c.buf, &size, &close_after);
    if (status != 0 && c.in_flight) {
      c.buf.erase(0, size);
      c.in_flight = false;
      Record(c.due, status);
      if (close_after) closed = true;  // a new connection for the next request
    }
    if (closed) {
      // Closed or broken before the answer: the request in flight failed.
      if (c.in_flight) Record(c.due, -1);
      c.in_flight = false;
      Reconnect(i);
    }
  }

  // status -1: an error.
  void Record(Clock::time_point due, int status) {
    if (due < measure_from_) return;
    if (status < 0) {
      ++out_->errors;
      return;
    }
    if (status < 200 || status >= 300) ++out_->non_2xx;
    out_->latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - due).count());
    if (!a_.trace.empty()) out_->due_s.push_back(std::chrono::duration<double>(due - start_).count());
  }

  const Args& a_;
  Clock::time_point start_, measure_from_, end_;
  Result* out_;
  int epoll_;
  std::vector<Connection> conns_;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host") a.host = v;
    else if (k == "--port") {  // one port, or several separated by commas
      a.ports.clear();
      std::stringstream ps(v);
      std::string item;
      while (std::getline(ps, item, ',')) a.ports.push_back(std::atoi(item.c_str()));
    }
    else if (k == "--path") a.path = v;
    else if (k == "--body") a.body = v;
    else if (k == "--body-file") {
      std::ifstream f(v);
      if (!f) {
        std::fprintf(stderr, "cannot read --body-file %s\n", v.c_str());
        return 2;
      }
      std::stringstream ss;
      ss << f.rdbuf();
      a.body = ss.str();
    }
    else if (k == "--connections") a.connections = std::atoi(v.c_str());
    else if (k == "--threads") a.threads = std::atoi(v.c_str());
    else if (k == "--duration") a.duration = std::atof(v.c_str());
    else if (k == "--rate") a.rate = std::atof(v.c_str());
    else if (k == "--warmup") a.warmup = std::atof(v.c_str());
    else if (k == "--header") a.headers += v + "\r\n";
    else if (k == "--trace") a.trace = v;
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); return 2; }
  }
  if (a.connections < 1 || a.threads < 1 || a.ports.empty()) {
    std::fprintf(stderr, "--connections, --threads and --port need positive values\n");
    return 2;
  }
  a.threads = std::min(a.threads, a.connections);
  // Waits end within 1 us instead of the default 50 us slack (inherited by the threads): in an
  // open loop a late wake-up would be charged to the server as latency.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_from = At(start, a.warmup), end = At(start, a.warmup + a.duration);
  std::vector<Result> results(static_cast<size_t>(a.threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < a.threads; ++t) {
    threads.emplace_back([&, t] {
      Loop loop(a, start, measure_from, end, &results[static_cast<size_t>(t)]);
      for (int c = t; c < a.connections; c += a.threads) loop.Add(c);
      loop.Run();
    });
  }
  for (auto& t : threads) t.join();
  if (!a.trace.empty()) {
    std::ofstream trace(a.trace);
    for (const Result& r : results) {
      for (size_t i = 0; i < r.due_s.size(); ++i) trace << r.due_s[i] << " " << r.latencies_us[i] << "\n";
    }
  }
  std::vector<double> all;
  long errors = 0, non_2xx = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
    errors += r.errors;
    non_2xx += r.non_2xx;
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "{\"requests\": %zu, \"errors\": %ld, \"non_2xx\": %ld, \"seconds\": %.2f, \"rps\": %.0f, \"target_rps\": %.0f, "
      "\"connections\": %d, \"threads\": %d, \"p50_us\": %.0f, \"p90_us\": %.0f, \"p99_us\": %.0f, \"p999_us\": %.0f, "
      "\"max_us\": %.0f}\n",
      all.size(), errors, non_2xx, a.duration, all.size() / a.duration, a.rate, a.connections, a.threads,
      Percentile(all, 0.5), Percentile(all, 0.9), Percentile(all, 0.99), Percentile(all, 0.999),
      all.empty() ? 0 : all.back());
  return errors > 0 ? 1 : 0;
}
