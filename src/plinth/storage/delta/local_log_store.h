// LocalLogStore: LogStore for a table on a local POSIX filesystem.
//
// PutIfAbsent writes a uniquely named hidden temp file in _delta_log
// (".<commit name>.<random>.tmp"), fsyncs it, link(2)s it to the commit name (link fails with
// EEXIST atomically, so exactly one writer wins and nobody ever sees a partial commit), unlinks
// the temp and fsyncs the directory. A crash leaves at most a hidden temp file, which List
// ignores and DeleteExpiredLogFiles removes. The filesystem must support hard links (local
// ext4/xfs/btrfs/tmpfs do; some network and FUSE filesystems do not).
//
// Thread-safety: safe for concurrent use by many threads and processes.
// Ownership: `Options::fs` is borrowed and must outlive the store.
#pragma once

#include <memory>
#include <string>

#include "plinth/storage/delta/log_file_system.h"
#include "plinth/storage/delta/log_store.h"

namespace plinth::delta {

class LocalLogStore : public LogStore {
 public:
  struct Options {
    std::string table_root;                         // REQUIRES: non-empty
    LogFileSystem* fs = LogFileSystem::Posix();     // REQUIRES: non-null
    bool fsync = true;                              // tests may turn durability off
  };
  // Does not touch the filesystem: the table may not exist yet (its first commit creates it).
  static absl::StatusOr<std::unique_ptr<LocalLogStore>> Create(Options options);

  const std::string& table_root() const override { return options_.table_root; }
  std::string LogFilePath(std::string_view name) const override;
  absl::StatusOr<std::vector<LogFile>> List(int64_t start_version = 0) override;
  std::optional<LastCheckpoint> ReadLastCheckpoint() override;
  absl::StatusOr<std::string> Read(int64_t version) override;
  absl::StatusOr<std::string> ReadFile(std::string_view name) override;
  absl::StatusOr<int64_t> ModificationTime(int64_t version) override;
  absl::Status PutIfAbsent(int64_t version, std::string_view bytes, const PublishGate& gate = nullptr) override;
  absl::Status WriteLastCheckpoint(const LastCheckpoint& checkpoint) override;
  absl::StatusOr<int> DeleteExpiredLogFiles(int64_t before_version, int64_t cutoff_micros) override;

 private:
  explicit LocalLogStore(Options options);
  Options options_;
  std::string log_dir_;
};

}  // namespace plinth::delta
