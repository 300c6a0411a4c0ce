// http_load: an HTTP/1.1 load generator for POST requests with keep-alive, open or closed loop.
//
// Closed loop (--rate 0): each connection sends its next request as soon as the previous answer
// arrives; the result is the saturation throughput. Open loop (--rate R): requests are due at a
// fixed schedule (R per second in total, spread over the connections) and latency is measured
// from when a request was due, not from when it was sent, so a stalled server shows up in the
// percentiles instead of silently slowing the generator (no coordinated omission).
//
//   http_load --host 127.0.0.1 --port 7070[,7071...] --path /api/v1/deployments/d/predict --body-file b.json
//             [--connections 8] [--duration 10] [--rate 0] [--warmup 1] [--header "K: V"]
// Prints one JSON object: requests, errors, seconds, rps, latency percentiles in microseconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string host = "127.0.0.1", path = "/", body, headers;
  std::vector<int> ports = {7070};  // connection c goes to ports[c % ports.size()]
  int connections = 8;
  double duration = 10, rate = 0, warmup = 1;
};

struct Result {
  std::vector<double> latencies_us;
  long errors = 0;
  long non_2xx = 0;
};

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

// Reads one response; returns its status code, or -1 on a broken connection.
int ReadResponse(int fd, std::string& buf) {
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    char tmp[16384];
    ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
    if (n <= 0) return -1;
    buf.append(tmp, static_cast<size_t>(n));
  }
  int status = std::atoi(buf.c_str() + 9);
  size_t content_length = 0;
  std::string lower = buf.substr(0, header_end);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t cl = lower.find("content-length:");
  if (cl != std::string::npos) content_length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
  size_t total = header_end + 4 + content_length;
  while (buf.size() < total) {
    char tmp[16384];
    ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
    if (n <= 0) return -1;
    buf.append(tmp, static_cast<size_t>(n));
  }
  buf.erase(0, total);
  return status;
}

void RunConnection(const Args& a, int index, Clock::time_point start, Clock::time_point measure_from,
                   Clock::time_point end, Result* out) {
  const int port = a.ports[index % a.ports.size()];
  std::ostringstream req;
  req << "POST " << a.path << " HTTP/1.1\r\nHost: " << a.host << ":" << port
      << "\r\nContent-Type: application/json\r\nContent-Length: " << a.body.size() << "\r\n" << a.headers << "\r\n"
      << a.body;
  const std::string request = req.str();
  int fd = Connect(a, port);
  std::string buf;
  const double interval = a.rate > 0 ? a.connections / a.rate : 0;  // seconds between this connection's requests
  const double offset = a.rate > 0 ? interval * index / a.connections : 0;
  long i = 0;
  while (true) {
    Clock::time_point due = Clock::now();
    if (a.rate > 0) {
      due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(offset + interval * i));
      if (due >= end) break;
      std::this_thread::sleep_until(due);
    } else if (due >= end) {
      break;
    }
    ++i;
    if (fd < 0) fd = Connect(a, port);
    int status = -1;
    if (fd >= 0 && send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      status = ReadResponse(fd, buf);
    }
    Clock::time_point done = Clock::now();
    if (status < 0) {
      if (fd >= 0) close(fd);
      fd = -1;
      buf.clear();
    }
    if (due < measure_from) continue;
    if (status < 0) {
      ++out->errors;
      continue;
    }
    if (status < 200 || status >= 300) ++out->non_2xx;
    out->latencies_us.push_back(std::chrono::duration<double, std::micro>(done - due).count());
  }
  if (fd >= 0) close(fd);
}

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
    else if (k == "--body-file") { std::ifstream f(v); std::stringstream ss; ss << f.rdbuf(); a.body = ss.str(); }
    else if (k == "--connections") a.connections = std::atoi(v.c_str());
    else if (k == "--duration") a.duration = std::atof(v.c_str());
    else if (k == "--rate") a.rate = std::atof(v.c_str());
    else if (k == "--warmup") a.warmup = std::atof(v.c_str());
    else if (k == "--header") a.headers += v + "\r\n";
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); return 2; }
  }
  // Sleeps end within 1 us instead of the default 50 us slack: in an open loop a late wake-up
  // would be charged to the server as latency.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  Clock::time_point start = Clock::now();
  auto at = [&](double s) { return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  Clock::time_point measure_from = at(a.warmup), end = at(a.warmup + a.duration);
  std::vector<Result> results(a.connections);
  std::vector<std::thread> threads;
  for (int c = 0; c < a.connections; ++c) {
    threads.emplace_back(RunConnection, std::cref(a), c, start, measure_from, end, &results[c]);
  }
  for (auto& t : threads) t.join();
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
      "\"connections\": %d, \"p50_us\": %.0f, \"p90_us\": %.0f, \"p99_us\": %.0f, \"p999_us\": %.0f, \"max_us\": %.0f}\n",
      all.size(), errors, non_2xx, a.duration, all.size() / a.duration, a.rate, a.connections, Percentile(all, 0.5),
      Percentile(all, 0.9), Percentile(all, 0.99), Percentile(all, 0.999), all.empty() ? 0 : all.back());
  return errors > 0 ? 1 : 0;
}
