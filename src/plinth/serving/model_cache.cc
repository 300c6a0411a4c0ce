#include "plinth/serving/model_cache.h"

#include <algorithm>
#include <exception>

namespace plinth::serving {

absl::StatusOr<std::unique_ptr<ModelCache>> ModelCache::Create(Options options) {
  if (options.budget_bytes <= 0) return absl::InvalidArgumentError("the model cache budget must be positive");
  if (options.clock == nullptr) options.clock = Clock::Real();
  auto cache = std::unique_ptr<ModelCache>(new ModelCache(options));
  cache->stats_.budget_bytes = options.budget_bytes;
  return cache;
}

absl::StatusOr<ModelHandle> ModelCache::Get(const ModelKey& key, const LoadFn& load) {
  std::promise<Result> promise;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      Entry& e = it->second;
      if (e.loaded) {
        ++stats_.hits;
        if (e.in_lru) lru_.splice(lru_.begin(), lru_, e.lru_pos);
        return e.model;
      }
      ++stats_.misses;
      ++stats_.coalesced;
      std::shared_future<Result> pending = e.pending;
      lock.unlock();
      return pending.get();
    }
    ++stats_.misses;
    ++stats_.loads;
    Entry e;
    e.pending = promise.get_future().share();
    entries_.emplace(key, std::move(e));
  }

  int64_t start = options_.clock->NowMicros();
  absl::StatusOr<std::unique_ptr<runtime::Model>> loaded = absl::InternalError("model load threw");
  try {
    loaded = load();
  } catch (const std::exception& e) {  // never leave waiters on a load that will not finish
    loaded = absl::InternalError(StrCat("loading ", key.ToString(), " threw: ", e.what()));
  }
  double seconds = static_cast<double>(options_.clock->NowMicros() - start) / 1e6;

  Result result = absl::InternalError(StrCat("loading ", key.ToString(), " gave no model"));
  if (!loaded.ok()) {
    result = loaded.status();
  } else if (*loaded != nullptr) {
    result = std::make_shared<const Servable>(std::move(*loaded));
  }
  std::vector<ModelHandle> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (!result.ok()) {
      ++stats_.load_failures;
      entries_.erase(it);
    } else {
      stats_.load_seconds.Observe(std::max(0.0, seconds));
      Entry& e = it->second;
      e.loaded = true;
      e.pending = {};
      e.model = *result;
      e.bytes = static_cast<int64_t>(e.model->MemoryBytes());
      stats_.bytes += e.bytes;
      ++stats_.entries;
      if (PinsLocked(key) > 0) {
        stats_.pinned_bytes += e.bytes;
      } else {
        lru_.push_front(key);
        e.lru_pos = lru_.begin();
        e.in_lru = true;
      }
      EvictLocked(&key, &dropped);
    }
  }
  promise.set_value(result);
  return result;
}

ModelHandle ModelCache::GetIfLoaded(const ModelKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.loaded) return nullptr;
  ++stats_.hits;
  if (it->second.in_lru) lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
  return it->second.model;
}

ModelHandle ModelCache::Peek(const ModelKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.loaded ? it->second.model : nullptr;
}

int ModelCache::PinsLocked(const ModelKey& key) const {
  auto it = pins_.find(key);
  return it == pins_.end() ? 0 : it->second;
}

void ModelCache::Pin(const ModelKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (++pins_[key] != 1) return;
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.loaded && it->second.in_lru) {
    lru_.erase(it->second.lru_pos);
    it->second.in_lru = false;
    stats_.pinned_bytes += it->second.bytes;
  }
}

void ModelCache::Unpin(const ModelKey& key) {
  std::vector<ModelHandle> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  auto pin = pins_.find(key);
  if (pin == pins_.end()) return;
  if (--pin->second > 0) return;
  pins_.erase(pin);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.loaded && !it->second.in_lru) {
    stats_.pinned_bytes -= it->second.bytes;
    lru_.push_front(key);
    it->second.lru_pos = lru_.begin();
    it->second.in_lru = true;
    EvictLocked(nullptr, &dropped);
  }
}

void ModelCache::RemoveLocked(std::unordered_map<ModelKey, Entry, ModelKeyHash>::iterator it,
                              std::vector<ModelHandle>* dropped) {
  Entry& e = it->second;
  if (e.in_lru) lru_.erase(e.lru_pos);
  stats_.bytes -= e.bytes;
  --stats_.entries;
  ++stats_.evictions;
  dropped->push_back(std::move(e.model));
  entries_.erase(it);
}

void ModelCache::EvictLocked(const ModelKey* keep, std::vector<ModelHandle>* dropped) {
  auto victim = lru_.end();
  while (stats_.bytes > options_.budget_bytes && !lru_.empty()) {
    // The least recently used entry other than `keep`.
    victim = std::prev(lru_.end());
    if (keep != nullptr && *victim == *keep) {
      if (victim == lru_.begin()) break;
      victim = std::prev(victim);
    }
    RemoveLocked(entries_.find(*victim), dropped);
  }
  if (keep != nullptr && stats_.bytes > options_.budget_bytes) {
    auto it = entries_.find(*keep);
    if (it != entries_.end() && it->second.in_lru) RemoveLocked(it, dropped);
  }
}

ModelCache::Stats ModelCache::GetStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::vector<ModelCache::EntryInfo> ModelCache::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EntryInfo> out;
  for (const ModelKey& k : lru_) out.push_back({k, entries_.at(k).bytes, 0});
  for (const auto& [k, e] : entries_) {
    if (e.loaded && !e.in_lru) out.push_back({k, e.bytes, PinsLocked(k)});
  }
  return out;
}

}  // namespace plinth::serving
