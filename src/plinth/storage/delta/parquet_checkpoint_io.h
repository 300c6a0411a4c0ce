// ParquetCheckpointIO: the CheckpointIO that reads and writes real Delta checkpoint files
// (checkpoint_parquet.h describes the layout).
//
// Read accepts classic (<v>.checkpoint.parquet), multi-part (<v>.checkpoint.<i>.<n>.parquet)
// and v2 (<v>.checkpoint.<uuid>.parquet|json) checkpoints and sidecar files; a path ending in
// ".json" is parsed as newline-delimited JSON actions (v2 JSON checkpoints). Errors name the
// file: a missing file is NotFound, a truncated or corrupt one DataLoss / InvalidArgument.
//
// Write creates the file atomically: the bytes go to a hidden temp file in the same directory
// (".<name>.<random>.tmp", which LocalLogStore lists as garbage and cleans up), which is
// fsynced and renamed over `path`. Checkpoints of one version are identical in content, so a
// concurrent writer replacing the file is harmless. Files are snappy-compressed.
//
// Thread-safety: safe for concurrent calls. Ownership: `Options::fs` is borrowed.
#pragma once

#include <string>
#include <vector>

#include "plinth/storage/delta/checkpoint_io.h"
#include "plinth/storage/delta/log_file_system.h"
#include "plinth/storage/parquet/writer_options.h"

namespace plinth::delta {

class ParquetCheckpointIO : public CheckpointIO {
 public:
  struct Options {
    LogFileSystem* fs = LogFileSystem::Posix();  // REQUIRES: non-null
    bool fsync = true;
    parquet::WriterOptions writer;  // codec snappy by default
    bool verify_checksums = true;   // page CRCs when reading
  };
  ParquetCheckpointIO() : ParquetCheckpointIO(Options{}) {}
  explicit ParquetCheckpointIO(Options options) : options_(std::move(options)) {}

  absl::StatusOr<std::vector<Action>> Read(
      const std::vector<std::string>& checkpoint_paths) override;
  absl::Status Write(const std::string& path, const std::vector<Action>& actions) override;

  // Actions of one file (Parquet, or JSON when the name ends in ".json").
  absl::StatusOr<std::vector<Action>> ReadFile(const std::string& path);

 private:
  Options options_;
};

}  // namespace plinth::delta
