// RocksDbBulkLoader: RocksDbStore's BulkLoader (see bulk_loader.h for the contract).
//
// Buffers rows up to `chunk_bytes`, sorts them (stable: the last value of a key wins), writes
// them with rocksdb::SstFileWriter using the database's own options (same bloom filters,
// block size, compression as compaction output) and ingests the file (moved, not copied).
// Ingestion gives the file a sequence number above everything already written, so its rows
// overwrite older values; RocksDB places it in the lowest level it does not overlap (the last
// level for a first load) and flushes an overlapping memtable first.
// Thread-safety: one thread at a time per loader.
#pragma once

#include <memory>
#include <string>

#include "plinth/storage/kv/bulk_loader.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace plinth::kv {

class RocksDbBulkLoader : public BulkLoader {
 public:
  // Chunk files are written as `file_prefix`-<n>.sst in `dir`, which must exist and be on the
  // database's filesystem (so ingestion is a rename). `db` must outlive the loader; `path`
  // names the store in errors.
  RocksDbBulkLoader(rocksdb::DB* db, std::string path, std::string dir, std::string file_prefix,
                    size_t chunk_bytes);
  ~RocksDbBulkLoader() override;

  absl::Status Put(std::string_view key, std::string_view value) override;
  absl::Status Finish() override;

 private:
  absl::Status LoadChunk();

  rocksdb::DB* const db_;
  const std::string path_;
  const std::string dir_;
  const std::string file_prefix_;
  const size_t chunk_bytes_;
  int chunks_ = 0;
  WriteBatch rows_;
};

}  // namespace plinth::kv
