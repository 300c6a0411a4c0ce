// Reconciliation: makes the online store hold, for a set of entities, exactly the newest row of
// the source table: deleted or rewritten rows (DELETE, MERGE, overwrite) leave the store, and
// an entity with no row left loses its record. Newer-wins writes (OnlineWriter::WriteLatest)
// cannot express this, since the row that should be online then is older than the one there.
//
// Which entities: those with a row in the data files removed since the last materialization
// (incremental), or every entity of the view (`--full`, or when the removed files are gone).
// Each pass:
//   1. collects the entities (for removed files: their join keys; read on one thread);
//   2. reduces the table's latest snapshot to the newest row of each (NewestRowReducer);
//   3. without the lock: compares every entity's record with its newest row; rows that
//      supersede the record (or entities without one) are written newer-wins through
//      WriteLatest, one slice at a time, so pushes go on meanwhile and a newer push stays;
//      records newer than the row (the row that was newer got deleted, or a push came in) and
//      records of entities without rows (every key of the view's prefix, for all entities)
//      are set aside to be compared again;
//   4. under the online writer's lock (pushes wait): catches up with the commits made since the
//      snapshot, whose rows are pushes already online or soon to be (a push commits to the
//      table before it writes online), reading the files they added; a commit that removed
//      data meanwhile starts the pass over from the new version (at most 10 times);
//   5. still under the lock: for the entities set aside and those the catch-up touched,
//      replaces each record that differs from the newest row, older or not, and deletes those
//      of entities without rows. The lock is held for the differences, not for every entity.
// Why 3 is safe without the lock: every record written meanwhile comes from a row of the
// snapshot (older than or equal to the entity's newest row, so newer-wins keeps ours) or of a
// commit after it (an entity the catch-up compares again under the lock).
// Memory is bounded by entities per pass: past ~1M, the entities are split by key hash into 4,
// 16, ... parts, one pass each (each pass reads the table again).
// Thread-safety: as Materializer; the writer serializes with pushes.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "plinth/features/catalog.h"
#include "plinth/features/online_writer.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

struct ReconcileResult {
  int64_t entities = 0;      // entities compared (summed over passes)
  int64_t rows_scanned = 0;  // source rows read, catch-up included
  int64_t rows_written = 0;  // records replaced or added
  int64_t rows_deleted = 0;  // records removed (entities without rows)
  int passes = 0;
  int restarts = 0;  // passes started over (a concurrent delete, or too many entities)
};

struct ReconcileOptions {
  int threads = 2;                             // row groups read at once
  size_t max_pass_entities = size_t{1} << 20;  // entities per pass (memory bound)
  std::function<void()> before_lock;           // tests: runs before each pass takes the lock
};

// `removed`: the removed data files whose entities to reconcile; nullptr for every entity.
// `snapshot` must be a version at or after the removes.
absl::StatusOr<ReconcileResult> ReconcileOnline(const ViewPlan& view, delta::DeltaTable& table,
                                                const delta::Snapshot& snapshot,
                                                const std::vector<delta::AddFile>* removed, OnlineWriter& writer,
                                                const ReconcileOptions& options = {});

}  // namespace plinth::features
