#include "plinth/features/push.h"

#include <chrono>
#include <cmath>

#include "plinth/base/stopwatch.h"
#include "plinth/features/json_values.h"
#include "plinth/features/online_record.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

namespace {

using columnar::TypeId;

// Appends `v` (already of the feature's declared type) to a column of the source table.
absl::Status AppendToColumn(const Value& v, columnar::Column& col, std::string_view what) {
  if (v.is_null()) {
    col.AppendNull();
    return absl::OkStatus();
  }
  auto out_of_range = [&]() {
    return absl::InvalidArgumentError(StrCat(what, ": ", v.ToString(), " does not fit column type ", columnar::TypeName(col.type())));
  };
  switch (col.type().id) {
    case TypeId::kBool: col.Append<uint8_t>(v.bool_value() ? 1 : 0); return absl::OkStatus();
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kUInt8:
    case TypeId::kUInt16: {
      static const std::pair<int64_t, int64_t> kRange[] = {{-128, 127}, {-32768, 32767}, {INT32_MIN, INT32_MAX}, {0, 255}, {0, 65535}};
      int idx = col.type().id == TypeId::kInt8 ? 0 : col.type().id == TypeId::kInt16 ? 1 : col.type().id == TypeId::kInt32 ? 2
                : col.type().id == TypeId::kUInt8 ? 3 : 4;
      int64_t i = v.int64_value();
      if (i < kRange[idx].first || i > kRange[idx].second) return out_of_range();
      col.Append<int32_t>(static_cast<int32_t>(i));
      return absl::OkStatus();
    }
    case TypeId::kUInt32:
      if (v.int64_value() < 0 || v.int64_value() > UINT32_MAX) return out_of_range();
      col.Append<int64_t>(v.int64_value());
      return absl::OkStatus();
    case TypeId::kInt64: col.Append<int64_t>(v.int64_value()); return absl::OkStatus();
    case TypeId::kFloat:
    case TypeId::kFloat16: col.Append<float>(static_cast<float>(*v.AsDouble())); return absl::OkStatus();
    case TypeId::kDouble: col.Append<double>(*v.AsDouble()); return absl::OkStatus();
    case TypeId::kString: col.AppendBytes(v.string_value()); return absl::OkStatus();
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz: col.Append<int64_t>(v.timestamp_micros()); return absl::OkStatus();
    case TypeId::kDate: {
      int64_t us = v.timestamp_micros();
      int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
      col.Append<int32_t>(static_cast<int32_t>(days));
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError(StrCat(what, ": column type ", columnar::TypeName(col.type()), " cannot be pushed to"));
  }
}

// A column a push may set: join keys, event time, [created time], features.
struct PushField {
  std::string column;
  ValueType type;
};

// The parsed rows as a batch of the source table's current columns (columns no field names
// are null), with the table and the snapshot it was built from. `*snapshot_ms` gets the time
// taken to find the table's latest snapshot.
absl::StatusOr<PreparedPush> BuildBatch(const ViewPlan& view, const std::vector<std::vector<Value>>& parsed,
                                                 const std::vector<PushField>& fields, TableSnapshots& snapshots,
                                                 double* snapshot_ms) {
  const auto started = std::chrono::steady_clock::now();
  auto table = delta::DeltaTable::Open({.root = view.table_path});
  if (!table.ok()) {
    return absl::FailedPreconditionError(StrCat("feature view '", view.def.name, "': cannot open source table ", view.table_path,
                                                ": ", table.status().message()));
  }
  PLINTH_ASSIGN_OR_RETURN(std::shared_ptr<const delta::Snapshot> snapshot, snapshots.Latest(**table));
  *snapshot_ms = SecondsSince(started) * 1e3;
  auto schema = std::make_shared<const columnar::Schema>(delta::DeltaTable::ColumnarSchema(*snapshot));
  PreparedPush out{std::move(*table), std::move(snapshot), columnar::RecordBatch(schema)};
  columnar::RecordBatch& batch = out.batch;
  std::vector<int> field_of_column(schema->size(), -1);
  for (size_t c = 0; c < schema->size(); ++c) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].column == schema->field(c).name) {
        field_of_column[c] = static_cast<int>(i);
        break;
      }
    }
  }
  const Value null;
  for (size_t r = 0; r < parsed.size(); ++r) {
    for (size_t c = 0; c < schema->size(); ++c) {
      const Value& v = field_of_column[c] >= 0 ? parsed[r][field_of_column[c]] : null;
      if (v.is_null() && !schema->field(c).nullable) {
        return absl::InvalidArgumentError(StrCat("rows[", r, "]: column '", schema->field(c).name, "' may not be null"));
      }
      PLINTH_RETURN_IF_ERROR(AppendToColumn(v, batch.columns[c], StrCat("rows[", r, "].", schema->field(c).name)));
    }
    ++batch.num_rows;
  }
  return out;
}

}  // namespace

Json PushResult::ToJson() const {
  return {{"view", view},
          {"rows", rows},
          {"table_version", table_version},
          {"online_written", online_written},
          {"commit_attempts", commit_attempts},
          {"commit_pushes", commit_pushes},
          {"timings_ms", {{"snapshot", snapshot_ms}, {"offline", offline_ms}, {"online", online_ms}}}};
}

absl::StatusOr<PushResult> PushRows(const ViewPlan& view, const Json& rows, OnlineWriter& writer, Clock* clock,
                                    TableSnapshots& snapshots, PushCommitter& committer, TableMaintainer& maintainer) {
  if (!rows.is_array()) return absl::InvalidArgumentError("'rows' must be a list of objects");
  if (rows.empty()) return absl::InvalidArgumentError("'rows' is empty");
  if (rows.size() > kMaxPushRows) return absl::InvalidArgumentError(StrCat("at most ", kMaxPushRows, " rows per push"));
  // What each accepted key means: column name -> (declared type, role index).
  std::vector<PushField> fields;  // join keys, event, [created], features
  std::map<std::string, size_t, std::less<>> by_name;
  for (const JoinKey& k : view.join_keys) fields.push_back({k.name, k.type});
  fields.push_back({view.source.event_timestamp_column, ValueType::kTimestamp});
  const bool has_created = !view.source.created_timestamp_column.empty();
  if (has_created) fields.push_back({view.source.created_timestamp_column, ValueType::kTimestamp});
  const size_t first_feature = fields.size();
  for (const FeatureDef& f : view.def.features) fields.push_back({f.SourceColumn(), f.type});
  for (size_t i = 0; i < fields.size(); ++i) by_name.emplace(fields[i].column, i);
  for (size_t i = 0; i < view.def.features.size(); ++i) by_name.emplace(view.def.features[i].name, first_feature + i);

  const int64_t now = clock->NowMicros();
  const size_t nk = view.join_keys.size();
  std::vector<std::vector<Value>> parsed(rows.size(), std::vector<Value>(fields.size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    const Json& row = rows[r];
    const std::string where = StrCat("rows[", r, "]");
    if (!row.is_object()) return absl::InvalidArgumentError(StrCat(where, " must be an object"));
    for (const auto& [key, value] : row.items()) {
      auto it = by_name.find(key);
      if (it == by_name.end()) {
        return absl::InvalidArgumentError(StrCat(where, ": unknown field '", key, "' for feature view '", view.def.name, "'"));
      }
      PLINTH_ASSIGN_OR_RETURN(parsed[r][it->second], ValueFromJson(value, fields[it->second].type, StrCat(where, ".", key)));
    }
    for (size_t i = 0; i <= nk; ++i) {
      if (parsed[r][i].is_null()) return absl::InvalidArgumentError(StrCat(where, ": '", fields[i].column, "' is required"));
    }
    if (has_created && parsed[r][nk + 1].is_null()) parsed[r][nk + 1] = Value::Time(now);
  }

  // The online records, encoded before anything is written.
  std::vector<PendingRow> pending(view.def.online ? parsed.size() : 0);
  if (view.def.online) {
    std::vector<Value> features(view.def.features.size());
    for (size_t r = 0; r < parsed.size(); ++r) {
      PendingRow& row = pending[r];
      PLINTH_RETURN_IF_ERROR(
          EncodeEntityKey(view.def.name, view.join_keys, std::span<const Value>(parsed[r].data(), nk), &row.key));
      row.event_micros = parsed[r][nk].timestamp_micros();
      row.created_micros = has_created ? parsed[r][nk + 1].timestamp_micros() : kNoTimestamp;
      for (size_t f = 0; f < features.size(); ++f) features[f] = parsed[r][first_feature + f];
      EncodeRecord({view.layout, row.event_micros, row.created_micros}, features, &row.record);
    }
  }

  // 1. The offline record: the rows in one Delta commit, shared with concurrent pushes to the
  // view (push_commit.h). Rebuilt when the table's columns or a concurrent commit got in the
  // way (kAborted).
  PushResult result;
  bool checkpoint_due = false;
  result.view = view.def.name;
  result.rows = static_cast<int64_t>(parsed.size());
  for (int attempt = 1;; ++attempt) {
    PLINTH_ASSIGN_OR_RETURN(PreparedPush prepared, BuildBatch(view, parsed, fields, snapshots, &result.snapshot_ms));
    const auto offline_started = std::chrono::steady_clock::now();
    absl::StatusOr<GroupCommit> commit = committer.Append(view.table_path, std::move(prepared));
    result.offline_ms = SecondsSince(offline_started) * 1e3;
    if (absl::IsAborted(commit.status()) && attempt < 3) continue;
    if (!commit.ok()) return commit.status();
    result.table_version = commit->version;
    result.commit_attempts = commit->attempts;
    result.commit_pushes = commit->pushes;
    checkpoint_due = commit->checkpoint_due;
    break;
  }
  const auto online_started = std::chrono::steady_clock::now();

  if (view.def.online) {
    // 2. The online store: the newest row per entity.
    auto online = writer.WriteLatest(pending, kv::Durability::kLogged);
    if (!online.ok()) {
      return absl::InternalError(StrCat("rows committed to the offline table (version ", result.table_version,
                                        ") but not to the online store: ", online.status().message(),
                                        "; run `plinth features materialize --view ", view.def.name, "` to repair"));
    }
    result.online_written = *online;
  }
  result.online_ms = SecondsSince(online_started) * 1e3;
  // The checkpoint due at this version, once the rows are readable everywhere (its disk writes
  // would otherwise compete with the online write).
  if (checkpoint_due) {
    maintainer.Schedule(view.table_path, result.table_version);
  }
  return result;
}

}  // namespace plinth::features
