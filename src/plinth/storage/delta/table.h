// DeltaTable: a Delta Lake table in a local directory - create, append, overwrite, delete
// rows, scan at any version or time, history, add columns, checkpoint and vacuum.
//
// Data files are Parquet (plinth::parquet) under hive-style partition directories; commits
// go through delta::Transaction (optimistic concurrency, put-if-absent), so any number of
// processes may write and read one table at once. A reader always sees one whole version.
//
//   PLINTH_ASSIGN_OR_RETURN(auto table, DeltaTable::Open({.root = "/data/lake/events"}));
//   PLINTH_ASSIGN_OR_RETURN(auto result, table->Write(source, {}));
//   PLINTH_ASSIGN_OR_RETURN(auto snap, table->LatestSnapshot());
//   PLINTH_ASSIGN_OR_RETURN(auto scan, table->Scan(*snap, {.where = "id > 10"}));
//
// Thread-safety: a DeltaTable may be used from several threads; each call works on its own
// snapshot. Ownership: the table owns its log store and checkpoint IO.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/delta/checkpoint_io.h"
#include "plinth/storage/delta/data_file_writer.h"
#include "plinth/storage/delta/log_store.h"
#include "plinth/storage/delta/snapshot.h"
#include "plinth/storage/delta/table_scan.h"
#include "plinth/storage/delta/transaction.h"
#include "plinth/storage/parquet/writer_options.h"

namespace plinth::delta {

struct TableOptions {
  std::string root;               // table directory (holds _delta_log/)
  Clock* clock = Clock::Real();
  parquet::WriterOptions writer;  // data file codec, row groups, ...
  int64_t max_rows_per_file = int64_t{4} << 20;
  bool fsync = true;              // tests may turn durability off
};

// Pulls the next batch into *batch; false at the end.
using BatchSource = std::function<absl::StatusOr<bool>(columnar::RecordBatch* batch)>;

struct WriteOptions {
  bool overwrite = false;
  // Idempotent application transaction: a (app id, version) pair commits at most once.
  std::optional<std::pair<std::string, int64_t>> app_transaction;
  // When set, the batches follow this schema: the table's columns plus new nullable ones,
  // added in the same commit (schema evolution).
  std::optional<columnar::Schema> schema;
  // The snapshot the write starts from (borrowed; default: the latest, read again). Commits
  // made since are checked for conflicts as always.
  const Snapshot* read_snapshot = nullptr;
  // Write the checkpoint that falls due at the new version inline. false leaves it to the
  // caller (CheckpointDue / CheckpointAt), e.g. to keep it off a latency-sensitive path.
  bool checkpoint = true;
};

struct WriteResult {
  int64_t version = -1;
  bool already_committed = false;
  int64_t rows = 0;
  int64_t files = 0;
  int64_t bytes = 0;
  int attempts = 0;
};

struct DeleteResult {
  int64_t version = -1;  // -1 when nothing matched (no commit)
  int64_t rows_deleted = 0;
  int64_t files_removed = 0;
  int64_t files_added = 0;
};

// OPTIMIZE (compaction): small files of a partition rewritten into fewer, larger ones.
struct OptimizeOptions {
  int64_t target_file_bytes = int64_t{128} << 20;  // bins of small files fill up to this size
  int64_t small_file_bytes = 0;                    // files under this are compacted; 0: target_file_bytes
  int min_files = 2;                               // small files a partition needs to be compacted
};

struct OptimizeResult {
  int64_t version = -1;  // -1 when there was nothing to compact (no commit)
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t bytes_removed = 0;
  int64_t bytes_added = 0;
  int64_t rows = 0;
  int64_t partitions = 0;  // partitions compacted
};

struct VacuumResult {
  std::vector<std::string> deleted;  // paths relative to the root
  int64_t bytes = 0;
  bool dry_run = false;
};

class DeltaTable {
 public:
  // Creates a table (version 0). AlreadyExists when `root` already holds a table.
  static absl::StatusOr<std::unique_ptr<DeltaTable>> Create(TableOptions options, const columnar::Schema& schema,
                                                            const std::vector<std::string>& partition_by,
                                                            const std::map<std::string, std::string>& configuration = {});
  // NotFound when `root` holds no Delta table.
  static absl::StatusOr<std::unique_ptr<DeltaTable>> Open(TableOptions options);
  ~DeltaTable();

  const std::string& root() const { return options_.root; }

  absl::StatusOr<std::unique_ptr<Snapshot>> LatestSnapshot();
  absl::StatusOr<std::unique_ptr<Snapshot>> SnapshotAt(int64_t version);
  // The latest snapshot from `base` plus the commits after it (Snapshot::Advance); nullptr
  // when `base` is still the latest.
  absl::StatusOr<std::unique_ptr<Snapshot>> AdvanceSnapshot(const Snapshot& base);
  // Modification time of commit `version`'s file (NotFound when absent): lets a holder of an
  // old snapshot notice that the table was replaced under it.
  absl::StatusOr<int64_t> CommitModificationTime(int64_t version);
  absl::StatusOr<std::unique_ptr<Snapshot>> SnapshotAsOf(int64_t timestamp_micros);
  // The actions of commit `version` as written (NotFound once log cleanup removed its file).
  absl::StatusOr<std::vector<Action>> CommitActions(int64_t version);

  // Columns of a snapshot as columnar types (flat columns only).
  static columnar::Schema ColumnarSchema(const Snapshot& snapshot);

  absl::StatusOr<WriteResult> Write(const BatchSource& source, const WriteOptions& options);
  // Deletes the rows where `where` is true, rewriting the files that hold some of them.
  // A delete that loses to a concurrent commit it conflicts with (a delete or compaction of
  // the same files, a non-blind append to a partition it read) starts over from the new latest
  // version, up to 10 times.
  absl::StatusOr<DeleteResult> Delete(std::string_view where);
  // Compaction (table_optimize.cc): in each partition with at least min_files files smaller
  // than small_file_bytes, those files are packed into bins of about target_file_bytes and
  // each bin is rewritten as one file (more past max_rows_per_file). One commit, operation
  // OPTIMIZE, whose removes and adds carry dataChange=false: the rows are the same, and
  // concurrent appends do not conflict with it (a concurrent delete of a compacted file does:
  // Aborted). Older versions keep reading the old files until vacuum.
  absl::StatusOr<OptimizeResult> Optimize(const OptimizeOptions& options);
  // Adds nullable columns ("name type, ..."); the existing rows read them as null.
  absl::StatusOr<int64_t> AddColumns(const columnar::Schema& columns);

  absl::StatusOr<std::unique_ptr<TableScan>> Scan(const Snapshot& snapshot, const ScanSpec& spec);

  // Newest first: version, timestamp, operation, parameters, metrics of up to `limit` commits.
  absl::StatusOr<std::vector<Json>> History(int limit);
  // Writes a checkpoint of the latest version; returns its version.
  absl::StatusOr<int64_t> Checkpoint();
  // Whether a table with `metadata` checkpoints at `version`: a multiple of
  // delta.checkpointInterval (default 10).
  static bool CheckpointDue(const Metadata& metadata, int64_t version);
  // Best effort (a failure is logged; the commit stands): checkpoints `version`, then removes
  // the commits before it that delta.logRetentionDuration no longer keeps.
  void CheckpointAt(int64_t version);
  // Deletes data files that no version newer than `retention` references. Refuses a
  // retention shorter than the table's delta.deletedFileRetentionDuration (default 7 days)
  // unless `force`.
  absl::StatusOr<VacuumResult> Vacuum(int64_t retention_micros, bool dry_run, bool force);

 private:
  DeltaTable(TableOptions options, std::unique_ptr<LogStore> log, std::unique_ptr<CheckpointIO> checkpoint_io);
  Snapshot::Options SnapshotOptions() const;
  Transaction::Options TxnOptions(std::string operation) const;
  DataFileWriter::Options DataWriterOptions(const Snapshot& snapshot, const columnar::Schema& schema) const;
  // CheckpointAt(version) when CheckpointDue(metadata, version).
  void MaybeCheckpoint(const Metadata& metadata, int64_t version);
  absl::StatusOr<DeleteResult> DeleteOnce(std::string_view where);

  TableOptions options_;
  std::unique_ptr<LogStore> log_;
  std::unique_ptr<CheckpointIO> checkpoint_io_;
};

}  // namespace plinth::delta
