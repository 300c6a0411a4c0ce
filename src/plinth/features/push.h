// Push ingestion: rows sent to a feature view land in its source table and its online store.
//
// Each row is an object keyed by source column (or feature name): the join keys and the
// event timestamp are required; the created timestamp defaults to the server's clock when the
// source has one; features left out are null. The rows are first appended to the view's
// source Delta table in one commit (shared with the pushes to the view running at the same
// time: push_commit.h), then written to the online store through OnlineWriter (newer-wins): the offline table is the record, so a failure after the commit is repaired by
// the next materialization and the two never disagree on what was accepted. A bad row
// rejects the whole push before anything is written.
// Thread-safety: safe for concurrent use.
#pragma once

#include "plinth/base/clock.h"
#include "plinth/base/json.h"
#include "plinth/features/catalog.h"
#include "plinth/features/online_writer.h"
#include "plinth/features/push_commit.h"
#include "plinth/features/table_maintainer.h"
#include "plinth/features/table_snapshots.h"

namespace plinth::features {

inline constexpr size_t kMaxPushRows = 100000;

struct PushResult {
  std::string view;
  int64_t rows = 0;
  int64_t table_version = -1;
  int64_t online_written = 0;  // rows that became the latest of their entity
  int commit_attempts = 0;     // Delta commit attempts (more than 1: lost a race, rebased)
  int commit_pushes = 0;       // pushes sharing the commit (group commit), this one included
  double snapshot_ms = 0;      // the table's latest snapshot
  double offline_ms = 0;       // data file + commit, with the wait for a running commit
  double online_ms = 0;        // online store write
  Json ToJson() const;
};

// A view with `online: false` gets the offline commit only. The table's snapshot comes from
// `snapshots` (kept between pushes); the Delta checkpoint that falls due at the new version is
// left to `maintainer` (a background thread, which also compacts the pushes' small files).
// Commits go through `committer`, which must be the same for every push to the table.
absl::StatusOr<PushResult> PushRows(const ViewPlan& view, const Json& rows, OnlineWriter& writer, Clock* clock,
                                    TableSnapshots& snapshots, PushCommitter& committer, TableMaintainer& maintainer);

}  // namespace plinth::features
