#include "plinth/features/push_commit.h"

#include <condition_variable>
#include <exception>
#include <vector>

#include "plinth/storage/delta/table.h"

namespace plinth::features {

struct PushCommitter::Member {
  PreparedPush push;
  absl::Status status;  // set by the leader: kAborted when the batch's columns are stale
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

absl::StatusOr<GroupCommit> PushCommitter::Append(const std::string& table_path, PreparedPush push) {
  std::shared_ptr<Table> table;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Table>& entry = tables_[table_path];
    if (entry == nullptr) entry = std::make_shared<Table>();
    table = entry;
  }
  Member me{std::move(push), absl::OkStatus()};
  const int64_t rows = me.push.batch.num_rows;
  std::unique_lock<std::mutex> lock(table->mu);
  auto& queue = table->queue;
  if (queue.empty() || queue.back()->sealed || queue.back()->rows + rows > kMaxGroupRows) {
    queue.push_back(std::make_shared<Group>());
  }
  std::shared_ptr<Group> group = queue.back();
  group->members.push_back(&me);
  group->rows += rows;
  while (!group->done) {
    if (!table->committing && queue.front() == group) {
      table->committing = true;
      group->sealed = true;
      lock.unlock();
      Lead(*group);
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

void PushCommitter::Lead(Group& group) {
  try {
    // The newest snapshot any member read; commits made since are checked by the write.
    Member* base = group.members.front();
    for (Member* m : group.members) {
      if (m->push.snapshot->version() > base->push.snapshot->version()) base = m;
    }
    const columnar::Schema schema = delta::DeltaTable::ColumnarSchema(*base->push.snapshot);
    std::vector<Member*> writing;
    for (Member* m : group.members) {
      if (m->push.batch.schema != nullptr && *m->push.batch.schema == schema) {
        writing.push_back(m);
        group.outcome.rows += m->push.batch.num_rows;
      } else {
        m->status = absl::AbortedError(StrCat("the columns of ", base->push.table->root(), " changed during the push"));
      }
    }
    group.outcome.pushes = static_cast<int>(writing.size());
    if (writing.empty()) return;
    size_t next = 0;
    delta::WriteOptions options;
    options.read_snapshot = base->push.snapshot.get();
    options.checkpoint = false;  // left to the caller, off the pushes' path
    auto written = base->push.table->Write(
        [&](columnar::RecordBatch* out) -> absl::StatusOr<bool> {
          if (next == writing.size()) return false;
          *out = std::move(writing[next++]->push.batch);
          return true;
        },
        options);
    if (!written.ok()) {
      group.status = written.status();
      return;
    }
    group.outcome.version = written->version;
    group.outcome.attempts = written->attempts;
    group.outcome.checkpoint_due = delta::DeltaTable::CheckpointDue(base->push.snapshot->metadata(), written->version);
  } catch (const std::exception& e) {
    group.status = absl::InternalError(StrCat("push commit: ", e.what()));
  }
}

}  // namespace plinth::features
