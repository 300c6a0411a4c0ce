// Reading a view's source snapshot for the point-in-time join, in two passes over its files
// (files in the snapshot's order, each read by one thread, files spread over the pool):
//
//   ScanKeyedRows     join keys, event and created timestamps -> KeyedRows for a sink (rows whose entity
//                     no label asks for, with a null key or event time, or that no label of
//                     that entity can reach in time are dropped)
//   GatherFeatures    the feature columns of the matched rows only, converted to the features'
//                     column types (ColumnTypeFor) and laid out in label order
//
// A row's position is (file index, row in file): the scan order, which breaks full ties.
// Thread-safety: each call uses the pool; one call at a time per pool.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "plinth/base/worker_pool.h"
#include "plinth/features/definitions.h"
#include "plinth/features/pit_keys.h"
#include "plinth/features/pit_match.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/delta/snapshot.h"

namespace plinth::features {

struct KeyScanSpec {
  std::string table_root;
  const delta::Snapshot* snapshot = nullptr;
  std::vector<JoinKey> join_keys;
  std::string event_column;
  std::string created_column;  // empty: none
  std::string where;           // names the view in errors ("feature view 'x'")
  int64_t ttl_micros = 0;
  // Per entity id: the earliest and latest label time (rows outside [min - ttl, max] are
  // dropped). Empty: keep every row of a known entity.
  const std::vector<int64_t>* min_label_ts = nullptr;
  const std::vector<int64_t>* max_label_ts = nullptr;
};

struct KeyScanStats {
  int64_t files = 0;
  int64_t rows_scanned = 0;
  int64_t rows_kept = 0;
};

// Rows of the snapshot, estimated from add.stats numRecords (or file sizes when absent).
int64_t EstimateRows(const delta::Snapshot& snapshot);

// Hands each batch of kept rows to `sink(task, &rows)` (task < pool.threads(): one thread at a
// time per task; the sink may take or clear the rows). `on_rows(n)` is called (from the pool's
// threads, possibly at once) after each batch of n rows read.
using KeyedRowSink = std::function<absl::Status(int task, std::vector<KeyedRow>* rows)>;
absl::StatusOr<KeyScanStats> ScanKeyedRows(const KeyScanSpec& spec, const EntityDictionary& dict, WorkerPool& pool,
                                           const KeyedRowSink& sink, const std::function<void(int64_t)>& on_rows);

struct GatherSpec {
  std::string table_root;
  const delta::Snapshot* snapshot = nullptr;
  std::vector<std::string> columns;  // source columns
  std::vector<ValueType> types;      // target type of each
  std::string where;
};

// One column per spec column, of ColumnTypeFor(type), with match.size() rows: row i holds the
// value at position match[i], or null when match[i] == kNoMatch.
absl::StatusOr<std::vector<columnar::Column>> GatherFeatures(const GatherSpec& spec, const std::vector<uint64_t>& match,
                                                             WorkerPool& pool);

}  // namespace plinth::features
