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

 private:
  explicit CompiledModelDir(Options options) : options_(std::move(options)) {}
  Options options_;
};

}  // namespace plinth::serving
