#include "plinth/base/bounded_executor.h"

#include <algorithm>

namespace plinth {

BoundedExecutor::BoundedExecutor(Options options) : options_(options) {
  options_.threads = std::max(1, options_.threads);
  options_.max_queued = std::max<int64_t>(0, options_.max_queued);
  for (int i = 0; i < options_.threads; ++i) slots_.push_back(std::make_unique<Slot>());
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

BoundedExecutor::~BoundedExecutor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    for (auto& s : slots_) s->cv.notify_all();
  }
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
    if (!idle_.empty()) {  // else a running worker takes it when it is done
      Slot& s = *slots_[idle_.back()];
      idle_.pop_back();
      s.woken = true;
      s.cv.notify_one();
    }
  }
  return true;
}

void BoundedExecutor::WorkerLoop(int me) {
  Slot& slot = *slots_[me];
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stop_) return;  // stopping and drained
      idle_.push_back(me);
      slot.cv.wait(lock, [&] { return slot.woken || stop_; });
      if (!slot.woken) idle_.erase(std::find(idle_.begin(), idle_.end(), me));  // woken by stop_
      slot.woken = false;
      continue;
    }
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

int64_t BoundedExecutor::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(idle_.size());
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
