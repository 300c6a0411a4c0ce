// LogSegment: which files reconstruct a table at a version - the newest complete checkpoint at
// or before it and the contiguous commits after that checkpoint.
//
// _last_checkpoint is used as a hint for where to start listing; when it is missing, empty,
// corrupt, newer than the target or names a checkpoint that is not there, the whole log is
// listed. A multi-part checkpoint missing a part is skipped (the next older one is used).
// Thread-safety: stateless function; `store` must be safe for the call.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/delta/log_store.h"

namespace plinth::delta {

struct LogSegment {
  int64_t version = 0;                        // the version this segment reconstructs
  std::optional<int64_t> checkpoint_version;  // nullopt: replay starts at commit 0
  std::vector<LogFile> checkpoint_files;      // every part, or the single (classic / v2) file
  std::vector<LogFile> commits;               // checkpoint_version+1 .. version, ascending
  int64_t latest_version = 0;                 // newest version in the log
};

// `target` nullopt means the latest version. Errors: NotFound for an empty log or a version that
// does not exist or cannot be reconstructed any more; DataLoss naming the missing commit when the
// commits are not contiguous ("missing commit 1 between 0 and 2").
absl::StatusOr<LogSegment> BuildLogSegment(LogStore& store, std::optional<int64_t> target);

}  // namespace plinth::delta
