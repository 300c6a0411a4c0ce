// Small helpers shared by the in-process benchmarks (runtime_bench, cold_load_bench).
#pragma once

#include <xgboost/c_api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

// Aborts the benchmark with libxgboost's message when a C API call fails.
#define XGB_CHECK(call)                                                  \
  do {                                                                   \
    if ((call) != 0) {                                                   \
      std::fprintf(stderr, "%s failed: %s\n", #call, XGBGetLastError()); \
      std::exit(1);                                                      \
    }                                                                    \
  } while (0)

// The p-quantile (0..1) of `v` by rank.
inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}
