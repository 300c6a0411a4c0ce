#include "plinth/storage/delta/parquet_checkpoint_io.h"

#include <filesystem>

#include "plinth/base/random.h"
#include "plinth/base/strings.h"
#include "plinth/storage/delta/checkpoint_parquet.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::delta {

absl::StatusOr<std::vector<Action>> ParquetCheckpointIO::ReadFile(const std::string& path) {
  PLINTH_ASSIGN_OR_RETURN(std::string bytes, options_.fs->ReadFile(path));
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0)
    return ParseCommit(bytes, path);
  auto reader = parquet::ParquetReader::Open(parquet::NewMemoryInputFile(std::move(bytes), path),
                                             {.verify_checksums = options_.verify_checksums});
  if (!reader.ok()) {
    return absl::DataLossError(StrCat(
        "checkpoint ", path, " is not a readable Parquet file: ", reader.status().message()));
  }
  std::vector<Action> actions;
  absl::Status st = internal::ReadCheckpointParquet(**reader, &actions);
  if (!st.ok()) {
    // Decoding problems in a file that passed the footer checks mean corruption.
    if (st.code() == absl::StatusCode::kDataLoss) return st;
    return absl::DataLossError(StrCat("checkpoint ", path, ": ", st.message()));
  }
  return actions;
}

absl::StatusOr<std::vector<Action>> ParquetCheckpointIO::Read(
    const std::vector<std::string>& checkpoint_paths) {
  std::vector<Action> out;
  for (const std::string& path : checkpoint_paths) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<Action> actions, ReadFile(path));
    if (out.empty()) {
      out = std::move(actions);
    } else {
      out.insert(out.end(), std::make_move_iterator(actions.begin()),
                 std::make_move_iterator(actions.end()));
    }
  }
  return out;
}

absl::Status ParquetCheckpointIO::Write(const std::string& path,
                                        const std::vector<Action>& actions) {
  std::string bytes;
  PLINTH_RETURN_IF_ERROR(internal::WriteCheckpointParquet(
                             actions, parquet::NewMemoryOutputFile(&bytes), options_.writer)
                             .status());
  std::filesystem::path p(path);
  const std::string dir = p.parent_path().string();
  const std::string tmp =
      (p.parent_path() / StrCat(".", p.filename().string(), ".", RandomHex(8), ".tmp")).string();
  absl::Status st = options_.fs->WriteNewFile(tmp, bytes, options_.fsync);
  if (st.ok()) st = options_.fs->Rename(tmp, path);
  if (!st.ok()) {
    (void)options_.fs->Remove(tmp);
    return st;
  }
  if (options_.fsync && !dir.empty()) PLINTH_RETURN_IF_ERROR(options_.fs->SyncDir(dir));
  return absl::OkStatus();
}

}  // namespace plinth::delta
