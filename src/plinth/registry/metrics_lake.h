// MetricsLakeExporter: copies every metric logged on a model version into the Delta table
// <data-dir>/lake/registry/model_metrics (model, version, key, value, step, timestamp, tags),
// so analysts can follow thousands of per-customer models with DuckDB or Spark.
//
// Exactly once, crash-safe: metric_history rows are exported in id order, and each Delta
// commit records the last exported id as the table's application transaction
// ("plinth.registry.model_metrics" -> id). After a crash the next export resumes from the
// id in the table; two exporters racing on one table cannot both commit the same range
// (the second sees the first's txn action as a conflict and retries from the new state).
// A background thread polls for new rows (cheap: one indexed MAX(id) query) and exports
// them in batches.
// Thread-safety: ExportPending may be called from any thread; calls are serialised.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "plinth/base/clock.h"
#include "plinth/base/status.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::registry {

inline constexpr char kMetricsAppId[] = "plinth.registry.model_metrics";

class MetricsLakeExporter {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;  // REQUIRES: non-null
    std::string table_root;              // e.g. <data-dir>/lake/registry/model_metrics
    Clock* clock = Clock::Real();
    int64_t batch_rows = 100000;
    int64_t poll_interval_micros = 1000000;
  };
  // Creates the table when it does not exist yet.
  static absl::StatusOr<std::unique_ptr<MetricsLakeExporter>> Create(Options options);
  ~MetricsLakeExporter();

  // Exports every row logged since the last export; returns the number of rows written.
  absl::StatusOr<int64_t> ExportPending();

  // Background export every poll interval; Stop() exports what is left and joins.
  void Start();
  void Stop();

 private:
  explicit MetricsLakeExporter(Options options, std::unique_ptr<delta::DeltaTable> table);
  void Loop();

  Options options_;
  std::unique_ptr<delta::DeltaTable> table_;
  std::mutex export_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<int64_t> last_exported_{-1};
};

}  // namespace plinth::registry
