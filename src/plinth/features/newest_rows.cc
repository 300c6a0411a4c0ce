#include "plinth/features/newest_rows.h"

#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"

namespace plinth::features {

bool Beats(int64_t event, int64_t created, uint64_t pos, const NewestRow& best) {
  if (event != best.event || created != best.created) return Supersedes(event, created, {0, best.event, best.created});
  return pos > best.pos;
}

void MergeNewest(std::vector<NewestMap>& maps) {
  for (size_t t = 1; t < maps.size(); ++t) {
    for (auto& [k, b] : maps[t]) {
      auto [it, inserted] = maps[0].try_emplace(k);
      if (inserted || Beats(b.event, b.created, b.pos, it->second)) it->second = std::move(b);
    }
    maps[t] = NewestMap();
  }
}

NewestRowReducer::NewestRowReducer(const ViewPlan& view, std::string where) : view_(view) {
  std::vector<std::string> columns;
  for (const JoinKey& k : view.join_keys) columns.push_back(k.name);
  columns.push_back(view.source.event_timestamp_column);
  has_created_ = !view.source.created_timestamp_column.empty();
  if (has_created_) columns.push_back(view.source.created_timestamp_column);
  first_feature_ = columns.size();
  for (const FeatureDef& f : view.def.features) columns.push_back(f.SourceColumn());
  // A column listed twice (a feature reading a join key column) is scanned once.
  spec_.columns = DistinctColumns(columns, &column_of_);
  spec_.where = std::move(where);
}

namespace {

// Appends the entity key (without the view's prefix) of row r to *key (cleared first); false
// when a join key is null.
class RowKeys {
 public:
  RowKeys(const ViewPlan& view, const columnar::RecordBatch& batch, const std::vector<size_t>& column_of)
      : view_(view), batch_(batch), column_of_(column_of), keys_(view.join_keys.size()) {
    const columnar::Column& key0 = batch.columns[column_of[0]];
    int64_key_ = keys_.size() == 1 && view.join_keys[0].type == ValueType::kInt64 &&
                 key0.type().id == columnar::TypeId::kInt64;
  }
  absl::StatusOr<bool> Key(int64_t r, std::string* key) {
    key->clear();
    if (int64_key_) {  // one int64 key from an int64 column: its bytes straight from the column
      const columnar::Column& key0 = batch_.columns[column_of_[0]];
      if (key0.IsNull(r)) return false;
      AppendInt64EntityKey(key0.Get<int64_t>(r), key);
      return true;
    }
    for (size_t k = 0; k < keys_.size(); ++k) {
      keys_[k] = ColumnValue(batch_.columns[column_of_[k]], r, view_.join_keys[k].type);
      if (keys_[k].is_null()) return false;
    }
    PLINTH_RETURN_IF_ERROR(AppendEntityKey(view_.def.name, view_.join_keys, keys_, key));
    return true;
  }

 private:
  const ViewPlan& view_;
  const columnar::RecordBatch& batch_;
  const std::vector<size_t>& column_of_;
  std::vector<Value> keys_;
  bool int64_key_ = false;
};

}  // namespace

absl::Status NewestRowReducer::Reduce(const delta::Snapshot& snapshot, const std::vector<ScanUnit>& units,
                                      WorkerPool& pool, std::vector<NewestMap>* maps, std::vector<Counts>* counts,
                                      const KeepFn& keep, const AfterBatchFn& after_batch) const {
  const size_t nk = view_.join_keys.size();
  const size_t nf = view_.def.features.size();
  // Fewer row groups than threads: the spare threads decode each batch's columns instead.
  delta::ScanSpec spec = spec_;
  const int threads = pool.threads();
  spec.threads = units.empty() ? 1 : std::max<int>(1, threads / static_cast<int>(std::min<size_t>(units.size(), threads)));
  return ForEachScanUnit(pool, units, [&](size_t ui, int task) -> absl::Status {
    const ScanUnit& unit = units[ui];
    PLINTH_ASSIGN_OR_RETURN(auto scan, OpenScanUnit(view_.table_path, snapshot, unit, spec));
    NewestMap& map = (*maps)[static_cast<size_t>(task)];
    Counts& count = (*counts)[static_cast<size_t>(task)];
    columnar::RecordBatch batch;
    std::string key;
    // Rows read from this unit so far; a row's scan position is (file, first_row + rows_before).
    // With a filter, batches hold only the rows that pass, so positions count those: still
    // increasing within the unit and inside its row range, which is all ties need.
    int64_t row_base = unit.first_row;
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) break;
      count.scanned += batch.num_rows;
      const columnar::Column& event_col = batch.columns[column_of_[nk]];
      const columnar::Column* created_col = has_created_ ? &batch.columns[column_of_[nk + 1]] : nullptr;
      RowKeys keys(view_, batch, column_of_);
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        PLINTH_ASSIGN_OR_RETURN(bool has_key, keys.Key(r, &key));
        const int64_t event = ColumnMicros(event_col, r);
        if (!has_key || event == kNoTimestamp) {
          ++count.skipped;
          continue;
        }
        if (keep && !keep(key)) continue;
        const int64_t created = created_col ? ColumnMicros(*created_col, r) : kNoTimestamp;
        const uint64_t pos = (static_cast<uint64_t>(unit.file) << 32) | static_cast<uint64_t>(row_base + r);
        auto [it, inserted] = map.try_emplace(key);
        NewestRow& b = it->second;
        if (!inserted && !Beats(event, created, pos, b)) continue;
        b.event = event;
        b.created = created;
        b.pos = pos;
        EncodeRecordHeader({view_.layout, event, created}, &b.record);
        for (size_t f = 0; f < nf; ++f) {
          AppendRecordCell(batch.columns[column_of_[first_feature_ + f]], r, view_.def.features[f].type, &b.record);
        }
      }
      row_base += batch.num_rows;
      if (after_batch) PLINTH_RETURN_IF_ERROR(after_batch(map));
    }
    return absl::OkStatus();
  });
}

absl::Status NewestRowReducer::CollectKeys(const delta::Snapshot& snapshot, const std::vector<delta::AddFile>& files,
                                           const std::function<void(std::string_view key)>& fn) const {
  if (files.empty()) return absl::OkStatus();
  const size_t nk = view_.join_keys.size();
  delta::ScanSpec spec;
  std::vector<size_t> key_column;
  for (size_t k = 0; k < nk; ++k) spec.columns.push_back(view_.join_keys[k].name);
  spec.columns = DistinctColumns(spec.columns, &key_column);
  spec.files = &files;
  PLINTH_ASSIGN_OR_RETURN(auto scan, delta::TableScan::Create(view_.table_path, snapshot, spec));
  columnar::RecordBatch batch;
  std::string key;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
    if (!more) break;
    RowKeys keys(view_, batch, key_column);
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      PLINTH_ASSIGN_OR_RETURN(bool has_key, keys.Key(r, &key));
      if (has_key) fn(key);
    }
  }
  return absl::OkStatus();
}

}  // namespace plinth::features
