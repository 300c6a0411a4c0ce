// PushCommitter: group commit of concurrent pushes to one Delta table.
//
// Each push used to be its own Delta commit: one data file, one log entry and their fsyncs.
// Concurrent pushes to one view then queued behind each other's fsyncs and raced for the next
// version, so a view took a few hundred pushes a second and left as many small files. Here a
// push that arrives while a commit of its table is running joins the next group; when that
// commit ends, the first push of the group leads it: it writes every member's batch, in
// arrival order, as one data file and one Delta version, and hands the outcome to all of them.
// A push alone pays exactly what it paid before; under load, pushes share the fsyncs.
//
// Each push brings the table handle and snapshot it built its batch from; the leader commits on
// the newest of them (no second log probe on the push's path). A member whose batch was built
// for other columns than that snapshot's gets kAborted, with nothing written for it; a schema
// change committed after the snapshot fails the whole group with kAborted (Delta's conflict
// check), nothing of it committed. Callers rebuild and retry on kAborted.
// Thread-safety: safe for concurrent use; tables do not wait on each other.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

struct GroupCommit {
  int64_t version = -1;  // the Delta version holding the rows
  int attempts = 0;      // commit attempts (more than 1: another writer won a race, rebased)
  int pushes = 0;        // pushes in this commit (this one included)
  int64_t rows = 0;      // rows in this commit
  bool checkpoint_due = false;  // the table's checkpoint falls due at `version`
};

// A push's rows, ready to commit: a batch of `snapshot`'s columns, and the table to commit with.
struct PreparedPush {
  std::unique_ptr<delta::DeltaTable> table;
  std::shared_ptr<const delta::Snapshot> snapshot;
  columnar::RecordBatch batch;
};

class PushCommitter {
 public:
  // A group stops taking members past this many rows; later pushes start the next group.
  static constexpr int64_t kMaxGroupRows = 100000;

  // Appends the push's batch to the table at `table_path` in one commit, possibly shared with
  // concurrent pushes to it.
  absl::StatusOr<GroupCommit> Append(const std::string& table_path, PreparedPush push);

 private:
  struct Member;
  struct Group;
  struct Table;
  static void Lead(Group& group);

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Table>> tables_;  // guarded by mu_
};

}  // namespace plinth::features
