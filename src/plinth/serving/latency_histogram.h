// LatencyHistogram: cumulative-bucket histogram of durations in seconds, in the shape the
// Prometheus exposition format wants (le buckets, count, sum).
// Thread-safety: value type; callers lock around Observe and copies.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "plinth/base/strings.h"

namespace plinth::serving {

struct LatencyHistogram {
  static constexpr std::array<double, 16> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
  static constexpr std::array<std::string_view, kBuckets.size()> kBucketLabels = {
      "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
      "0.025",   "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "10"};
  std::array<uint64_t, kBuckets.size()> buckets{};  // count of observations <= kBuckets[i]
  uint64_t count = 0;
  double sum = 0;

  void Observe(double seconds) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) ++buckets[i];
    }
    ++count;
    sum += seconds;
  }

  // Appends `name`_bucket/_sum/_count lines; `labels` is "" or `k="v",...` without braces.
  void Render(std::string* out, std::string_view name, std::string_view labels) const {
    std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      StrAppend(out, name, "_bucket{", labels, sep, "le=\"", kBucketLabels[i], "\"} ", buckets[i], "\n");
    }
    StrAppend(out, name, "_bucket{", labels, sep, "le=\"+Inf\"} ", count, "\n");
    std::string braces = labels.empty() ? "" : StrCat("{", labels, "}");
    StrAppend(out, name, "_sum", braces, " ", sum, "\n");
    StrAppend(out, name, "_count", braces, " ", count, "\n");
  }
};

}  // namespace plinth::serving
