// BoundedExecutor: a fixed set of worker threads with a bounded queue in front of them.
//
//   BoundedExecutor exec({.threads = 2, .max_queued = 64});
//   if (!exec.TrySubmit([] { Work(); })) Refuse503();   // full: the caller answers "retry later"
//
// At most `threads` tasks run at once and at most `max_queued` more wait; TrySubmit refuses
// (returns false, runs nothing) past that, so a caller can shed load instead of letting the
// queue and its latency grow without bound (admission control). Tasks run in FIFO order and
// must not throw. A task goes to the worker that went idle last: under light load the same
// few threads run everything, with warm caches and malloc arenas, however many there are.
// The destructor runs the tasks still queued, then joins the threads.
// Thread-safety: safe for concurrent use.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace plinth {

class BoundedExecutor {
 public:
  struct Options {
    int threads = 2;          // >= 1
    int64_t max_queued = 64;  // >= 0: tasks waiting beyond the running ones
  };
  explicit BoundedExecutor(Options options);
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task` unless `threads + max_queued` tasks are already admitted.
  bool TrySubmit(std::function<void()> task);

  int threads() const { return static_cast<int>(workers_.size()); }
  int64_t max_queued() const { return options_.max_queued; }
  int64_t running() const;
  int64_t idle() const;  // workers waiting for a task
  int64_t queued() const;
  uint64_t rejected() const;
  uint64_t completed() const;

 private:
  struct Slot {  // one per worker, to wake that one
    std::condition_variable cv;
    bool woken = false;  // guarded by mu_
  };
  void WorkerLoop(int me);

  Options options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> workers_;
  mutable std::mutex mu_;
  std::vector<int> idle_;                    // guarded by mu_: waiting workers, the latest last
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  int64_t running_ = 0;                      // guarded by mu_
  uint64_t rejected_ = 0;                    // guarded by mu_
  uint64_t completed_ = 0;                   // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
};

}  // namespace plinth
