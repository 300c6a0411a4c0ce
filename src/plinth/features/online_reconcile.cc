#include "plinth/features/online_reconcile.h"

#include <functional>
#include <memory>

#include <absl/container/flat_hash_set.h>

#include "plinth/features/newest_rows.h"
#include "plinth/features/online_record.h"

namespace plinth::features {

namespace {

constexpr int kMaxParts = 1 << 12;
constexpr int kMaxRaces = 10;
// Commits a catch-up reads; more and the pass starts over from the new version.
constexpr int64_t kMaxCatchUpCommits = 10000;
// A catch-up row wins a full tie with a snapshot row: its file came later.
constexpr uint64_t kCatchUpPos = uint64_t{1} << 63;

enum class PassOutcome { kDone, kTooMany, kRaced };

// Whether a commit between `base` and `later` removed one of base's files with dataChange (a
// delete, a rewrite; not a compaction). The removes are the later snapshot's tombstones: the
// commits Advance already replayed are not read a second time (under the writer's lock).
bool DataRemovedSince(const delta::Snapshot& base, const delta::Snapshot& later) {
  for (const delta::RemoveFile& t : later.tombstones()) {
    if (t.data_change && base.FindFile(t.path) != nullptr) return true;
  }
  return false;
}

class Reconciler {
 public:
  Reconciler(const ViewPlan& view, delta::DeltaTable& table, const std::vector<delta::AddFile>* removed,
             OnlineWriter& writer, const ReconcileOptions& options)
      : view_(view),
        table_(table),
        removed_(removed),
        writer_(writer),
        options_(options),
        max_entities_(std::max<size_t>(1, options.max_pass_entities)),
        reducer_(view),
        pool_(std::max(1, options.threads)) {}

  absl::StatusOr<ReconcileResult> Run(const delta::Snapshot& snapshot) {
    const delta::Snapshot* base = &snapshot;
    std::unique_ptr<delta::Snapshot> advanced;  // owns `base` once a race moved it
    int parts = 1, races = 0;
    for (int p = 0; p < parts;) {
      std::unique_ptr<delta::Snapshot> next;
      PLINTH_ASSIGN_OR_RETURN(PassOutcome outcome, Pass(*base, p, parts, &next));
      if (outcome == PassOutcome::kDone) {
        ++result_.passes;
        ++p;
        continue;
      }
      ++result_.restarts;
      if (outcome == PassOutcome::kTooMany) {
        if (parts >= kMaxParts) {
          return absl::ResourceExhaustedError(StrCat("feature view '", view_.def.name, "': more than ",
                                                     kMaxParts * max_entities_, " entities to reconcile"));
        }
        parts *= 4;
        p = 0;  // the finer split starts over; passes already done are redone harmlessly
        continue;
      }
      if (++races > kMaxRaces) {
        return absl::AbortedError(StrCat("feature view '", view_.def.name, "': the source table kept removing rows while ",
                                         "the online store was reconciled (", kMaxRaces, " attempts); run it again"));
      }
      advanced = std::move(next);
      base = advanced.get();
    }
    return result_;
  }

 private:
  bool InPart(std::string_view key, int p, int parts) const {
    return parts == 1 || std::hash<std::string_view>{}(key) % static_cast<size_t>(parts) == static_cast<size_t>(p);
  }

  // Reduces `units` of `snapshot` for the kept keys into one map; false when a task's map
  // outgrew its share of the entities a pass may hold.
  absl::StatusOr<bool> Reduce(const delta::Snapshot& snapshot, const std::vector<ScanUnit>& units,
                              const NewestRowReducer::KeepFn& keep, NewestMap* out) {
    std::vector<NewestMap> maps(static_cast<size_t>(pool_.threads()));
    std::vector<NewestRowReducer::Counts> counts(maps.size());
    const size_t per_task = std::max<size_t>(1, max_entities_ / maps.size());
    absl::Status s = reducer_.Reduce(snapshot, units, pool_, &maps, &counts, keep, [&](NewestMap& map) -> absl::Status {
      if (map.size() > per_task) return absl::ResourceExhaustedError("too many entities for one pass");
      return absl::OkStatus();
    });
    for (const auto& c : counts) result_.rows_scanned += c.scanned;
    if (absl::IsResourceExhausted(s)) return false;
    PLINTH_RETURN_IF_ERROR(s);
    MergeNewest(maps);
    *out = std::move(maps[0]);
    return out->size() <= max_entities_;
  }

  absl::StatusOr<PassOutcome> Pass(const delta::Snapshot& base, int p, int parts,
                                   std::unique_ptr<delta::Snapshot>* advanced) {
    // 1. The entities of this pass.
    absl::flat_hash_set<std::string> keys;
    if (removed_ != nullptr) {
      bool too_many = false;
      PLINTH_RETURN_IF_ERROR(reducer_.CollectKeys(base, *removed_, [&](std::string_view key) {
        if (too_many || !InPart(key, p, parts)) return;
        keys.emplace(key);
        too_many = keys.size() > max_entities_;
      }));
      if (too_many) return PassOutcome::kTooMany;
      if (keys.empty()) return PassOutcome::kDone;
    }
    NewestRowReducer::KeepFn keep = [&](std::string_view key) {
      return InPart(key, p, parts) && (removed_ == nullptr || keys.contains(absl::string_view(key.data(), key.size())));
    };
    // 2. Their newest rows in the snapshot.
    if (units_version_ != base.version()) {  // the footers are read once per version, not per pass
      PLINTH_ASSIGN_OR_RETURN(units_, ListScanUnits(view_.table_path, base));
      units_version_ = base.version();
    }
    NewestMap newest;
    PLINTH_ASSIGN_OR_RETURN(bool fits, Reduce(base, units_, keep, &newest));
    if (!fits) return PassOutcome::kTooMany;

    // 3. Without the lock: rows that supersede their entity's record (or that have none) are
    // written newer-wins, slice by slice between pushes; a push landing meanwhile is newer and
    // stays. The records left to replace by an older row or to delete are compared again under
    // the lock (4), as are the entities the catch-up touches.
    absl::flat_hash_set<std::string> recheck;
    PLINTH_RETURN_IF_ERROR(WriteForward(newest, &recheck));
    PLINTH_RETURN_IF_ERROR(CollectGone(newest, keys, p, parts, &recheck));

    PassOutcome outcome = PassOutcome::kDone;
    if (options_.before_lock) options_.before_lock();
    PLINTH_RETURN_IF_ERROR(writer_.Exclusive([&](kv::OnlineStore& store) -> absl::Status {
      // 4. Catch up with the commits made since (pushes).
      PLINTH_ASSIGN_OR_RETURN(*advanced, table_.AdvanceSnapshot(base));
      if (*advanced != nullptr) {
        // A commit in between that removed data (a delete) may have removed rows this pass
        // read: start it over from the new version. So do too many commits.
        if ((*advanced)->version() - base.version() > kMaxCatchUpCommits || DataRemovedSince(base, **advanced)) {
          outcome = PassOutcome::kRaced;
          return absl::OkStatus();
        }
        const auto& files = (*advanced)->files();
        PLINTH_ASSIGN_OR_RETURN(
            std::vector<ScanUnit> added,
            ListScanUnits(view_.table_path, **advanced, [&](size_t f) { return base.FindFile(files[f].path) == nullptr; }));
        std::vector<NewestMap> both(2);
        PLINTH_ASSIGN_OR_RETURN(bool later_fits, Reduce(**advanced, added, keep, &both[1]));
        if (!later_fits) return absl::ResourceExhaustedError("too many entities appended during reconciliation");
        for (auto& [k, row] : both[1]) {
          row.pos |= kCatchUpPos;
          recheck.insert(StrCat(view_.key_prefix, k));
        }
        both[0] = std::move(newest);
        MergeNewest(both);
        newest = std::move(both[0]);
      }
      // 5. Replace what still differs, delete what has no row left.
      return Apply(store, newest, recheck);
    }));
    if (outcome == PassOutcome::kDone) {
      PLINTH_RETURN_IF_ERROR(writer_.store().Flush());
      result_.entities += static_cast<int64_t>(removed_ != nullptr ? keys.size() : newest.size());
    }
    return outcome;
  }

  // Compares each entity's record with its newest row (no lock held): a row that supersedes
  // the record, or an entity without one, is written through WriteLatest; a record newer than
  // the row (its row was deleted, or a push came in) goes to `recheck`.
  absl::Status WriteForward(const NewestMap& newest, absl::flat_hash_set<std::string>* recheck) {
    constexpr size_t kChunk = 65536;
    std::vector<std::string> full_keys;
    std::vector<const NewestRow*> rows;
    std::vector<PendingRow> pending;
    auto run = [&]() -> absl::Status {
      std::vector<std::string_view> views(full_keys.begin(), full_keys.end());
      PLINTH_RETURN_IF_ERROR(writer_.store().MultiGetVisit(views, [&](size_t i, std::optional<std::string_view> v) {
        const NewestRow& row = *rows[i];
        if (v && *v == row.record) return;
        absl::StatusOr<RecordHeader> stored = v ? DecodeRecordHeader(*v) : absl::StatusOr<RecordHeader>(RecordHeader{});
        if (!v || !stored.ok() || Supersedes(row.event, row.created, *stored)) {
          pending.push_back({full_keys[i], row.record, row.event, row.created});
        } else {
          recheck->insert(full_keys[i]);
        }
      }));
      PLINTH_ASSIGN_OR_RETURN(int64_t written, writer_.WriteLatest(pending, kv::Durability::kUnlogged));
      result_.rows_written += written;
      full_keys.clear();
      rows.clear();
      pending.clear();
      return absl::OkStatus();
    };
    for (const auto& [k, row] : newest) {
      full_keys.push_back(StrCat(view_.key_prefix, k));
      rows.push_back(&row);
      if (full_keys.size() == kChunk) PLINTH_RETURN_IF_ERROR(run());
    }
    return full_keys.empty() ? absl::OkStatus() : run();
  }

  // Entities that may hold a record but have no row left (no lock held: a record written
  // meanwhile comes from a row of the snapshot, so its entity is in `newest`, or from a later
  // commit, which the catch-up rechecks).
  absl::Status CollectGone(const NewestMap& newest, const absl::flat_hash_set<std::string>& keys, int p, int parts,
                           absl::flat_hash_set<std::string>* recheck) {
    const std::string& prefix = view_.key_prefix;
    if (removed_ != nullptr) {
      for (const std::string& k : keys) {
        if (!newest.contains(k)) recheck->insert(StrCat(prefix, k));
      }
      return absl::OkStatus();
    }
    return writer_.store().ScanPrefix(prefix, [&](std::string_view key, std::string_view) {
      std::string_view suffix = key.substr(prefix.size());
      if (InPart(suffix, p, parts) && !newest.contains(absl::string_view(suffix.data(), suffix.size()))) {
        recheck->emplace(key);
      }
      return true;
    });
  }

  // Under the writer's lock: makes each rechecked record equal its entity's newest row, or
  // deletes it when the entity has none.
  absl::Status Apply(kv::OnlineStore& store, const NewestMap& newest, const absl::flat_hash_set<std::string>& recheck) {
    const size_t prefix = view_.key_prefix.size();
    std::vector<std::string_view> views(recheck.begin(), recheck.end());
    kv::WriteBatch batch;
    PLINTH_RETURN_IF_ERROR(store.MultiGetVisit(views, [&](size_t i, std::optional<std::string_view> v) {
      std::string_view suffix = views[i].substr(prefix);
      auto it = newest.find(absl::string_view(suffix.data(), suffix.size()));
      if (it == newest.end()) {
        if (!v) return;
        batch.Delete(views[i]);
        ++result_.rows_deleted;
      } else if (!v || *v != it->second.record) {
        batch.Put(views[i], it->second.record);
        ++result_.rows_written;
      }
    }));
    return batch.empty() ? absl::OkStatus() : store.Write(batch, {.durability = kv::Durability::kUnlogged});
  }

  const ViewPlan& view_;
  delta::DeltaTable& table_;
  const std::vector<delta::AddFile>* removed_;
  OnlineWriter& writer_;
  const ReconcileOptions& options_;
  const size_t max_entities_;  // per pass (keys and newest rows, about 100-300 bytes each)
  NewestRowReducer reducer_;
  WorkerPool pool_;
  std::vector<ScanUnit> units_;  // of the snapshot at units_version_
  int64_t units_version_ = -1;
  ReconcileResult result_;
};

}  // namespace

absl::StatusOr<ReconcileResult> ReconcileOnline(const ViewPlan& view, delta::DeltaTable& table,
                                                const delta::Snapshot& snapshot,
                                                const std::vector<delta::AddFile>* removed, OnlineWriter& writer,
                                                const ReconcileOptions& options) {
  Reconciler reconciler(view, table, removed, writer, options);
  return reconciler.Run(snapshot);
}

}  // namespace plinth::features
