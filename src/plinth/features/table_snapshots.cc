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
  auto commit_mtime = [&](const delta::Snapshot& s) {
    absl::StatusOr<int64_t> t = table.CommitModificationTime(s.version());
    return t.ok() ? *t : -1;
  };
  // The cached snapshot is still this table's only if its own commit is the same file.
  if (entry->snapshot && entry->commit_mtime >= 0 && commit_mtime(*entry->snapshot) == entry->commit_mtime) {
    absl::StatusOr<std::unique_ptr<delta::Snapshot>> advanced = table.AdvanceSnapshot(*entry->snapshot);
    if (advanced.ok()) {
      if (*advanced) {
        entry->snapshot = std::move(*advanced);
        entry->commit_mtime = commit_mtime(*entry->snapshot);
      }
      return entry->snapshot;
    }
  }
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<delta::Snapshot> fresh, table.LatestSnapshot());
  entry->snapshot = std::move(fresh);
  entry->commit_mtime = commit_mtime(*entry->snapshot);
  return entry->snapshot;
}

}  // namespace plinth::features
