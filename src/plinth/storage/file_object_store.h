// FileObjectStore: ObjectStore on a local directory.
//
// Layout: <root>/sha256/ab/abcdef... (first two hex chars shard the directory) and
// <root>/tmp/ for uploads in progress. A write goes to tmp/, is fsynced, then renamed into
// place and the directory fsynced, so a crash leaves either nothing or a complete object.
// Leftover tmp files from a crash are removed by Create().
// Thread-safety: safe for concurrent use.
#pragma once

#include <string>

#include "plinth/storage/object_store.h"

namespace plinth::storage {

class FileObjectStore : public ObjectStore {
 public:
  struct Options {
    std::string root;
    bool fsync = true;  // turn off only in tests that do not care about power loss
  };
  static absl::StatusOr<std::unique_ptr<FileObjectStore>> Create(Options options);

  absl::StatusOr<std::unique_ptr<ObjectWriter>> NewWriter() override;
  absl::StatusOr<ObjectInfo> Stat(std::string_view sha256) override;
  absl::StatusOr<std::unique_ptr<ObjectReader>> Open(std::string_view sha256) override;
  absl::Status Verify(std::string_view sha256) override;
  std::optional<std::string> LocalPath(std::string_view sha256) override;
  absl::Status Delete(std::string_view sha256) override;
  absl::StatusOr<std::vector<ObjectEntry>> List() override;

  // Path of an object; REQUIRES: IsSha256Hex(sha256).
  std::string PathFor(std::string_view sha256) const;

 private:
  explicit FileObjectStore(Options options) : options_(std::move(options)) {}
  Options options_;
};

}  // namespace plinth::storage
