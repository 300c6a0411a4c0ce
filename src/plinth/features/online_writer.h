// OnlineWriter: writes feature rows to the online store so that each entity keeps its latest row.
//
// A row replaces the stored record of its entity only when it is newer (Supersedes in
// online_record.h: later event time, ties broken by the created time), so materialization
// runs, late-arriving rows and pushes can interleave in any order and the store still ends
// with the latest row per entity. Within one call, rows of the same entity are reduced to the
// newest first. Read-compare-write runs under one lock per writer: the server owns one writer
// per online store, so pushes and materialization never overwrite a newer row. A large call
// takes the lock once per slice of kSliceKeys entities, and the lock is first come, first
// served (FifoMutex): a push waits for one slice of a materialization, not for all of it.
// Thread-safety: safe for concurrent use.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plinth/base/fifo_mutex.h"
#include "plinth/features/catalog.h"
#include "plinth/storage/kv/online_store.h"

namespace plinth::features {

struct PendingRow {
  std::string key;     // EncodeEntityKey
  std::string record;  // EncodeRecord (its header carries the times below)
  int64_t event_micros = 0;
  int64_t created_micros = 0;
};

class OnlineWriter {
 public:
  static constexpr size_t kSliceKeys = 256;  // entities compared and written per lock hold

  explicit OnlineWriter(kv::OnlineStore* store) : store_(store) {}
  kv::OnlineStore& store() { return *store_; }

  // Writes the rows that supersede what the store holds; returns how many were written.
  absl::StatusOr<int64_t> WriteLatest(std::vector<PendingRow>& rows, kv::Durability durability);

  // Runs fn with the write lock held, so no WriteLatest interleaves with it: reconciliation
  // (online_reconcile.h) reads, compares and replaces records, deletes included, in one step.
  // Keep fn short: pushes wait for it.
  absl::Status Exclusive(const std::function<absl::Status(kv::OnlineStore& store)>& fn);

 private:
  kv::OnlineStore* store_;
  FifoMutex mu_;
};

}  // namespace plinth::features
