#include "plinth/features/materializer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <variant>

#include <absl/container/flat_hash_map.h>

#include "plinth/base/stopwatch.h"
#include "plinth/base/time.h"
#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"
#include "plinth/features/newest_rows.h"
#include "plinth/features/online_reconcile.h"
#include "plinth/features/scan_units.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;

namespace {

struct ViewState {
  int64_t view_version = 0;
  int64_t table_version = -1;
};

absl::StatusOr<std::optional<ViewState>> LoadState(storage::MetaStore& meta, const std::string& view) {
  std::optional<ViewState> out;
  PLINTH_RETURN_IF_ERROR(meta.Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT view_version, table_version FROM feature_view_state "
                                                    "WHERE view_name = ?",
                                                    {view}));
    if (!rows.empty()) out = ViewState{rows[0].Int(0), rows[0].Int(1)};
    return absl::OkStatus();
  }));
  return out;
}

absl::Status SaveState(storage::MetaStore& meta, const std::string& view, const ViewState& state, int64_t rows, int64_t now) {
  return meta.Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM feature_view_state WHERE view_name = ?", {view}).status());
    return txn
        .Exec("INSERT INTO feature_view_state (view_name, view_version, table_version, rows_written, updated_at) "
              "VALUES (?, ?, ?, ?, ?)",
              {view, state.view_version, state.table_version, rows, now})
        .status();
  });
}

// Entities reduced in memory before they are written (about 100-200 bytes each).
constexpr size_t kMaxPendingEntities = size_t{1} << 20;
// Commits an incremental run reads, one at a time, to find compactions and deletes (a pushed
// table makes one per push; more, or commits gone to log cleanup: the run reads every file and
// reconciles every entity).
constexpr int64_t kMaxCommitsWalked = 100000;

std::string Quoted(const std::string& column) { return StrCat("\"", column, "\""); }

// One commit of an incremental run's walk: files that a compaction wrote out of files already
// loaded hold no new rows, so they join `loaded` and are not read again. A compaction is a
// commit whose adds and removes all carry dataChange=false (OPTIMIZE); one that also rewrote
// files not yet loaded (appended since) is read - reading a row twice is harmless, only slower.
void SkipCompactedFiles(const std::vector<delta::Action>& actions, std::set<std::string>* loaded) {
  bool compaction = true, inputs_loaded = true;
  std::vector<const std::string*> outputs;
  for (const delta::Action& a : actions) {
    if (const auto* add = std::get_if<delta::AddFile>(&a)) {
      compaction = compaction && !add->data_change;
      outputs.push_back(&add->path);
    } else if (const auto* remove = std::get_if<delta::RemoveFile>(&a)) {
      compaction = compaction && !remove->data_change;
      inputs_loaded = inputs_loaded && loaded->count(remove->path) > 0;
    }
  }
  if (!compaction || !inputs_loaded) return;
  for (const std::string* path : outputs) loaded->insert(*path);
}

// Reads the commits after `old` up to `to` one at a time (SkipCompactedFiles on each) and
// returns the data files they removed with dataChange=true (deletes, merges, overwrites) as
// they were added (from `old` or an earlier commit, statistics dropped); nullopt when one is not
// found. NotFound when a commit is gone (log cleanup).
absl::StatusOr<std::optional<std::vector<delta::AddFile>>> WalkCommits(delta::DeltaTable& table, const delta::Snapshot& old,
                                                                       int64_t to, std::set<std::string>* loaded) {
  std::map<std::string, delta::AddFile> added;  // by the commits walked
  std::vector<delta::AddFile> removed;
  bool unknown = false;
  for (int64_t v = old.version() + 1; v <= to; ++v) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<delta::Action> actions, table.CommitActions(v));
    SkipCompactedFiles(actions, loaded);
    for (delta::Action& a : actions) {
      if (auto* add = std::get_if<delta::AddFile>(&a)) {
        add->stats.reset();
        std::string path = add->path;
        added.insert_or_assign(std::move(path), std::move(*add));
      } else if (const auto* remove = std::get_if<delta::RemoveFile>(&a); remove != nullptr && remove->data_change) {
        if (auto it = added.find(remove->path); it != added.end()) {
          removed.push_back(it->second);
        } else if (const delta::AddFile* o = old.FindFile(remove->path)) {
          removed.push_back(*o);
        } else {
          unknown = true;
        }
      }
    }
  }
  if (unknown) return std::nullopt;
  return removed;
}

bool AllExist(const std::string& root, const std::vector<delta::AddFile>& files) {
  for (const delta::AddFile& f : files) {
    auto rel = f.DecodedPath();
    std::error_code ec;
    if (!rel.ok() || !std::filesystem::exists(StrCat(root, "/", *rel), ec)) return false;
  }
  return true;
}

}  // namespace

Json MaterializeResult::ToJson() const {
  return {{"view", view},
          {"mode", mode},
          {"from_table_version", from_table_version < 0 ? Json(nullptr) : Json(from_table_version)},
          {"to_table_version", to_table_version},
          {"files", files},
          {"rows_scanned", rows_scanned},
          {"rows_skipped", rows_skipped},
          {"rows_written", rows_written},
          {"rows_deleted", rows_deleted},
          {"reconciled", reconciled ? Json{{"entities", reconciled->entities},
                                           {"passes", reconciled->passes},
                                           {"restarts", reconciled->restarts}}
                                    : Json(nullptr)},
          {"seconds", seconds}};
}

absl::StatusOr<MaterializeResult> Materializer::Run(const ViewPlan& view, const MaterializeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  MaterializeResult result;
  result.view = view.def.name;
  const bool window = options.start.has_value() || options.end.has_value();
  if (window && options.full) return absl::InvalidArgumentError("give either a start/end window or full, not both");
  if (options.start && options.end && *options.start >= *options.end) {
    return absl::InvalidArgumentError("the window's start must be before its end");
  }
  result.mode = window ? "window" : options.full ? "full" : "incremental";

  auto table = delta::DeltaTable::Open({.root = view.table_path});
  if (!table.ok()) {
    return absl::FailedPreconditionError(
        StrCat("feature view '", view.def.name, "': cannot open source table ", view.table_path, ": ", table.status().message()));
  }
  PLINTH_ASSIGN_OR_RETURN(auto snapshot, (*table)->LatestSnapshot());
  result.to_table_version = snapshot->version();
  const int threads = std::max(1, options.threads);

  // Which files: everything, or those added since the recorded version; and whether rows were
  // deleted since (their entities are reconciled after the load), or whether that cannot be
  // known (every entity is).
  std::set<std::string> already_loaded;
  std::optional<std::vector<delta::AddFile>> removed;  // set: reconcile these files' entities
  bool reconcile_all = options.full;
  if (result.mode == "incremental") {
    PLINTH_ASSIGN_OR_RETURN(auto state, LoadState(*options_.meta, view.def.name));
    if (state && state->view_version == view.version && state->table_version >= 0 &&
        state->table_version <= snapshot->version()) {
      result.from_table_version = state->table_version;
      auto old = (*table)->SnapshotAt(state->table_version);
      absl::StatusOr<std::optional<std::vector<delta::AddFile>>> walked = absl::OutOfRangeError("too many commits");
      if (old.ok() && snapshot->version() - state->table_version <= kMaxCommitsWalked) {
        for (const auto& f : (*old)->files()) already_loaded.insert(f.path);
        walked = WalkCommits(**table, **old, snapshot->version(), &already_loaded);
      }
      if (walked.ok()) {
        removed = std::move(*walked);
        // A removed file already gone (vacuum): its entities are unknown, so all are reconciled.
        reconcile_all = !removed.has_value() || !AllExist(view.table_path, *removed);
        if (removed && removed->empty()) removed.reset();
      } else {
        // The old version or the commits since are gone (log cleanup), or too many to read:
        // every file is read and every entity reconciled.
        result.from_table_version = -1;
        reconcile_all = true;
      }
    }
  }
  if (reconcile_all) {
    PLINTH_ASSIGN_OR_RETURN(ReconcileResult r,
                            ReconcileOnline(view, **table, *snapshot, nullptr, *options_.writer, {.threads = threads}));
    result.reconciled = r;
    result.files = static_cast<int64_t>(snapshot->files().size());
  } else {
    PLINTH_RETURN_IF_ERROR(Load(view, *snapshot, already_loaded, options, &result));
    if (removed) {
      auto r = ReconcileOnline(view, **table, *snapshot, &*removed, *options_.writer, {.threads = threads});
      // Vacuumed since the check above.
      if (absl::IsNotFound(r.status())) r = ReconcileOnline(view, **table, *snapshot, nullptr, *options_.writer, {.threads = threads});
      PLINTH_RETURN_IF_ERROR(r.status());
      result.reconciled = *r;
    }
  }
  if (result.reconciled) {
    result.rows_scanned += result.reconciled->rows_scanned;
    result.rows_written += result.reconciled->rows_written;
    result.rows_deleted = result.reconciled->rows_deleted;
  }
  PLINTH_RETURN_IF_ERROR(options_.writer->store().Flush());
  if (!window) {
    PLINTH_RETURN_IF_ERROR(SaveState(*options_.meta, view.def.name, {view.version, snapshot->version()}, result.rows_written,
                                     options_.clock->NowMicros()));
  }
  result.seconds = SecondsSince(started);
  return result;
}

absl::Status Materializer::Load(const ViewPlan& view, const delta::Snapshot& snapshot,
                                const std::set<std::string>& already_loaded, const MaterializeOptions& options,
                                MaterializeResult* result) {
  std::string where;
  if (result->mode == "window") {
    std::vector<std::string> terms;
    const std::string ts = Quoted(view.source.event_timestamp_column);
    if (options.start) terms.push_back(StrCat(ts, " >= '", FormatTimestamp(*options.start), "'"));
    if (options.end) terms.push_back(StrCat(ts, " < '", FormatTimestamp(*options.end), "'"));
    where = StrJoin(terms, " AND ");
  }
  NewestRowReducer reducer(view, where);
  const auto& files = snapshot.files();
  PLINTH_ASSIGN_OR_RETURN(std::vector<ScanUnit> units,
                          ListScanUnits(view.table_path, snapshot,
                                        [&](size_t f) { return already_loaded.count(files[f].path) == 0; }));
  {
    std::set<uint32_t> distinct_files;
    for (const ScanUnit& u : units) distinct_files.insert(u.file);
    result->files = static_cast<int64_t>(distinct_files.size());
  }

  // The newest row per entity seen so far, one map per thread over the row groups it reads.
  // The maps are merged and written through OnlineWriter (which compares with what the store
  // holds) at the end, or a map alone when it reaches its share of kMaxPendingEntities: memory
  // is bounded by entities, not by rows.
  WorkerPool pool(std::max(1, options.threads));
  const size_t per_task_limit = std::max<size_t>(1, kMaxPendingEntities / static_cast<size_t>(pool.threads()));
  std::vector<NewestMap> best(static_cast<size_t>(pool.threads()));
  std::vector<NewestRowReducer::Counts> counts(best.size());
  std::mutex flush_mu;  // one flush at a time, so the result's counters stay consistent
  auto flush = [&](NewestMap& map) -> absl::Status {
    if (map.empty()) return absl::OkStatus();
    std::vector<PendingRow> pending;
    pending.reserve(map.size());
    for (auto& [suffix, b] : map) pending.push_back({StrCat(view.key_prefix, suffix), std::move(b.record), b.event, b.created});
    map = NewestMap();
    std::lock_guard<std::mutex> lock(flush_mu);
    PLINTH_ASSIGN_OR_RETURN(int64_t written, options_.writer->WriteLatest(pending, kv::Durability::kUnlogged));
    result->rows_written += written;
    return absl::OkStatus();
  };
  PLINTH_RETURN_IF_ERROR(reducer.Reduce(snapshot, units, pool, &best, &counts, {}, [&](NewestMap& map) -> absl::Status {
    return map.size() >= per_task_limit ? flush(map) : absl::OkStatus();
  }));
  for (const auto& c : counts) {
    result->rows_scanned += c.scanned;
    result->rows_skipped += c.skipped;
  }
  MergeNewest(best);
  return flush(best[0]);
}

}  // namespace plinth::features
