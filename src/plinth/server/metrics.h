// HttpMetrics: request counters and latency histograms by method, route and status code,
// and the process metrics (CPU, memory, file descriptors), rendered in the Prometheus text
// exposition format (version 0.0.4).
//
// Route labels are route patterns ("/api/v1/models/{name}"), never raw paths, so label
// cardinality stays bounded however many models exist.
// Thread-safety: safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace plinth::server {

class HttpMetrics {
 public:
  HttpMetrics();
  void Observe(const std::string& method, const std::string& route, int status, double seconds);
  void AddInFlight(int delta) { in_flight_.fetch_add(delta); }
  void AddConnections(int delta) { connections_.fetch_add(delta); }
  void AddBytesReceived(int64_t n) { bytes_received_.fetch_add(n); }
  void AddBytesSent(int64_t n) { bytes_sent_.fetch_add(n); }
  // A request refused because its I/O thread was behind (io_lag.h).
  void AddShed() { shed_.fetch_add(1); }
  // The current queueing delay of I/O thread `thread` (< kMaxIoThreads).
  void SetIoLag(int thread, int64_t micros) {
    if (thread >= 0 && thread < kMaxIoThreads) io_lag_micros_[static_cast<size_t>(thread)].store(micros);
  }
  static constexpr int kMaxIoThreads = 256;
  // The full exposition: HTTP metrics, process metrics and `extra` lines appended.
  std::string Render(const std::string& extra = "") const;

  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

 private:
  struct Series {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, Series> series_;  // guarded by mu_
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> bytes_received_{0};
  std::atomic<int64_t> bytes_sent_{0};
  std::atomic<int64_t> shed_{0};
  std::array<std::atomic<int64_t>, kMaxIoThreads> io_lag_micros_{};
  double start_time_seconds_;
};

// Escapes a label value per the exposition format (backslash, quote, newline).
std::string EscapeLabelValue(std::string_view v);

}  // namespace plinth::server
