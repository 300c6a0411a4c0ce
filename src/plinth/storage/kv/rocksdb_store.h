// RocksDbStore: OnlineStore on an embedded RocksDB database (rocksdb:///path), the default.
//
// Tuned for point lookups of small values (~1 KB: one entity's features) with a hot set that
// fits in memory: block-based tables with whole-key bloom filters, a sharded LRU block cache
// that holds uncompressed blocks, index and filter blocks charged to that cache and pinned
// in it (a lookup never misses on metadata), a hash index inside data blocks, a bloom filter
// on the memtable, L0 uncompressed and LZ4 below. rocksdb_store.cc explains each choice.
//
// One process may open a path at a time (RocksDB's LOCK file): Create() fails with
// FailedPrecondition "online store <path> is in use by another process (plinth server?)".
// Bulk loads write chunk files under <path>/bulk-load/ (leftovers of a crash are removed on
// open). The destructor closes the database; a clean close flushes writes made without the WAL.
// Thread-safety: safe for concurrent use (see OnlineStore); concurrent writers are committed
// in groups by RocksDB.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "plinth/storage/kv/online_store.h"

namespace rocksdb {
class Cache;
class DB;
class Env;
}  // namespace rocksdb

namespace plinth::kv {

class RocksDbStore : public OnlineStore {
 public:
  struct Options {
    std::string path;  // database directory; its parent must exist
    bool create_if_missing = true;
    // Uncompressed data blocks plus all index and filter blocks (pinned). Size it to the hot
    // set: reads that miss go to the OS page cache or disk.
    uint64_t block_cache_bytes = 256ull << 20;
    // Per memtable; up to max_write_buffers of them (filling + being flushed). Bigger
    // memtables mean fewer, larger flushes during materialization.
    uint64_t write_buffer_bytes = 64ull << 20;
    int max_write_buffers = 4;
    int background_jobs = 2;      // flush + compaction threads
    int bloom_bits_per_key = 10;  // ~1% false positives
    // Drops the filters of the last level (~90% of filter memory); a lookup of an absent key
    // then reads a data block. Off: online reads of unknown entities are common.
    bool optimize_filters_for_hits = false;
    // LZ4 for every level below L0. Off saves the compression CPU of flushes, compactions and
    // bulk loads (~1 us per 600-byte row here) at the cost of disk and page cache.
    bool compress = true;
    // NewBulkLoader(): rows buffered (and sorted) per ingested table file.
    uint64_t bulk_chunk_bytes = 64ull << 20;
    // Filesystem access (DESIGN.md convention 4); nullptr = rocksdb::Env::Default(). Tests can
    // pass a fault-injecting or in-memory Env. Not owned; must outlive the store.
    rocksdb::Env* env = nullptr;
  };

  // NotFound when the path holds no database and !create_if_missing; FailedPrecondition when
  // another process (or this one) has it open; DataLoss when it is corrupt.
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Create(Options options);
  ~RocksDbStore() override;

  absl::Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override;
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override;
  absl::Status MultiGet(std::span<const std::string_view> keys,
                        std::vector<std::optional<std::string>>* values) override;
  absl::Status MultiGetVisit(std::span<const std::string_view> keys,
                             MultiGetVisitor visitor) override;
  absl::Status ScanPrefix(std::string_view prefix, ScanVisitor fn) override;
  absl::Status DeletePrefix(std::string_view prefix) override;
  // Sorts chunks of rows into table files and ingests them (rocksdb_bulk_loader.h).
  absl::StatusOr<std::unique_ptr<BulkLoader>> NewBulkLoader() override;
  absl::Status Flush() override;
  absl::StatusOr<uint64_t> ApproximateSize(std::string_view prefix) override;
  absl::StatusOr<OnlineStoreStats> Stats() override;
  std::string Describe() const override;

  // Compacts the whole database (benchmarks, and after dropping many views). Blocks.
  absl::Status CompactAll();

 private:
  RocksDbStore(Options options, std::shared_ptr<rocksdb::Cache> cache,
               std::unique_ptr<rocksdb::DB> db);

  const Options options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<uint64_t> bulk_loaders_{0};  // names each loader's chunk files
};

}  // namespace plinth::kv
