// Elapsed time of a step, for the timings commands report (not for the injected wall clock:
// see clock.h).
#pragma once

#include <chrono>

namespace plinth {

// Seconds from `start` to now on the monotonic clock.
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace plinth
