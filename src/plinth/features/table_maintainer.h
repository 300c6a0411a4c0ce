// TableMaintainer: upkeep of feature source tables that pushes write to, on a background
// thread, so that a push (a small commit on a latency-sensitive path) never waits for it:
//   - the Delta checkpoint that falls due every delta.checkpointInterval commits;
//   - then, in each partition holding kCompactAfterFiles or more files smaller than
//     kCompactSmallBytes (each push writes one), a compaction (DeltaTable::Optimize) of those
//     files into files of up to kCompactTargetBytes, so scans, materialization and the pushes'
//     own snapshots do not slow down as pushes pile up. Only small files are rewritten (a bulk
//     push's multi-megabyte file is left alone), so each compaction is cheap. Its commit
//     changes no rows; concurrent pushes rebase onto it.
// The thread runs at a lower CPU priority (nice 10) than the request threads.
// Both are optimizations: one that is late, skipped (a newer checkpoint is queued for the same
// table) or fails (logged) never changes what a reader sees.
// Thread-safety: Schedule is safe from any thread; the destructor finishes the work in
// progress and drops the rest (the next push that falls due schedules it again).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace plinth::features {

inline constexpr int kCompactAfterFiles = 100;
inline constexpr int64_t kCompactSmallBytes = int64_t{2} << 20;
inline constexpr int64_t kCompactTargetBytes = int64_t{128} << 20;

class TableMaintainer {
 public:
  TableMaintainer();
  ~TableMaintainer();
  TableMaintainer(const TableMaintainer&) = delete;
  TableMaintainer& operator=(const TableMaintainer&) = delete;

  // Queues a checkpoint of the table at `root` at `version` (a newer version replaces a queued
  // older one), followed by a compaction when one is due.
  void Schedule(const std::string& root, int64_t version);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int64_t> queued_;  // guarded by mu_: table root -> version
  bool stop_ = false;                      // guarded by mu_
  std::thread thread_;
};

}  // namespace plinth::features
