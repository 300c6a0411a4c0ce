#include "plinth/features/parity.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include "plinth/base/time.h"
#include "plinth/features/column_values.h"
#include "plinth/features/json_values.h"
#include "plinth/features/label_input.h"
#include "plinth/features/online_reader.h"
#include "plinth/features/online_record.h"
#include "plinth/features/online_writer.h"
#include "plinth/features/point_in_time_join.h"
#include "plinth/features/source_schema.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/kv/memory_store.h"

namespace plinth::features {

namespace {

struct SourceRow {
  int64_t event = 0;
  int64_t created = kNoTimestamp;
  int64_t seq = 0;
  PendingRow row;
};

// Every row of `view`'s snapshot as online records, files in path order, then sorted by
// (event, created, read order).
absl::StatusOr<std::vector<SourceRow>> LoadSourceRows(const ViewPlan& view, delta::DeltaTable& table,
                                                      const delta::Snapshot& snapshot) {
  std::vector<std::string> paths;
  for (const auto& f : snapshot.files()) paths.push_back(f.path);
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> columns;
  for (const JoinKey& k : view.join_keys) columns.push_back(k.name);
  columns.push_back(view.source.event_timestamp_column);
  const bool has_created = !view.source.created_timestamp_column.empty();
  if (has_created) columns.push_back(view.source.created_timestamp_column);
  const size_t first_feature = columns.size();
  for (const FeatureDef& f : view.def.features) columns.push_back(f.SourceColumn());
  std::vector<std::string> distinct;
  std::vector<size_t> column_of(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    auto it = std::find(distinct.begin(), distinct.end(), columns[i]);
    column_of[i] = static_cast<size_t>(it - distinct.begin());
    if (it == distinct.end()) distinct.push_back(columns[i]);
  }
  std::vector<SourceRow> rows;
  std::vector<Value> keys(view.join_keys.size()), values(view.def.features.size());
  for (const std::string& path : paths) {
    delta::ScanSpec spec;
    spec.columns = distinct;
    spec.include_file = [&path](const delta::AddFile& f) { return f.path == path; };
    PLINTH_ASSIGN_OR_RETURN(auto scan, table.Scan(snapshot, spec));
    columnar::RecordBatch batch;
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) break;
      const size_t nk = view.join_keys.size();
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        bool null_key = false;
        for (size_t k = 0; k < nk; ++k) {
          keys[k] = ColumnValue(batch.columns[column_of[k]], r, view.join_keys[k].type);
          null_key = null_key || keys[k].is_null();
        }
        SourceRow s;
        s.event = ColumnMicros(batch.columns[column_of[nk]], r);
        if (null_key || s.event == kNoTimestamp) continue;
        s.created = has_created ? ColumnMicros(batch.columns[column_of[nk + 1]], r) : kNoTimestamp;
        s.seq = static_cast<int64_t>(rows.size());
        for (size_t f = 0; f < values.size(); ++f) {
          values[f] = ColumnValue(batch.columns[column_of[first_feature + f]], r, view.def.features[f].type);
        }
        PLINTH_RETURN_IF_ERROR(EncodeEntityKey(view.def.name, view.join_keys, keys, &s.row.key));
        s.row.event_micros = s.event;
        s.row.created_micros = s.created;
        EncodeRecord({view.layout, s.event, s.created}, values, &s.row.record);
        rows.push_back(std::move(s));
      }
    }
  }
  std::sort(rows.begin(), rows.end(), [](const SourceRow& a, const SourceRow& b) {
    return std::tie(a.event, a.created, a.seq) < std::tie(b.event, b.created, b.seq);
  });
  return rows;
}

// Samples from the first view's source rows when no labels are given.
absl::StatusOr<columnar::RecordBatch> SampleFromSource(const ServicePlan& service, const std::vector<SourceRow>& rows,
                                                       const ParityOptions& options) {
  const ViewPlan& first = *service.views[0];
  for (const JoinKey& k : service.join_keys) {
    bool in_first = false;
    for (const JoinKey& f : first.join_keys) in_first = in_first || f.name == k.name;
    if (!in_first) {
      return absl::InvalidArgumentError(StrCat("service '", service.def.name, "' joins on '", k.name,
                                               "', which view '", first.def.name, "' lacks: give --labels"));
    }
  }
  if (!service.request.empty()) {
    return absl::InvalidArgumentError(StrCat("service '", service.def.name, "' needs request values: give --labels with them"));
  }
  if (rows.empty()) return absl::FailedPreconditionError(StrCat("view '", first.def.name, "' has no rows to sample"));
  std::vector<columnar::Field> fields;
  for (const JoinKey& k : first.join_keys) fields.push_back({k.name, ColumnTypeFor(k.type), true});
  fields.push_back({options.label_timestamp_column, {columnar::TypeId::kTimestamp}, true});
  columnar::RecordBatch batch(std::make_shared<const columnar::Schema>(std::move(fields)));
  std::mt19937_64 rng(options.seed);
  const int64_t ttl = first.def.ttl_micros;
  const int64_t offsets[] = {0, ttl / 2, ttl, ttl + 1, 3600000000LL};
  std::vector<Value> decoded;
  for (int64_t i = 0; i < options.sample; ++i) {
    const SourceRow& s = rows[rng() % rows.size()];
    // Keys come back from the record's key bytes: decode by re-reading the key columns is not
    // possible here, so the key values are recovered from the key encoding.
    std::string_view key = s.row.key;
    key.remove_prefix(first.key_prefix.size());
    for (size_t k = 0; k < first.join_keys.size(); ++k) {
      if (first.join_keys[k].type == ValueType::kInt64) {
        uint64_t v = 0;
        for (int b = 0; b < 8; ++b) v = (v << 8) | static_cast<uint8_t>(key[b]);
        key.remove_prefix(8);
        batch.columns[k].Append<int64_t>(static_cast<int64_t>(v ^ (uint64_t{1} << 63)));
      } else {
        uint64_t n = 0;
        int shift = 0;
        while (true) {
          uint8_t b = static_cast<uint8_t>(key.front());
          key.remove_prefix(1);
          n |= static_cast<uint64_t>(b & 0x7f) << shift;
          shift += 7;
          if (!(b & 0x80)) break;
        }
        batch.columns[k].AppendBytes(key.substr(0, n));
        key.remove_prefix(n);
      }
    }
    int64_t offset = ttl > 0 ? offsets[rng() % 5] : offsets[4] * static_cast<int64_t>(rng() % 2);
    batch.columns[first.join_keys.size()].Append<int64_t>(s.event + offset);
    ++batch.num_rows;
  }
  return batch;
}

}  // namespace

Json ParityResult::ToJson() const {
  Json items = Json::array();
  for (size_t i = 0; i < mismatches.size() && i < 100; ++i) {
    const ParityMismatch& m = mismatches[i];
    items.push_back({{"sample", m.sample},
                     {"entity", m.entity},
                     {"at", FormatTimestamp(m.at_micros)},
                     {"feature", m.feature},
                     {"offline", ValueToJson(m.offline)},
                     {"online", ValueToJson(m.online)}});
  }
  return {{"samples", samples}, {"values_compared", values_compared}, {"mismatch_count", mismatches.size()},
          {"mismatches", items}};
}

absl::StatusOr<ParityResult> CheckParity(const ServicePlan& service, const ParityOptions& options) {
  if (options.sample < 1) return absl::InvalidArgumentError("--sample must be at least 1");
  // Source snapshots, shared by both paths.
  std::vector<std::unique_ptr<delta::DeltaTable>> tables;
  std::vector<std::unique_ptr<delta::Snapshot>> snapshots;
  std::vector<std::vector<SourceRow>> rows;
  for (const ViewPlan* v : service.views) {
    auto table = delta::DeltaTable::Open({.root = v->table_path});
    if (!table.ok()) {
      return absl::FailedPreconditionError(StrCat("view '", v->def.name, "': cannot open ", v->table_path, ": ", table.status().message()));
    }
    PLINTH_ASSIGN_OR_RETURN(auto snapshot, (*table)->LatestSnapshot());
    PLINTH_ASSIGN_OR_RETURN(auto loaded, LoadSourceRows(*v, **table, *snapshot));
    rows.push_back(std::move(loaded));
    tables.push_back(std::move(*table));
    snapshots.push_back(std::move(snapshot));
  }

  // The samples, as a label batch.
  columnar::RecordBatch labels;
  if (!options.labels.empty()) {
    std::map<std::string, columnar::DataType> known;
    for (const JoinKey& k : service.join_keys) known[k.name] = ColumnTypeFor(k.type);
    for (const RequestValueDef& r : service.request) known[r.name] = ColumnTypeFor(r.type);
    known[options.label_timestamp_column] = {columnar::TypeId::kTimestamp};
    PLINTH_ASSIGN_OR_RETURN(LabelTable table, ReadLabels(options.labels, known));
    auto ts = table.batch.schema->IndexOf(options.label_timestamp_column);
    if (!ts) return absl::InvalidArgumentError(StrCat("labels have no column '", options.label_timestamp_column, "'"));
    std::vector<int64_t> usable;
    for (int64_t r = 0; r < table.batch.num_rows; ++r) {
      bool ok = !table.batch.columns[*ts].IsNull(r);
      for (const JoinKey& k : service.join_keys) {
        auto c = table.batch.schema->IndexOf(k.name);
        if (!c) return absl::InvalidArgumentError(StrCat("labels have no join key column '", k.name, "'"));
        ok = ok && !table.batch.columns[*c].IsNull(r);
      }
      if (ok) usable.push_back(r);
    }
    std::mt19937_64 rng(options.seed);
    std::shuffle(usable.begin(), usable.end(), rng);
    if (static_cast<int64_t>(usable.size()) > options.sample) usable.resize(static_cast<size_t>(options.sample));
    std::sort(usable.begin(), usable.end());
    std::vector<uint8_t> keep(static_cast<size_t>(table.batch.num_rows), 0);
    for (int64_t r : usable) keep[static_cast<size_t>(r)] = 1;
    labels = table.batch.Filter(keep);
  } else {
    PLINTH_ASSIGN_OR_RETURN(labels, SampleFromSource(service, rows[0], options));
  }

  // Offline path.
  std::vector<PitViewSource> sources;
  for (size_t i = 0; i < service.views.size(); ++i) sources.push_back({service.views[i]->table_path, snapshots[i].get()});
  PitJoinOptions join;
  join.label_timestamp_column = options.label_timestamp_column;
  join.threads = options.threads;
  std::error_code ec;
  join.spill_dir = options.spill_dir.empty() ? std::filesystem::temp_directory_path(ec).string() : options.spill_dir;
  PLINTH_ASSIGN_OR_RETURN(PitJoinResult offline, PointInTimeJoin(service, labels, sources, join));

  // Online path: replay in time order into a scratch store.
  PLINTH_ASSIGN_OR_RETURN(auto store, kv::MemoryStore::Create({}));
  OnlineWriter writer(store.get());
  const columnar::Schema& schema = *labels.schema;
  const size_t ts_col = *schema.IndexOf(options.label_timestamp_column);
  std::vector<int64_t> order(static_cast<size_t>(labels.num_rows));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return ColumnMicros(labels.columns[ts_col], a) < ColumnMicros(labels.columns[ts_col], b);
  });
  std::vector<size_t> next(service.views.size(), 0);
  ParityResult result;
  for (int64_t r : order) {
    const int64_t t = ColumnMicros(labels.columns[ts_col], r);
    for (size_t v = 0; v < service.views.size(); ++v) {
      std::vector<PendingRow> batch;
      while (next[v] < rows[v].size() && rows[v][next[v]].event <= t) batch.push_back(rows[v][next[v]++].row);
      // Rows are in (event, created, read) order, and WriteLatest keeps the later of a full tie,
      // so the last row read wins as in the offline join.
      PLINTH_RETURN_IF_ERROR(writer.WriteLatest(batch, kv::Durability::kUnlogged).status());
    }
    EntityKeys entity;
    Json entity_json = Json::object();
    for (const JoinKey& k : service.join_keys) {
      Value v = ColumnValue(labels.columns[*schema.IndexOf(k.name)], r, k.type);
      entity_json[k.name] = ValueToJson(v);
      entity.emplace(k.name, std::move(v));
    }
    RequestValues request;
    for (const RequestValueDef& rv : service.request) {
      auto c = schema.IndexOf(rv.name);
      request.emplace(rv.name, c ? ColumnValue(labels.columns[*c], r, rv.type) : Value());
    }
    PLINTH_ASSIGN_OR_RETURN(OnlineReadResult online, ReadOnlineFeatures(*store, service, {entity}, request, t));
    for (size_t f = 0; f < service.features.size(); ++f) {
      Value off = ColumnValue(offline.columns[f], r, service.features[f].type);
      const Value& on = online.rows[0].values[f];
      ++result.values_compared;
      if (!off.SameAs(on)) result.mismatches.push_back({r, entity_json, t, service.features[f].name, off, on});
    }
  }
  result.samples = labels.num_rows;
  return result;
}

}  // namespace plinth::features
