#include "plinth/features/training_set.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "plinth/base/stopwatch.h"
#include "plinth/features/label_input.h"
#include "plinth/features/source_schema.h"
#include "plinth/storage/delta/table.h"

namespace plinth::features {

namespace {

constexpr int64_t kWholeWriteBytes = int64_t{256} << 20;
constexpr int64_t kWriteBatchBytes = int64_t{64} << 20;

columnar::DataType KeyColumnType(ValueType t) { return ColumnTypeFor(t); }

}  // namespace

Json TrainingSetLineage::ToJson() const {
  Json views_json = Json::array();
  for (const ViewLineage& v : views) {
    views_json.push_back({{"view", v.view},
                          {"view_version", v.view_version},
                          {"source", v.source},
                          {"source_version", v.source_version},
                          {"table_path", v.table_path},
                          {"table_version", v.table_version}});
  }
  Json labels_json = {{"path", labels}, {"format", labels_format}, {"timestamp_column", label_timestamp_column}};
  if (labels_table_version >= 0) labels_json["table_version"] = labels_table_version;
  return {{"service", service}, {"service_version", service_version}, {"views", views_json}, {"labels", labels_json}};
}

Json TrainingSetResult::ToJson() const {
  Json stats = Json::array();
  for (const PitViewStats& s : views) {
    stats.push_back({{"view", s.view},
                     {"files", s.files},
                     {"rows_scanned", s.rows_scanned},
                     {"rows_kept", s.rows_kept},
                     {"labels_matched", s.labels_matched},
                     {"match", s.streaming ? "streaming" : s.partitions > 1 ? "sorted, spilled" : "sorted"},
                     {"partitions", s.partitions},
                     {"spilled_bytes", s.spilled_bytes},
                     {"seconds", s.seconds},
                     {"scan_seconds", s.scan_seconds},
                     {"match_seconds", s.match_seconds},
                     {"gather_seconds", s.gather_seconds}});
  }
  return {{"table_path", table_path}, {"table_version", table_version}, {"rows", rows},
          {"feature_columns", feature_columns}, {"lineage", lineage.ToJson()}, {"views", stats},
          {"seconds", seconds}, {"labels_seconds", labels_seconds}, {"write_seconds", write_seconds}};
}

absl::StatusOr<TrainingSetResult> BuildTrainingSet(const ServicePlan& service, const TrainingSetOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.output.empty()) return absl::InvalidArgumentError("give the output table path");
  std::error_code ec;
  const std::filesystem::path output = std::filesystem::absolute(options.output, ec);
  if (std::filesystem::exists(output, ec)) {
    return absl::AlreadyExistsError(StrCat("output ", output.string(), " already exists: choose a new path"));
  }
  TrainingSetResult result;
  result.table_path = output.string();
  TrainingSetLineage& lineage = result.lineage;
  lineage.service = service.def.name;
  lineage.service_version = service.version;
  lineage.labels = std::filesystem::absolute(options.labels, ec).string();
  lineage.label_timestamp_column = options.label_timestamp_column;

  // Labels, typed by the definitions where a text file cannot say.
  std::map<std::string, columnar::DataType> known;
  for (const JoinKey& k : service.join_keys) known[k.name] = KeyColumnType(k.type);
  for (const RequestValueDef& r : service.request) known[r.name] = ColumnTypeFor(r.type);
  known[options.label_timestamp_column] = {columnar::TypeId::kTimestamp};
  if (options.progress) options.progress(0, 0, "read labels");
  PLINTH_ASSIGN_OR_RETURN(LabelTable labels, ReadLabels(options.labels, known, options.threads));
  result.labels_seconds = SecondsSince(started);
  lineage.labels_format = labels.format;
  lineage.labels_table_version = labels.table_version;

  // Every view's source snapshot, read once (views sharing a source table share nothing: each
  // gets its own snapshot of the same latest version at this moment).
  std::vector<std::unique_ptr<delta::DeltaTable>> tables;
  std::vector<std::unique_ptr<delta::Snapshot>> snapshots;
  std::vector<PitViewSource> sources;
  for (const ViewPlan* view : service.views) {
    auto table = delta::DeltaTable::Open({.root = view->table_path});
    if (!table.ok()) {
      return absl::FailedPreconditionError(StrCat("feature view '", view->def.name, "': cannot open source table ",
                                                  view->table_path, ": ", table.status().message()));
    }
    PLINTH_ASSIGN_OR_RETURN(auto snapshot, (*table)->LatestSnapshot());
    lineage.views.push_back({view->def.name, view->version, view->source.name, view->source_version, view->table_path,
                             snapshot->version()});
    sources.push_back({view->table_path, snapshot.get()});
    tables.push_back(std::move(*table));
    snapshots.push_back(std::move(snapshot));
  }

  PitJoinOptions join;
  join.label_timestamp_column = options.label_timestamp_column;
  join.memory_budget_bytes = options.memory_budget_bytes;
  join.spill_dir = options.spill_dir.empty() ? output.parent_path().string() : options.spill_dir;
  join.threads = options.threads;
  join.progress = options.progress;
  PLINTH_ASSIGN_OR_RETURN(PitJoinResult joined, PointInTimeJoin(service, labels.batch, sources, join));
  result.views = joined.views;
  for (const auto& f : joined.fields) result.feature_columns.push_back(f.name);

  // The output table: label columns, then the features.
  std::vector<columnar::Field> fields = labels.batch.schema->fields();
  for (auto& f : fields) f.nullable = true;
  fields.insert(fields.end(), joined.fields.begin(), joined.fields.end());
  auto schema = std::make_shared<const columnar::Schema>(fields);
  const int64_t rows = labels.batch.num_rows;
  delta::TableOptions table_options{.root = output.string()};
  table_options.writer.threads = std::max(1, options.threads);  // columns encoded in parallel
  auto table = delta::DeltaTable::Create(table_options, *schema, {});
  if (!table.ok()) return table.status();
  // Output batches: all rows at once when they are at most kWholeWriteBytes (the columns are
  // moved, not copied, and the writer encodes whole column chunks on its threads); else
  // copies of about kWriteBatchBytes each.
  std::vector<columnar::Column*> columns;
  for (auto& c : labels.batch.columns) columns.push_back(&c);
  for (auto& c : joined.columns) columns.push_back(&c);
  int64_t total_bytes = 0;
  for (const columnar::Column* c : columns) total_bytes += static_cast<int64_t>(c->MemoryBytes());
  const int64_t row_bytes = std::max<int64_t>(1, total_bytes / std::max<int64_t>(1, rows));
  const bool whole = total_bytes <= kWholeWriteBytes;
  const int64_t batch_rows = std::clamp<int64_t>(kWriteBatchBytes / row_bytes, 4096, int64_t{1} << 20);
  int64_t offset = 0;
  delta::BatchSource source = [&](columnar::RecordBatch* batch) -> absl::StatusOr<bool> {
    if (offset >= rows) return false;
    *batch = columnar::RecordBatch(schema);
    const int64_t n = whole ? rows : std::min(batch_rows, rows - offset);
    for (size_t c = 0; c < columns.size(); ++c) {
      if (whole) batch->columns[c] = std::move(*columns[c]);
      else batch->columns[c].AppendFrom(*columns[c], offset, n);
    }
    batch->num_rows = n;
    offset += n;
    if (options.progress) options.progress(offset, rows, "write");
    return true;
  };
  const auto write_started = std::chrono::steady_clock::now();
  auto written = (*table)->Write(source, {});
  result.write_seconds = SecondsSince(write_started);
  if (!written.ok()) {
    table->reset();
    std::filesystem::remove_all(output, ec);
    return written.status();
  }
  result.table_version = written->version;
  result.rows = rows;
  result.seconds = SecondsSince(started);
  return result;
}

}  // namespace plinth::features
