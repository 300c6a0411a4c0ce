// LogStore: access to the _delta_log directory of one Delta table.
//
// The only write primitive commits rely on is PutIfAbsent: writing version N succeeds for exactly
// one writer, and a reader never sees a partially written commit file. Everything else (listing,
// reading, _last_checkpoint, cleanup) is plain file access. LocalLogStore (local_log_store.h)
// implements it for POSIX filesystems; an object-store implementation can come later.
//
// Thread-safety: implementations are safe for concurrent use by many threads and processes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/log_files.h"

namespace plinth::delta {

// The _delta_log/_last_checkpoint hint.
struct LastCheckpoint {
  int64_t version = 0;
  std::optional<int64_t> size;              // number of actions
  std::optional<int32_t> parts;             // multi-part checkpoints
  std::optional<int64_t> size_in_bytes;
  std::optional<int64_t> num_of_add_files;
  std::optional<std::string> v2_checkpoint_path;  // v2Checkpoint.path
};

// Called between making a commit durable and making it visible (LogStore::PutIfAbsent).
using PublishGate = std::function<absl::Status()>;

class LogStore {
 public:
  virtual ~LogStore() = default;

  // The table root this store serves (a local path or URI).
  virtual const std::string& table_root() const = 0;
  // Full path of a file in _delta_log (`name` may contain a subdirectory, e.g. "_sidecars/x").
  virtual std::string LogFilePath(std::string_view name) const = 0;

  // Commit, checkpoint and checksum files with version >= `start_version`, sorted (LogFile::<),
  // with size and modification time. An absent _delta_log lists as empty.
  virtual absl::StatusOr<std::vector<LogFile>> List(int64_t start_version = 0) = 0;
  // The parsed _last_checkpoint, or nullopt when it is missing, empty, corrupt or unreadable
  // (it is only a hint: readers then find checkpoints by listing).
  virtual std::optional<LastCheckpoint> ReadLastCheckpoint() = 0;
  // Bytes of commit `version`; NotFound naming the version when absent.
  virtual absl::StatusOr<std::string> Read(int64_t version) = 0;
  // Bytes of any file in _delta_log by name (v2 JSON checkpoints, .crc files); NotFound when absent.
  virtual absl::StatusOr<std::string> ReadFile(std::string_view name) = 0;
  // Modification time of commit `version`, microseconds since the epoch.
  virtual absl::StatusOr<int64_t> ModificationTime(int64_t version) = 0;

  // Atomically creates commit `version` with `bytes` unless it exists: AlreadyExists (naming the
  // version) when another writer got there first. A crash at any point never leaves a partial
  // file under the commit's name. `gate`, when set, is called once the bytes are durable and
  // before they can become visible; its error aborts the put with nothing visible (it lets the
  // data files a commit adds be synced at the same time as the commit itself).
  virtual absl::Status PutIfAbsent(int64_t version, std::string_view bytes, const PublishGate& gate = nullptr) = 0;
  // Replaces _last_checkpoint atomically.
  virtual absl::Status WriteLastCheckpoint(const LastCheckpoint& checkpoint) = 0;
  // Log cleanup: deletes commit, checkpoint and checksum files with version < `before_version`
  // whose modification time is older than `cutoff_micros`, oldest version first and up to the
  // first one that is not (versions are written in time order), and leftover temp files older
  // than the cutoff. The caller chooses `before_version` (a checkpoint version it keeps).
  // Returns the number of files deleted.
  virtual absl::StatusOr<int> DeleteExpiredLogFiles(int64_t before_version, int64_t cutoff_micros) = 0;
};

// Parses _last_checkpoint content; nullopt when it is empty or not valid.
std::optional<LastCheckpoint> ParseLastCheckpoint(std::string_view bytes);
std::string SerializeLastCheckpoint(const LastCheckpoint& checkpoint);

// The actions of commit `version` (NotFound naming the version when its file is absent;
// parse errors name the commit file).
absl::StatusOr<std::vector<Action>> ReadCommit(LogStore& store, int64_t version);

}  // namespace plinth::delta
