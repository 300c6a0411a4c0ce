// IoLag: how long ready work waits for an I/O thread, for shedding inline requests.
//
// Each I/O thread runs a timer every few milliseconds; the time between when a tick was due and
// when it ran is the queueing delay of everything ready on that thread (its event loop runs
// ready handlers in turn). The estimate is the smaller of the last two ticks' delays: a backlog
// that lasts (overload) keeps both late, while a single stall (a slow handler, a pause of the
// machine) delays one tick only and is over by the next, so it sheds nothing. While the
// estimate is over the limit, requests that would run a prediction inline are refused with 503
// + Retry-After before their handler runs: answering those costs far less than predicting, so
// the backlog drains and latency stays bounded (the offloaded path has its bounded queue).
// Thread-safety: Tick and micros() on the owning I/O thread.
#pragma once

#include <algorithm>
#include <cstdint>

namespace plinth::server {

class IoLag {
 public:
  // A tick due at `due_micros` ran at `ran_micros` (steady clock).
  void Tick(int64_t due_micros, int64_t ran_micros) {
    const int64_t delay = std::max<int64_t>(0, ran_micros - due_micros);
    lag_ = std::min(delay, last_delay_);
    last_delay_ = delay;
  }
  int64_t micros() const { return lag_; }

 private:
  int64_t lag_ = 0;
  int64_t last_delay_ = 0;
};

}  // namespace plinth::server
