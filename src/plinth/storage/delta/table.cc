#include "plinth/storage/delta/table.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "plinth/base/random.h"
#include "plinth/base/strings.h"
#include "plinth/base/time.h"
#include "plinth/storage/delta/checkpoint_writer.h"
#include "plinth/storage/delta/data_file_writer.h"
#include "plinth/base/logging.h"
#include "plinth/storage/delta/local_log_store.h"
#include "plinth/storage/delta/parquet_checkpoint_io.h"
#include "plinth/storage/delta/type_mapping.h"

namespace plinth::delta {

namespace {

std::string NewTableId() {
  std::string h = RandomHex(16);
  while (h.size() < 32) h += RandomHex(16);
  return StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-", h.substr(16, 4), "-", h.substr(20, 12));
}

std::unique_ptr<CheckpointIO> MakeCheckpointIO(const TableOptions& options) {
  ParquetCheckpointIO::Options o;
  o.fsync = options.fsync;
  return std::make_unique<ParquetCheckpointIO>(o);
}

absl::StatusOr<std::unique_ptr<LogStore>> MakeLogStore(const TableOptions& options) {
  LocalLogStore::Options lo;
  lo.table_root = options.root;
  lo.fsync = options.fsync;
  PLINTH_ASSIGN_OR_RETURN(auto store, LocalLogStore::Create(lo));
  return std::unique_ptr<LogStore>(std::move(store));
}

// The table schema with the new (nullable) columns of `wanted` appended. Columns of the table
// that the flat view leaves out (nested ones) are kept.
absl::StatusOr<DeltaSchema> MergeColumns(const DeltaSchema& current, const columnar::Schema& wanted) {
  PLINTH_ASSIGN_OR_RETURN(DeltaSchema w, FromColumnarSchema(wanted));
  DeltaSchema full = current;
  for (const auto& f : w.fields) {
    const StructField* have = full.Find(f.name);
    if (have == nullptr) {
      full.fields.push_back(f);
    } else if (!(have->type == f.type)) {
      return absl::InvalidArgumentError(StrCat("column '", f.name, "' is ", have->type.ToString(), " in the table, not ",
                                               f.type.ToString()));
    }
  }
  return AddColumns(current, full);
}

}  // namespace

DeltaTable::DeltaTable(TableOptions options, std::unique_ptr<LogStore> log, std::unique_ptr<CheckpointIO> checkpoint_io)
    : options_(std::move(options)), log_(std::move(log)), checkpoint_io_(std::move(checkpoint_io)) {}

DeltaTable::~DeltaTable() = default;

Snapshot::Options DeltaTable::SnapshotOptions() const {
  Snapshot::Options o;
  o.log_store = log_.get();
  o.checkpoint_io = checkpoint_io_.get();
  return o;
}

DataFileWriter::Options DeltaTable::DataWriterOptions(const Snapshot& snapshot, const columnar::Schema& schema) const {
  DataFileWriter::Options o;
  o.root = options_.root;
  o.schema = std::make_shared<const columnar::Schema>(schema);
  o.partition_columns = snapshot.partition_columns();
  o.writer = options_.writer;
  // Tables read by old engines (Spark < 3.3) can ask for PLAIN/dictionary encodings only.
  if (auto compat = snapshot.metadata().Config("plinth.parquet.compat"); compat && *compat == "true") {
    o.writer.delta_integers = false;
    o.writer.byte_stream_split_floats = false;
  }
  o.max_rows_per_file = options_.max_rows_per_file;
  o.fsync = options_.fsync;
  o.clock = options_.clock;
  return o;
}

Transaction::Options DeltaTable::TxnOptions(std::string operation) const {
  Transaction::Options o;
  o.log_store = log_.get();
  o.clock = options_.clock;
  o.operation = std::move(operation);
  return o;
}

absl::StatusOr<std::unique_ptr<DeltaTable>> DeltaTable::Create(TableOptions options, const columnar::Schema& schema,
                                                               const std::vector<std::string>& partition_by,
                                                               const std::map<std::string, std::string>& configuration) {
  if (options.root.empty()) return absl::InvalidArgumentError("table path is empty");
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  if (schema.size() == 0) return absl::InvalidArgumentError("a table needs at least one column");
  PLINTH_ASSIGN_OR_RETURN(DeltaSchema dschema, FromColumnarSchema(schema));
  for (const auto& p : partition_by) {
    auto idx = schema.IndexOf(p);
    if (!idx) return absl::InvalidArgumentError(StrCat("partition column '", p, "' is not in the schema"));
    auto id = schema.field(*idx).type.id;
    if (id == columnar::TypeId::kBinary || id == columnar::TypeId::kFloat || id == columnar::TypeId::kDouble) {
      return absl::InvalidArgumentError(StrCat("column '", p, "' (", columnar::TypeName(schema.field(*idx).type),
                                               ") cannot be a partition column"));
    }
  }
  if (partition_by.size() >= schema.size()) {
    return absl::InvalidArgumentError("a table needs at least one column that is not a partition column");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (ec) return absl::InternalError(StrCat("cannot create ", options.root, ": ", ec.message()));
  PLINTH_ASSIGN_OR_RETURN(auto log, MakeLogStore(options));
  Metadata md;
  md.id = NewTableId();
  md.schema_string = dschema.ToJsonString();
  md.partition_columns = partition_by;
  md.configuration = configuration;
  md.created_time = options.clock->NowMicros() / 1000;
  Protocol protocol;
  protocol.min_reader_version = 1;
  protocol.min_writer_version = 2;
  Transaction::Options to;
  to.log_store = log.get();
  to.clock = options.clock;
  to.operation = "CREATE TABLE";
  Json partition_json = Json::array();
  for (const auto& p : partition_by) partition_json.push_back(p);
  to.operation_parameters = {{"partitionBy", DumpJson(partition_json)}, {"description", nullptr}, {"isManaged", "false"},
                             {"properties", DumpJson(Json(configuration))}};
  PLINTH_ASSIGN_OR_RETURN(auto txn, Transaction::StartCreate(to));
  txn->SetProtocol(protocol);
  txn->SetMetadata(md);
  auto result = txn->Commit();
  if (!result.ok()) {
    if (absl::IsAlreadyExists(result.status()) || absl::IsAborted(result.status())) {
      return absl::AlreadyExistsError(StrCat("a Delta table already exists at ", options.root));
    }
    return result.status();
  }
  auto io = MakeCheckpointIO(options);
  return std::unique_ptr<DeltaTable>(new DeltaTable(std::move(options), std::move(log), std::move(io)));
}

absl::StatusOr<std::unique_ptr<DeltaTable>> DeltaTable::Open(TableOptions options) {
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  if (!std::filesystem::is_directory(options.root + "/_delta_log")) {
    return absl::NotFoundError(StrCat("no Delta table at ", options.root, " (no _delta_log directory)"));
  }
  PLINTH_ASSIGN_OR_RETURN(auto log, MakeLogStore(options));
  auto io = MakeCheckpointIO(options);
  return std::unique_ptr<DeltaTable>(new DeltaTable(std::move(options), std::move(log), std::move(io)));
}

absl::StatusOr<std::unique_ptr<Snapshot>> DeltaTable::LatestSnapshot() { return Snapshot::Open(SnapshotOptions()); }
absl::StatusOr<std::unique_ptr<Snapshot>> DeltaTable::AdvanceSnapshot(const Snapshot& base) {
  return Snapshot::Advance(base, SnapshotOptions());
}
absl::StatusOr<int64_t> DeltaTable::CommitModificationTime(int64_t version) { return log_->ModificationTime(version); }
absl::StatusOr<std::vector<Action>> DeltaTable::CommitActions(int64_t version) { return ReadCommit(*log_, version); }
absl::StatusOr<std::unique_ptr<Snapshot>> DeltaTable::SnapshotAt(int64_t version) {
  return Snapshot::OpenAtVersion(SnapshotOptions(), version);
}
absl::StatusOr<std::unique_ptr<Snapshot>> DeltaTable::SnapshotAsOf(int64_t ts) {
  return Snapshot::OpenAsOf(SnapshotOptions(), ts);
}

columnar::Schema DeltaTable::ColumnarSchema(const Snapshot& snapshot) { return ToColumnarSchema(snapshot.schema()); }

absl::StatusOr<std::unique_ptr<TableScan>> DeltaTable::Scan(const Snapshot& snapshot, const ScanSpec& spec) {
  return TableScan::Create(options_.root, snapshot, spec);
}

absl::StatusOr<WriteResult> DeltaTable::Write(const BatchSource& source, const WriteOptions& wopts) {
  std::unique_ptr<Snapshot> latest;
  if (wopts.read_snapshot == nullptr) {
    PLINTH_ASSIGN_OR_RETURN(latest, LatestSnapshot());
  }
  const Snapshot* snapshot = wopts.read_snapshot != nullptr ? wopts.read_snapshot : latest.get();
  columnar::Schema table_schema = ToColumnarSchema(snapshot->schema());
  std::optional<Metadata> new_metadata;
  columnar::Schema schema = table_schema;
  if (wopts.schema && !(*wopts.schema == table_schema)) {
    PLINTH_ASSIGN_OR_RETURN(DeltaSchema merged, MergeColumns(snapshot->schema(), *wopts.schema));
    Metadata md = snapshot->metadata();
    md.schema_string = merged.ToJsonString();
    new_metadata = md;
    schema = *wopts.schema;
  }
  if (wopts.app_transaction) {
    auto have = snapshot->AppTransactionVersion(wopts.app_transaction->first);
    if (have && *have >= wopts.app_transaction->second) {
      WriteResult r;
      r.version = snapshot->version();
      r.already_committed = true;
      return r;
    }
  }
  // The data files are synced on another thread while the commit file is written and synced;
  // the commit becomes visible only once both are durable.
  DataFileWriter::Options writer_options = DataWriterOptions(*snapshot, schema);
  writer_options.defer_sync = true;
  DataFileWriter writer(std::move(writer_options));
  columnar::RecordBatch batch;
  while (true) {
    auto more = source(&batch);
    if (!more.ok()) {
      writer.Abort();
      return more.status();
    }
    if (!*more) break;
    if (!(*batch.schema == schema)) {
      writer.Abort();
      return absl::InvalidArgumentError(StrCat("input columns (", batch.schema->ToString(), ") do not match the table (",
                                               schema.ToString(), ")"));
    }
    if (auto st = writer.Write(batch); !st.ok()) {
      writer.Abort();
      return st;
    }
  }
  auto adds = writer.Finish();
  if (!adds.ok()) {
    writer.Abort();
    return adds.status();
  }
  Transaction::Options to = TxnOptions("WRITE");
  to.reads_table = wopts.overwrite;
  Json partition_json = Json::array();
  for (const auto& p : snapshot->partition_columns()) partition_json.push_back(p);
  to.operation_parameters = {{"mode", wopts.overwrite ? "Overwrite" : "Append"}, {"partitionBy", DumpJson(partition_json)}};
  to.before_publish = writer.DurableGate();
  to.operation_metrics = {{"numFiles", std::to_string(adds->size())},
                          {"numOutputRows", std::to_string(writer.rows())},
                          {"numOutputBytes", std::to_string(writer.bytes())}};
  auto txn = Transaction::Start(*snapshot, to);
  if (!txn.ok()) {
    writer.Abort();
    return txn.status();
  }
  if (new_metadata) (*txn)->SetMetadata(*new_metadata);
  if (wopts.app_transaction) (*txn)->SetAppTransaction(wopts.app_transaction->first, wopts.app_transaction->second);
  int64_t now_ms = options_.clock->NowMicros() / 1000;
  if (wopts.overwrite) {
    for (const AddFile& f : snapshot->files()) (*txn)->Remove(Transaction::RemoveFor(f, now_ms));
  }
  for (auto& a : *adds) (*txn)->Add(std::move(a));
  auto result = (*txn)->Commit();
  if (!result.ok() || result->already_committed) writer.Abort();
  if (!result.ok()) return result.status();
  WriteResult out;
  out.version = result->version;
  out.already_committed = result->already_committed;
  out.rows = result->already_committed ? 0 : writer.rows();
  out.files = result->already_committed ? 0 : static_cast<int64_t>(adds->size());
  out.bytes = result->already_committed ? 0 : writer.bytes();
  out.attempts = result->attempts;
  if (!result->already_committed && wopts.checkpoint) {
    MaybeCheckpoint(new_metadata ? *new_metadata : snapshot->metadata(), result->version);
  }
  return out;
}

absl::StatusOr<DeleteResult> DeltaTable::Delete(std::string_view where) {
  constexpr int kDeleteAttempts = 10;
  absl::StatusOr<DeleteResult> r = DeleteOnce(where);
  for (int attempt = 1; attempt < kDeleteAttempts && absl::IsAborted(r.status()); ++attempt) r = DeleteOnce(where);
  return r;
}

absl::StatusOr<DeleteResult> DeltaTable::DeleteOnce(std::string_view where) {
  if (where.empty()) return absl::InvalidArgumentError("delete needs a filter (--where)");
  PLINTH_ASSIGN_OR_RETURN(auto snapshot, LatestSnapshot());
  columnar::Schema schema = ToColumnarSchema(snapshot->schema());
  PLINTH_ASSIGN_OR_RETURN(auto predicate, columnar::Predicate::Parse(where, schema));
  // Candidate files: those the filter may match.
  ScanSpec probe;
  probe.where = std::string(where);
  probe.columns = {schema.field(0).name};
  PLINTH_ASSIGN_OR_RETURN(auto candidates, TableScan::Create(options_.root, *snapshot, probe));
  DeleteResult out;
  DataFileWriter writer(DataWriterOptions(*snapshot, schema));
  std::vector<const AddFile*> removed;
  for (const AddFile* f : candidates->files()) {
    // Read the whole file; keep the rows where the filter is not true (false or unknown).
    auto file_scan = TableScan::CreateForFile(options_.root, *snapshot, *f);
    if (!file_scan.ok()) {
      writer.Abort();
      return file_scan.status();
    }
    int64_t kept = 0, deleted = 0;
    std::vector<columnar::RecordBatch> keep;
    columnar::RecordBatch b;
    while (true) {
      auto more = (*file_scan)->Next(&b);
      if (!more.ok()) {
        writer.Abort();
        return more.status();
      }
      if (!*more) break;
      PLINTH_ASSIGN_OR_RETURN(auto sel, predicate.Evaluate(b));
      std::vector<uint8_t> inverse(sel.size());
      for (size_t i = 0; i < sel.size(); ++i) {
        inverse[i] = !sel[i];
        deleted += sel[i];
      }
      columnar::RecordBatch k = b.Filter(inverse);
      kept += k.num_rows;
      if (k.num_rows > 0) keep.push_back(std::move(k));
    }
    if (deleted == 0) continue;
    removed.push_back(f);
    out.rows_deleted += deleted;
    for (const auto& k : keep) {
      if (auto st = writer.Write(k); !st.ok()) {
        writer.Abort();
        return st;
      }
    }
  }
  if (removed.empty()) return out;
  auto adds = writer.Finish();
  if (!adds.ok()) {
    writer.Abort();
    return adds.status();
  }
  Transaction::Options to = TxnOptions("DELETE");
  to.reads_table = true;
  to.operation_parameters = {{"predicate", DumpJson(Json::array({std::string(where)}))}};
  to.operation_metrics = {{"numDeletedRows", std::to_string(out.rows_deleted)},
                          {"numRemovedFiles", std::to_string(removed.size())},
                          {"numAddedFiles", std::to_string(adds->size())}};
  auto txn = Transaction::Start(*snapshot, to);
  if (!txn.ok()) {
    writer.Abort();
    return txn.status();
  }
  int64_t now_ms = options_.clock->NowMicros() / 1000;
  for (const AddFile* f : removed) {
    (*txn)->Remove(Transaction::RemoveFor(*f, now_ms));
    (*txn)->AddReadPartition(f->partition_values);
  }
  out.files_removed = static_cast<int64_t>(removed.size());
  out.files_added = static_cast<int64_t>(adds->size());
  for (auto& a : *adds) (*txn)->Add(std::move(a));
  auto result = (*txn)->Commit();
  if (!result.ok()) {
    writer.Abort();
    return result.status();
  }
  out.version = result->version;
  MaybeCheckpoint(snapshot->metadata(), result->version);
  return out;
}

absl::StatusOr<int64_t> DeltaTable::AddColumns(const columnar::Schema& columns) {
  PLINTH_ASSIGN_OR_RETURN(auto snapshot, LatestSnapshot());
  std::vector<columnar::Field> fields = ToColumnarSchema(snapshot->schema()).fields();
  for (const auto& f : columns.fields()) {
    if (!f.nullable) {
      return absl::InvalidArgumentError(StrCat("new column '", f.name, "' must be nullable (existing rows have no value)"));
    }
    fields.push_back(f);
  }
  PLINTH_ASSIGN_OR_RETURN(DeltaSchema merged, MergeColumns(snapshot->schema(), columnar::Schema(fields)));
  Metadata md = snapshot->metadata();
  md.schema_string = merged.ToJsonString();
  Transaction::Options to = TxnOptions("ADD COLUMNS");
  Json cols = Json::array();
  for (const auto& f : columns.fields()) cols.push_back({{"column", f.name}, {"type", columnar::TypeName(f.type)}});
  to.operation_parameters = {{"columns", DumpJson(cols)}};
  PLINTH_ASSIGN_OR_RETURN(auto txn, Transaction::Start(*snapshot, to));
  txn->SetMetadata(md);
  PLINTH_ASSIGN_OR_RETURN(auto result, txn->Commit());
  MaybeCheckpoint(md, result.version);
  return result.version;
}

absl::StatusOr<std::vector<Json>> DeltaTable::History(int limit) {
  PLINTH_ASSIGN_OR_RETURN(auto files, log_->List(0));
  std::vector<int64_t> versions;
  for (const auto& f : files) {
    if (f.kind == LogFileKind::kCommit) versions.push_back(f.version);
  }
  std::sort(versions.rbegin(), versions.rend());
  std::vector<Json> out;
  for (int64_t v : versions) {
    if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
    auto actions = ReadCommit(*log_, v);
    if (absl::IsNotFound(actions.status())) continue;  // removed by log cleanup since the listing
    if (!actions.ok()) return actions.status();
    Json entry = {{"version", v}};
    for (const auto& a : *actions) {
      if (const auto* ci = std::get_if<CommitInfo>(&a)) {
        if (auto ts = ci->in_commit_timestamp() ? ci->in_commit_timestamp() : ci->timestamp()) {
          entry["timestamp"] = FormatTimestamp(*ts * 1000);
        }
        if (auto op = ci->operation()) entry["operation"] = *op;
        entry["operationParameters"] = ci->operation_parameters();
        if (ci->raw.contains("operationMetrics")) entry["operationMetrics"] = ci->raw["operationMetrics"];
        for (const char* k : {"readVersion", "isBlindAppend", "engineInfo", "isolationLevel", "userName"}) {
          if (ci->raw.contains(k)) entry[k] = ci->raw[k];
        }
      }
    }
    if (!entry.contains("timestamp")) {
      if (auto mt = log_->ModificationTime(v); mt.ok()) entry["timestamp"] = FormatTimestamp(*mt);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

bool DeltaTable::CheckpointDue(const Metadata& metadata, int64_t version) {
  if (version <= 0) return false;
  int64_t interval = 10;
  if (auto v = metadata.Config("delta.checkpointInterval")) {
    if (auto n = ParseInt64(*v); n && *n > 0) interval = *n;
  }
  return version % interval == 0;
}

void DeltaTable::MaybeCheckpoint(const Metadata& metadata, int64_t version) {
  if (CheckpointDue(metadata, version)) CheckpointAt(version);
}

void DeltaTable::CheckpointAt(int64_t version) {
  auto snapshot = SnapshotAt(version);
  if (!snapshot.ok()) {
    LogWarn(StrCat("checkpoint of ", options_.root, " at version ", version, ": ", snapshot.status().message()));
    return;
  }
  // Best effort: the commit already happened; a missing checkpoint only slows replay.
  auto st = WriteCheckpoint(*log_, **snapshot, *checkpoint_io_, {.clock = options_.clock});
  if (!st.ok()) {
    LogWarn(StrCat("checkpoint of ", options_.root, " at version ", version, ": ", st.status().message()));
    return;
  }
  // Log cleanup: commits before this checkpoint and older than delta.logRetentionDuration
  // (default 30 days) are no longer needed to read the table.
  int64_t retention = int64_t{30} * 24 * 3600 * 1000000;
  if (auto configured = (*snapshot)->metadata().Config("delta.logRetentionDuration")) {
    if (auto ms = ParseIntervalMillis(*configured); ms.ok()) retention = *ms * 1000;
  }
  if (auto enabled = (*snapshot)->metadata().Config("delta.enableExpiredLogCleanup"); enabled && *enabled == "false") return;
  auto removed = log_->DeleteExpiredLogFiles(version, options_.clock->NowMicros() - retention);
  if (!removed.ok()) LogWarn(StrCat("log cleanup of ", options_.root, ": ", removed.status().message()));
}

absl::StatusOr<int64_t> DeltaTable::Checkpoint() {
  PLINTH_ASSIGN_OR_RETURN(auto snapshot, LatestSnapshot());
  PLINTH_ASSIGN_OR_RETURN(LastCheckpoint written, WriteCheckpoint(*log_, *snapshot, *checkpoint_io_, {.clock = options_.clock}));
  return written.version;
}

absl::StatusOr<VacuumResult> DeltaTable::Vacuum(int64_t retention_micros, bool dry_run, bool force) {
  if (retention_micros < 0) return absl::InvalidArgumentError("retention must not be negative");
  PLINTH_ASSIGN_OR_RETURN(auto latest, LatestSnapshot());
  int64_t min_retention = int64_t{7} * 24 * 3600 * 1000000;
  if (auto configured = latest->metadata().Config("delta.deletedFileRetentionDuration")) {
    // "interval 7 days" style (Spark) or a plain duration ("168h").
    std::string text = *configured;
    if (StartsWith(text, "interval ")) text = text.substr(9);
    auto parts = StrSplit(text, ' ', /*skip_empty=*/true);
    if (parts.size() == 2) {
      auto n = ParseInt64(parts[0]);
      std::string unit(parts[1]);
      int64_t mul = unit.rfind("day", 0) == 0 ? 86400000000LL : unit.rfind("hour", 0) == 0 ? 3600000000LL
                    : unit.rfind("minute", 0) == 0 ? 60000000LL : unit.rfind("second", 0) == 0 ? 1000000LL : 0;
      if (n && mul) min_retention = *n * mul;
    } else if (auto d = ParseDuration(text); d.ok()) {
      min_retention = *d;
    }
  }
  if (retention_micros < min_retention && !force) {
    return absl::FailedPreconditionError(StrCat("retention ", retention_micros / 3600000000LL, "h is shorter than the table's ",
                                                min_retention / 3600000000LL,
                                                "h (delta.deletedFileRetentionDuration): time travel to versions in "
                                                "between would break; pass --force to vacuum anyway"));
  }
  const int64_t now = options_.clock->NowMicros();
  const int64_t cutoff = now - retention_micros;
  // Keep every file some version since the cutoff can read: the active files of the version
  // current at the cutoff, plus every file added after it.
  std::set<std::string> keep;
  int64_t from_version = 0;
  auto at_cutoff = SnapshotAsOf(cutoff);
  if (absl::IsNotFound(at_cutoff.status())) {
    // The cutoff predates every commit still in the log (or the table): the oldest version
    // that can still be read is the base.
    PLINTH_ASSIGN_OR_RETURN(auto files, log_->List(0));
    std::vector<int64_t> candidates;
    for (const auto& f : files) candidates.push_back(f.version);
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (int64_t v : candidates) {
      auto s = SnapshotAt(v);
      if (s.ok()) {
        at_cutoff = std::move(s);
        break;
      }
    }
  }
  if (at_cutoff.ok()) {
    for (const auto& f : (*at_cutoff)->files()) {
      PLINTH_ASSIGN_OR_RETURN(std::string p, f.DecodedPath());
      keep.insert(p);
    }
    from_version = (*at_cutoff)->version() + 1;
  } else if (!absl::IsNotFound(at_cutoff.status())) {
    return at_cutoff.status();
  }
  for (const auto& f : latest->files()) {
    PLINTH_ASSIGN_OR_RETURN(std::string p, f.DecodedPath());
    keep.insert(p);
  }
  for (int64_t v = from_version; v <= latest->version(); ++v) {
    auto read = ReadCommit(*log_, v);
    if (absl::IsNotFound(read.status())) continue;
    PLINTH_ASSIGN_OR_RETURN(auto actions, std::move(read));
    for (const auto& a : actions) {
      if (const auto* add = std::get_if<AddFile>(&a)) {
        PLINTH_ASSIGN_OR_RETURN(std::string p, add->DecodedPath());
        keep.insert(p);
      }
    }
  }
  VacuumResult out;
  out.dry_run = dry_run;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path root(options_.root);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it->is_directory()) {
      // Delta's own and hidden directories are never touched.
      if (!name.empty() && (name[0] == '_' || name[0] == '.') && name.find('=') == std::string::npos) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!it->is_regular_file() || name.empty() || name[0] == '.' || name[0] == '_') continue;
    std::string rel = p.lexically_relative(root).string();
    if (keep.count(rel)) continue;
    auto mtime = fs::last_write_time(p, ec);
    if (ec) continue;
    auto since_epoch = std::chrono::duration_cast<std::chrono::microseconds>(
        mtime - fs::file_time_type::clock::now() + std::chrono::system_clock::now().time_since_epoch());
    if (since_epoch.count() > cutoff) continue;  // recent: maybe an uncommitted write in progress
    int64_t size = static_cast<int64_t>(it->file_size(ec));
    out.deleted.push_back(rel);
    out.bytes += size;
  }
  std::sort(out.deleted.begin(), out.deleted.end());
  if (!dry_run) {
    for (const auto& rel : out.deleted) fs::remove(root / rel, ec);
    // Drop partition directories left empty.
    std::vector<fs::path> dirs;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory() && it->path().filename().string().find('=') != std::string::npos) dirs.push_back(it->path());
    }
    std::sort(dirs.rbegin(), dirs.rend());
    for (const auto& d : dirs) {
      if (fs::is_empty(d, ec)) fs::remove(d, ec);
    }
  }
  return out;
}

}  // namespace plinth::delta
