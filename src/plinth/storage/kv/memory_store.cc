#include "plinth/storage/kv/memory_store.h"

#include <mutex>

namespace plinth::kv {

absl::StatusOr<std::unique_ptr<MemoryStore>> MemoryStore::Create(Options options) {
  return std::unique_ptr<MemoryStore>(new MemoryStore(std::move(options)));
}

absl::Status MemoryStore::Write(const WriteBatch& batch, const WriteOptions& /*options*/) {
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < batch.size(); ++i) {
    WriteBatch::Entry e = batch.entry(i);
    auto it = map_.find(e.key);
    if (e.kind == WriteBatch::Kind::kDelete) {
      if (it != map_.end()) {
        data_bytes_ -= it->first.size() + it->second.size();
        map_.erase(it);
      }
    } else if (it != map_.end()) {
      data_bytes_ += e.value.size() - it->second.size();
      it->second.assign(e.value);
    } else {
      map_.emplace(std::string(e.key), std::string(e.value));
      data_bytes_ += e.key.size() + e.value.size();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> MemoryStore::Get(std::string_view key) {
  std::shared_lock lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

absl::Status MemoryStore::MultiGet(std::span<const std::string_view> keys,
                                   std::vector<std::optional<std::string>>* values) {
  values->resize(keys.size());
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = map_.find(keys[i]);
    auto& out = (*values)[i];
    if (it == map_.end()) {
      out.reset();
    } else if (out.has_value()) {
      out->assign(it->second);
    } else {
      out.emplace(it->second);
    }
  }
  return absl::OkStatus();
}

absl::Status MemoryStore::MultiGetVisit(std::span<const std::string_view> keys,
                                        MultiGetVisitor visitor) {
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = map_.find(keys[i]);
    if (it == map_.end()) {
      visitor(i, std::nullopt);
    } else {
      visitor(i, std::string_view(it->second));
    }
  }
  return absl::OkStatus();
}

std::pair<MemoryStore::Map::const_iterator, MemoryStore::Map::const_iterator>
MemoryStore::PrefixRange(std::string_view prefix) const {
  auto begin = map_.lower_bound(prefix);
  std::optional<std::string> end = PrefixEnd(prefix);
  return {begin, end ? map_.lower_bound(*end) : map_.end()};
}

absl::Status MemoryStore::ScanPrefix(std::string_view prefix, ScanVisitor fn) {
  std::shared_lock lock(mu_);
  auto [it, end] = PrefixRange(prefix);
  for (; it != end; ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return absl::OkStatus();
}

absl::Status MemoryStore::DeletePrefix(std::string_view prefix) {
  std::unique_lock lock(mu_);
  auto [begin, end] = PrefixRange(prefix);
  for (auto it = begin; it != end; ++it) data_bytes_ -= it->first.size() + it->second.size();
  map_.erase(begin, end);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryStore::ApproximateSize(std::string_view prefix) {
  std::shared_lock lock(mu_);
  auto [it, end] = PrefixRange(prefix);
  uint64_t bytes = 0;
  for (; it != end; ++it) bytes += it->first.size() + it->second.size();
  return bytes;
}

absl::StatusOr<OnlineStoreStats> MemoryStore::Stats() {
  std::shared_lock lock(mu_);
  return OnlineStoreStats{.approximate_keys = map_.size(), .approximate_bytes = data_bytes_};
}

std::string MemoryStore::Describe() const { return StrCat("memory://", options_.name); }

}  // namespace plinth::kv
