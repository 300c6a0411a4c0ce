#include "plinth/storage/kv/online_store_uri.h"

#include <vector>

#include "plinth/storage/kv/memory_store.h"
#include "plinth/storage/kv/rocksdb_store.h"

namespace plinth::kv {

OnlineStoreBackends OnlineStoreBackends::WithBuiltins() {
  OnlineStoreBackends b;
  auto rocksdb = [](const std::string& path,
                    const OpenOptions& o) -> absl::StatusOr<std::unique_ptr<OnlineStore>> {
    if (path.empty()) return absl::InvalidArgumentError("rocksdb:// URI has an empty path");
    PLINTH_ASSIGN_OR_RETURN(auto store,
                            RocksDbStore::Create({.path = path,
                                                  .create_if_missing = o.create_if_missing,
                                                  .block_cache_bytes = o.block_cache_bytes,
                                                  .write_buffer_bytes = o.write_buffer_bytes}));
    return std::unique_ptr<OnlineStore>(std::move(store));
  };
  b.Register("rocksdb", rocksdb);
  b.Register("", rocksdb);
  b.Register("memory",
             [](const std::string& name,
                const OpenOptions&) -> absl::StatusOr<std::unique_ptr<OnlineStore>> {
               PLINTH_ASSIGN_OR_RETURN(auto store, MemoryStore::Create({.name = name}));
               return std::unique_ptr<OnlineStore>(std::move(store));
             });
  return b;
}

void OnlineStoreBackends::Register(const std::string& scheme, Opener opener) {
  openers_[scheme] = std::move(opener);
}

absl::StatusOr<std::unique_ptr<OnlineStore>> OnlineStoreBackends::Open(
    std::string_view uri, const OpenOptions& options) const {
  if (uri.empty()) return absl::InvalidArgumentError("empty online store URI");
  std::string scheme;
  std::string location(uri);
  if (size_t sep = uri.find("://"); sep != std::string_view::npos) {
    scheme = ToLower(uri.substr(0, sep));
    location = std::string(uri.substr(sep + 3));
  }
  auto it = openers_.find(scheme);
  if (it == openers_.end()) {
    std::vector<std::string> names;
    for (const auto& [name, opener] : openers_) {
      if (!name.empty()) names.push_back(name + "://");
    }
    return absl::InvalidArgumentError(
        StrCat("unsupported online store URI '", uri, "': supported schemes are ",
               StrJoin(names, ", "), openers_.count("") ? " (or a bare path for rocksdb)" : ""));
  }
  return it->second(location, options);
}

absl::StatusOr<std::unique_ptr<OnlineStore>> OpenOnlineStore(std::string_view uri,
                                                             const OpenOptions& options) {
  static const OnlineStoreBackends* const kBuiltins =
      new OnlineStoreBackends(OnlineStoreBackends::WithBuiltins());
  return kBuiltins->Open(uri, options);
}

}  // namespace plinth::kv
