#include "plinth/storage/kv/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>

#include "plinth/base/logging.h"
#include "plinth/storage/kv/rocksdb_bulk_loader.h"
#include "plinth/storage/kv/rocksdb_status.h"

namespace plinth::kv {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// LZ4 when this librocksdb was built with it, else Snappy, else none.
rocksdb::CompressionType LowerLevelCompression() {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (auto c : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), c) != supported.end()) return c;
  }
  return rocksdb::kNoCompression;
}

rocksdb::Options MakeOptions(const RocksDbStore::Options& o,
                             const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::Options opts;
  opts.create_if_missing = o.create_if_missing;
  if (o.env != nullptr) opts.env = o.env;
  opts.max_background_jobs = o.background_jobs;
  opts.write_buffer_size = o.write_buffer_bytes;
  opts.max_write_buffer_number = o.max_write_buffers;
  // Levels sized from the last one: ~1.1x space amplification, and a small store lives in one
  // sorted level (a lookup touches L0 files + one level).
  opts.level_compaction_dynamic_level_bytes = true;
  // Keep every table reader open: no open/close on the read path.
  opts.max_open_files = -1;
  // Smooth background writeback instead of bursts at the end of each SST file.
  opts.bytes_per_sync = 1 << 20;
  // Bloom filter on the memtable too (2% of its size): lookups of keys that are not in the
  // memtable skip the skiplist search. Whole keys, no prefix extractor.
  opts.memtable_prefix_bloom_size_ratio = 0.02;
  opts.memtable_whole_key_filtering = true;
  opts.optimize_filters_for_hits = o.optimize_filters_for_hits;
  // L0 holds fresh flushes (often read, soon rewritten): uncompressed keeps flushes cheap.
  // Every compacted level is LZ4: cheap to decompress on a block cache miss, and the block
  // cache holds uncompressed blocks so hits never decompress. (With dynamic level bytes the
  // entries after the first apply from the base level down.)
  rocksdb::CompressionType lower = o.compress ? LowerLevelCompression() : rocksdb::kNoCompression;
  opts.compression_per_level = {rocksdb::kNoCompression, lower, lower, lower, lower, lower, lower};
  opts.bottommost_compression = lower;
  // RocksDB's own info LOG in the database directory: bounded.
  opts.keep_log_file_num = 5;
  opts.max_log_file_size = 16 << 20;

  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  // 4 KiB blocks: a point lookup reads/decompresses a few values, not dozens.
  t.block_size = 4 << 10;
  t.format_version = 5;
  // Whole-key bloom filters (the fast "format 5" bloom), no false negatives: a lookup of an
  // absent key usually touches no data block.
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(o.bloom_bits_per_key, false));
  t.whole_key_filtering = true;
  t.optimize_filters_for_memory = true;
  // Index and filter blocks live in the block cache (one memory budget), at high priority,
  // and pinned for every level: a lookup never waits for metadata I/O. Cost ~1.3 bytes per key
  // of filter plus the index, which must fit the cache.
  t.cache_index_and_filter_blocks = true;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.metadata_cache_options.top_level_index_pinning = rocksdb::PinningTier::kAll;
  t.metadata_cache_options.partition_pinning = rocksdb::PinningTier::kAll;
  t.metadata_cache_options.unpartitioned_pinning = rocksdb::PinningTier::kAll;
  // A hash table inside each data block: a point lookup finds its key without the binary
  // search over restart points.
  t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  t.data_block_hash_table_util_ratio = 0.75;
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return opts;
}

// Batches at least this large are applied in key order (see Write).
constexpr size_t kSortedApplyThreshold = 64;

// The stack holds the per-key arrays of small MultiGets (the online path: one entity, a few
// views); larger ones use the heap.
template <typename T, size_t N>
class SmallArray {
 public:
  explicit SmallArray(size_t n) {
    if (n > N) {
      heap_ = std::make_unique<T[]>(n);
      data_ = heap_.get();
    } else {
      data_ = inline_.data();
    }
  }
  T* data() { return data_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  std::array<T, N> inline_;
  std::unique_ptr<T[]> heap_;
  T* data_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Create(Options options) {
  if (options.path.empty()) return absl::InvalidArgumentError("online store path is empty");
  auto cache = rocksdb::NewLRUCache(rocksdb::LRUCacheOptions(
      options.block_cache_bytes, /*num_shard_bits=*/-1, /*strict_capacity_limit=*/false,
      /*high_pri_pool_ratio=*/0.5));
  rocksdb::Options opts = MakeOptions(options, cache);
  if (!options.create_if_missing && opts.env->FileExists(options.path + "/CURRENT").IsNotFound()) {
    return absl::NotFoundError(StrCat("online store ", options.path, " does not exist"));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(opts, options.path, &raw);
  if (!s.ok()) {
    // RocksDB reports a held LOCK file as an I/O error: "While lock file: <path>/LOCK: ..."
    // from another process, "lock hold by current process ..." from this one.
    std::string text = s.ToString();
    if (s.IsIOError() && text.find("lock hold by current process") != std::string::npos) {
      return absl::FailedPreconditionError(
          StrCat("online store ", options.path, " is already open in this process (", text, ")"));
    }
    if (s.IsIOError() && text.find("While lock file") != std::string::npos) {
      return absl::FailedPreconditionError(
          StrCat("online store ", options.path, " is in use by another process (plinth server?) (",
                 text, ")"));
    }
    return FromRocksStatus(s, options.path, "open");
  }
  // Chunk files of bulk loads interrupted by a crash (never ingested): remove them.
  std::string bulk_dir = options.path + "/bulk-load";
  std::vector<std::string> leftovers;
  if (opts.env->GetChildren(bulk_dir, &leftovers).ok()) {
    for (const auto& name : leftovers) {
      if (name != "." && name != "..")
        opts.env->DeleteFile(bulk_dir + "/" + name).PermitUncheckedError();
    }
  }
  return std::unique_ptr<RocksDbStore>(
      new RocksDbStore(std::move(options), std::move(cache), std::unique_ptr<rocksdb::DB>(raw)));
}

RocksDbStore::RocksDbStore(Options options, std::shared_ptr<rocksdb::Cache> cache,
                           std::unique_ptr<rocksdb::DB> db)
    : options_(std::move(options)), cache_(std::move(cache)), db_(std::move(db)) {}

RocksDbStore::~RocksDbStore() {
  rocksdb::Status s = db_->Close();  // flushes memtables holding unlogged writes
  if (!s.ok()) LogWarn(StrCat("closing online store ", options_.path, ": ", s.ToString()));
}

absl::Status RocksDbStore::Write(const WriteBatch& batch, const WriteOptions& options) {
  if (batch.empty()) return absl::OkStatus();
  // RocksDB's record: tag + varint lengths (< 11 bytes) + bytes; 12-byte header.
  rocksdb::WriteBatch wb(12 + batch.data_bytes() + 11 * batch.size());
  auto add = [&](size_t i) {
    WriteBatch::Entry e = batch.entry(i);
    return e.kind == WriteBatch::Kind::kPut ? wb.Put(ToSlice(e.key), ToSlice(e.value))
                                            : wb.Delete(ToSlice(e.key));
  };
  if (batch.size() < kSortedApplyThreshold) {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (rocksdb::Status s = add(i); !s.ok())
        return FromRocksStatus(s, options_.path, "write batch");
    }
  } else {
    // Large batches (materialization) go in key order: the memtable's skiplist then finds each
    // insert position next to the previous one instead of searching from the top (measured:
    // random-order inserts spend most of a bulk load in that search). The sort is stable, so
    // entries for the same key keep their order and the last one still wins.
    for (uint32_t i : batch.KeyOrder()) {
      if (rocksdb::Status s = add(i); !s.ok())
        return FromRocksStatus(s, options_.path, "write batch");
    }
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = options.durability == Durability::kUnlogged;
  wo.sync = options.durability == Durability::kSynced;
  return FromRocksStatus(db_->Write(wo, &wb), options_.path, "write");
}

absl::StatusOr<std::optional<std::string>> RocksDbStore::Get(std::string_view key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksStatus(s, options_.path, "get");
  return value;
}

absl::Status RocksDbStore::MultiGet(std::span<const std::string_view> keys,
                                    std::vector<std::optional<std::string>>* values) {
  values->resize(keys.size());
  return MultiGetVisit(keys, [values](size_t i, std::optional<std::string_view> v) {
    auto& out = (*values)[i];
    if (!v) {
      out.reset();
    } else if (out) {
      out->assign(*v);
    } else {
      out.emplace(*v);
    }
  });
}

absl::Status RocksDbStore::MultiGetVisit(std::span<const std::string_view> keys,
                                         MultiGetVisitor visitor) {
  const rocksdb::ReadOptions ro;
  if (keys.size() == 1) {
    // A plain Get has less set-up than the batched path; the value stays pinned in place.
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro, db_->DefaultColumnFamily(), ToSlice(keys[0]), &value);
    if (s.IsNotFound()) {
      visitor(0, std::nullopt);
    } else if (!s.ok()) {
      return FromRocksStatus(s, options_.path, "get");
    } else {
      visitor(0, ToView(value));
    }
    return absl::OkStatus();
  }
  if (keys.empty()) return absl::OkStatus();
  constexpr size_t kInline = 8;
  SmallArray<rocksdb::Slice, kInline> slices(keys.size());
  SmallArray<rocksdb::PinnableSlice, kInline> pinned(keys.size());
  SmallArray<rocksdb::Status, kInline> statuses(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) slices[i] = ToSlice(keys[i]);
  // One consistent read of all keys; RocksDB sorts them and probes each file once per batch.
  db_->MultiGet(ro, db_->DefaultColumnFamily(), keys.size(), slices.data(), pinned.data(),
                statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
      return FromRocksStatus(statuses[i], options_.path, "multiget");
    }
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      visitor(i, std::nullopt);
    } else {
      visitor(i, ToView(pinned[i]));
    }
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::ScanPrefix(std::string_view prefix, ScanVisitor fn) {
  std::optional<std::string> end = PrefixEnd(prefix);
  rocksdb::Slice upper;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // a scan must not evict the hot set
  if (end) {
    upper = ToSlice(*end);
    ro.iterate_upper_bound = &upper;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  // Without an upper bound the prefix is empty or all 0xff: every key from it on matches.
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    if (!fn(ToView(it->key()), ToView(it->value()))) break;
  }
  return FromRocksStatus(it->status(), options_.path, "scan");
}

absl::Status RocksDbStore::DeletePrefix(std::string_view prefix) {
  rocksdb::WriteBatch wb;
  rocksdb::Status s;
  if (std::optional<std::string> end = PrefixEnd(prefix)) {
    s = wb.DeleteRange(ToSlice(prefix), ToSlice(*end));
  } else {
    // No key follows the range: delete up to the current last key, then that key (a key
    // written after this point and sorting after it is kept).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToLast();
    if (!it->Valid()) return FromRocksStatus(it->status(), options_.path, "delete prefix");
    std::string last = it->key().ToString();
    if (std::string_view(last) < prefix) return absl::OkStatus();
    s = wb.DeleteRange(ToSlice(prefix), ToSlice(last));
    if (s.ok()) s = wb.Delete(ToSlice(last));
  }
  if (s.ok()) s = db_->Write(rocksdb::WriteOptions(), &wb);
  return FromRocksStatus(s, options_.path, "delete prefix");
}

absl::StatusOr<std::unique_ptr<BulkLoader>> RocksDbStore::NewBulkLoader() {
  std::string dir = options_.path + "/bulk-load";
  PLINTH_RETURN_IF_ERROR(
      FromRocksStatus(db_->GetEnv()->CreateDirIfMissing(dir), options_.path, "bulk load"));
  return std::make_unique<RocksDbBulkLoader>(db_.get(), options_.path, std::move(dir),
                                             StrCat("load", bulk_loaders_++),
                                             options_.bulk_chunk_bytes);
}

absl::Status RocksDbStore::Flush() {
  return FromRocksStatus(db_->Flush(rocksdb::FlushOptions()), options_.path, "flush");
}

absl::Status RocksDbStore::CompactAll() {
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  return FromRocksStatus(db_->CompactRange(co, nullptr, nullptr), options_.path, "compact");
}

absl::StatusOr<uint64_t> RocksDbStore::ApproximateSize(std::string_view prefix) {
  std::optional<std::string> end = PrefixEnd(prefix);
  if (!end) {
    // Unbounded range: the whole store (keys below a non-empty all-0xff prefix are counted
    // too; such prefixes do not occur in practice).
    PLINTH_ASSIGN_OR_RETURN(OnlineStoreStats stats, Stats());
    return stats.approximate_bytes;
  }
  rocksdb::Range range(ToSlice(prefix), ToSlice(*end));
  rocksdb::SizeApproximationOptions so;
  so.include_memtables = true;
  so.include_files = true;
  so.files_size_error_margin = 0.1;
  uint64_t size = 0;
  PLINTH_RETURN_IF_ERROR(
      FromRocksStatus(db_->GetApproximateSizes(so, db_->DefaultColumnFamily(), &range, 1, &size),
                      options_.path, "approximate size"));
  return size;
}

absl::StatusOr<OnlineStoreStats> RocksDbStore::Stats() {
  OnlineStoreStats stats;
  uint64_t sst = 0, mem = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kEstimateNumKeys, &stats.approximate_keys);
  db_->GetIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &sst);
  db_->GetIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &mem);
  stats.approximate_bytes = sst + mem;
  stats.cache_bytes = cache_->GetUsage();
  stats.cache_capacity_bytes = cache_->GetCapacity();
  return stats;
}

std::string RocksDbStore::Describe() const {
  return StrCat("rocksdb://", options_.path, " (block cache ", options_.block_cache_bytes >> 20,
                " MiB)");
}

}  // namespace plinth::kv
