// CompiledModelDir: the on-disk cache of compiled models, <dir>/<artifact sha256>.pf
// (<data-dir>/cache/compiled/ in a server).
//
// The first load of an artifact parses the model file and writes its compiled form
// ("plinth-forest", runtime::CompileModel) here; later cold loads memory-map that file
// instead of parsing again, which is what keeps thousands of per-customer cold loads cheap.
// Files are written to a temp name, fsynced and renamed, so a reader never sees half a file;
// a file the runtime refuses (e.g. written by another Plinth version) is simply rewritten.
// The directory is a cache: deleting it loses nothing.
// Thread-safety: safe for concurrent use (concurrent writers of one digest write the same
// bytes; the last rename wins).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "plinth/base/status.h"

namespace plinth::serving {

class CompiledModelDir {
 public:
  struct Options {
    std::string dir;
    bool fsync = true;
  };
  // Removes temp files left by a crash. The directory is created by the first Write.
  static absl::StatusOr<std::unique_ptr<CompiledModelDir>> Create(Options options);

  // REQUIRES: IsSha256Hex(sha256).
  std::string PathFor(std::string_view sha256) const;
  bool Contains(std::string_view sha256) const;
  absl::Status Write(std::string_view sha256, std::string_view bytes);
  absl::Status Remove(std::string_view sha256);

  // Removes the compiled files whose artifact `keep` rejects (e.g. artifacts deleted by
  // `plinth gc`); with `dry_run` only counts them. Files of other names are left alone. A
  // model still memory-mapped from a removed file keeps working until it is unloaded.
  struct SweepReport {
    int64_t files = 0;    // compiled files examined
    int64_t removed = 0;  // removed (or that would be, on a dry run)
    int64_t removed_bytes = 0;
  };
  absl::StatusOr<SweepReport> RemoveUnless(const std::function<bool(std::string_view sha256)>& keep, bool dry_run);

 private:
  explicit CompiledModelDir(Options options) : options_(std::move(options)) {}
  Options options_;
};

}  // namespace plinth::serving
