#include "plinth/features/push_commit.h"

#include <condition_variable>
#include <exception>
#include <vector>

#include "plinth/storage/delta/table.h"

namespace plinth::features {

struct PushCommitter::Member {
  columnar::RecordBatch batch;
  absl::Status status;  // set by the leader: kAborted when the batch's schema is stale
};

struct PushCommitter::Group {
  std::vector<Member*> members;  // arrival order; fixed once sealed
  int64_t rows = 0;
  bool sealed = false;  // its leader took it: no more members
  bool done = false;
  absl::Status status;  // the commit's error, for every member
  GroupCommit outcome;
};

struct PushCommitter::Table {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Group>> queue;  // guarded by mu; front: committing or next
  bool committing = false;                   // guarded by mu
};

absl::StatusOr<GroupCommit> PushCommitter::Append(const std::string& table_path, columnar::RecordBatch batch,
                                                  TableSnapshots& snapshots) {
  std::shared_ptr<Table> table;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Table>& entry = tables_[table_path];
    if (entry == nullptr) entry = std::make_shared<Table>();
    table = entry;
  }
  Member me{std::move(batch), absl::OkStatus()};
  std::unique_lock<std::mutex> lock(table->mu);
  auto& queue = table->queue;
  if (queue.empty() || queue.back()->sealed || queue.back()->rows + me.batch.num_rows > kMaxGroupRows) {
    queue.push_back(std::make_shared<Group>());
  }
  std::shared_ptr<Group> group = queue.back();
  group->members.push_back(&me);
  group->rows += me.batch.num_rows;
  while (!group->done) {
    if (!table->committing && queue.front() == group) {
      table->committing = true;
      group->sealed = true;
      lock.unlock();
      Lead(table_path, *group, snapshots);
      lock.lock();
      group->done = true;
      queue.pop_front();
      table->committing = false;
      table->cv.notify_all();
      break;
    }
    table->cv.wait(lock);
  }
  if (!group->status.ok()) return group->status;
  if (!me.status.ok()) return me.status;
  return group->outcome;
}

void PushCommitter::Lead(const std::string& table_path, Group& group, TableSnapshots& snapshots) {
  try {
    auto table = delta::DeltaTable::Open({.root = table_path});
    if (!table.ok()) {
      group.status = absl::FailedPreconditionError(
          StrCat("cannot open source table ", table_path, ": ", table.status().message()));
      return;
    }
    auto snapshot = snapshots.Latest(**table);
    if (!snapshot.ok()) {
      group.status = snapshot.status();
      return;
    }
    const columnar::Schema schema = delta::DeltaTable::ColumnarSchema(**snapshot);
    std::vector<Member*> writing;
    for (Member* m : group.members) {
      if (m->batch.schema != nullptr && *m->batch.schema == schema) {
        writing.push_back(m);
        group.outcome.rows += m->batch.num_rows;
      } else {
        m->status = absl::AbortedError(StrCat("the columns of ", table_path, " changed during the push"));
      }
    }
    group.outcome.pushes = static_cast<int>(writing.size());
    if (writing.empty()) return;
    size_t next = 0;
    delta::WriteOptions options;
    options.read_snapshot = snapshot->get();
    options.checkpoint = false;  // left to the caller, off the pushes' path
    auto written = (*table)->Write(
        [&](columnar::RecordBatch* out) -> absl::StatusOr<bool> {
          if (next == writing.size()) return false;
          *out = std::move(writing[next++]->batch);
          return true;
        },
        options);
    if (!written.ok()) {
      group.status = written.status();
      return;
    }
    group.outcome.version = written->version;
    group.outcome.attempts = written->attempts;
    group.outcome.checkpoint_due = delta::DeltaTable::CheckpointDue((*snapshot)->metadata(), written->version);
  } catch (const std::exception& e) {
    group.status = absl::InternalError(StrCat("push commit to ", table_path, ": ", e.what()));
  }
}

}  // namespace plinth::features
