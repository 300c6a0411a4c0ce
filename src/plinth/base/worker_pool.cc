#include "plinth/base/worker_pool.h"

namespace plinth {

WorkerPool::WorkerPool(int threads, CpuSlots* cpu) : cpu_(cpu) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void WorkerPool::Drain(Loop& loop) {
  while (true) {
    int i = loop.next.fetch_add(1);
    if (i >= loop.tasks) return;
    (*loop.fn)(i);
    if (loop.done.fetch_add(1) + 1 == loop.tasks) {
      std::lock_guard<std::mutex> lock(mu_);  // pairs with the wait in ParallelFor
      done_cv_.notify_all();
    }
  }
}

void WorkerPool::WorkerLoop() {
  uint64_t seen = 0;
  while (true) {
    std::shared_ptr<Loop> loop;
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      loop = loop_;
    }
    if (loop) Drain(*loop);
  }
}

void WorkerPool::ParallelFor(int tasks, const std::function<void(int)>& fn) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int i = 0; i < tasks; ++i) fn(i);
    return;
  }
  auto loop = std::make_shared<Loop>();
  loop->fn = &fn;
  loop->tasks = tasks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    loop_ = loop;
    ++generation_;
  }
  start_cv_.notify_all();
  Drain(*loop);
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return loop->done.load() == tasks; });
  loop_.reset();
}

}  // namespace plinth
