// Opening an OnlineStore by URI.
//
//   rocksdb:///abs/path   RocksDbStore at /abs/path (rocksdb://rel/path is relative)
//   /abs/path, rel/path   the same: a bare path means RocksDB
//   memory://[name]       a fresh, empty MemoryStore per call (nothing is shared or kept)
// Anything else (redis:// until it exists) is InvalidArgument naming the supported schemes.
//
// OnlineStoreBackends is the registry (DESIGN.md convention 5): tests and embedders register
// extra schemes or replace built-in ones on their own instance. OpenOnlineStore() is the
// short form over WithBuiltins().
// Thread-safety: register at start-up; Open() may then be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plinth/storage/kv/online_store.h"

namespace plinth::kv {

// Backend-neutral tuning; a backend ignores what it has no use for.
struct OpenOptions {
  bool create_if_missing = true;
  uint64_t block_cache_bytes = 256ull << 20;  // RocksDB block cache
  uint64_t write_buffer_bytes = 64ull << 20;  // RocksDB memtable size
};

class OnlineStoreBackends {
 public:
  // Receives the URI's part after "scheme://" (the whole text for a bare path).
  using Opener = std::function<absl::StatusOr<std::unique_ptr<OnlineStore>>(
      const std::string& location, const OpenOptions& options)>;

  // rocksdb, memory, and bare paths (scheme "").
  static OnlineStoreBackends WithBuiltins();

  // `scheme` without "://", lower case; "" handles bare paths. Replaces an existing opener.
  void Register(const std::string& scheme, Opener opener);
  absl::StatusOr<std::unique_ptr<OnlineStore>> Open(std::string_view uri,
                                                    const OpenOptions& options = {}) const;

 private:
  std::map<std::string, Opener> openers_;
};

absl::StatusOr<std::unique_ptr<OnlineStore>> OpenOnlineStore(std::string_view uri,
                                                             const OpenOptions& options = {});

}  // namespace plinth::kv
