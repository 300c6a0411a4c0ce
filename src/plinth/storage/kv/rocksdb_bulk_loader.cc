#include "plinth/storage/kv/rocksdb_bulk_loader.h"

#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include <vector>

#include "plinth/storage/kv/rocksdb_status.h"

namespace plinth::kv {

RocksDbBulkLoader::RocksDbBulkLoader(rocksdb::DB* db, std::string path, std::string dir,
                                     std::string file_prefix, size_t chunk_bytes)
    : db_(db),
      path_(std::move(path)),
      dir_(std::move(dir)),
      file_prefix_(std::move(file_prefix)),
      chunk_bytes_(chunk_bytes) {}

RocksDbBulkLoader::~RocksDbBulkLoader() = default;

absl::Status RocksDbBulkLoader::Put(std::string_view key, std::string_view value) {
  rows_.Put(key, value);
  if (rows_.data_bytes() < chunk_bytes_) return absl::OkStatus();
  return LoadChunk();
}

absl::Status RocksDbBulkLoader::Finish() { return LoadChunk(); }

absl::Status RocksDbBulkLoader::LoadChunk() {
  if (rows_.empty()) return absl::OkStatus();
  std::vector<uint32_t> order = rows_.KeyOrder(/*last_per_key=*/true);

  std::string file = StrCat(dir_, "/", file_prefix_, "-", chunks_++, ".sst");
  rocksdb::Env* env = db_->GetEnv();
  // The database's options: the file gets the same table format as compaction output.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db_->GetOptions());
  rocksdb::Status s = writer.Open(file);
  for (size_t i = 0; s.ok() && i < order.size(); ++i) {
    // Rows are read in key order, i.e. at random places in the buffer: fetch ahead.
    if (i + 4 < order.size()) {
      WriteBatch::Entry ahead = rows_.entry(order[i + 4]);
      __builtin_prefetch(ahead.key.data());
      __builtin_prefetch(ahead.key.data() + 64);
    }
    WriteBatch::Entry e = rows_.entry(order[i]);
    s = writer.Put(rocksdb::Slice(e.key.data(), e.key.size()),
                   rocksdb::Slice(e.value.data(), e.value.size()));
  }
  if (s.ok()) s = writer.Finish();
  if (s.ok()) {
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;  // a hard link into the database directory, not a copy
    s = db_->IngestExternalFile({file}, io);
  }
  env->DeleteFile(file).PermitUncheckedError();  // the database keeps its own link
  rows_.Clear();
  return FromRocksStatus(s, path_, "bulk load");
}

}  // namespace plinth::kv
