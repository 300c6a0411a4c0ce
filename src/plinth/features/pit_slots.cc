#include "plinth/features/pit_slots.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "plinth/features/online_record.h"
#include "plinth/features/pit_keys.h"

namespace plinth::features {

namespace {

constexpr size_t kAhead = 48;  // rows prefetched ahead; the entity's offsets twice as far

// Signed times as unsigned in the same order; kNoTimestamp (INT64_MIN) becomes 0.
inline uint64_t Biased(int64_t t) { return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63); }
inline int64_t Unbiased(uint64_t b) { return static_cast<int64_t>(b ^ (uint64_t{1} << 63)); }
constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();

// Index of the first of ts[0, n) (ascending) that is >= t, or n. Branch-free halving: the
// comparisons of a binary search over a handful of label times are coin flips to a predictor.
inline uint32_t FirstNotBefore(const int64_t* ts, uint32_t n, int64_t t) {
  if (n == 0) return 0;
  const int64_t* base = ts;
  while (n > 1) {
    const uint32_t half = n / 2;
    base += static_cast<uint32_t>(base[half - 1] < t) * half;  // (gcc turns a ?: here into a branch)
    n -= half;
  }
  return static_cast<uint32_t>(base - ts) + (*base < t);
}

}  // namespace

AsOfSlots::AsOfSlots(const LabelProbes& probes, int writers, bool created) : probes_(probes), created_(created) {
  const size_t nlabels = probes.entity.size();
  offsets_ = HugePageArray<uint32_t>(static_cast<size_t>(probes.entities) + 1);
  for (size_t i = 0; i < nlabels; ++i) {
    if (probes.entity[i] != kNoEntity && probes.ts[i] != kNoTimestamp) ++offsets_[probes.entity[i] + 1];
  }
  for (size_t e = 1; e < offsets_.size(); ++e) offsets_[e] += offsets_[e - 1];
  const size_t slots = offsets_[offsets_.size() - 1];
  ts_ = HugePageArray<int64_t>(slots);
  label_.resize(slots);
  std::vector<uint32_t> next(offsets_.data(), offsets_.data() + offsets_.size() - 1);
  for (size_t i = 0; i < nlabels; ++i) {
    const uint32_t e = probes.entity[i];
    if (e == kNoEntity || probes.ts[i] == kNoTimestamp) continue;
    const uint32_t s = next[e]++;
    ts_[s] = probes.ts[i];
    label_[s] = static_cast<uint32_t>(i);
  }
  // Sort each entity's labels by time (labels were scattered in row order, so equal times keep
  // row order; the order among equal times does not change any answer).
  std::vector<std::pair<int64_t, uint32_t>> tmp;
  for (size_t e = 0; e + 1 < offsets_.size(); ++e) {
    const uint32_t b = offsets_[e], n = offsets_[e + 1] - b;
    bool sorted = true;
    for (uint32_t k = 1; k < n && sorted; ++k) sorted = ts_[b + k - 1] <= ts_[b + k];
    if (sorted) continue;
    tmp.clear();
    for (uint32_t k = 0; k < n; ++k) tmp.emplace_back(ts_[b + k], label_[b + k]);
    std::sort(tmp.begin(), tmp.end());
    for (uint32_t k = 0; k < n; ++k) {
      ts_[b + k] = tmp[k].first;
      label_[b + k] = tmp[k].second;
    }
  }
  // Zeroed memory: every slot starts empty.
  for (int w = 0; w < std::max(writers, 1); ++w) {
    if (created_) best_created_.emplace_back(slots);
    else best_.emplace_back(slots);
  }
  scratch_.resize(static_cast<size_t>(std::max(writers, 1)));
}

void AsOfSlots::FindSlots(const std::vector<KeyedRow>& rows, std::vector<uint32_t>* slot_of_out) const {
  // The label times and slots of a row's entity are random accesses into arrays of a few
  // bytes a label, mostly outside the caches: two passes (this one, then the update), each
  // prefetching kAhead rows ahead, keep many of those misses in flight at once.
  const int64_t* ts = ts_.data();
  const uint32_t* offsets = offsets_.data();
  const size_t n = rows.size();
  std::vector<uint32_t>& slot_of = *slot_of_out;
  slot_of.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) __builtin_prefetch(offsets + rows[i + 2 * kAhead].entity);
    if (i + kAhead < n) {
      const uint32_t e = rows[i + kAhead].entity;
      __builtin_prefetch(ts + offsets[e]);
      __builtin_prefetch(ts + offsets[e + 1] - 1);
    }
    const KeyedRow& r = rows[i];
    const uint32_t first = offsets[r.entity], slot = FirstNotBefore(ts + first, offsets[r.entity + 1] - first, r.event);
    slot_of[i] = slot == offsets[r.entity + 1] - first ? kNoSlot : first + slot;  // kNoSlot: later than every label
  }
}

template <typename B>
void AsOfSlots::OfferTo(B* best, const std::vector<KeyedRow>& rows, const std::vector<uint32_t>& slot_of) {
  const size_t n = rows.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n && slot_of[i + kAhead] != kNoSlot) __builtin_prefetch(best + slot_of[i + kAhead], 1);
    if (slot_of[i] == kNoSlot) continue;
    const KeyedRow& r = rows[i];
    B& b = best[slot_of[i]];
    B row;
    row.event = Biased(r.event);
    row.pos = r.pos;
    if constexpr (std::is_same_v<B, BestCreated>) row.created = Biased(r.created);
    // Masks rather than branches: whether a row beats its slot is unpredictable.
    const uint64_t take = 0 - static_cast<uint64_t>(row.After(b));
    b.event = (row.event & take) | (b.event & ~take);
    b.pos = (row.pos & take) | (b.pos & ~take);
    if constexpr (std::is_same_v<B, BestCreated>) b.created = (row.created & take) | (b.created & ~take);
  }
}

void AsOfSlots::Offer(int w, const std::vector<KeyedRow>& rows) {
  FindSlots(rows, &scratch_[w]);
  if (created_) OfferTo(best_created_[w].data(), rows, scratch_[w]);
  else OfferTo(best_[w].data(), rows, scratch_[w]);
}

template <typename B>
void AsOfSlots::ResolveFrom(const std::vector<const B*>& writers, int64_t ttl_micros, WorkerPool& pool,
                            std::vector<uint64_t>* match) {
  match->assign(probes_.entity.size(), kNoMatch);
  const size_t entities = offsets_.size() - 1;
  const int tasks = pool.threads() * 8;
  pool.ParallelFor(tasks, [&](int t) {
    const size_t e0 = entities * t / tasks, e1 = entities * (t + 1) / tasks;
    for (size_t e = e0; e < e1; ++e) {
      B run{};
      for (uint32_t k = offsets_[e]; k < offsets_[e + 1]; ++k) {
        for (const B* writer : writers) {
          if (writer[k].After(run)) run = writer[k];
        }
        if (run.event == 0) continue;  // no row at or before this label
        const int64_t event = Unbiased(run.event);
        // ts >= event here, so the difference fits in uint64 whatever the values.
        if (ttl_micros > 0 && static_cast<uint64_t>(ts_[k]) - static_cast<uint64_t>(event) > static_cast<uint64_t>(ttl_micros)) {
          continue;
        }
        (*match)[label_[k]] = run.pos;
      }
    }
  });
}

void AsOfSlots::Resolve(int64_t ttl_micros, WorkerPool& pool, std::vector<uint64_t>* match) {
  if (created_) {
    std::vector<const BestCreated*> writers;
    for (const auto& b : best_created_) writers.push_back(b.data());
    ResolveFrom(writers, ttl_micros, pool, match);
  } else {
    std::vector<const Best*> writers;
    for (const auto& b : best_) writers.push_back(b.data());
    ResolveFrom(writers, ttl_micros, pool, match);
  }
}

}  // namespace plinth::features
