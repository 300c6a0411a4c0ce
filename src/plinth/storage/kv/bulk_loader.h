// BulkLoader: loads many rows into an OnlineStore much faster than Write() (materialization).
//
// Rows are buffered and loaded in chunks: RocksDB sorts each chunk, writes it as a table file
// and ingests the file (no memtable, no WAL: CPU per row is a sort plus a sequential file
// write); other backends write WriteBatches without the WAL and flush at the end. A loaded
// chunk is visible and durable at once (RocksDB syncs an ingested file before it appears).
// Loading is not atomic: readers see chunks appear one by one, and a loader dropped without
// Finish() leaves the chunks already loaded (re-running the materialization overwrites them).
// A key put twice keeps its last value; rows overwrite what the store held for their keys.
// Thread-safety: one BulkLoader per thread; any number of loaders may run at once, beside
// ordinary reads and writes.
#pragma once

#include <cstddef>
#include <string_view>

#include "plinth/base/status.h"
#include "plinth/storage/kv/write_batch.h"

namespace plinth::kv {

class OnlineStore;

class BulkLoader {
 public:
  virtual ~BulkLoader() = default;
  // Adds a row; may load a full chunk of earlier rows first.
  virtual absl::Status Put(std::string_view key, std::string_view value) = 0;
  // Loads the rows not yet loaded and makes every row durable.
  // REQUIRES: called once, after the last Put.
  virtual absl::Status Finish() = 0;
};

// The generic loader: WriteBatches of `batch_rows` rows with Durability::kUnlogged, then
// OnlineStore::Flush() in Finish(). `store` must outlive the loader.
class BatchingBulkLoader : public BulkLoader {
 public:
  explicit BatchingBulkLoader(OnlineStore& store, size_t batch_rows = 10000)
      : store_(store), batch_rows_(batch_rows) {}
  absl::Status Put(std::string_view key, std::string_view value) override;
  absl::Status Finish() override;

 private:
  OnlineStore& store_;
  const size_t batch_rows_;
  WriteBatch batch_;
};

}  // namespace plinth::kv
