// The filesystem operations LocalLogStore needs, behind an interface so tests can inject faults
// between the steps of a commit (DESIGN.md convention 4, like LevelDB's Env).
//
// Paths are local filesystem paths. Thread-safety: implementations are safe for concurrent use.
// Ownership: Posix() is a process-wide singleton, never destroyed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::delta {

struct DirEntry {
  std::string name;
  bool is_regular_file = false;
  int64_t size = 0;
  int64_t modification_time_micros = 0;
};

// Which names a listing returns; null: all.
using NameFilter = std::function<bool(std::string_view name)>;

class LogFileSystem {
 public:
  virtual ~LogFileSystem() = default;

  // Entries of `dir` (not recursive) that `want` accepts, and only those are stat'ed: a log
  // of many thousand commits is listed from a version on for a stat per file returned.
  // NotFound when `dir` does not exist.
  virtual absl::StatusOr<std::vector<DirEntry>> ListDir(const std::string& dir, const NameFilter& want = nullptr) = 0;
  // NotFound when absent.
  virtual absl::StatusOr<DirEntry> Stat(const std::string& path) = 0;
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;
  // Creates `path` exclusively (fails if it exists), writes `data`, fsyncs when `sync`, closes.
  virtual absl::Status WriteNewFile(const std::string& path, std::string_view data, bool sync) = 0;
  // link(2): atomically creates `new_path` for the file `existing`; AlreadyExists when
  // `new_path` exists (no partial state is ever visible under `new_path`).
  virtual absl::Status Link(const std::string& existing, const std::string& new_path) = 0;
  // rename(2), replacing `to`.
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  // unlink(2); OK when already absent.
  virtual absl::Status Remove(const std::string& path) = 0;
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // mkdir -p.
  virtual absl::Status CreateDirs(const std::string& dir) = 0;

  static LogFileSystem* Posix();
};

}  // namespace plinth::delta
