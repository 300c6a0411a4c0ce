// PeriodicTask: runs a function every `interval` on its own thread until stopped.
//
//   PeriodicTask refresher(std::chrono::milliseconds(200), [this] { Refresh(); });
//   refresher.Start();  ...  refresher.Stop();   // Stop waits for a run in progress
//
// The first run happens one interval after Start. Runs never overlap. Stop (also called by the
// destructor) wakes the thread at once instead of waiting out the interval.
// Thread-safety: Start and Stop from any thread; `fn` runs on the task's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace plinth {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::microseconds interval, std::function<void()> fn) : interval_(interval), fn_(std::move(fn)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start() {
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { Loop(); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      fn_();
      lock.lock();
    }
  }

  const std::chrono::microseconds interval_;
  const std::function<void()> fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace plinth
