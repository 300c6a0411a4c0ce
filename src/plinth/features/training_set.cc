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

constexpr int64_t kMinChunkRows = 4096;

columnar::DataType KeyColumnType(ValueType t) { return ColumnTypeFor(t); }

// Label rows joined at once: as many as fit half the budget with their output (label columns
// and one value per feature; strings guessed at 32 bytes), at least kMinChunkRows.
int64_t TrainingSetChunkRows(const ServicePlan& service, const columnar::Schema& labels, int64_t budget) {
  auto width = [](bool is_string, bool is_bool) -> int64_t { return (is_string ? 32 : is_bool ? 1 : 8) + 1; };
  int64_t row_bytes = 0;
  for (const columnar::Field& f : labels.fields()) {
    row_bytes += width(f.type.id == columnar::TypeId::kString || f.type.id == columnar::TypeId::kBinary,
                       f.type.id == columnar::TypeId::kBool);
  }
  for (const ServiceFeature& f : service.features) row_bytes += width(f.type == ValueType::kString, f.type == ValueType::kBool);
  return std::max(std::max<int64_t>(budget, 1) / 2 / std::max<int64_t>(row_bytes, 1), kMinChunkRows);
}

// Adds one chunk's per-view statistics to the totals (the first chunk's become them).
void AddViewStats(const std::vector<PitViewStats>& chunk, std::vector<PitViewStats>* total) {
  if (total->empty()) {
    *total = chunk;
    return;
  }
  for (size_t v = 0; v < chunk.size() && v < total->size(); ++v) {
    PitViewStats& t = (*total)[v];
    const PitViewStats& c = chunk[v];
    t.files = std::max(t.files, c.files);
    t.rows_scanned += c.rows_scanned;
    t.rows_kept += c.rows_kept;
    t.labels_matched += c.labels_matched;
    t.streaming = t.streaming && c.streaming;
    t.partitions = std::max(t.partitions, c.partitions);
    t.spilled_bytes += c.spilled_bytes;
    t.seconds += c.seconds;
    t.scan_seconds += c.scan_seconds;
    t.match_seconds += c.match_seconds;
    t.gather_seconds += c.gather_seconds;
  }
}

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
          {"chunks", chunks}, {"seconds", seconds}, {"labels_seconds", labels_seconds}, {"write_seconds", write_seconds}};
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
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<LabelReader> labels, LabelReader::Open(options.labels, known, options.threads));
  lineage.labels_format = labels->format();
  lineage.labels_table_version = labels->table_version();

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

  // The output: label columns, then the features (named and typed as PointInTimeJoin does).
  const columnar::Schema& label_schema = *labels->schema();
  PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> names, PitOutputNames(service, label_schema));
  std::vector<columnar::Field> fields = label_schema.fields();
  for (auto& f : fields) f.nullable = true;
  for (size_t i = 0; i < names.size(); ++i) {
    fields.push_back({names[i], ColumnTypeFor(service.features[i].type), true});
    result.feature_columns.push_back(names[i]);
  }
  auto schema = std::make_shared<const columnar::Schema>(fields);
  const size_t nlabel_columns = label_schema.size();

  // Labels are read in chunks of as many rows as fit half the budget with their output: each
  // chunk is joined (reading the views again) and written before the next is read, so memory
  // does not grow with the label set. Usually the first chunk holds them all.
  const int64_t chunk_rows = TrainingSetChunkRows(service, label_schema, options.memory_budget_bytes);
  columnar::RecordBatch first;
  PLINTH_RETURN_IF_ERROR(labels->Next(chunk_rows, &first).status());
  result.labels_seconds = SecondsSince(started);
  const int64_t total_rows = labels->total_rows();  // for progress; -1 when unknown
  const bool chunked = total_rows >= 0 ? total_rows > first.num_rows : first.num_rows >= chunk_rows;
  PitJoinOptions join;
  join.label_timestamp_column = options.label_timestamp_column;
  join.memory_budget_bytes = chunked ? options.memory_budget_bytes / 2 : options.memory_budget_bytes;
  join.spill_dir = options.spill_dir.empty() ? output.parent_path().string() : options.spill_dir;
  join.threads = options.threads;
  join.progress = options.progress;
  int64_t joined_rows = 0;
  // Joins one chunk of labels into *out, output-schema rows.
  auto join_chunk = [&](columnar::RecordBatch in, columnar::RecordBatch* out) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(PitJoinResult joined, PointInTimeJoin(service, in, sources, join));
    AddViewStats(joined.views, &result.views);
    ++result.chunks;
    joined_rows += in.num_rows;
    *out = columnar::RecordBatch(schema);
    out->num_rows = in.num_rows;
    for (size_t c = 0; c < nlabel_columns; ++c) out->columns[c] = std::move(in.columns[c]);
    for (size_t i = 0; i < joined.columns.size(); ++i) out->columns[nlabel_columns + i] = std::move(joined.columns[i]);
    return absl::OkStatus();
  };
  // The first chunk before the output exists: a bad label column fails with nothing written.
  columnar::RecordBatch current;
  PLINTH_RETURN_IF_ERROR(join_chunk(std::move(first), &current));

  delta::TableOptions table_options{.root = output.string()};
  table_options.writer.threads = std::max(1, options.threads);  // columns encoded in parallel
  auto table = delta::DeltaTable::Create(table_options, *schema, {});
  if (!table.ok()) return table.status();
  // Output batches: a chunk's rows at once when they are at most kWholeWriteBytes (the columns
  // are moved, not copied, and the writer encodes whole column chunks on its threads); else
  // copies of about kWriteBatchBytes each.
  int64_t offset = 0;   // rows of `current` handed out
  int64_t handed_out = 0;  // rows handed out in all
  delta::BatchSource source = [&](columnar::RecordBatch* batch) -> absl::StatusOr<bool> {
    while (offset >= current.num_rows) {
      columnar::RecordBatch next;
      PLINTH_ASSIGN_OR_RETURN(bool more, labels->Next(chunk_rows, &next));
      if (!more) return false;
      PLINTH_RETURN_IF_ERROR(join_chunk(std::move(next), &current));
      offset = 0;
    }
    int64_t total_bytes = 0;
    for (const columnar::Column& c : current.columns) total_bytes += static_cast<int64_t>(c.MemoryBytes());
    const int64_t n_rows = current.num_rows;
    int64_t n;
    if (offset == 0 && total_bytes <= kWholeWriteBytes) {
      n = n_rows;
      *batch = std::move(current);
      current = columnar::RecordBatch(schema);
      current.num_rows = 0;
      offset = 0;
    } else {
      const int64_t row_bytes = std::max<int64_t>(1, total_bytes / std::max<int64_t>(1, n_rows));
      const int64_t batch_rows = std::clamp<int64_t>(kWriteBatchBytes / row_bytes, 4096, int64_t{1} << 20);
      n = std::min(batch_rows, n_rows - offset);
      *batch = columnar::RecordBatch(schema);
      for (size_t c = 0; c < current.columns.size(); ++c) batch->columns[c].AppendFrom(current.columns[c], offset, n);
      batch->num_rows = n;
      offset += n;
    }
    handed_out += n;
    if (options.progress) options.progress(handed_out, std::max<int64_t>(total_rows, 0), "write");
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
  result.rows = joined_rows;
  result.seconds = SecondsSince(started);
  return result;
}

}  // namespace plinth::features
