#include "plinth/features/table_snapshots.h"

namespace plinth::features {

absl::StatusOr<std::shared_ptr<const delta::Snapshot>> TableSnapshots::Latest(delta::DeltaTable& table) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& e = entries_[table.root()];
    if (!e) e = std::make_shared<Entry>();
    entry = e;
  }
  std::lock_guard<std::mutex> lock(entry->mu);
  if (entry->snapshot) {
    absl::StatusOr<std::unique_ptr<delta::Snapshot>> advanced = table.AdvanceSnapshot(*entry->snapshot);
    if (advanced.ok()) {
      if (*advanced) entry->snapshot = std::move(*advanced);
      return entry->snapshot;
    }
  }
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<delta::Snapshot> fresh, table.LatestSnapshot());
  entry->snapshot = std::move(fresh);
  return entry->snapshot;
}

}  // namespace plinth::features
