#include "plinth/features/point_in_time_join.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "plinth/base/cpu_slots.h"
#include "plinth/base/stopwatch.h"
#include "plinth/base/worker_pool.h"
#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"
#include "plinth/features/pit_columns.h"
#include "plinth/features/pit_keys.h"
#include "plinth/features/pit_match.h"
#include "plinth/features/pit_scan.h"
#include "plinth/features/pit_slots.h"
#include "plinth/features/source_schema.h"

namespace plinth::features {

namespace {

constexpr int kMaxPartitions = 256;

// A fresh directory under `parent`, removed with everything in it when this goes away.
class TempDir {
 public:
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  absl::Status Create(const std::string& parent) {
    if (parent.empty()) return absl::InvalidArgumentError("the join needs to spill but has no spill directory");
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string tmpl = (std::filesystem::path(parent) / ".plinth-spill-XXXXXX").string();
    if (ec || ::mkdtemp(tmpl.data()) == nullptr) {
      return absl::InternalError(StrCat("cannot create a spill directory in ", parent));
    }
    path_ = tmpl;
    return absl::OkStatus();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Serializes progress reports and drops those closer than 100 ms apart (except the last).
class Progress {
 public:
  explicit Progress(const ProgressFn& fn) : fn_(fn) {}
  void Report(int64_t done, int64_t total, std::string_view stage, bool force = false) {
    if (!fn_) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    fn_(done, total, stage);
  }

 private:
  const ProgressFn& fn_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
};

absl::StatusOr<size_t> LabelColumn(const columnar::Schema& labels, const std::string& name, std::string_view what) {
  auto idx = labels.IndexOf(name);
  if (!idx) return absl::InvalidArgumentError(StrCat("labels have no column '", name, "' (", what, ")"));
  return *idx;
}

// Evaluates a view's transforms for every label; appends one column per transform output.
void EvaluateTransforms(const ViewPlan& view, const std::vector<columnar::Column>& features,
                        const std::vector<const columnar::Column*>& request, int64_t rows, WorkerPool& pool,
                        std::vector<columnar::Column>* out) {
  const TransformSet& set = *view.transforms;
  const size_t nf = view.def.features.size(), nr = view.def.request.size(), nt = set.output_size();
  const int tasks = pool.threads() * 4;
  std::vector<std::vector<columnar::Column>> parts(tasks);
  pool.ParallelFor(tasks, [&](int t) {
    const int64_t a = rows * t / tasks, b = rows * (t + 1) / tasks;
    std::vector<columnar::Column>& cols = parts[t];
    for (size_t o = 0; o < nt; ++o) cols.emplace_back(ColumnTypeFor(set.outputs()[o].second));
    std::vector<Value> slots(nf + nr + nt);
    for (int64_t i = a; i < b; ++i) {
      for (size_t f = 0; f < nf; ++f) slots[f] = ColumnValue(features[f], i, view.def.features[f].type);
      for (size_t r = 0; r < nr; ++r) slots[nf + r] = ColumnValue(*request[r], i, view.def.request[r].type);
      for (size_t o = 0; o < nt; ++o) slots[nf + nr + o] = Value();
      set.Evaluate(slots);
      for (size_t o = 0; o < nt; ++o) AppendValue(cols[o], slots[nf + nr + o], set.outputs()[o].second);
    }
  });
  for (size_t o = 0; o < nt; ++o) {
    columnar::Column col(ColumnTypeFor(set.outputs()[o].second));
    col.Reserve(rows);
    for (auto& part : parts) col.AppendFrom(part[o], 0, part[o].length());
    out->push_back(std::move(col));
  }
}

bool SameKeys(const std::vector<JoinKey>& a, const std::vector<JoinKey>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].type != b[i].type) return false;
  }
  return true;
}

// The label side of the views joined on one list of keys: label rows numbered by entity, and
// each entity's earliest and latest label time.
struct LabelSide {
  std::unique_ptr<EntityDictionary> dict;
  LabelProbes probes;
  std::vector<int64_t> min_ts, max_ts;
};

std::unique_ptr<LabelSide> BuildLabelSide(const std::vector<JoinKey>& keys, const std::vector<const columnar::Column*>& key_cols,
                                          const std::vector<int64_t>& label_ts) {
  auto side = std::make_unique<LabelSide>();
  const int64_t nlabels = static_cast<int64_t>(label_ts.size());
  side->dict = std::make_unique<EntityDictionary>(keys);
  LabelProbes& probes = side->probes;
  probes.entity.resize(static_cast<size_t>(nlabels));
  side->dict->AddRows(key_cols, nlabels, probes.entity.data());
  side->dict->Seal();
  probes.entities = side->dict->size();
  probes.ts = label_ts;
  side->min_ts.assign(probes.entities, INT64_MAX);
  side->max_ts.assign(probes.entities, INT64_MIN);
  for (int64_t i = 0; i < nlabels; ++i) {
    const uint32_t e = probes.entity[i];
    if (e == kNoEntity || label_ts[i] == kNoTimestamp) continue;
    side->min_ts[e] = std::min(side->min_ts[e], label_ts[i]);
    side->max_ts[e] = std::max(side->max_ts[e], label_ts[i]);
  }
  return side;
}

// Memory of a view's streaming match with `threads` writers.
int64_t StreamingBytes(int64_t nlabels, int threads) {
  return nlabels * (kSlotIndexBytesPerLabel + kSlotBytesPerLabel * threads);
}

// One view's share of the join: its gathered source columns and transform outputs.
struct ViewOutput {
  PitViewStats stats;
  std::vector<columnar::Column> values;       // gathered source columns
  std::vector<int> gathered_index;            // feature -> index in values (-1: not needed)
  std::vector<columnar::Column> transformed;  // one per transform output
};

absl::Status JoinView(const ServicePlan& service, size_t v, const LabelSide& side, const PitViewSource& source,
                      const std::vector<const columnar::Column*>& request, int64_t budget, const std::string& spill_dir,
                      WorkerPool& pool, Progress& progress, ViewOutput* out) {
  const auto started = std::chrono::steady_clock::now();
  const ViewPlan& view = *service.views[v];
  const std::string where = StrCat("feature view '", view.def.name, "'");
  const int64_t nlabels = static_cast<int64_t>(side.probes.entity.size());
  PitViewStats& stats = out->stats;
  stats.view = view.def.name;

  // Pass 1: keys and times, streamed into per-label slots when they fit the budget (memory
  // per label), else collected in memory or partitioned to spill files (memory per row).
  const int64_t estimate = EstimateRows(*source.snapshot);
  const int64_t need = estimate * kMatchBytesPerRow;
  const bool streaming = StreamingBytes(nlabels, pool.threads()) <= budget;
  int partitions = 1;
  if (!streaming && need > budget) partitions = static_cast<int>(std::min<int64_t>(kMaxPartitions, (need + need / 4) / budget + 1));
  TempDir spill;
  if (partitions > 1) PLINTH_RETURN_IF_ERROR(spill.Create(spill_dir));
  std::unique_ptr<AsOfSlots> slots;
  std::unique_ptr<KeyedRowStore> store;
  KeyedRowSink sink;
  if (streaming) {
    slots = std::make_unique<AsOfSlots>(side.probes, pool.threads(), !view.source.created_timestamp_column.empty());
    sink = [&](int task, std::vector<KeyedRow>* rows) {
      slots->Offer(task, *rows);
      return absl::OkStatus();
    };
  } else {
    const int64_t buffer_bytes = budget / 4 / (static_cast<int64_t>(partitions) * pool.threads());
    PLINTH_ASSIGN_OR_RETURN(store, KeyedRowStore::Create(partitions, pool.threads(), spill.path(), buffer_bytes));
    sink = [&](int task, std::vector<KeyedRow>* rows) { return store->Append(task, rows); };
  }
  KeyScanSpec scan{.table_root = source.table_root,
                   .snapshot = source.snapshot,
                   .join_keys = view.join_keys,
                   .event_column = view.source.event_timestamp_column,
                   .created_column = view.source.created_timestamp_column,
                   .where = where,
                   .ttl_micros = view.def.ttl_micros,
                   .min_label_ts = &side.min_ts,
                   .max_label_ts = &side.max_ts};
  const std::string scan_stage = StrCat("scan ", view.def.name);
  std::atomic<int64_t> scanned{0};
  progress.Report(0, estimate, scan_stage, true);
  PLINTH_ASSIGN_OR_RETURN(KeyScanStats scanned_stats,
                          ScanKeyedRows(scan, *side.dict, pool, sink, [&](int64_t n) {
                            progress.Report(scanned.fetch_add(n) + n, estimate, scan_stage);
                          }));
  progress.Report(scanned_stats.rows_scanned, std::max(estimate, scanned_stats.rows_scanned), scan_stage, true);
  stats.files = scanned_stats.files;
  stats.rows_scanned = scanned_stats.rows_scanned;
  stats.rows_kept = scanned_stats.rows_kept;
  stats.partitions = partitions;
  stats.streaming = streaming;
  stats.scan_seconds = SecondsSince(started);

  // Match, then pass 2: the matched rows' feature values in label order.
  const auto match_started = std::chrono::steady_clock::now();
  progress.Report(0, nlabels, StrCat("match ", view.def.name), true);
  std::vector<uint64_t> match;
  if (streaming) {
    slots->Resolve(view.def.ttl_micros, pool, &match);
    slots.reset();
  } else {
    PLINTH_RETURN_IF_ERROR(store->Finish());
    PLINTH_RETURN_IF_ERROR(MatchAsOf(*store, side.probes, view.def.ttl_micros, pool, &match));
    stats.spilled_bytes = store->spilled_bytes();
    store.reset();
  }
  for (uint64_t m : match) stats.labels_matched += m != kNoMatch;
  stats.match_seconds = SecondsSince(match_started);

  const auto gather_started = std::chrono::steady_clock::now();
  const size_t nf = view.def.features.size();
  out->gathered_index.assign(nf, -1);
  GatherSpec gather;
  gather.table_root = source.table_root;
  gather.snapshot = source.snapshot;
  gather.where = where;
  for (size_t f = 0; f < nf; ++f) {
    bool needed = view.transforms.has_value();
    for (const ServiceFeature& sf : service.features) needed = needed || (sf.view == v && sf.output == f);
    if (!needed) continue;
    out->gathered_index[f] = static_cast<int>(gather.columns.size());
    gather.columns.push_back(view.def.features[f].SourceColumn());
    gather.types.push_back(view.def.features[f].type);
  }
  progress.Report(0, nlabels, StrCat("gather ", view.def.name), true);
  PLINTH_ASSIGN_OR_RETURN(out->values, GatherFeatures(gather, match, pool));
  stats.gather_seconds = SecondsSince(gather_started);
  if (view.transforms) {
    progress.Report(0, nlabels, StrCat("transform ", view.def.name), true);
    EvaluateTransforms(view, out->values, request, nlabels, pool, &out->transformed);
  }
  stats.seconds = SecondsSince(started);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> PitOutputNames(const ServicePlan& service, const columnar::Schema& labels) {
  std::vector<std::string> names;
  for (const ServiceFeature& f : service.features) {
    const ViewPlan& view = *service.views[f.view];
    const std::string& short_name = view.OutputName(f.output);
    int uses = 0;
    for (const ServiceFeature& g : service.features) uses += service.views[g.view]->OutputName(g.output) == short_name;
    names.push_back(uses > 1 || labels.IndexOf(short_name) ? StrCat(view.def.name, "__", short_name) : short_name);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    bool clash = labels.IndexOf(names[i]).has_value();
    for (size_t j = 0; j < i; ++j) clash = clash || names[j] == names[i];
    if (clash) {
      return absl::InvalidArgumentError(StrCat("output column '", names[i], "' of feature '", service.features[i].name,
                                               "' clashes with a label column or another output: rename the label column"));
    }
  }
  return names;
}

absl::StatusOr<PitJoinResult> PointInTimeJoin(const ServicePlan& service, const columnar::RecordBatch& labels,
                                              const std::vector<PitViewSource>& sources, const PitJoinOptions& options) {
  if (sources.size() != service.views.size()) return absl::InvalidArgumentError("one source snapshot per view is needed");
  const columnar::Schema& schema = *labels.schema;
  const int64_t nlabels = labels.num_rows;
  if (nlabels >= (int64_t{1} << 32) - 1) return absl::InvalidArgumentError("too many label rows (at most 2^32 - 2)");
  PLINTH_ASSIGN_OR_RETURN(std::vector<std::string> names, PitOutputNames(service, schema));
  const size_t nviews = service.views.size();

  // Label columns: the timestamp, each view's join keys and (for transforms) request values.
  PLINTH_ASSIGN_OR_RETURN(size_t ts_index, LabelColumn(schema, options.label_timestamp_column, "the label timestamp"));
  PLINTH_RETURN_IF_ERROR(CheckColumnType(schema.field(ts_index), ValueType::kTimestamp, "label timestamp"));
  std::vector<std::vector<const columnar::Column*>> key_cols(nviews), request_cols(nviews);
  for (size_t v = 0; v < nviews; ++v) {
    const ViewPlan& view = *service.views[v];
    for (const JoinKey& k : view.join_keys) {
      PLINTH_ASSIGN_OR_RETURN(size_t i, LabelColumn(schema, k.name, StrCat("join key of feature view '", view.def.name, "'")));
      PLINTH_RETURN_IF_ERROR(CheckKeyColumn(schema.field(i), k, "labels"));
      key_cols[v].push_back(&labels.columns[i]);
    }
    if (!view.transforms) continue;
    for (const RequestValueDef& r : view.def.request) {
      PLINTH_ASSIGN_OR_RETURN(size_t i, LabelColumn(schema, r.name, StrCat("request value of feature view '", view.def.name, "'")));
      PLINTH_RETURN_IF_ERROR(CheckColumnType(schema.field(i), r.type, StrCat("request value '", r.name, "'")));
      request_cols[v].push_back(&labels.columns[i]);
    }
  }
  std::vector<int64_t> label_ts(static_cast<size_t>(nlabels));
  for (int64_t i = 0; i < nlabels; ++i) label_ts[i] = ColumnMicros(labels.columns[ts_index], i);

  // One label side per distinct list of join keys (views of one entity share it).
  std::vector<std::unique_ptr<LabelSide>> sides;
  std::vector<const LabelSide*> side_of(nviews);
  for (size_t v = 0; v < nviews; ++v) {
    for (size_t u = 0; u < v && !side_of[v]; ++u) {
      if (key_cols[u] == key_cols[v] && SameKeys(service.views[u]->join_keys, service.views[v]->join_keys)) side_of[v] = side_of[u];
    }
    if (side_of[v]) continue;
    sides.push_back(BuildLabelSide(service.views[v]->join_keys, key_cols[v], label_ts));
    side_of[v] = sides.back().get();
  }

  // Views run two at a time, each on its own pool of `threads`, when their streaming matches
  // fit the budget together: one view's idle tails (the last row groups of a pass, the match)
  // are filled by the other's work. Otherwise one at a time, each with the whole budget.
  const int threads = std::max(1, options.threads);
  const int64_t budget = std::max<int64_t>(options.memory_budget_bytes, 1);
  const int64_t slot_bytes = StreamingBytes(nlabels, threads);
  const int runners = nviews > 1 && threads > 1 && 2 * slot_bytes <= budget ? 2 : 1;
  Progress progress(options.progress);
  std::vector<ViewOutput> outputs(nviews);
  std::vector<absl::Status> errors(nviews);
  std::atomic<size_t> next_view{0};
  // Two views at once: each pool has `threads` threads, but together they run at most
  // `threads` row-group tasks at a time, so a view that finishes early hands its cores to the
  // other instead of oversubscribing them while both run.
  CpuSlots cpu(threads);
  auto run = [&] {
    WorkerPool pool(threads, runners > 1 ? &cpu : nullptr);
    for (size_t v = next_view++; v < nviews; v = next_view++) {
      errors[v] = JoinView(service, v, *side_of[v], sources[v], request_cols[v], budget / runners, options.spill_dir, pool,
                           progress, &outputs[v]);
      if (!errors[v].ok()) next_view = nviews;  // take no more views; the first error is returned
    }
  };
  std::vector<std::thread> others;
  for (int r = 1; r < runners; ++r) others.emplace_back(run);
  run();
  for (std::thread& t : others) t.join();

  PitJoinResult result;
  result.columns.resize(service.features.size());
  for (size_t i = 0; i < service.features.size(); ++i) {
    result.fields.push_back({names[i], ColumnTypeFor(service.features[i].type), true});
  }
  for (const absl::Status& e : errors) PLINTH_RETURN_IF_ERROR(e);
  for (size_t v = 0; v < nviews; ++v) {
    ViewOutput& out = outputs[v];
    const size_t nf = service.views[v]->def.features.size();
    for (size_t i = 0; i < service.features.size(); ++i) {
      const ServiceFeature& sf = service.features[i];
      if (sf.view != v) continue;
      // Moved: a feature used once is not copied (one used twice is copied for its second use).
      columnar::Column& from = sf.output < nf ? out.values[out.gathered_index[sf.output]] : out.transformed[sf.output - nf];
      bool used_later = false;
      for (size_t j = i + 1; j < service.features.size(); ++j) {
        used_later = used_later || (service.features[j].view == v && service.features[j].output == sf.output);
      }
      result.columns[i] = used_later ? from : std::move(from);
    }
    result.views.push_back(std::move(out.stats));
  }
  return result;
}

}  // namespace plinth::features
