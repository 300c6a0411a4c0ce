#include "plinth/features/online_writer.h"

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

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<bool> write(keys.size(), true);
  absl::Status decode_error;
  PLINTH_RETURN_IF_ERROR(store_->MultiGetVisit(keys, [&](size_t index, std::optional<std::string_view> value) {
    if (!value) return;
    auto stored = DecodeRecordHeader(*value);
    if (!stored.ok()) return;  // a malformed record is replaced
    const PendingRow& row = rows[newest[keys[index]]];
    write[index] = Supersedes(row.event_micros, row.created_micros, *stored);
  }));
  kv::WriteBatch batch;
  int64_t written = 0;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!write[k]) continue;
    const PendingRow& row = rows[newest[keys[k]]];
    batch.Put(row.key, row.record);
    ++written;
  }
  if (!batch.empty()) PLINTH_RETURN_IF_ERROR(store_->Write(batch, {.durability = durability}));
  return written;
}

absl::Status OnlineWriter::Exclusive(const std::function<absl::Status(kv::OnlineStore& store)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  return fn(*store_);
}

}  // namespace plinth::features
