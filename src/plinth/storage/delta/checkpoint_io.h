// CheckpointIO: reads and writes checkpoint files, which are Parquet. Injected so that the log
// layer does not depend on the Parquet module; the Parquet-backed implementation is
// ParquetCheckpointIO (parquet_checkpoint_io.h).
//
// Read returns the actions stored in the given files (full paths from LogStore::LogFilePath),
// concatenated: for a classic or multi-part checkpoint the parts; for a v2 checkpoint the
// top-level file, including its checkpointMetadata and sidecar actions. Snapshot then calls Read
// again with the sidecar files' paths (under _delta_log/_sidecars/) to get their add/remove
// actions. Unknown columns are ignored; null action columns produce no action.
//
// Thread-safety: implementations must allow concurrent calls.
#pragma once

#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"

namespace plinth::delta {

class CheckpointIO {
 public:
  virtual ~CheckpointIO() = default;
  virtual absl::StatusOr<std::vector<Action>> Read(const std::vector<std::string>& checkpoint_paths) = 0;
  virtual absl::Status Write(const std::string& path, const std::vector<Action>& actions) = 0;
};

}  // namespace plinth::delta
