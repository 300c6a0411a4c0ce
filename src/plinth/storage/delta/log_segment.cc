#include "plinth/storage/delta/log_segment.h"

#include <algorithm>
#include <map>

namespace plinth::delta {

namespace {

// The newest complete checkpoint with version <= target, as its files.
std::optional<std::vector<LogFile>> PickCheckpoint(const std::vector<LogFile>& files, int64_t target) {
  // version -> candidate groups; a group is complete when it is a classic or v2 file, or when it
  // holds parts 1..K of a K-part checkpoint.
  std::map<int64_t, std::vector<const LogFile*>> by_version;
  for (const LogFile& f : files) {
    if (f.is_checkpoint() && f.version <= target) by_version[f.version].push_back(&f);
  }
  for (auto it = by_version.rbegin(); it != by_version.rend(); ++it) {
    for (const LogFile* f : it->second) {
      if (f->kind != LogFileKind::kMultiPartCheckpoint) return std::vector<LogFile>{*f};
    }
    std::map<int32_t, std::map<int32_t, const LogFile*>> parts_by_total;
    for (const LogFile* f : it->second) parts_by_total[f->num_parts].emplace(f->part, f);
    for (const auto& [total, parts] : parts_by_total) {
      if (static_cast<int32_t>(parts.size()) != total) continue;  // incomplete: skip
      std::vector<LogFile> out;
      for (const auto& [part, f] : parts) out.push_back(*f);
      return out;
    }
  }
  return std::nullopt;
}

absl::StatusOr<LogSegment> BuildFrom(LogStore& store, const std::vector<LogFile>& files,
                                     std::optional<int64_t> target, bool listed_everything) {
  LogSegment seg;
  bool any = false;
  for (const LogFile& f : files) {
    if (f.kind == LogFileKind::kChecksum) continue;
    seg.latest_version = any ? std::max(seg.latest_version, f.version) : f.version;
    any = true;
  }
  if (!any) {
    return absl::NotFoundError(StrCat("no Delta table at ", store.table_root(), ": _delta_log has no commits"));
  }
  if (target && *target < 0) return absl::InvalidArgumentError(StrCat("version ", *target, " is negative"));
  seg.version = target.value_or(seg.latest_version);
  if (seg.version > seg.latest_version) {
    return absl::NotFoundError(StrCat("version ", seg.version, " of ", store.table_root(),
                                      " does not exist; the latest version is ", seg.latest_version));
  }
  std::optional<std::vector<LogFile>> checkpoint = PickCheckpoint(files, seg.version);
  if (!checkpoint && !listed_everything) return absl::UnavailableError("relist");  // stale hint
  int64_t first = 0;
  if (checkpoint) {
    seg.checkpoint_version = checkpoint->front().version;
    seg.checkpoint_files = std::move(*checkpoint);
    first = *seg.checkpoint_version + 1;
  }
  int64_t expected = first;
  for (const LogFile& f : files) {
    if (f.kind != LogFileKind::kCommit || f.version < first || f.version > seg.version) continue;
    if (f.version != expected) {
      if (expected == 0) {
        return absl::NotFoundError(StrCat("version ", seg.version, " of ", store.table_root(),
                                          " cannot be reconstructed: commits before ", f.version,
                                          " were cleaned up and no checkpoint covers them"));
      }
      return absl::DataLossError(StrCat("Delta log of ", store.table_root(), " is not contiguous: missing commit ",
                                        expected, " between ", expected - 1, " and ", f.version));
    }
    seg.commits.push_back(f);
    ++expected;
  }
  if (expected == 0) {
    return absl::NotFoundError(StrCat("version ", seg.version, " of ", store.table_root(),
                                      " cannot be reconstructed: its commits were cleaned up and no checkpoint covers them"));
  }
  if (expected <= seg.version) {
    return absl::DataLossError(StrCat("Delta log of ", store.table_root(), " is not contiguous: missing commit ",
                                      expected, expected > 0 ? StrCat(" after ", expected - 1) : std::string()));
  }
  return seg;
}

}  // namespace

absl::StatusOr<LogSegment> BuildLogSegment(LogStore& store, std::optional<int64_t> target) {
  std::optional<LastCheckpoint> hint = store.ReadLastCheckpoint();
  if (hint && hint->version > 0 && (!target || hint->version <= *target)) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<LogFile> files, store.List(hint->version));
    absl::StatusOr<LogSegment> seg = BuildFrom(store, files, target, /*listed_everything=*/false);
    if (!absl::IsUnavailable(seg.status())) return seg;
  }
  PLINTH_ASSIGN_OR_RETURN(std::vector<LogFile> files, store.List(0));
  return BuildFrom(store, files, target, /*listed_everything=*/true);
}

}  // namespace plinth::delta
