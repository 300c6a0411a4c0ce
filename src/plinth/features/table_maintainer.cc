#include "plinth/features/table_maintainer.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plinth/base/logging.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

namespace {

// Compacts the table's small files when there are enough of them; true when it committed.
bool MaybeCompact(delta::DeltaTable& table) {
  auto snapshot = table.LatestSnapshot();
  if (!snapshot.ok()) return false;
  int small = 0;
  for (const delta::AddFile& f : (*snapshot)->files()) small += f.size < kCompactSmallBytes;
  if (small < kCompactAfterFiles) return false;
  auto r = table.Optimize(
      {.target_file_bytes = kCompactTargetBytes, .small_file_bytes = kCompactSmallBytes, .min_files = kCompactAfterFiles});
  if (!r.ok()) {
    LogWarn(StrCat("compaction of ", table.root(), ": ", r.status().message()));
    return false;
  }
  if (r->version < 0) return false;
  LogInfo(StrCat("compacted ", table.root(), " at version ", r->version, ": ", r->files_removed, " files into ",
                 r->files_added));
  return true;
}

}  // namespace

TableMaintainer::TableMaintainer() : thread_([this] { Run(); }) {}

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

int64_t TableMaintainer::compactions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compactions_;
}

void TableMaintainer::Run() {
  // Below the request threads: upkeep must not take CPU from pushes and reads.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
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
    bool compacted = false;
    if (table.ok()) {
      (*table)->CheckpointAt(version);  // logs its own failures
      compacted = MaybeCompact(**table);
    } else {
      LogWarn(StrCat("checkpoint of ", root, ": ", table.status().message()));
    }
    lock.lock();
    compactions_ += compacted;
  }
}

}  // namespace plinth::features
