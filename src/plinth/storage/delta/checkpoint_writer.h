// Writing a classic checkpoint for a snapshot (PROTOCOL.md "Checkpoints").
//
//   ParquetCheckpointIO io;
//   PLINTH_ASSIGN_OR_RETURN(LastCheckpoint hint, WriteCheckpoint(*store, *snapshot, io));
//
// The checkpoint `<version>.checkpoint.parquet` holds, one action per row: the protocol, the
// metadata, one txn per application (version only: snapshots keep no lastUpdated), the live
// domainMetadata, every active file as an add (dataChange false) and the tombstones still
// within delta.deletedFileRetentionDuration (default "interval 1 week") of now, measured from
// their deletionTimestamp (removes without one are expired), as removes (dataChange false).
// Tables with the v2Checkpoint writer feature also get a checkpointMetadata row (a V2-spec
// checkpoint under the classic name). The file is written through CheckpointIO::Write
// (atomic for ParquetCheckpointIO), then _last_checkpoint is updated with version, size
// (actions), sizeInBytes and numOfAddFiles - unless it already names a newer checkpoint.
//
// Thread-safety: safe to call concurrently; two writers of the same version write identical
// content. Ownership: everything is borrowed for the call.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/checkpoint_io.h"
#include "plinth/storage/delta/log_store.h"
#include "plinth/storage/delta/snapshot.h"

namespace plinth::delta {

struct CheckpointOptions {
  Clock* clock = Clock::Real();  // REQUIRES: non-null; "now" for tombstone expiry
};

// The actions a checkpoint of `snapshot` holds at time `now_millis`. InvalidArgument when
// delta.deletedFileRetentionDuration cannot be parsed.
absl::StatusOr<std::vector<Action>> CheckpointActions(const Snapshot& snapshot, int64_t now_millis);

// Writes the checkpoint of `snapshot` into the table's _delta_log and returns the
// _last_checkpoint content describing it.
absl::StatusOr<LastCheckpoint> WriteCheckpoint(LogStore& store, const Snapshot& snapshot,
                                               CheckpointIO& io,
                                               const CheckpointOptions& options = {});

// Parses a Delta/Spark interval such as "interval 1 week", "interval 2 days 12 hours" or
// "168 hours" (units: week, day, hour, minute, second, millisecond, microsecond; singular or
// plural) into milliseconds. InvalidArgument otherwise (months and years are not durations).
absl::StatusOr<int64_t> ParseIntervalMillis(std::string_view text);

}  // namespace plinth::delta
