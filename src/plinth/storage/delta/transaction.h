// Transaction: an optimistic commit to a Delta table.
//
// A transaction starts from a snapshot (its read version), collects actions and Commit() writes
// them as version read+1 with LogStore::PutIfAbsent, preceded by an automatic commitInfo
// (timestamp, operation, operationParameters, readVersion, isBlindAppend, engineInfo
// "plinth/<version>", txnId). When another writer took that version first, the winning commits
// are checked for conflicts; Commit() returns Aborted (naming the winning version) when
//   - a winner changed metaData or protocol;
//   - a winner committed a txn for the same appId (an older app version - a newer or equal one
//     means this work is already committed, see below);
//   - a winner removed a file this transaction removes (concurrent delete);
//   - Options::reads_table is set (DELETE/UPDATE/MERGE/overwrite: the transaction read data to
//     decide what to write) and a winner added or deleted data in a partition this transaction
//     touched (its adds/removes and AddReadPartition), or anywhere when the table is
//     unpartitioned or no partition was touched (concurrent append / delete). Under the
//     default isolation level, WriteSerializable, a winner that is a blind append
//     (commitInfo.isBlindAppend, e.g. a feature push) does not conflict: it is ordered after
//     this transaction, whose rewrite then leaves its rows alone. With the table property
//     delta.isolationLevel=Serializable it does.
// Otherwise (e.g. blind appends) it rebases onto the newest version and retries, up to
// Options::max_attempts with a small randomized backoff.
//
// Idempotent writes: with SetAppTransaction(appId, v), when the snapshot or a winner already
// holds appId at version >= v, Commit() writes nothing and returns already_committed = true, so a
// retried job cannot commit twice.
//
// Thread-safety: a Transaction is used by one thread; any number of transactions (threads or
// processes) may commit to the same table concurrently.
// Ownership: Options::log_store and Options::clock are borrowed and must outlive the Transaction.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/log_store.h"
#include "plinth/storage/delta/snapshot.h"

namespace plinth::delta {

inline constexpr std::string_view kPlinthEngineInfo = "plinth/0.1.0";

struct CommitResult {
  int64_t version = -1;            // the version written (or, when already_committed, the
                                   // version of the snapshot/winner that holds the app txn)
  int attempts = 0;                // PutIfAbsent calls made
  bool already_committed = false;  // SetAppTransaction found this work committed; nothing written
};

class Transaction {
 public:
  struct Options {
    LogStore* log_store = nullptr;  // REQUIRES: non-null
    Clock* clock = Clock::Real();   // REQUIRES: non-null
    std::string operation = "WRITE";
    Json operation_parameters = Json::object();
    Json operation_metrics = Json::object();  // commitInfo.operationMetrics (values as strings)
    // The transaction read table data to decide what to write (see the header comment).
    bool reads_table = false;
    int max_attempts = 100;
    int64_t max_backoff_micros = 5000;
    // Called before the commit becomes visible (each attempt; see LogStore::PutIfAbsent):
    // waits for the added data files to be durable (DataFileWriter::DurableGate).
    PublishGate before_publish;
  };

  // Starts from `snapshot`; FailedPrecondition when Plinth cannot write this table
  // (table_features.h). The snapshot is not retained.
  static absl::StatusOr<std::unique_ptr<Transaction>> Start(const Snapshot& snapshot, Options options);
  // Starts a transaction that creates the table as version 0. REQUIRES before Commit:
  // SetMetadata and SetProtocol. Aborted when the table was created concurrently.
  static absl::StatusOr<std::unique_ptr<Transaction>> StartCreate(Options options);

  void Add(AddFile add);
  void Remove(RemoveFile remove);
  void SetMetadata(Metadata metadata);
  void SetProtocol(Protocol protocol);
  void SetAppTransaction(std::string app_id, int64_t version);
  // Declares a partition whose data this transaction read (for reads_table conflict checks).
  void AddReadPartition(PartitionValues partition);

  // Writes the commit; at most once per Transaction (then FailedPrecondition).
  absl::StatusOr<CommitResult> Commit();

  int64_t read_version() const { return read_version_; }

  // A remove action for an active file, deleted at `deletion_timestamp_millis`.
  static RemoveFile RemoveFor(const AddFile& file, int64_t deletion_timestamp_millis);

 private:
  explicit Transaction(Options options) : options_(std::move(options)) {}
  absl::Status Validate() const;
  std::string CommitBytes() const;
  // Checks one winning commit. OK: no conflict; sets *already_committed when it holds our app txn.
  absl::Status CheckWinner(int64_t version, const std::vector<Action>& winner, bool* already_committed) const;
  bool Touches(const PartitionValues& pv) const;

  Options options_;
  int64_t snapshot_version_ = -1;  // the version the caller read (commitInfo.readVersion)
  int64_t read_version_ = -1;      // the version the next attempt builds on (moves on rebase)
  std::optional<Protocol> read_protocol_;
  std::optional<Metadata> read_metadata_;
  std::vector<AddFile> adds_;
  std::vector<RemoveFile> removes_;
  std::optional<Metadata> new_metadata_;
  std::optional<Protocol> new_protocol_;
  std::optional<std::string> app_id_;
  int64_t app_version_ = 0;
  std::vector<PartitionValues> read_partitions_;
  std::map<std::string, int64_t> snapshot_apps_;  // the snapshot's app transactions
  bool committed_ = false;
};

}  // namespace plinth::delta
