// Training sets: a label table joined point-in-time with a feature service's views
// (point_in_time_join.h), written as a new Delta table, with the lineage a dataset records.
//
//   labels   a Delta table directory, .parquet, .csv or .jsonl (label_input.h) holding the
//            service's join keys, the label timestamp column and any other columns (labels)
//   output   a Delta table directory that must not exist yet (AlreadyExists otherwise): every
//            label column unchanged, then one column per service feature; rows in label order
//   lineage  the service and its version; per view its version, source, source table path
//            and the table version read; the labels' path (and version when a Delta table)
// Memory: the labels are read in chunks of as many rows as fit, with their output columns, in
// half of memory_budget_bytes (strings guessed at 32 bytes); each chunk is joined and written
// before the next is read (each reads the views again; the join gets the other half of the
// budget). Usually one chunk holds every label and the join gets the whole budget.
// Every check (labels, columns, types, output path) runs before anything is written; a
// failure after the output table was created removes it.
// Thread-safety: reentrant; different outputs may be built concurrently.
#pragma once

#include <string>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/features/catalog.h"
#include "plinth/features/point_in_time_join.h"

namespace plinth::features {

struct TrainingSetOptions {
  std::string labels;
  std::string label_timestamp_column = "event_timestamp";
  std::string output;
  int64_t memory_budget_bytes = int64_t{1} << 30;
  std::string spill_dir;  // default: the output's parent directory
  int threads = 2;
  ProgressFn progress;    // stages: "read labels", "scan V", "match V", "gather V", "transform V", "write"
};

struct ViewLineage {
  std::string view;
  int64_t view_version = 0;
  std::string source;
  int64_t source_version = 0;
  std::string table_path;
  int64_t table_version = -1;
};

struct TrainingSetLineage {
  std::string service;
  int64_t service_version = 0;
  std::vector<ViewLineage> views;
  std::string labels;
  std::string labels_format;
  int64_t labels_table_version = -1;  // Delta labels only
  std::string label_timestamp_column;
  // {"service", "service_version", "views": [{"view", "view_version", "source", "source_version",
  //  "table_path", "table_version"}], "labels": {"path", "format", "table_version"?, "timestamp_column"}}
  Json ToJson() const;
};

struct TrainingSetResult {
  std::string table_path;
  int64_t table_version = -1;
  int64_t rows = 0;
  std::vector<std::string> feature_columns;
  TrainingSetLineage lineage;
  std::vector<PitViewStats> views;
  int64_t chunks = 0;         // label chunks joined one after the other (1: all at once)
  double seconds = 0;
  double labels_seconds = 0;  // until the first chunk of labels was read (labels, snapshots)
  double write_seconds = 0;   // writing the output table (with the joins of chunks after the first)
  Json ToJson() const;
};

absl::StatusOr<TrainingSetResult> BuildTrainingSet(const ServicePlan& service, const TrainingSetOptions& options);

}  // namespace plinth::features
