#include "plinth/features/table_maintainer.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plinth/base/logging.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

namespace {

// Compacts the table's small files when a partition has enough of them (logs what it did).
void MaybeCompact(delta::DeltaTable& table) {
  // Optimize itself leaves alone partitions with fewer than min_files small files.
  auto r = table.Optimize(
      {.target_file_bytes = kCompactTargetBytes, .small_file_bytes = kCompactSmallBytes, .min_files = kCompactAfterFiles});
  if (!r.ok()) {
    LogWarn(StrCat("compaction of ", table.root(), ": ", r.status().message()));
    return;
  }
  if (r->version < 0) return;
  LogInfo(StrCat("compacted ", table.root(), " at version ", r->version, ": ", r->files_removed, " files into ",
                 r->files_added));
}

}  // namespace

TableMaintainer::TableMaintainer(std::chrono::milliseconds min_interval)
    : min_interval_(min_interval), thread_([this] { Run(); }) {}

TableMaintainer::~TableMaintainer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void TableMaintainer::Schedule(const std::string& root, int64_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t& v = queued_[root];
    v = std::max(v, version);
  }
  cv_.notify_all();
}

void TableMaintainer::Run() {
  // Below the request threads: upkeep must not take CPU from pushes and reads.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  using Clock = std::chrono::steady_clock;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queued_.empty(); });
    if (stop_) return;
    // The queued table whose turn comes first (min_interval_ after its last upkeep ended).
    auto it = queued_.end();
    Clock::time_point due;
    for (auto q = queued_.begin(); q != queued_.end(); ++q) {
      auto done = last_done_.find(q->first);
      const Clock::time_point at = done == last_done_.end() ? Clock::time_point::min() : done->second + min_interval_;
      if (it == queued_.end() || at < due) {
        it = q;
        due = at;
      }
    }
    if (due > Clock::now()) {
      cv_.wait_until(lock, due);  // newer versions replace the queued one meanwhile
      continue;
    }
    const std::string root = it->first;
    const int64_t version = it->second;
    queued_.erase(it);
    lock.unlock();
    delta::TableOptions options;
    options.root = root;
    auto table = delta::DeltaTable::Open(options);
    if (table.ok()) {
      (*table)->CheckpointAt(version);  // logs its own failures
      MaybeCompact(**table);
    } else {
      LogWarn(StrCat("checkpoint of ", root, ": ", table.status().message()));
    }
    lock.lock();
    last_done_[root] = Clock::now();
  }
}

}  // namespace plinth::features
