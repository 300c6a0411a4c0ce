#include "plinth/base/bounded_executor.h"

#include <algorithm>

namespace plinth {

BoundedExecutor::BoundedExecutor(Options options) : options_(options) {
  options_.threads = std::max(1, options_.threads);
  options_.max_queued = std::max<int64_t>(0, options_.max_queued);
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

BoundedExecutor::~BoundedExecutor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

bool BoundedExecutor::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t idle = options_.threads - running_;
    int64_t waiting = static_cast<int64_t>(queue_.size());
    // Queued tasks an idle worker is about to take do not count against the queue bound.
    if (stop_ || waiting - std::max<int64_t>(0, idle) >= options_.max_queued) {
      ++rejected_;
      return false;
    }
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void BoundedExecutor::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // release captures before taking the lock again
    lock.lock();
    --running_;
    ++completed_;
  }
}

int64_t BoundedExecutor::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

int64_t BoundedExecutor::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(queue_.size());
}

uint64_t BoundedExecutor::rejected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_;
}

uint64_t BoundedExecutor::completed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_;
}

}  // namespace plinth
