// MemoryStore: OnlineStore in process memory (memory://), for tests and for scratch stores
// such as the parity checker's, which materializes into one and compares it with the real one.
//
// An ordered map behind a reader-writer lock: reads share the lock, a Write() takes it
// exclusively, so batches are atomic and MultiGet/ScanPrefix see one point in time. Nothing
// is persisted; durability options are accepted and ignored; Flush() does nothing.
// Thread-safety: safe for concurrent use (see OnlineStore).
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "plinth/storage/kv/online_store.h"

namespace plinth::kv {

class MemoryStore : public OnlineStore {
 public:
  struct Options {
    std::string name;  // shown by Describe() as memory://<name>
  };
  static absl::StatusOr<std::unique_ptr<MemoryStore>> Create(Options options = {});

  absl::Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override;
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override;
  absl::Status MultiGet(std::span<const std::string_view> keys,
                        std::vector<std::optional<std::string>>* values) override;
  absl::Status MultiGetVisit(std::span<const std::string_view> keys,
                             MultiGetVisitor visitor) override;
  absl::Status ScanPrefix(std::string_view prefix, ScanVisitor fn) override;
  absl::Status DeletePrefix(std::string_view prefix) override;
  absl::Status Flush() override { return absl::OkStatus(); }
  absl::StatusOr<uint64_t> ApproximateSize(std::string_view prefix) override;
  absl::StatusOr<OnlineStoreStats> Stats() override;
  std::string Describe() const override;

 private:
  explicit MemoryStore(Options options) : options_(std::move(options)) {}
  using Map = std::map<std::string, std::string, std::less<>>;
  // [begin, end) of the keys starting with `prefix`.
  std::pair<Map::const_iterator, Map::const_iterator> PrefixRange(std::string_view prefix) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable std::shared_mutex mu_;
  Map map_ ABSL_GUARDED_BY(mu_);
  uint64_t data_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // key + value bytes in map_
};

}  // namespace plinth::kv
