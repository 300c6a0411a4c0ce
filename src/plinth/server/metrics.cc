#include "plinth/server/metrics.h"

#include <algorithm>

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "plinth/base/strings.h"

namespace plinth::server {

HttpMetrics::HttpMetrics() {
  start_time_seconds_ =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void HttpMetrics::Observe(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series_[{method, route, status}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
  ++s.count;
  s.sum += seconds;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

namespace {

struct ProcessStats {
  double cpu_seconds = 0;
  int64_t rss_bytes = 0;
  int64_t virtual_bytes = 0;
  int64_t open_fds = 0;
  int64_t max_fds = 0;
  int64_t threads = 0;
};

ProcessStats ReadProcessStats() {
  ProcessStats st;
  long ticks = sysconf(_SC_CLK_TCK);
  long page = sysconf(_SC_PAGESIZE);
  std::ifstream stat("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close_paren = content.rfind(')');
  if (close_paren != std::string::npos) {
    std::istringstream in(content.substr(close_paren + 2));
    std::string field;
    std::vector<std::string> f;
    while (in >> field) f.push_back(field);
    // Fields after the command: state(0) ... utime(11) stime(12) ... num_threads(17) ... vsize(20) rss(21)
    if (f.size() > 21) {
      st.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(ticks);
      st.threads = std::stoll(f[17]);
      st.virtual_bytes = std::stoll(f[20]);
      st.rss_bytes = std::stoll(f[21]) * page;
    }
  }
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++st.open_fds;
    closedir(d);
    st.open_fds -= 3;  // ".", ".." and the directory handle itself
  }
  std::ifstream limits("/proc/self/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream in(line.substr(14));
      in >> st.max_fds;
    }
  }
  return st;
}

}  // namespace

std::string HttpMetrics::Render(const std::string& extra) const {
  std::string out;
  out.reserve(16384);
  out += "# HELP plinth_http_requests_total HTTP requests served, by method, route pattern and status code.\n";
  out += "# TYPE plinth_http_requests_total counter\n";
  std::map<std::tuple<std::string, std::string, int>, Series> copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    copy = series_;
  }
  for (const auto& [key, s] : copy) {
    StrAppend(&out, "plinth_http_requests_total{method=\"", std::get<0>(key), "\",route=\"",
              EscapeLabelValue(std::get<1>(key)), "\",code=\"", std::get<2>(key), "\"} ", s.count, "\n");
  }
  out += "# HELP plinth_http_request_duration_seconds Time from the request's first byte to the end of the response.\n";
  out += "# TYPE plinth_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : copy) {
    std::string labels = StrCat("method=\"", std::get<0>(key), "\",route=\"", EscapeLabelValue(std::get<1>(key)),
                                "\",code=\"", std::get<2>(key), "\"");
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      StrAppend(&out, "plinth_http_request_duration_seconds_bucket{", labels, ",le=\"", kBuckets[i], "\"} ", s.buckets[i], "\n");
    }
    StrAppend(&out, "plinth_http_request_duration_seconds_bucket{", labels, ",le=\"+Inf\"} ", s.count, "\n");
    StrAppend(&out, "plinth_http_request_duration_seconds_sum{", labels, "} ", s.sum, "\n");
    StrAppend(&out, "plinth_http_request_duration_seconds_count{", labels, "} ", s.count, "\n");
  }
  StrAppend(&out, "# HELP plinth_http_requests_in_flight Requests being handled now.\n",
            "# TYPE plinth_http_requests_in_flight gauge\nplinth_http_requests_in_flight ", in_flight_.load(), "\n");
  StrAppend(&out, "# HELP plinth_http_connections Open client connections.\n",
            "# TYPE plinth_http_connections gauge\nplinth_http_connections ", connections_.load(), "\n");
  StrAppend(&out, "# HELP plinth_http_received_bytes_total Request body bytes received.\n",
            "# TYPE plinth_http_received_bytes_total counter\nplinth_http_received_bytes_total ", bytes_received_.load(), "\n");
  StrAppend(&out, "# HELP plinth_http_sent_bytes_total Response body bytes sent.\n",
            "# TYPE plinth_http_sent_bytes_total counter\nplinth_http_sent_bytes_total ", bytes_sent_.load(), "\n");
  StrAppend(&out, "# HELP plinth_http_shed_total Prediction requests refused with 503 because their I/O thread was behind.\n",
            "# TYPE plinth_http_shed_total counter\nplinth_http_shed_total ", shed_.load(), "\n");
  int64_t lag = 0;
  for (const auto& l : io_lag_micros_) lag = std::max(lag, l.load());
  StrAppend(&out, "# HELP plinth_http_io_lag_seconds How long ready work waits for the busiest I/O thread (decaying estimate).\n",
            "# TYPE plinth_http_io_lag_seconds gauge\nplinth_http_io_lag_seconds ", static_cast<double>(lag) / 1e6, "\n");

  ProcessStats p = ReadProcessStats();
  StrAppend(&out, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n",
            "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ", p.cpu_seconds, "\n");
  StrAppend(&out, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n",
            "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ", p.rss_bytes, "\n");
  StrAppend(&out, "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n",
            "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes ", p.virtual_bytes, "\n");
  StrAppend(&out, "# HELP process_open_fds Number of open file descriptors.\n",
            "# TYPE process_open_fds gauge\nprocess_open_fds ", p.open_fds, "\n");
  StrAppend(&out, "# HELP process_max_fds Maximum number of open file descriptors.\n",
            "# TYPE process_max_fds gauge\nprocess_max_fds ", p.max_fds, "\n");
  StrAppend(&out, "# HELP process_threads Number of OS threads.\n",
            "# TYPE process_threads gauge\nprocess_threads ", p.threads, "\n");
  StrAppend(&out, "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n",
            "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ", static_cast<int64_t>(start_time_seconds_), "\n");
  out += extra;
  return out;
}

}  // namespace plinth::server
