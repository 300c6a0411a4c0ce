// FifoMutex: a mutex that hands itself to waiters in the order they asked (a ticket lock on a
// condition variable). std::mutex lets a thread that unlocks and relocks at once win again and
// again over a thread it just woke; a bulk writer that releases its lock between slices of
// work (OnlineWriter) would then starve the small writes the slices are meant to let through.
// Meets Lockable (std::lock_guard, std::unique_lock). Not recursive.
// Thread-safety: safe for concurrent use.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace plinth {

class FifoMutex {
 public:
  void lock() {
    std::unique_lock<std::mutex> l(mu_);
    const uint64_t ticket = next_++;
    if (ticket != serving_) turn_.wait(l, [&] { return ticket == serving_; });
  }
  bool try_lock() {
    std::lock_guard<std::mutex> l(mu_);
    if (next_ != serving_) return false;
    ++next_;
    return true;
  }
  void unlock() {
    bool waiters;
    {
      std::lock_guard<std::mutex> l(mu_);
      ++serving_;
      waiters = next_ != serving_;
    }
    if (waiters) turn_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable turn_;
  uint64_t next_ = 0;     // the ticket the next lock() draws
  uint64_t serving_ = 0;  // the ticket that holds the lock
};

}  // namespace plinth
