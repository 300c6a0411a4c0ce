// Snapshot: the state of a Delta table at one version, built by log replay.
//
// Replay starts from the newest complete checkpoint at or before the version (read through the
// injected CheckpointIO; v2 checkpoints' sidecars too) and applies the JSON commits after it in
// order: add/remove of the same file (path + deletion vector id) - the later one wins; the
// latest metaData and protocol win; txn keeps the highest version per appId; domainMetadata
// the latest per domain. Tables Plinth cannot read correctly (deletion vectors, column mapping,
// unknown reader features, reader version > 3) are refused with FailedPrecondition naming the
// feature (see table_features.h).
//
// Time travel: OpenAtVersion(n), and OpenAsOf(t) = the latest version whose commit timestamp is
// <= t. A commit's timestamp is its commitInfo.inCommitTimestamp when the table enables
// in-commit timestamps (from delta.inCommitTimestampEnablementVersion on), else the commit
// file's modification time (made strictly increasing, as the protocol prescribes).
//
// Thread-safety: immutable after Open; safe to share between threads.
// Ownership: Options pointers are borrowed only during Open.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/checkpoint_io.h"
#include "plinth/storage/delta/log_store.h"
#include "plinth/storage/delta/schema.h"

namespace plinth::delta {

class Snapshot {
 public:
  struct Options {
    LogStore* log_store = nullptr;        // REQUIRES: non-null
    CheckpointIO* checkpoint_io = nullptr;  // needed only when the replay starts at a checkpoint
  };

  // The latest version. NotFound when the log has no commits.
  static absl::StatusOr<std::unique_ptr<Snapshot>> Open(const Options& options);
  // NotFound when `version` does not exist or can no longer be reconstructed.
  static absl::StatusOr<std::unique_ptr<Snapshot>> OpenAtVersion(const Options& options, int64_t version);
  // NotFound when `timestamp_micros` is before the first commit's timestamp.
  static absl::StatusOr<std::unique_ptr<Snapshot>> OpenAsOf(const Options& options, int64_t timestamp_micros);
  // The latest snapshot, built from `base` by applying only the commits after it (found by
  // probing versions base+1, base+2, ... until one is absent; no listing, no checkpoint read).
  // nullptr when no commit follows `base`. Same result as Open when the commits after base are
  // all present; errors as Open's for a bad commit. For a writer that keeps its table's
  // snapshot in memory between commits.
  static absl::StatusOr<std::unique_ptr<Snapshot>> Advance(const Snapshot& base, const Options& options);

  int64_t version() const { return version_; }
  const Protocol& protocol() const { return protocol_; }
  const Metadata& metadata() const { return metadata_; }
  const DeltaSchema& schema() const { return schema_; }
  const std::vector<std::string>& partition_columns() const { return metadata_.partition_columns; }

  // Active files, sorted by (path, deletion vector id).
  const std::vector<AddFile>& files() const { return files_; }
  // The active file with this (log-encoded) path, or nullptr.
  const AddFile* FindFile(std::string_view path) const;

  // Files removed and not re-added since (tombstones), sorted by (path, deletion vector id). A
  // checkpoint keeps those whose deletionTimestamp is within delta.deletedFileRetentionDuration.
  const std::vector<RemoveFile>& tombstones() const { return tombstones_; }

  // appId -> highest committed txn version.
  const std::map<std::string, int64_t>& app_transactions() const { return app_transactions_; }
  std::optional<int64_t> AppTransactionVersion(std::string_view app_id) const;
  // domain -> latest non-removed domainMetadata.
  const std::map<std::string, DomainMetadata>& domain_metadata() const { return domains_; }

  // Commit timestamp of version(), microseconds since the epoch.
  int64_t timestamp_micros() const { return timestamp_micros_; }
  // Timestamps of the commits replayed after the checkpoint (version -> microseconds).
  const std::map<int64_t, int64_t>& commit_timestamps() const { return commit_timestamps_; }
  // Version of the checkpoint the replay started from, if any.
  std::optional<int64_t> checkpoint_version() const { return checkpoint_version_; }
  // The newest version in the log when this snapshot was built (>= version()).
  int64_t latest_version() const { return latest_version_; }

 private:
  class Builder;
  Snapshot() = default;

  int64_t version_ = 0;
  int64_t latest_version_ = 0;
  Protocol protocol_;
  Metadata metadata_;
  DeltaSchema schema_;
  std::vector<AddFile> files_;
  std::vector<RemoveFile> tombstones_;
  std::map<std::string, int64_t> app_transactions_;
  std::map<std::string, DomainMetadata> domains_;
  int64_t timestamp_micros_ = 0;
  std::map<int64_t, int64_t> commit_timestamps_;
  std::optional<int64_t> checkpoint_version_;
};

// Commit timestamp of `version` (see the header comment), given the table's latest metadata.
absl::StatusOr<int64_t> CommitTimestampMicros(LogStore& store, const Metadata& metadata, int64_t version,
                                              int64_t modification_time_micros);

}  // namespace plinth::delta
