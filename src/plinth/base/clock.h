// Clock: the injected source of wall-clock time (DESIGN.md convention 4).
//
// Production code takes a `Clock*` in its Options; tests pass a FakeClock to control time.
// Thread-safety: implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>

namespace plinth {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC.
  virtual int64_t NowMicros() const = 0;
  // The process-wide real clock. Never null, never destroyed.
  static Clock* Real();
};

// A clock that only moves when told to.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now_micros = 1'700'000'000'000'000) : now_(now_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }
  void Set(int64_t micros) { now_.store(micros); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace plinth
