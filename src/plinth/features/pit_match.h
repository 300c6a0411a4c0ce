// The as-of match of the point-in-time join: for each label row, the feature row of the same
// entity with the greatest (event time, created time, position) among those with
// event time <= the label's time, kept only when it lies within the TTL.
//
// Feature rows arrive reduced to KeyedRow (entity id, event, created, position in the
// snapshot's scan order) and are collected by a KeyedRowStore: in memory (one partition), or
// hash-partitioned by entity id into spill files when they would not fit the memory budget
// (an external partitioned sort: each partition is loaded, grouped by entity with a counting
// sort, sorted by time and probed, one at a time). Both give identical matches: the order
// rows are stored in never matters, only their (event, created, position) keys.
// Thread-safety: a KeyedRowStore's writer `w` is used by one thread at a time; different
// writers may append concurrently. MatchAsOf is called by one thread (it uses the pool).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/base/worker_pool.h"

namespace plinth::features {

// A feature row's position: (file index in the snapshot's file order << 32) | row in file.
inline constexpr uint64_t kNoMatch = std::numeric_limits<uint64_t>::max();
inline uint64_t RowPosition(uint32_t file, uint32_t row) { return (static_cast<uint64_t>(file) << 32) | row; }

struct KeyedRow {
  uint32_t entity = 0;
  uint32_t reserved = 0;
  int64_t event = 0;
  int64_t created = 0;  // kNoTimestamp (lowest) when the source has none or the cell is null
  uint64_t pos = 0;
};
static_assert(sizeof(KeyedRow) == 32);

// Bytes of memory a feature row costs in the in-memory match (the row and its grouped copy).
inline constexpr int64_t kMatchBytesPerRow = 56;

class KeyedRowStore {
 public:
  // partitions == 1: rows stay in memory. Otherwise rows go to files under `spill_dir` (which
  // must exist; the store removes its files when destroyed), hash-partitioned by entity id,
  // with per-partition buffers of at most `buffer_bytes` each.
  static absl::StatusOr<std::unique_ptr<KeyedRowStore>> Create(int partitions, int writers, std::string spill_dir,
                                                                int64_t buffer_bytes);
  ~KeyedRowStore();

  int partitions() const { return partitions_; }
  // Takes the rows (*rows is left empty; in memory, the vector itself is kept as a chunk).
  absl::Status Append(int writer, std::vector<KeyedRow>* rows);
  // Writes out what the buffers hold. Call once after the last Append.
  absl::Status Finish();
  // Every row of partition p (moved out: a partition can be taken once), in chunks.
  absl::StatusOr<std::vector<std::vector<KeyedRow>>> Take(int p);

  int64_t rows() const;
  int64_t spilled_bytes() const { return spilled_bytes_; }

 private:
  KeyedRowStore() = default;
  std::string FileName(int writer, int p) const;
  absl::Status Flush(int writer, int p);

  int partitions_ = 1;
  int writers_ = 1;
  std::string dir_;
  size_t buffer_rows_ = 2048;
  std::vector<std::vector<std::vector<KeyedRow>>> buffers_;  // [writer][partition] (spilling)
  std::vector<std::vector<std::vector<KeyedRow>>> chunks_;   // [writer][chunk] (in memory)
  std::vector<int64_t> counts_;                              // rows per writer
  std::vector<std::vector<bool>> has_file_;                  // [writer][partition]
  int64_t spilled_bytes_ = 0;
};

// The label side of one view: per label row its entity id (kNoEntity = no match possible)
// and timestamp (kNoTimestamp = no match possible).
struct LabelProbes {
  std::vector<uint32_t> entity;
  std::vector<int64_t> ts;
  uint32_t entities = 0;  // ids are < entities
};

// Fills (*match)[label] with the position of the label's feature row, or kNoMatch.
// ttl_micros == 0: no expiry; otherwise a row is inside when label ts - event <= ttl.
absl::Status MatchAsOf(KeyedRowStore& store, const LabelProbes& probes, int64_t ttl_micros, WorkerPool& pool,
                       std::vector<uint64_t>* match);

}  // namespace plinth::features
