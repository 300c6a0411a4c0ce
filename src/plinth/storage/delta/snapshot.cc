#include "plinth/storage/delta/snapshot.h"

#include <algorithm>

#include "plinth/storage/delta/log_segment.h"
#include "plinth/storage/delta/table_features.h"

namespace plinth::delta {

namespace {

std::string SidecarPath(LogStore& store, const std::string& path) {
  if (path.find("://") != std::string::npos || StartsWith(path, "/")) return path;
  return store.LogFilePath(StrCat("_sidecars/", path));
}

// Version from which commits carry in-commit timestamps, when the table enables them.
std::optional<int64_t> IctEnablementVersion(const Metadata& m) {
  if (!InCommitTimestampsEnabled(m)) return std::nullopt;
  auto v = m.Config("delta.inCommitTimestampEnablementVersion");
  if (!v) return 0;
  return ParseInt64(*v).value_or(0);
}

}  // namespace

class Snapshot::Builder {
 public:
  Builder(const Options& options, Snapshot* out) : options_(options), out_(out) {}

  // Replays the commits after `base` on top of its state. *advanced = false when there is none.
  absl::Status BuildFrom(const Snapshot& base, bool* advanced) {
    if (options_.log_store == nullptr) return absl::InvalidArgumentError("Snapshot needs a log store");
    LogStore& store = *options_.log_store;
    std::vector<CommitTime> commits;
    for (int64_t v = base.version_ + 1;; ++v) {
      absl::StatusOr<int64_t> mtime = store.ModificationTime(v);
      if (absl::IsNotFound(mtime.status())) break;
      if (!mtime.ok()) return mtime.status();
      absl::StatusOr<std::vector<Action>> actions = ReadCommit(store, v);
      if (absl::IsNotFound(actions.status())) break;
      if (!actions.ok()) return actions.status();
      if (commits.empty()) Seed(base);
      commits.push_back({v, *mtime, ApplyCommit(*actions)});
    }
    *advanced = !commits.empty();
    if (commits.empty()) return absl::OkStatus();
    out_->version_ = commits.back().version;
    out_->latest_version_ = commits.back().version;
    out_->checkpoint_version_ = base.checkpoint_version_;
    out_->commit_timestamps_ = base.commit_timestamps_;
    PLINTH_RETURN_IF_ERROR(Finish(store));
    PLINTH_RETURN_IF_ERROR(RecordCommitTimestamps(commits));
    out_->timestamp_micros_ = out_->commit_timestamps_[out_->version_];
    return absl::OkStatus();
  }

  absl::Status Build(std::optional<int64_t> target) {
    if (options_.log_store == nullptr) return absl::InvalidArgumentError("Snapshot needs a log store");
    LogStore& store = *options_.log_store;
    PLINTH_ASSIGN_OR_RETURN(LogSegment seg, BuildLogSegment(store, target));
    out_->version_ = seg.version;
    out_->latest_version_ = seg.latest_version;
    out_->checkpoint_version_ = seg.checkpoint_version;
    if (seg.checkpoint_version) PLINTH_RETURN_IF_ERROR(LoadCheckpoint(seg));
    std::vector<CommitTime> commits;
    for (const LogFile& commit : seg.commits) {
      PLINTH_ASSIGN_OR_RETURN(std::vector<Action> actions, ReadCommit(store, commit.version));
      commits.push_back({commit.version, commit.modification_time_micros, ApplyCommit(actions)});
    }
    PLINTH_RETURN_IF_ERROR(Finish(store));
    PLINTH_RETURN_IF_ERROR(RecordCommitTimestamps(commits));
    auto it = out_->commit_timestamps_.find(out_->version_);
    if (it != out_->commit_timestamps_.end()) {
      out_->timestamp_micros_ = it->second;
    } else {
      // The snapshot is exactly a checkpoint: take the timestamp from its commit or checkpoint file.
      int64_t mtime = seg.checkpoint_files.empty() ? 0 : seg.checkpoint_files.front().modification_time_micros;
      absl::StatusOr<int64_t> commit_mtime = store.ModificationTime(out_->version_);
      if (commit_mtime.ok()) mtime = *commit_mtime;
      absl::StatusOr<int64_t> ts = CommitTimestampMicros(store, out_->metadata_, out_->version_, mtime);
      out_->timestamp_micros_ = ts.ok() ? *ts : mtime;
    }
    return absl::OkStatus();
  }

 private:
  struct CommitTime {
    int64_t version;
    int64_t modification_time_micros;
    std::optional<int64_t> in_commit_timestamp_ms;
  };

  // Applies one commit's actions; returns its commitInfo.inCommitTimestamp, when it has one.
  std::optional<int64_t> ApplyCommit(std::vector<Action>& actions) {
    std::optional<int64_t> ts;
    for (Action& a : actions) {
      if (auto* ci = std::get_if<CommitInfo>(&a); ci != nullptr && !ts) ts = ci->in_commit_timestamp();
      Apply(std::move(a), /*from_checkpoint=*/false);
    }
    return ts;
  }

  // The replayed commits' timestamps: the file's modification time, or the in-commit timestamp
  // from the version that enabled them (known only from the final metadata, so after Finish).
  absl::Status RecordCommitTimestamps(const std::vector<CommitTime>& commits) {
    std::optional<int64_t> ict_from = IctEnablementVersion(out_->metadata_);
    for (const CommitTime& c : commits) {
      int64_t micros = c.modification_time_micros;
      if (ict_from && c.version >= *ict_from) {
        if (!c.in_commit_timestamp_ms) {
          return absl::DataLossError(StrCat(LogDisplayName(CommitFileName(c.version)),
                                            ": in-commit timestamps are enabled but commitInfo.inCommitTimestamp is missing"));
        }
        micros = *c.in_commit_timestamp_ms * 1000;
      }
      out_->commit_timestamps_[c.version] = micros;
    }
    return absl::OkStatus();
  }

  absl::Status LoadCheckpoint(const LogSegment& seg) {
    LogStore& store = *options_.log_store;
    std::vector<Action> actions;
    const LogFile& first = seg.checkpoint_files.front();
    bool json_v2 = first.kind == LogFileKind::kV2Checkpoint && first.name.size() > 5 &&
                   first.name.substr(first.name.size() - 5) == ".json";
    if (json_v2) {
      PLINTH_ASSIGN_OR_RETURN(std::string bytes, store.ReadFile(first.name));
      PLINTH_ASSIGN_OR_RETURN(actions, ParseCommit(bytes, LogDisplayName(first.name)));
    } else {
      if (options_.checkpoint_io == nullptr) {
        return absl::FailedPreconditionError(StrCat("replaying ", store.table_root(), " needs checkpoint ",
                                                    LogDisplayName(first.name), " but no CheckpointIO was given"));
      }
      std::vector<std::string> paths;
      for (const LogFile& f : seg.checkpoint_files) paths.push_back(store.LogFilePath(f.name));
      PLINTH_ASSIGN_OR_RETURN(actions, options_.checkpoint_io->Read(paths));
    }
    std::vector<std::string> sidecars;
    for (const Action& a : actions) {
      if (const auto* s = std::get_if<Sidecar>(&a)) sidecars.push_back(SidecarPath(store, s->path));
    }
    for (Action& a : actions) Apply(std::move(a), /*from_checkpoint=*/true);
    if (!sidecars.empty()) {
      if (options_.checkpoint_io == nullptr) {
        return absl::FailedPreconditionError(StrCat("checkpoint ", LogDisplayName(first.name),
                                                    " has sidecar files but no CheckpointIO was given"));
      }
      PLINTH_ASSIGN_OR_RETURN(std::vector<Action> more, options_.checkpoint_io->Read(sidecars));
      for (Action& a : more) {
        if (std::holds_alternative<AddFile>(a) || std::holds_alternative<RemoveFile>(a)) {
          Apply(std::move(a), /*from_checkpoint=*/true);
        }
      }
    }
    return absl::OkStatus();
  }

  // The replay state of `base`, to apply later commits to.
  void Seed(const Snapshot& base) {
    protocol_ = base.protocol_;
    metadata_ = base.metadata_;
    for (const AddFile& f : base.files_) files_.emplace(f.ReplayKey(), f);
    for (const RemoveFile& r : base.tombstones_) tombstones_.emplace(r.ReplayKey(), r);
    out_->app_transactions_ = base.app_transactions_;
    out_->domains_ = base.domains_;
  }

  void Apply(Action&& action, bool from_checkpoint) {
    if (auto* add = std::get_if<AddFile>(&action)) {
      std::string key = add->ReplayKey();
      tombstones_.erase(key);
      files_[std::move(key)] = std::move(*add);
    } else if (auto* rm = std::get_if<RemoveFile>(&action)) {
      // In a checkpoint, removes are tombstones of files that are not active: nothing to undo.
      std::string key = rm->ReplayKey();
      if (!from_checkpoint) files_.erase(key);
      tombstones_[std::move(key)] = std::move(*rm);
    } else if (auto* p = std::get_if<Protocol>(&action)) {
      protocol_ = std::move(*p);
    } else if (auto* m = std::get_if<Metadata>(&action)) {
      metadata_ = std::move(*m);
    } else if (auto* t = std::get_if<SetTransaction>(&action)) {
      auto [it, inserted] = out_->app_transactions_.emplace(t->app_id, t->version);
      if (!inserted) it->second = std::max(it->second, t->version);
    } else if (auto* d = std::get_if<DomainMetadata>(&action)) {
      if (d->removed) {
        out_->domains_.erase(d->domain);
      } else {
        out_->domains_[d->domain] = std::move(*d);
      }
    }
  }

  absl::Status Finish(LogStore& store) {
    const std::string where = StrCat("Delta table ", store.table_root(), " at version ", out_->version_);
    if (!protocol_) return absl::DataLossError(StrCat(where, " has no protocol action"));
    if (!metadata_) return absl::DataLossError(StrCat(where, " has no metaData action"));
    PLINTH_RETURN_IF_ERROR(CheckReadSupported(*protocol_, *metadata_));
    out_->protocol_ = std::move(*protocol_);
    out_->metadata_ = std::move(*metadata_);
    if (out_->metadata_.schema_string.empty()) return absl::DataLossError(StrCat(where, ": metaData has no schemaString"));
    absl::StatusOr<DeltaSchema> schema = DeltaSchema::Parse(out_->metadata_.schema_string);
    if (!schema.ok()) return absl::Status(schema.status().code(), StrCat(where, ": ", schema.status().message()));
    out_->schema_ = std::move(*schema);
    out_->files_.reserve(files_.size());
    for (auto& [key, add] : files_) {
      if (add.deletion_vector) {
        return absl::FailedPreconditionError(StrCat("table uses reader feature 'deletionVectors' (file ", add.path,
                                                    "), which Plinth cannot read"));
      }
      out_->files_.push_back(std::move(add));
    }
    out_->tombstones_.reserve(tombstones_.size());
    for (auto& [key, rm] : tombstones_) out_->tombstones_.push_back(std::move(rm));
    return absl::OkStatus();
  }

  const Options& options_;
  Snapshot* out_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::map<std::string, AddFile> files_;  // ReplayKey -> add; ordered, so files() is sorted
  std::map<std::string, RemoveFile> tombstones_;  // ReplayKey -> latest remove not re-added since
};

absl::StatusOr<std::unique_ptr<Snapshot>> Snapshot::Open(const Options& options) {
  std::unique_ptr<Snapshot> s(new Snapshot());
  PLINTH_RETURN_IF_ERROR(Builder(options, s.get()).Build(std::nullopt));
  return s;
}

absl::StatusOr<std::unique_ptr<Snapshot>> Snapshot::OpenAtVersion(const Options& options, int64_t version) {
  std::unique_ptr<Snapshot> s(new Snapshot());
  PLINTH_RETURN_IF_ERROR(Builder(options, s.get()).Build(version));
  return s;
}

absl::StatusOr<std::unique_ptr<Snapshot>> Snapshot::Advance(const Snapshot& base, const Options& options) {
  std::unique_ptr<Snapshot> s(new Snapshot());
  bool advanced = false;
  PLINTH_RETURN_IF_ERROR(Builder(options, s.get()).BuildFrom(base, &advanced));
  if (!advanced) return std::unique_ptr<Snapshot>();
  return s;
}

const AddFile* Snapshot::FindFile(std::string_view path) const {
  auto it = std::lower_bound(files_.begin(), files_.end(), path,
                             [](const AddFile& f, std::string_view p) { return f.path < p; });
  return it != files_.end() && it->path == path ? &*it : nullptr;
}

std::optional<int64_t> Snapshot::AppTransactionVersion(std::string_view app_id) const {
  auto it = app_transactions_.find(std::string(app_id));
  if (it == app_transactions_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<int64_t> CommitTimestampMicros(LogStore& store, const Metadata& metadata, int64_t version,
                                              int64_t modification_time_micros) {
  std::optional<int64_t> ict_from = IctEnablementVersion(metadata);
  if (!ict_from || version < *ict_from) return modification_time_micros;
  PLINTH_ASSIGN_OR_RETURN(std::vector<Action> actions, ReadCommit(store, version));
  for (const Action& a : actions) {
    if (const auto* ci = std::get_if<CommitInfo>(&a)) {
      if (auto ts = ci->in_commit_timestamp()) return *ts * 1000;
    }
  }
  return absl::DataLossError(StrCat(LogDisplayName(CommitFileName(version)),
                                    ": in-commit timestamps are enabled but commitInfo.inCommitTimestamp is missing"));
}

}  // namespace plinth::delta
