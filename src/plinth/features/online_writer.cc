#include "plinth/features/online_writer.h"

#include <algorithm>
#include <span>
#include <unordered_map>

#include "plinth/features/online_record.h"

namespace plinth::features {

absl::StatusOr<int64_t> OnlineWriter::WriteLatest(std::vector<PendingRow>& rows, kv::Durability durability) {
  if (rows.empty()) return 0;
  // Newest row per key within the call.
  std::unordered_map<std::string_view, size_t> newest;
  newest.reserve(rows.size());
  std::vector<size_t> order;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = newest.emplace(rows[i].key, i);
    if (inserted) {
      order.push_back(i);
      continue;
    }
    const PendingRow& have = rows[it->second];
    RecordHeader h{0, have.event_micros, have.created_micros};
    if (Supersedes(rows[i].event_micros, rows[i].created_micros, h)) it->second = i;
  }
  std::vector<std::string_view> keys;
  keys.reserve(order.size());
  for (size_t i : order) keys.push_back(rows[newest[rows[i].key]].key);

  // Read-compare-write per slice of keys, each under the lock on its own: a bulk write (a
  // materialization's million rows) lets the one-row pushes queued behind it in between slices.
  int64_t written = 0;
  std::vector<bool> write;
  for (size_t begin = 0; begin < keys.size(); begin += kSliceKeys) {
    std::span<const std::string_view> slice(keys.data() + begin, std::min(kSliceKeys, keys.size() - begin));
    write.assign(slice.size(), true);
    std::lock_guard<FifoMutex> lock(mu_);
    PLINTH_RETURN_IF_ERROR(store_->MultiGetVisit(slice, [&](size_t index, std::optional<std::string_view> value) {
      if (!value) return;
      auto stored = DecodeRecordHeader(*value);
      if (!stored.ok()) return;  // a malformed record is replaced
      const PendingRow& row = rows[newest[slice[index]]];
      write[index] = Supersedes(row.event_micros, row.created_micros, *stored);
    }));
    kv::WriteBatch batch;
    for (size_t k = 0; k < slice.size(); ++k) {
      if (!write[k]) continue;
      const PendingRow& row = rows[newest[slice[k]]];
      batch.Put(row.key, row.record);
      ++written;
    }
    if (!batch.empty()) PLINTH_RETURN_IF_ERROR(store_->Write(batch, {.durability = durability}));
  }
  return written;
}

absl::Status OnlineWriter::Exclusive(const std::function<absl::Status(kv::OnlineStore& store)>& fn) {
  std::lock_guard<FifoMutex> lock(mu_);
  return fn(*store_);
}

}  // namespace plinth::features
