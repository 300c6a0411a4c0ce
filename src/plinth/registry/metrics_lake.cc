#include "plinth/registry/metrics_lake.h"

#include <filesystem>
#include <map>

#include "plinth/base/json.h"
#include "plinth/base/logging.h"
#include "plinth/base/strings.h"

namespace plinth::registry {

namespace {

constexpr char kSchema[] =
    "model string not null, version int64 not null, key string not null, value double not null, "
    "step int64 not null, timestamp timestamp not null, tags string";

}  // namespace

MetricsLakeExporter::MetricsLakeExporter(Options options, std::unique_ptr<delta::DeltaTable> table)
    : options_(std::move(options)), table_(std::move(table)) {}

MetricsLakeExporter::~MetricsLakeExporter() { Stop(); }

absl::StatusOr<std::unique_ptr<MetricsLakeExporter>> MetricsLakeExporter::Create(Options options) {
  if (options.meta == nullptr || options.table_root.empty()) {
    return absl::InvalidArgumentError("metrics exporter needs a meta store and a table path");
  }
  delta::TableOptions to;
  to.root = options.table_root;
  to.clock = options.clock;
  auto table = delta::DeltaTable::Open(to);
  if (absl::IsNotFound(table.status())) {
    PLINTH_ASSIGN_OR_RETURN(columnar::Schema schema, columnar::Schema::Parse(kSchema));
    table = delta::DeltaTable::Create(to, schema, {});
    if (absl::IsAlreadyExists(table.status())) table = delta::DeltaTable::Open(to);  // another process won
  }
  if (!table.ok()) return table.status();
  return std::unique_ptr<MetricsLakeExporter>(new MetricsLakeExporter(std::move(options), std::move(*table)));
}

absl::StatusOr<int64_t> MetricsLakeExporter::ExportPending() {
  std::lock_guard<std::mutex> lock(export_mu_);
  int64_t total = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    // Cheap check first: anything newer than what we exported?
    int64_t max_id = 0;
    PLINTH_RETURN_IF_ERROR(options_.meta->Run(storage::TxnMode::kRead, [&](storage::SqlTransaction& txn) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT COALESCE(MAX(id), 0) FROM metric_history"));
      max_id = rows.empty() ? 0 : rows[0].Int(0);
      return absl::OkStatus();
    }));
    if (last_exported_.load() >= max_id) return total;
    PLINTH_ASSIGN_OR_RETURN(auto snapshot, table_->LatestSnapshot());
    int64_t done = snapshot->AppTransactionVersion(kMetricsAppId).value_or(0);
    last_exported_ = done;
    if (done >= max_id) return total;
    auto schema = std::make_shared<const columnar::Schema>(*columnar::Schema::Parse(kSchema));
    columnar::RecordBatch batch(schema);
    int64_t last_id = done;
    PLINTH_RETURN_IF_ERROR(options_.meta->Run(storage::TxnMode::kRead, [&](storage::SqlTransaction& txn) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(
          auto rows,
          txn.Query("SELECT h.id, m.name, v.version, h.key, h.value, h.step, h.ts, v.id "
                    "FROM metric_history h JOIN model_versions v ON v.id = h.version_id JOIN models m ON m.id = v.model_id "
                    "WHERE h.id > ? ORDER BY h.id LIMIT ?",
                    {storage::SqlValue(done), storage::SqlValue(options_.batch_rows)}));
      // Tags of the versions in this batch, as one JSON object per version.
      std::map<int64_t, Json> tags_of;
      for (const auto& r : rows) tags_of.emplace(r.Int(7), Json::object());
      std::vector<int64_t> ids;
      for (const auto& [id, unused] : tags_of) ids.push_back(id);
      for (size_t i = 0; i < ids.size(); i += 500) {
        std::string sql = "SELECT version_id, key, value FROM version_tags WHERE version_id IN (";
        std::vector<storage::SqlValue> params;
        for (size_t k = i; k < std::min(ids.size(), i + 500); ++k) {
          sql += k == i ? "?" : ", ?";
          params.emplace_back(ids[k]);
        }
        sql += ")";
        PLINTH_ASSIGN_OR_RETURN(auto tag_rows, txn.Query(sql, params));
        for (const auto& t : tag_rows) tags_of[t.Int(0)][t.Text(1)] = t.Text(2);
      }
      for (const auto& r : rows) {
        last_id = r.Int(0);
        batch.columns[0].AppendBytes(r.Text(1));
        batch.columns[1].Append<int64_t>(r.Int(2));
        batch.columns[2].AppendBytes(r.Text(3));
        batch.columns[3].Append<double>(r.Double(4));
        batch.columns[4].Append<int64_t>(r.Int(5));
        batch.columns[5].Append<int64_t>(r.Int(6));
        batch.columns[6].AppendBytes(DumpJson(tags_of[r.Int(7)]));
        ++batch.num_rows;
      }
      return absl::OkStatus();
    }));
    if (last_id == done) {
      // Rows between `done` and max_id were deleted (their versions were): skip past them.
      last_id = max_id;
    }
    delta::WriteOptions wo;
    wo.app_transaction = std::make_pair(std::string(kMetricsAppId), last_id);
    bool sent = false;
    auto result = table_->Write(
        [&](columnar::RecordBatch* out) -> absl::StatusOr<bool> {
          if (sent || batch.num_rows == 0) return false;
          *out = batch;
          sent = true;
          return true;
        },
        wo);
    if (!result.ok()) {
      if (absl::IsAborted(result.status())) continue;  // another exporter committed first: re-read
      return result.status();
    }
    if (!result->already_committed) total += batch.num_rows;
    last_exported_ = last_id;
    if (last_id >= max_id) return total;
  }
  return total;
}

void MetricsLakeExporter::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void MetricsLakeExporter::Loop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::microseconds(options_.poll_interval_micros), [this] { return stopping_; });
      if (stopping_) return;
    }
    auto st = ExportPending();
    if (!st.ok()) LogWarn(StrCat("exporting model metrics to ", options_.table_root, ": ", st.status().message()));
  }
}

void MetricsLakeExporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  auto st = ExportPending();
  if (!st.ok()) LogWarn(StrCat("exporting model metrics to ", options_.table_root, ": ", st.status().message()));
}

}  // namespace plinth::registry
