// The latest snapshot of each table pushes write to, kept in memory between pushes and
// advanced by the commits made since (the pushes' own and any other writer's: the log is
// probed for the next versions, never replayed from its checkpoint), so a push does not pay
// a log replay that grows with the table.
// Thread-safety: safe for concurrent use; calls for different tables do not wait on each other.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "plinth/base/status.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

class TableSnapshots {
 public:
  // The latest snapshot of `table` (keyed by table.root()). Falls back to a full log replay
  // when the cached snapshot cannot be advanced, or when its own commit file is gone or was
  // rewritten (the table was deleted and created again under the same path).
  absl::StatusOr<std::shared_ptr<const delta::Snapshot>> Latest(delta::DeltaTable& table);

 private:
  struct Entry {
    std::mutex mu;
    std::shared_ptr<const delta::Snapshot> snapshot;  // guarded by mu
    int64_t commit_mtime = -1;                        // guarded by mu: of snapshot's commit file
  };
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;  // guarded by mu_
};

}  // namespace plinth::features
