#include "plinth/features/materializer.h"

#include <chrono>
#include <set>
#include <unordered_map>

#include "plinth/base/time.h"
#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"
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

std::string Quoted(const std::string& column) { return StrCat("\"", column, "\""); }

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
  if (!already_loaded.empty()) {
    spec.include_file = [&already_loaded](const delta::AddFile& f) { return already_loaded.count(f.path) == 0; };
  }
  // A column listed twice (a feature reading a join key column) is scanned once.
  std::vector<std::string> distinct;
  std::vector<size_t> column_of(spec.columns.size());
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    auto it = std::find(distinct.begin(), distinct.end(), spec.columns[i]);
    column_of[i] = static_cast<size_t>(it - distinct.begin());
    if (it == distinct.end()) distinct.push_back(spec.columns[i]);
  }
  spec.columns = distinct;
  PLINTH_ASSIGN_OR_RETURN(auto scan, (*table)->Scan(*snapshot, spec));
  result.files = static_cast<int64_t>(scan->files().size());

  // The newest row per entity seen so far in this run. Rows are reduced here first (only a row
  // that beats the entity's current best is decoded and encoded), and the map is written out
  // through OnlineWriter (which compares with what the store holds) whenever it reaches
  // kMaxPendingEntities and at the end: memory is bounded by entities, not by rows.
  struct Best {
    int64_t event = 0;
    int64_t created = 0;
    std::string record;
  };
  std::unordered_map<std::string, Best> best;
  best.reserve(std::min<size_t>(kMaxPendingEntities, 1 << 16));
  auto flush = [&]() -> absl::Status {
    if (best.empty()) return absl::OkStatus();
    std::vector<PendingRow> pending;
    pending.reserve(best.size());
    for (auto& [suffix, b] : best) pending.push_back({StrCat(view.key_prefix, suffix), std::move(b.record), b.event, b.created});
    best.clear();
    PLINTH_ASSIGN_OR_RETURN(int64_t written, options_.writer->WriteLatest(pending, kv::Durability::kUnlogged));
    result.rows_written += written;
    return absl::OkStatus();
  };
  columnar::RecordBatch batch;
  std::vector<Value> keys(view.join_keys.size());
  std::vector<Value> values(view.def.features.size());
  std::string key;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
    if (!more) break;
    result.rows_scanned += batch.num_rows;
    const size_t nk = view.join_keys.size();
    const columnar::Column& event_col = batch.columns[column_of[nk]];
    const columnar::Column* created_col = has_created ? &batch.columns[column_of[nk + 1]] : nullptr;
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      bool null_key = false;
      for (size_t k = 0; k < nk; ++k) {
        keys[k] = ColumnValue(batch.columns[column_of[k]], r, view.join_keys[k].type);
        null_key = null_key || keys[k].is_null();
      }
      const int64_t event = ColumnMicros(event_col, r);
      if (null_key || event == kNoTimestamp) {
        ++result.rows_skipped;
        continue;
      }
      const int64_t created = created_col ? ColumnMicros(*created_col, r) : kNoTimestamp;
      // The map holds the key without the view's prefix (shorter to hash and compare).
      key.clear();
      PLINTH_RETURN_IF_ERROR(AppendEntityKey(view.def.name, view.join_keys, keys, &key));
      auto [it, inserted] = best.try_emplace(key);
      Best& b = it->second;
      if (!inserted && !Supersedes(event, created, {0, b.event, b.created})) continue;
      b.event = event;
      b.created = created;
      for (size_t f = 0; f < values.size(); ++f) {
        values[f] = ColumnValue(batch.columns[column_of[first_feature + f]], r, view.def.features[f].type);
      }
      EncodeRecord({view.layout, event, created}, values, &b.record);
    }
    if (best.size() >= kMaxPendingEntities) PLINTH_RETURN_IF_ERROR(flush());
  }
  PLINTH_RETURN_IF_ERROR(flush());
  PLINTH_RETURN_IF_ERROR(options_.writer->store().Flush());
  if (!window) {
    PLINTH_RETURN_IF_ERROR(SaveState(*options_.meta, view.def.name, {view.version, snapshot->version()}, result.rows_written,
                                     options_.clock->NowMicros()));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace plinth::features
