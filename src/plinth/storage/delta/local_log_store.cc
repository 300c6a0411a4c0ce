#include "plinth/storage/delta/local_log_store.h"

#include <algorithm>

#include "plinth/base/random.h"

namespace plinth::delta {

namespace {

// Hidden temp files written by PutIfAbsent / WriteLastCheckpoint: ".<name>.<hex>.tmp".
bool IsOurTempFile(std::string_view name) {
  return name.size() > 5 && name[0] == '.' && name.substr(name.size() - 4) == ".tmp";
}

}  // namespace

LocalLogStore::LocalLogStore(Options options)
    : options_(std::move(options)), log_dir_(StrCat(options_.table_root, "/_delta_log")) {}

absl::StatusOr<std::unique_ptr<LocalLogStore>> LocalLogStore::Create(Options options) {
  if (options.table_root.empty()) return absl::InvalidArgumentError("Delta table root is empty");
  if (options.fs == nullptr) return absl::InvalidArgumentError("LocalLogStore needs a filesystem");
  while (options.table_root.size() > 1 && options.table_root.back() == '/') options.table_root.pop_back();
  return std::unique_ptr<LocalLogStore>(new LocalLogStore(std::move(options)));
}

std::string LocalLogStore::LogFilePath(std::string_view name) const { return StrCat(log_dir_, "/", name); }

absl::StatusOr<std::vector<LogFile>> LocalLogStore::List(int64_t start_version) {
  absl::StatusOr<std::vector<DirEntry>> entries = options_.fs->ListDir(log_dir_, [start_version](std::string_view name) {
    std::optional<LogFile> f = ParseLogFileName(name);
    return f && f->version >= start_version;
  });
  if (absl::IsNotFound(entries.status())) return std::vector<LogFile>();
  if (!entries.ok()) return entries.status();
  std::vector<LogFile> out;
  for (const DirEntry& e : *entries) {
    if (!e.is_regular_file) continue;
    std::optional<LogFile> f = ParseLogFileName(e.name);
    if (!f || f->version < start_version) continue;
    f->size = e.size;
    f->modification_time_micros = e.modification_time_micros;
    out.push_back(std::move(*f));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<LastCheckpoint> LocalLogStore::ReadLastCheckpoint() {
  absl::StatusOr<std::string> bytes = options_.fs->ReadFile(LogFilePath("_last_checkpoint"));
  if (!bytes.ok()) return std::nullopt;
  return ParseLastCheckpoint(*bytes);
}

absl::StatusOr<std::string> LocalLogStore::Read(int64_t version) {
  absl::StatusOr<std::string> bytes = options_.fs->ReadFile(LogFilePath(CommitFileName(version)));
  if (absl::IsNotFound(bytes.status())) {
    return absl::NotFoundError(StrCat("commit ", version, " (", LogDisplayName(CommitFileName(version)),
                                      ") does not exist in ", options_.table_root));
  }
  return bytes;
}

absl::StatusOr<std::string> LocalLogStore::ReadFile(std::string_view name) {
  return options_.fs->ReadFile(LogFilePath(name));
}

absl::StatusOr<int64_t> LocalLogStore::ModificationTime(int64_t version) {
  PLINTH_ASSIGN_OR_RETURN(DirEntry e, options_.fs->Stat(LogFilePath(CommitFileName(version))));
  return e.modification_time_micros;
}

absl::Status LocalLogStore::PutIfAbsent(int64_t version, std::string_view bytes, const PublishGate& gate) {
  if (version < 0) return absl::InvalidArgumentError(StrCat("commit version ", version, " is negative"));
  PLINTH_RETURN_IF_ERROR(options_.fs->CreateDirs(log_dir_));
  const std::string name = CommitFileName(version);
  const std::string final_path = LogFilePath(name);
  const std::string tmp_path = LogFilePath(StrCat(".", name, ".", RandomHex(8), ".tmp"));
  absl::Status st = options_.fs->WriteNewFile(tmp_path, bytes, options_.fsync);
  if (st.ok() && gate) st = gate();
  if (!st.ok()) {
    (void)options_.fs->Remove(tmp_path);
    return st;
  }
  st = options_.fs->Link(tmp_path, final_path);
  // The temp name is never visible as a commit; removing it is cleanup, not correctness.
  (void)options_.fs->Remove(tmp_path);
  if (absl::IsAlreadyExists(st)) {
    return absl::AlreadyExistsError(StrCat("commit version ", version, " already exists in ", options_.table_root));
  }
  if (!st.ok()) return st;
  if (options_.fsync) PLINTH_RETURN_IF_ERROR(options_.fs->SyncDir(log_dir_));
  return absl::OkStatus();
}

absl::Status LocalLogStore::WriteLastCheckpoint(const LastCheckpoint& checkpoint) {
  PLINTH_RETURN_IF_ERROR(options_.fs->CreateDirs(log_dir_));
  const std::string tmp_path = LogFilePath(StrCat("._last_checkpoint.", RandomHex(8), ".tmp"));
  absl::Status st = options_.fs->WriteNewFile(tmp_path, SerializeLastCheckpoint(checkpoint), options_.fsync);
  if (st.ok()) st = options_.fs->Rename(tmp_path, LogFilePath("_last_checkpoint"));
  if (!st.ok()) {
    (void)options_.fs->Remove(tmp_path);
    return st;
  }
  if (options_.fsync) PLINTH_RETURN_IF_ERROR(options_.fs->SyncDir(log_dir_));
  return absl::OkStatus();
}

absl::StatusOr<int> LocalLogStore::DeleteExpiredLogFiles(int64_t before_version, int64_t cutoff_micros) {
  // Names first, without a stat each: the log of a table that takes many small commits holds
  // thousands of files, and this runs at every checkpoint.
  std::vector<std::pair<int64_t, std::string>> logs;  // before `before_version`, by version
  std::vector<std::string> temps;
  absl::StatusOr<std::vector<DirEntry>> listed = options_.fs->ListDir(log_dir_, [&](std::string_view name) {
    if (std::optional<LogFile> f = ParseLogFileName(name)) {
      if (f->version < before_version) logs.emplace_back(f->version, std::string(name));
    } else if (IsOurTempFile(name)) {
      temps.emplace_back(name);
    }
    return false;
  });
  if (absl::IsNotFound(listed.status())) return 0;
  if (!listed.ok()) return listed.status();
  std::sort(logs.begin(), logs.end());
  int deleted = 0;
  auto remove_if_expired = [&](const std::string& name) -> absl::StatusOr<bool> {
    absl::StatusOr<DirEntry> e = options_.fs->Stat(LogFilePath(name));
    if (absl::IsNotFound(e.status())) return true;  // removed meanwhile
    if (!e.ok()) return e.status();
    if (!e->is_regular_file || e->modification_time_micros >= cutoff_micros) return false;
    PLINTH_RETURN_IF_ERROR(options_.fs->Remove(LogFilePath(name)));
    ++deleted;
    return true;
  };
  // Oldest version first, up to the first file still inside the retention period: versions
  // are written in time order, so what follows is newer still (Delta's log cleanup reasons
  // the same way), and a checkpoint with nothing to expire costs one stat.
  for (const auto& [version, name] : logs) {
    PLINTH_ASSIGN_OR_RETURN(bool expired, remove_if_expired(name));
    if (!expired) break;
  }
  for (const std::string& name : temps) PLINTH_RETURN_IF_ERROR(remove_if_expired(name).status());
  if (deleted > 0 && options_.fsync) PLINTH_RETURN_IF_ERROR(options_.fs->SyncDir(log_dir_));
  return deleted;
}

}  // namespace plinth::delta
