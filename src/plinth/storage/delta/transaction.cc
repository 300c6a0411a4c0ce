#include "plinth/storage/delta/transaction.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "plinth/base/random.h"
#include "plinth/storage/delta/table_features.h"

namespace plinth::delta {

namespace {

std::string NewTxnId() {
  std::string h = RandomHex(16);
  return StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-", h.substr(16, 4), "-", h.substr(20));
}

void Backoff(int attempt, int64_t max_micros) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t cap = std::min<int64_t>(max_micros, 200 * static_cast<int64_t>(attempt));
  if (cap <= 0) return;
  std::uniform_int_distribution<int64_t> dist(0, cap);
  std::this_thread::sleep_for(std::chrono::microseconds(dist(rng)));
}

std::string Describe(const PartitionValues& pv) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : pv) parts.push_back(StrCat(k, "=", v ? *v : std::string("null")));
  return parts.empty() ? std::string("(unpartitioned)") : StrJoin(parts, "/");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Start(const Snapshot& snapshot, Options options) {
  if (options.log_store == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("Transaction needs a log store and a clock");
  }
  PLINTH_RETURN_IF_ERROR(CheckWriteSupported(snapshot.protocol(), snapshot.metadata(), snapshot.schema()));
  std::unique_ptr<Transaction> t(new Transaction(std::move(options)));
  t->read_version_ = snapshot.version();
  t->snapshot_version_ = snapshot.version();
  t->read_protocol_ = snapshot.protocol();
  t->read_metadata_ = snapshot.metadata();
  t->snapshot_apps_ = snapshot.app_transactions();
  return t;
}

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::StartCreate(Options options) {
  if (options.log_store == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("Transaction needs a log store and a clock");
  }
  if (options.operation == "WRITE") options.operation = "CREATE TABLE";
  return std::unique_ptr<Transaction>(new Transaction(std::move(options)));
}

void Transaction::Add(AddFile add) { adds_.push_back(std::move(add)); }
void Transaction::Remove(RemoveFile remove) { removes_.push_back(std::move(remove)); }
void Transaction::SetMetadata(Metadata metadata) { new_metadata_ = std::move(metadata); }
void Transaction::SetProtocol(Protocol protocol) { new_protocol_ = std::move(protocol); }
void Transaction::AddReadPartition(PartitionValues partition) { read_partitions_.push_back(std::move(partition)); }

void Transaction::SetAppTransaction(std::string app_id, int64_t version) {
  app_id_ = std::move(app_id);
  app_version_ = version;
}

RemoveFile Transaction::RemoveFor(const AddFile& file, int64_t deletion_timestamp_millis) {
  RemoveFile r;
  r.path = file.path;
  r.deletion_timestamp = deletion_timestamp_millis;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = file.partition_values;
  r.size = file.size;
  r.tags = file.tags;
  r.deletion_vector = file.deletion_vector;
  return r;
}

absl::Status Transaction::Validate() const {
  const std::optional<Protocol>& protocol = new_protocol_ ? new_protocol_ : read_protocol_;
  const std::optional<Metadata>& metadata = new_metadata_ ? new_metadata_ : read_metadata_;
  if (!protocol) return absl::FailedPreconditionError("creating a table needs a protocol (SetProtocol)");
  if (!metadata) return absl::FailedPreconditionError("creating a table needs metadata (SetMetadata)");
  if (metadata->id.empty()) return absl::InvalidArgumentError("metaData.id is empty");
  PLINTH_ASSIGN_OR_RETURN(DeltaSchema schema, DeltaSchema::Parse(metadata->schema_string));
  PLINTH_RETURN_IF_ERROR(CheckWriteSupported(*protocol, *metadata, schema));
  for (const std::string& col : metadata->partition_columns) {
    if (schema.Find(col) == nullptr) {
      return absl::InvalidArgumentError(StrCat("partition column '", col, "' is not in the schema"));
    }
  }
  if (IsAppendOnly(*metadata)) {
    for (const RemoveFile& r : removes_) {
      if (r.data_change) {
        return absl::FailedPreconditionError(
            StrCat("table is append-only (delta.appendOnly=true): cannot remove ", r.path));
      }
    }
  }
  for (const AddFile& a : adds_) {
    if (a.path.empty()) return absl::InvalidArgumentError("add.path is empty");
    bool keys_match = a.partition_values.size() == metadata->partition_columns.size();
    for (const std::string& col : metadata->partition_columns) keys_match = keys_match && a.partition_values.count(col);
    if (!keys_match) {
      return absl::InvalidArgumentError(StrCat("add ", a.path, ": partitionValues ", Describe(a.partition_values),
                                               " do not match the partition columns [",
                                               StrJoin(metadata->partition_columns, ", "), "]"));
    }
  }
  return absl::OkStatus();
}

std::string Transaction::CommitBytes() const {
  bool blind_append = !options_.reads_table && removes_.empty() && !new_metadata_ && !new_protocol_;
  Json info = {{"timestamp", options_.clock->NowMicros() / 1000},
               {"operation", options_.operation},
               {"operationParameters", options_.operation_parameters.is_object() ? options_.operation_parameters
                                                                                 : Json::object()}};
  if (options_.operation_metrics.is_object() && !options_.operation_metrics.empty()) {
    info["operationMetrics"] = options_.operation_metrics;
  }
  if (snapshot_version_ >= 0) info["readVersion"] = snapshot_version_;
  info["isolationLevel"] = "WriteSerializable";
  info["isBlindAppend"] = blind_append;
  info["engineInfo"] = std::string(kPlinthEngineInfo);
  info["txnId"] = NewTxnId();
  std::vector<Action> actions;
  actions.push_back(CommitInfo{std::move(info)});
  if (new_protocol_) actions.push_back(*new_protocol_);
  if (new_metadata_) actions.push_back(*new_metadata_);
  if (app_id_) actions.push_back(SetTransaction{*app_id_, app_version_, options_.clock->NowMicros() / 1000});
  for (const RemoveFile& r : removes_) actions.push_back(r);
  for (const AddFile& a : adds_) actions.push_back(a);
  return SerializeCommit(actions);
}

bool Transaction::Touches(const PartitionValues& pv) const {
  const std::optional<Metadata>& metadata = new_metadata_ ? new_metadata_ : read_metadata_;
  if (metadata->partition_columns.empty()) return true;
  bool any_touched = !read_partitions_.empty() || !adds_.empty() || !removes_.empty();
  if (!any_touched) return true;
  for (const PartitionValues& p : read_partitions_) if (p == pv) return true;
  for (const AddFile& a : adds_) if (a.partition_values == pv) return true;
  for (const RemoveFile& r : removes_) if (!r.partition_values || *r.partition_values == pv) return true;
  return false;
}

absl::Status Transaction::CheckWinner(int64_t version, const std::vector<Action>& winner,
                                      bool* already_committed) const {
  auto abort = [&](std::string_view why) {
    return absl::AbortedError(StrCat("transaction (read version ", read_version_, ") conflicts with version ",
                                     version, " of ", options_.log_store->table_root(), ": ", why));
  };
  if (read_version_ < 0) return abort("the table was created concurrently");
  for (const Action& a : winner) {
    if (std::holds_alternative<Metadata>(a)) return abort("the table metadata changed concurrently");
    if (std::holds_alternative<Protocol>(a)) return abort("the table protocol changed concurrently");
    if (const auto* t = std::get_if<SetTransaction>(&a); t != nullptr && app_id_ && t->app_id == *app_id_) {
      if (t->version >= app_version_) {
        *already_committed = true;
        return absl::OkStatus();
      }
      return abort(StrCat("a concurrent transaction for application '", *app_id_, "' committed its version ",
                          t->version));
    }
  }
  // Isolation WriteSerializable (Delta's default, table property delta.isolationLevel): a
  // concurrent blind append is ordered after this transaction, so the files it added do not
  // invalidate what this one read; under Serializable, or when this transaction changes the
  // metadata (schema), they do.
  bool winner_blind_append = false;
  for (const Action& a : winner) {
    if (const auto* info = std::get_if<CommitInfo>(&a)) {
      auto it = info->raw.find("isBlindAppend");
      winner_blind_append = it != info->raw.end() && it->is_boolean() && it->get<bool>();
    }
  }
  const std::optional<Metadata>& metadata = new_metadata_ ? new_metadata_ : read_metadata_;
  auto isolation = metadata->configuration.find("delta.isolationLevel");
  const bool serializable = isolation != metadata->configuration.end() && isolation->second == "Serializable";
  const bool appends_conflict = !winner_blind_append || serializable || new_metadata_.has_value();
  for (const Action& a : winner) {
    if (const auto* r = std::get_if<RemoveFile>(&a)) {
      std::string key = r->ReplayKey();
      for (const RemoveFile& mine : removes_) {
        if (mine.ReplayKey() == key) return abort(StrCat("concurrent delete: file ", r->path, " was removed by both"));
      }
      if (options_.reads_table && r->data_change && Touches(r->partition_values.value_or(PartitionValues{}))) {
        return abort(StrCat("concurrent delete: file ", r->path, " that this transaction may have read was removed"));
      }
    }
    if (const auto* add = std::get_if<AddFile>(&a)) {
      if (options_.reads_table && appends_conflict && add->data_change && Touches(add->partition_values)) {
        return abort(StrCat("concurrent append: file ", add->path, " in partition ", Describe(add->partition_values),
                            " was added after this transaction read the table"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CommitResult> Transaction::Commit() {
  if (committed_) return absl::FailedPreconditionError("transaction was already committed");
  committed_ = true;
  CommitResult result;
  if (app_id_) {
    auto it = snapshot_apps_.find(*app_id_);
    if (it != snapshot_apps_.end() && it->second >= app_version_) {
      result.version = read_version_;
      result.already_committed = true;
      return result;
    }
  }
  PLINTH_RETURN_IF_ERROR(Validate());
  LogStore& store = *options_.log_store;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    int64_t version = read_version_ + 1;
    result.attempts = attempt;
    absl::Status st = store.PutIfAbsent(version, CommitBytes(), options_.before_publish);
    if (st.ok()) {
      result.version = version;
      return result;
    }
    if (!absl::IsAlreadyExists(st)) return st;
    // Lost the race: check every commit that won since our read version, then rebase.
    for (int64_t v = version;; ++v) {
      absl::StatusOr<std::vector<Action>> winner = ReadCommit(store, v);
      if (absl::IsNotFound(winner.status())) break;
      if (!winner.ok()) return winner.status();
      bool already = false;
      PLINTH_RETURN_IF_ERROR(CheckWinner(v, *winner, &already));
      if (already) {
        result.version = v;
        result.already_committed = true;
        return result;
      }
      read_version_ = v;
    }
    Backoff(attempt, options_.max_backoff_micros);
  }
  return absl::AbortedError(StrCat("gave up committing to ", store.table_root(), " after ", options_.max_attempts,
                                   " attempts: too many concurrent commits"));
}

}  // namespace plinth::delta
