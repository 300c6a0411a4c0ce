// The streaming as-of match of the point-in-time join: the same result as MatchAsOf
// (pit_match.h) without storing or sorting the feature rows.
//
// Each entity's labels are sorted by time. A feature row with event time t can only be the
// answer of labels of its entity at or after t; it lands in the slot of the first such label
// (the gap between two consecutive label times). Each slot keeps the greatest
// (event, created, position) row offered to it. A label's answer is then the greatest row over
// the slots up to its own, which is the last non-empty one: rows in later slots are later than
// the label, rows in earlier slots earlier than the rows of later non-empty slots. The TTL is
// checked on that answer, as in MatchAsOf.
//
// Memory is per label, not per feature row: the sorted label times and one Best per label and
// writer (kSlotBytesPerLabel × writers), so a view of any size streams through it.
// Thread-safety: Offer(w, ...) by one thread at a time per writer w; different writers at once.
// Resolve runs after the last Offer.
#pragma once

#include <cstdint>
#include <vector>

#include "plinth/base/huge_page_array.h"
#include "plinth/base/worker_pool.h"
#include "plinth/features/pit_match.h"

namespace plinth::features {

// Bytes of memory a label costs in the streaming match, per writer (at most: 16 without a
// created-time column).
inline constexpr int64_t kSlotBytesPerLabel = 24;
// Bytes a label costs once, for the sorted label times and ids.
inline constexpr int64_t kSlotIndexBytesPerLabel = 12;

class AsOfSlots {
 public:
  // `created`: whether offered rows carry created times (else their `created` is ignored).
  AsOfSlots(const LabelProbes& probes, int writers, bool created);

  // Offers feature rows (any order, any mix of entities) from writer w.
  void Offer(int w, const std::vector<KeyedRow>& rows);

  // Fills (*match)[label] with the position of the label's feature row, or kNoMatch.
  // ttl_micros == 0: no expiry; otherwise a row is inside when label ts - event <= ttl.
  void Resolve(int64_t ttl_micros, WorkerPool& pool, std::vector<uint64_t>* match);

 private:
  // The greatest row offered to a slot. Times are stored biased (x ^ sign bit, as unsigned):
  // the same order, with a null time (INT64_MIN) as 0, so a zeroed slot is an empty one (no
  // row has a null event) and fresh zero pages need no filling.
  struct Best {
    uint64_t event;
    uint64_t pos;
    // Greater in (event, position) order.
    bool After(const Best& o) const { return event > o.event || (event == o.event && pos > o.pos); }
  };
  struct BestCreated {
    uint64_t event;
    uint64_t created;
    uint64_t pos;
    // Greater in (event, created, position) order.
    bool After(const BestCreated& o) const {
      return event > o.event || (event == o.event && (created > o.created || (created == o.created && pos > o.pos)));
    }
  };
  template <typename B>
  void OfferTo(B* best, const std::vector<KeyedRow>& rows, const std::vector<uint32_t>& slot_of);
  template <typename B>
  void ResolveFrom(const std::vector<const B*>& writers, int64_t ttl_micros, WorkerPool& pool, std::vector<uint64_t>* match);
  void FindSlots(const std::vector<KeyedRow>& rows, std::vector<uint32_t>* slot_of) const;

  const LabelProbes& probes_;
  // Randomly accessed for every row read: huge pages spare most of the TLB misses.
  HugePageArray<uint32_t> offsets_;  // entity -> first slot; entities + 1 entries
  HugePageArray<int64_t> ts_;        // per slot: label time, sorted within an entity
  std::vector<uint32_t> label_;      // per slot: label row
  bool created_ = false;
  std::vector<HugePageArray<Best>> best_;                // [writer][slot], without created times
  std::vector<HugePageArray<BestCreated>> best_created_;  // [writer][slot], with them
  std::vector<std::vector<uint32_t>> scratch_;  // [writer]: slot per offered row
};

}  // namespace plinth::features
