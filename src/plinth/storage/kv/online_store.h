// OnlineStore: the ordered key-value store behind the online feature store.
//
// Holds the latest feature values per (feature view, entity key); the features layer encodes
// keys and values as bytes, and a feature view's rows share a key prefix. Keys and values are
// arbitrary bytes (NUL included), ordered bytewise (unsigned, like memcmp; shorter first).
// Backends are opened by URI (online_store_uri.h): rocksdb:// (embedded, default) and memory://
// (tests, scratch stores); redis:// later.
//
// Semantics every backend provides:
//  - A Write() is atomic (all entries or none) and visible to every read that starts after it
//    returns (read-your-writes across threads; no visibility delay).
//  - NewBulkLoader() is the exception: it loads in chunks, each atomic (bulk_loader.h).
//  - MultiGet/MultiGetVisit read all keys at one point in time; ScanPrefix sees one snapshot.
//  - Errors are absl::Status; nothing throws. Backend errors carry the backend's message:
//    DataLoss for corruption, FailedPrecondition for a store locked by another process,
//    ResourceExhausted for a full disk, Internal for other I/O errors.
// Thread-safety: every method is safe to call concurrently from any number of threads.
// Ownership: callbacks receive views into store-owned memory, valid only during the call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "plinth/base/status.h"
#include "plinth/storage/kv/bulk_loader.h"
#include "plinth/storage/kv/write_batch.h"

namespace plinth::kv {

// How durable a Write() is when it returns.
enum class Durability : uint8_t {
  // No write-ahead log: fastest. A process crash loses writes that were not flushed yet
  // (Flush(), a clean close, or the backend's own memtable flushes persist them). For
  // materialization, which can be re-run from the offline store and calls Flush() at the end.
  kUnlogged,
  // Appended to the write-ahead log without fsync: survives a crash of the process, may lose
  // the last writes on an OS crash or power loss. The default; for pushed rows.
  kLogged,
  // The log is fsynced before Write() returns: survives power loss, costs a disk flush
  // (~0.1-10 ms) per call, so batch rows rather than syncing each.
  kSynced,
};

struct WriteOptions {
  Durability durability = Durability::kLogged;
};

struct OnlineStoreStats {
  uint64_t approximate_keys = 0;   // estimate (RocksDB counts overwritten/deleted keys too)
  uint64_t approximate_bytes = 0;  // on disk + in memory, after compression
  uint64_t cache_bytes = 0;        // block cache in use (0 when the backend has none)
  uint64_t cache_capacity_bytes = 0;
};

class OnlineStore {
 public:
  // Receives the i-th requested key's value, or nullopt when the key is absent. The view is
  // valid only during the call (it may point into a cached block: copy what you keep).
  using MultiGetVisitor =
      absl::FunctionRef<void(size_t index, std::optional<std::string_view> value)>;
  // Receives keys in ascending order; returns false to stop the scan.
  using ScanVisitor = absl::FunctionRef<bool(std::string_view key, std::string_view value)>;

  virtual ~OnlineStore() = default;

  // Applies `batch` atomically. An empty batch is a no-op.
  virtual absl::Status Write(const WriteBatch& batch, const WriteOptions& options = {}) = 0;

  // Latest value of `key`, or nullopt when absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(std::string_view key) = 0;

  // (*values)[i] = value of keys[i], or nullopt. Duplicate keys are allowed. `values` is
  // resized to keys.size(); strings already in it are reused, so a caller that keeps the
  // vector across requests avoids allocating once capacities have grown.
  // REQUIRES: values != nullptr.
  virtual absl::Status MultiGet(std::span<const std::string_view> keys,
                                std::vector<std::optional<std::string>>* values) = 0;

  // Zero-copy MultiGet: calls `visitor` once per key, in no guaranteed order, with the value in
  // place (pinned in the block cache or memtable for RocksDB). The hot path for online reads.
  // REQUIRES: `visitor` does not call into this store.
  virtual absl::Status MultiGetVisit(std::span<const std::string_view> keys,
                                     MultiGetVisitor visitor) = 0;

  // Visits every key starting with `prefix` (all keys for an empty prefix) in ascending order
  // until `fn` returns false. Does not fill the block cache (scans are for drops and exports,
  // not the hot path).
  // REQUIRES: `fn` does not call into this store (the memory backend holds its lock; a
  // recursive shared lock can deadlock behind a waiting writer).
  virtual absl::Status ScanPrefix(std::string_view prefix, ScanVisitor fn) = 0;

  // Deletes every key starting with `prefix`, atomically (one range tombstone in RocksDB, so
  // the cost does not grow with the number of rows). Neighbouring prefixes are untouched.
  virtual absl::Status DeletePrefix(std::string_view prefix) = 0;

  // A loader for many rows (materialization): on RocksDB it skips the memtable and WAL and
  // needs about a third less CPU per row than Write() (bench/README.md); not atomic
  // (bulk_loader.h). The default is a BatchingBulkLoader over Write().
  virtual absl::StatusOr<std::unique_ptr<BulkLoader>> NewBulkLoader() {
    return std::make_unique<BatchingBulkLoader>(*this);
  }

  // Persists writes made with Durability::kUnlogged (RocksDB: flushes the memtable).
  virtual absl::Status Flush() = 0;

  // Approximate bytes used by keys starting with `prefix`, memtables included (for metrics;
  // RocksDB estimates from file metadata, no scan; the memory backend scans the prefix).
  virtual absl::StatusOr<uint64_t> ApproximateSize(std::string_view prefix) = 0;

  virtual absl::StatusOr<OnlineStoreStats> Stats() = 0;

  // One line for logs and `plinth status`, e.g. "rocksdb:///data/online (block cache 256 MiB)".
  virtual std::string Describe() const = 0;
};

// The smallest key greater than every key starting with `prefix` (the exclusive end of the
// prefix range), or nullopt when there is none (empty prefix, or only 0xff bytes).
std::optional<std::string> PrefixEnd(std::string_view prefix);

}  // namespace plinth::kv
