// TableMaintainer: upkeep of feature source tables that pushes write to, on a background
// thread, so that a push (a small commit on a latency-sensitive path) never waits for it:
//   - the Delta checkpoint that falls due every delta.checkpointInterval commits;
//   - then, in each partition holding kCompactAfterFiles or more files smaller than
//     kCompactSmallBytes (each push writes one), a compaction (DeltaTable::Optimize) of those
//     files into files of up to kCompactTargetBytes, so scans, materialization and the pushes'
//     own snapshots do not slow down as pushes pile up. Only small files are rewritten (a bulk
//     push's multi-megabyte file is left alone), so each compaction is cheap. Its commit
//     changes no rows; concurrent pushes rebase onto it.
// The thread runs at a lower CPU priority (nice 10) than the request threads, and takes each
// table at most once per `min_interval` (default 1 s): a view taking hundreds of commits a
// second gets a checkpoint a second, of its latest due version, not one every ten commits.
// Both are optimizations: one that is late, skipped (a newer checkpoint is queued for the same
// table) or fails (logged) never changes what a reader sees.
// Thread-safety: Schedule is safe from any thread; the destructor finishes the work in
// progress and drops the rest (the next push that falls due schedules it again).
#pragma once

#include <chrono>
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
  explicit TableMaintainer(std::chrono::milliseconds min_interval = std::chrono::seconds(1));
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
  const std::chrono::milliseconds min_interval_;
  std::map<std::string, int64_t> queued_;  // guarded by mu_: table root -> version
  std::map<std::string, std::chrono::steady_clock::time_point> last_done_;  // guarded by mu_
  bool stop_ = false;                      // guarded by mu_
  std::thread thread_;
};

}  // namespace plinth::features
