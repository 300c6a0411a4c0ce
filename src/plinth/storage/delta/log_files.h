// Names of the files in a Delta table's _delta_log directory.
//
//   00000000000000000007.json                               commit 7
//   00000000000000000010.checkpoint.parquet                 classic checkpoint
//   00000000000000000010.checkpoint.0000000001.0000000003.parquet   part 1 of 3
//   00000000000000000010.checkpoint.<uuid>.parquet|json     v2 checkpoint
//   00000000000000000007.crc                                version checksum
//
// Everything else (hidden files such as .00000000000000000000.json.crc, _last_checkpoint,
// log compaction files, the .tmp/ and _sidecars/ directories) is not a log file.
// Thread-safety: plain values and stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plinth::delta {

enum class LogFileKind { kCheckpoint, kMultiPartCheckpoint, kV2Checkpoint, kCommit, kChecksum };

struct LogFile {
  std::string name;  // file name inside _delta_log
  int64_t version = 0;
  LogFileKind kind = LogFileKind::kCommit;
  int32_t part = 1;       // kMultiPartCheckpoint: 1-based part number
  int32_t num_parts = 1;  // kMultiPartCheckpoint: total parts
  int64_t size = 0;
  int64_t modification_time_micros = 0;

  bool is_checkpoint() const {
    return kind == LogFileKind::kCheckpoint || kind == LogFileKind::kMultiPartCheckpoint ||
           kind == LogFileKind::kV2Checkpoint;
  }
  // Sort order: version, then kind (checkpoints, commit, checksum), then part, then name.
  bool operator<(const LogFile& o) const;
};

// Classifies a file name; nullopt for anything that is not one of the forms above.
std::optional<LogFile> ParseLogFileName(std::string_view name);

std::string CommitFileName(int64_t version);
std::string ClassicCheckpointFileName(int64_t version);
std::string MultiPartCheckpointFileName(int64_t version, int32_t part, int32_t num_parts);
// "_delta_log/00000000000000000007.json": how errors name a file.
std::string LogDisplayName(std::string_view file_name);

}  // namespace plinth::delta
