// TableCheckpointer: writes Delta checkpoints of feature source tables on a background thread,
// so that a push (a small commit on a latency-sensitive path) never waits for the checkpoint
// that falls due every delta.checkpointInterval commits. Checkpoints are an optimization of
// log replay: one that is late, skipped (a newer one is queued for the same table) or fails
// (logged) never changes what a reader sees.
// Thread-safety: Schedule is safe from any thread; the destructor finishes the checkpoint in
// progress and drops the rest (the next push that falls due schedules one again).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace plinth::features {

class TableCheckpointer {
 public:
  TableCheckpointer();
  ~TableCheckpointer();
  TableCheckpointer(const TableCheckpointer&) = delete;
  TableCheckpointer& operator=(const TableCheckpointer&) = delete;

  // Queues a checkpoint of the table at `root` at `version` (a newer version replaces a queued
  // older one).
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
