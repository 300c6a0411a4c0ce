#include "plinth/features/table_checkpointer.h"

#include "plinth/base/logging.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

TableCheckpointer::TableCheckpointer() : thread_([this] { Run(); }) {}

TableCheckpointer::~TableCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void TableCheckpointer::Schedule(const std::string& root, int64_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t& v = queued_[root];
    v = std::max(v, version);
  }
  cv_.notify_all();
}

void TableCheckpointer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queued_.empty(); });
    if (stop_) return;
    auto it = queued_.begin();
    const std::string root = it->first;
    const int64_t version = it->second;
    queued_.erase(it);
    lock.unlock();
    delta::TableOptions options;
    options.root = root;
    auto table = delta::DeltaTable::Open(options);
    if (table.ok()) {
      (*table)->CheckpointAt(version);  // logs its own failures
    } else {
      LogWarn(StrCat("checkpoint of ", root, ": ", table.status().message()));
    }
    lock.lock();
  }
}

}  // namespace plinth::features
