#include "plinth/features/materializer.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <variant>

#include <absl/container/flat_hash_map.h>

#include "plinth/base/stopwatch.h"
#include "plinth/base/time.h"
#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"
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
// Commits an incremental run reads to find compacted files (more: it reads them again).
constexpr int64_t kMaxCommitsWalked = 2000;

std::string Quoted(const std::string& column) { return StrCat("\"", column, "\""); }

// An entity's newest row so far: its times, its scan position and its encoded record.
struct Best {
  int64_t event = 0;
  int64_t created = 0;
  uint64_t pos = 0;
  std::string record;
};
using BestMap = absl::flat_hash_map<std::string, Best>;

// Whether a row replaces `b`: newer by (event, created) as the online writer decides
// (Supersedes), and on a full tie the row later in scan order.
bool Beats(int64_t event, int64_t created, uint64_t pos, const Best& b) {
  if (event != b.event || created != b.created) return Supersedes(event, created, {0, b.event, b.created});
  return pos > b.pos;
}

// Files that compactions since `from_version` wrote out of files already loaded hold no new
// rows: they join `loaded`, and an incremental run does not read them again. A compaction is a
// commit whose adds and removes all carry dataChange=false (OPTIMIZE); one that also rewrote
// files not yet loaded (appended since) is read, as are all files when the commits in between
// are too many to walk or gone (log cleanup) - reading a row twice is harmless, only slower.
void SkipCompactedFiles(delta::DeltaTable& table, const delta::Snapshot& latest, int64_t from_version,
                        std::set<std::string>* loaded) {
  bool any_rewritten = false;
  for (const delta::AddFile& f : latest.files()) any_rewritten = any_rewritten || (!f.data_change && !loaded->count(f.path));
  if (!any_rewritten || latest.version() - from_version > kMaxCommitsWalked) return;
  for (int64_t v = from_version + 1; v <= latest.version(); ++v) {
    auto actions = table.CommitActions(v);
    if (!actions.ok()) return;
    bool compaction = true, inputs_loaded = true;
    std::vector<const std::string*> outputs;
    for (const delta::Action& a : *actions) {
      if (const auto* add = std::get_if<delta::AddFile>(&a)) {
        compaction = compaction && !add->data_change;
        outputs.push_back(&add->path);
      } else if (const auto* remove = std::get_if<delta::RemoveFile>(&a)) {
        compaction = compaction && !remove->data_change;
        inputs_loaded = inputs_loaded && loaded->count(remove->path) > 0;
      }
    }
    if (!compaction || !inputs_loaded) continue;
    for (const std::string* path : outputs) loaded->insert(*path);
  }
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

  // Which files: everything, or those added since the recorded version.
  std::set<std::string> already_loaded;
  if (result.mode == "incremental") {
    PLINTH_ASSIGN_OR_RETURN(auto state, LoadState(*options_.meta, view.def.name));
    if (state && state->view_version == view.version && state->table_version >= 0 &&
        state->table_version <= snapshot->version()) {
      result.from_table_version = state->table_version;
      auto old = (*table)->SnapshotAt(state->table_version);
      if (old.ok()) {
        for (const auto& f : (*old)->files()) already_loaded.insert(f.path);
        SkipCompactedFiles(**table, *snapshot, state->table_version, &already_loaded);
      } else {
        result.from_table_version = -1;  // the old version is gone (log cleanup): load everything
      }
    }
  }

  delta::ScanSpec spec;
  for (const JoinKey& k : view.join_keys) spec.columns.push_back(k.name);
  spec.columns.push_back(view.source.event_timestamp_column);
  const bool has_created = !view.source.created_timestamp_column.empty();
  if (has_created) spec.columns.push_back(view.source.created_timestamp_column);
  const size_t first_feature = spec.columns.size();
  for (const FeatureDef& f : view.def.features) spec.columns.push_back(f.SourceColumn());
  if (window) {
    std::vector<std::string> terms;
    const std::string ts = Quoted(view.source.event_timestamp_column);
    if (options.start) terms.push_back(StrCat(ts, " >= '", FormatTimestamp(*options.start), "'"));
    if (options.end) terms.push_back(StrCat(ts, " < '", FormatTimestamp(*options.end), "'"));
    spec.where = StrJoin(terms, " AND ");
  }
  // A column listed twice (a feature reading a join key column) is scanned once.
  std::vector<size_t> column_of;
  spec.columns = DistinctColumns(spec.columns, &column_of);
  const auto& files = snapshot->files();
  PLINTH_ASSIGN_OR_RETURN(std::vector<ScanUnit> units,
                          ListScanUnits(view.table_path, *snapshot,
                                        [&](size_t f) { return already_loaded.count(files[f].path) == 0; }));
  {
    std::set<uint32_t> distinct_files;
    for (const ScanUnit& u : units) distinct_files.insert(u.file);
    result.files = static_cast<int64_t>(distinct_files.size());
  }

  // The newest row per entity seen so far, one map per thread over the row groups it reads.
  // Rows are reduced here first (only a row that beats the entity's current best is decoded and
  // encoded); a full tie goes to the row later in scan order (file, then row), as a sequential
  // scan would give it. The maps are merged and written through OnlineWriter (which compares
  // with what the store holds) at the end, or a map alone when it reaches its share of
  // kMaxPendingEntities: memory is bounded by entities, not by rows.
  const int threads = std::max(1, options.threads);
  // Fewer row groups than threads: the spare threads decode each batch's columns instead.
  spec.threads = units.empty() ? 1 : std::max<int>(1, threads / static_cast<int>(std::min<size_t>(units.size(), threads)));
  WorkerPool pool(threads);
  const size_t per_task_limit = std::max<size_t>(1, kMaxPendingEntities / static_cast<size_t>(pool.threads()));
  std::vector<BestMap> best(static_cast<size_t>(pool.threads()));
  struct Counts {
    int64_t scanned = 0;
    int64_t skipped = 0;
  };
  std::vector<Counts> counts(best.size());
  std::mutex flush_mu;  // one flush at a time, so the result's counters stay consistent
  auto flush = [&](BestMap& map) -> absl::Status {
    if (map.empty()) return absl::OkStatus();
    std::vector<PendingRow> pending;
    pending.reserve(map.size());
    for (auto& [suffix, b] : map) pending.push_back({StrCat(view.key_prefix, suffix), std::move(b.record), b.event, b.created});
    map = BestMap();
    std::lock_guard<std::mutex> lock(flush_mu);
    PLINTH_ASSIGN_OR_RETURN(int64_t written, options_.writer->WriteLatest(pending, kv::Durability::kUnlogged));
    result.rows_written += written;
    return absl::OkStatus();
  };
  const size_t nk = view.join_keys.size();
  PLINTH_RETURN_IF_ERROR(ForEachScanUnit(pool, units, [&](size_t ui, int task) -> absl::Status {
    const ScanUnit& unit = units[ui];
    PLINTH_ASSIGN_OR_RETURN(auto scan, OpenScanUnit(view.table_path, *snapshot, unit, spec));
    BestMap& map = best[static_cast<size_t>(task)];
    Counts& count = counts[static_cast<size_t>(task)];
    columnar::RecordBatch batch;
    std::vector<Value> keys(nk);
    std::string key;
    const size_t nf = view.def.features.size();
    // Rows read from this unit so far; a row's scan position is (file, first_row + rows_before).
    int64_t row_base = unit.first_row;
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) break;
      count.scanned += batch.num_rows;
      const columnar::Column& event_col = batch.columns[column_of[nk]];
      const columnar::Column* created_col = has_created ? &batch.columns[column_of[nk + 1]] : nullptr;
      // One int64 key read from an int64 column: its key bytes straight from the column.
      const columnar::Column& key0 = batch.columns[column_of[0]];
      const bool int64_key = nk == 1 && view.join_keys[0].type == ValueType::kInt64 &&
                             key0.type().id == columnar::TypeId::kInt64;
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        bool null_key = false;
        key.clear();
        if (int64_key) {
          null_key = key0.IsNull(r);
          if (!null_key) AppendInt64EntityKey(key0.Get<int64_t>(r), &key);
        } else {
          for (size_t k = 0; k < nk; ++k) {
            keys[k] = ColumnValue(batch.columns[column_of[k]], r, view.join_keys[k].type);
            null_key = null_key || keys[k].is_null();
          }
        }
        const int64_t event = ColumnMicros(event_col, r);
        if (null_key || event == kNoTimestamp) {
          ++count.skipped;
          continue;
        }
        const int64_t created = created_col ? ColumnMicros(*created_col, r) : kNoTimestamp;
        // With a window, batches hold only the rows inside it, so positions count those: still
        // increasing within the unit and inside its row range, which is all ties need.
        const uint64_t pos = (static_cast<uint64_t>(unit.file) << 32) | static_cast<uint64_t>(row_base + r);
        // The map holds the key without the view's prefix (shorter to hash and compare).
        if (!int64_key) PLINTH_RETURN_IF_ERROR(AppendEntityKey(view.def.name, view.join_keys, keys, &key));
        auto [it, inserted] = map.try_emplace(key);
        Best& b = it->second;
        if (!inserted && !Beats(event, created, pos, b)) continue;
        b.event = event;
        b.created = created;
        b.pos = pos;
        EncodeRecordHeader({view.layout, event, created}, &b.record);
        for (size_t f = 0; f < nf; ++f) {
          AppendRecordCell(batch.columns[column_of[first_feature + f]], r, view.def.features[f].type, &b.record);
        }
      }
      row_base += batch.num_rows;
      if (map.size() >= per_task_limit) PLINTH_RETURN_IF_ERROR(flush(map));
    }
    return absl::OkStatus();
  }));
  for (const Counts& c : counts) {
    result.rows_scanned += c.scanned;
    result.rows_skipped += c.skipped;
  }
  // Merge the per-thread maps into the first, then write it.
  for (size_t t = 1; t < best.size(); ++t) {
    for (auto& [k, b] : best[t]) {
      auto [it, inserted] = best[0].try_emplace(k);
      if (inserted || Beats(b.event, b.created, b.pos, it->second)) it->second = std::move(b);
    }
    best[t] = BestMap();
  }
  PLINTH_RETURN_IF_ERROR(flush(best[0]));
  PLINTH_RETURN_IF_ERROR(options_.writer->store().Flush());
  if (!window) {
    PLINTH_RETURN_IF_ERROR(SaveState(*options_.meta, view.def.name, {view.version, snapshot->version()}, result.rows_written,
                                     options_.clock->NowMicros()));
  }
  result.seconds = SecondsSince(started);
  return result;
}

}  // namespace plinth::features
