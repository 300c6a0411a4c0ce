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
// A member whose batch was built for another schema than the table has now (a schema change
// raced the push) gets kAborted, with nothing written for it, and is rebuilt by the caller.
// A failed commit fails every member of its group; nothing of the group is committed then.
// Thread-safety: safe for concurrent use; tables do not wait on each other.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "plinth/base/status.h"
#include "plinth/features/table_snapshots.h"
#include "plinth/storage/columnar/record_batch.h"

namespace plinth::features {

struct GroupCommit {
  int64_t version = -1;  // the Delta version holding the rows
  int attempts = 0;      // commit attempts (more than 1: another writer won a race, rebased)
  int pushes = 0;        // pushes in this commit (this one included)
  int64_t rows = 0;      // rows in this commit
  bool checkpoint_due = false;  // the table's checkpoint falls due at `version`
};

class PushCommitter {
 public:
  // A group stops taking members past this many rows; later pushes start the next group.
  static constexpr int64_t kMaxGroupRows = 100000;

  // Appends `batch` (built for the table's current columns) to the table at `table_path` in
  // one commit, possibly shared with concurrent pushes. `snapshots` supplies the table's latest
  // snapshot to the commit's leader.
  absl::StatusOr<GroupCommit> Append(const std::string& table_path, columnar::RecordBatch batch, TableSnapshots& snapshots);

 private:
  struct Member;
  struct Group;
  struct Table;
  static void Lead(const std::string& table_path, Group& group, TableSnapshots& snapshots);

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Table>> tables_;  // guarded by mu_
};

}  // namespace plinth::features
