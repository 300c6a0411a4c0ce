// WorkerPool: a fixed set of threads that run the tasks of one parallel loop at a time.
//
//   WorkerPool pool(2);            // the calling thread plus one worker
//   pool.ParallelFor(columns, [&](int i) { DecodeColumn(i); });
//
// ParallelFor blocks until every task has run; the calling thread takes tasks too, so a pool
// of size 1 runs everything inline. Tasks must not throw.
// Thread-safety: one ParallelFor at a time per pool (callers serialise).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace plinth {

class CpuSlots;

class WorkerPool {
 public:
  // `threads` counts the caller: threads - 1 background threads are started. `cpu` (optional,
  // borrowed) is the limit shared with other pools that loops of many tasks (ForEachScanUnit)
  // respect per task.
  explicit WorkerPool(int threads, CpuSlots* cpu = nullptr);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  CpuSlots* cpu() const { return cpu_; }
  void ParallelFor(int tasks, const std::function<void(int)>& fn);

 private:
  // One ParallelFor: workers that wake late only ever claim from the loop they picked up.
  struct Loop {
    const std::function<void(int)>* fn;
    int tasks;
    std::atomic<int> next{0};
    std::atomic<int> done{0};
  };
  void WorkerLoop();
  void Drain(Loop& loop);

  CpuSlots* cpu_ = nullptr;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  std::shared_ptr<Loop> loop_;  // guarded by mu_
  uint64_t generation_ = 0;     // guarded by mu_
  bool stop_ = false;           // guarded by mu_
};

}  // namespace plinth
