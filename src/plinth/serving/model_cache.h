// ModelCache: loaded model versions under a byte budget, shared by every deployment.
//
// Get(key, load) returns the cached model or loads it: concurrent first requests for one key
// run `load` once (single flight) and the others wait for its result. After a load, least
// recently used entries are evicted until the bytes held (Model::MemoryBytes) fit the budget.
// Loaded models are wrapped in a Servable (model + row encoder).
// Pinned keys are never evicted (pins count, so two deployments may pin one key). A model
// bigger than the whole budget is still served: it is returned to the caller and evicted at
// once unless pinned. Eviction only drops the cache's reference: a request still holding the
// shared_ptr finishes on that model, and the memory goes when the last holder lets go.
// A failed load is not cached; the next Get tries again.
// Thread-safety: safe for concurrent use. `load` runs on the calling thread without the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/status.h"
#include "plinth/runtime/model.h"
#include "plinth/serving/latency_histogram.h"
#include "plinth/serving/model_key.h"
#include "plinth/serving/servable.h"

namespace plinth::serving {

class ModelCache {
 public:
  using LoadFn = std::function<absl::StatusOr<std::unique_ptr<runtime::Model>>()>;

  struct Options {
    int64_t budget_bytes = int64_t{2} << 30;
    Clock* clock = Clock::Real();  // times loads
  };
  static absl::StatusOr<std::unique_ptr<ModelCache>> Create(Options options);

  absl::StatusOr<ModelHandle> Get(const ModelKey& key, const LoadFn& load);
  // The model when it is loaded (a hit: counted, LRU bumped), else null without loading or
  // counting anything (the caller comes back through Get where it may block).
  ModelHandle GetIfLoaded(const ModelKey& key);
  // The model when it is loaded, else null; counts nothing and does not touch the LRU order.
  ModelHandle Peek(const ModelKey& key) const;

  void Pin(const ModelKey& key);
  // REQUIRES: a matching Pin. Evicts if the unpinned entry no longer fits.
  void Unpin(const ModelKey& key);

  struct Stats {
    uint64_t hits = 0;        // served from memory
    uint64_t misses = 0;      // waited for a load (its own or another request's)
    uint64_t loads = 0;       // loads started
    uint64_t load_failures = 0;
    uint64_t coalesced = 0;   // misses that waited for another request's load
    uint64_t evictions = 0;
    int64_t bytes = 0;        // held by loaded entries
    int64_t pinned_bytes = 0;
    int64_t entries = 0;      // loaded entries
    int64_t budget_bytes = 0;
    LatencyHistogram load_seconds;
  };
  Stats GetStats() const;

  struct EntryInfo {
    ModelKey key;
    int64_t bytes = 0;
    int pins = 0;
  };
  // Loaded entries, most recently used first (pinned ones at the end).
  std::vector<EntryInfo> Entries() const;

 private:
  using Result = absl::StatusOr<ModelHandle>;
  struct Entry {
    bool loaded = false;
    std::shared_future<Result> pending;  // while loading
    ModelHandle model;
    int64_t bytes = 0;
    bool in_lru = false;
    std::list<ModelKey>::iterator lru_pos;
  };

  explicit ModelCache(Options options) : options_(options) {}
  int PinsLocked(const ModelKey& key) const;
  // Evicts LRU entries (never `keep`) while over budget, then `keep` itself if still over and
  // unpinned. Dropped handles go to `dropped` so they are released outside the lock.
  void EvictLocked(const ModelKey* keep, std::vector<ModelHandle>* dropped);
  void RemoveLocked(std::unordered_map<ModelKey, Entry, ModelKeyHash>::iterator it, std::vector<ModelHandle>* dropped);

  Options options_;
  mutable std::mutex mu_;
  std::unordered_map<ModelKey, Entry, ModelKeyHash> entries_;  // guarded by mu_
  std::unordered_map<ModelKey, int, ModelKeyHash> pins_;       // guarded by mu_
  std::list<ModelKey> lru_;  // unpinned loaded entries, most recent first; guarded by mu_
  Stats stats_;              // guarded by mu_ (bytes, entries kept current)
};

}  // namespace plinth::serving
