// Point-in-time join: the feature values a feature service had at each label row's time, the
// offline counterpart of ReadOnlineFeatures (online_reader.h), for building training sets.
//
// For label row L and each view V of the service (join keys K, TTL):
//   candidates  feature rows F of V's source snapshot with F.K == L.K (all keys non-null) and
//               F.event <= L.ts and (ttl == 0 or L.ts - F.event <= ttl) (exactly ttl is inside)
//   chosen      the greatest by (F.event, F.created) - a null created time sorts lowest; on a full
//               tie, the row read last: the snapshot's files in path order, rows in file order.
//               (Online, pushes and materialization also let the last write win a full tie; a
//               push's "last" is its arrival order, which the offline join cannot see - it sees
//               file order, which matches a full materialization.)
//   no match    every feature of V is null; so is everything for a label with a null key or time.
//   transforms  evaluated per label row by V's TransformSet over its features (null when no
//               match) and its request values, read from the label column of the same name
//               (a declared request value without such a column is InvalidArgument naming it).
// Feature rows with a null key or null event time never match. No value later than the
// label's time is ever used.
//
// Output columns: one per service feature, in service order, named by the feature's name, or
// "view__feature" when that name clashes with a label column or another output; typed by
// ColumnTypeFor. Rows are in label order (row i = label row i).
//
// Speed and memory: columnar throughout. Label keys are numbered (pit_keys.h); each view is
// read in two passes (pit_scan.h): keys and times of every row, then the feature columns of the
// matched rows only. The match streams: each row read is offered to the slot of the first
// label of its entity at or after its time (pit_slots.h), so memory grows with the labels
// (kSlotIndexBytesPerLabel + kSlotBytesPerLabel × threads a label), never with the view. When
// that would exceed memory_budget_bytes, the rows' keys and times are stored instead
// (kMatchBytesPerRow a row), grouped by entity with a counting sort and each entity sorted by
// time (pit_match.h); when those rows (estimated from add.stats) would exceed the budget too,
// they are hash-partitioned by entity into spill files under a fresh directory inside
// spill_dir (removed afterwards) and matched one partition at a time. All three give the same
// answers. The labels, and the output columns (one value per label and feature), stay in memory
// (training_set.h joins label sets whose output would not fit the budget in chunks).
// Views that share their join keys share the label-side dictionary. When two views' streaming
// matches fit the budget together, views run two at a time, each on its own `threads` pool, so
// one view's idle tails (the last row groups of a pass, the match) are filled by the other; the
// pools share `threads` CpuSlots, so row-group tasks never oversubscribe the cores.
//
// Thread-safety: PointInTimeJoin is reentrant; `progress` calls come one at a time, possibly
// from the join's worker threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/features/catalog.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/delta/snapshot.h"

namespace plinth::features {

// done/total in the stage's units (rows); total 0 when unknown.
using ProgressFn = std::function<void(int64_t done, int64_t total, std::string_view stage)>;

struct PitViewSource {
  std::string table_root;
  const delta::Snapshot* snapshot = nullptr;  // borrowed
};

struct PitJoinOptions {
  std::string label_timestamp_column = "event_timestamp";
  int64_t memory_budget_bytes = int64_t{1} << 30;
  std::string spill_dir;  // REQUIRES: set (an existing or creatable directory) for spilling
  int threads = 2;
  ProgressFn progress;
};

struct PitViewStats {
  std::string view;
  int64_t files = 0;
  int64_t rows_scanned = 0;
  int64_t rows_kept = 0;      // rows that could match some label
  int64_t labels_matched = 0;
  bool streaming = false;     // matched in per-label slots (pit_slots.h), rows never stored
  int partitions = 1;         // rows stored: 1 = in memory, more = spilled to partition files
  int64_t spilled_bytes = 0;
  double seconds = 0;         // the whole view: scan + match + gather (+ transforms)
  double scan_seconds = 0;
  double match_seconds = 0;
  double gather_seconds = 0;
};

struct PitJoinResult {
  std::vector<columnar::Field> fields;     // output columns (service order)
  std::vector<columnar::Column> columns;   // one per field, one row per label
  std::vector<PitViewStats> views;         // per ServicePlan::views
};

// Names of the output columns for labels with these columns; InvalidArgument when even
// "view__feature" clashes.
absl::StatusOr<std::vector<std::string>> PitOutputNames(const ServicePlan& service, const columnar::Schema& labels);

// `sources[i]` is the snapshot of service.views[i]'s source table. Label key columns must
// hold their join key's type (any integer for int64); the timestamp column a timestamp,
// timestamp_ntz or date. InvalidArgument names a missing or mistyped label column.
absl::StatusOr<PitJoinResult> PointInTimeJoin(const ServicePlan& service, const columnar::RecordBatch& labels,
                                              const std::vector<PitViewSource>& sources, const PitJoinOptions& options);

}  // namespace plinth::features
