// Feature store benchmark (in process): online reads of one entity x 50 features through the
// whole online read path (key encoding, RocksDB MultiGet, record decoding, TTL, statuses), and
// materialization throughput from a Delta source table into the online store.
//
//   features_bench [--dir /tmp/x] [--entities 100000] [--reads 200000] [--rows 1000000]
//
// Online read: view `wide` (50 double features), 100k entities written through OnlineWriter,
// then the store is compacted and read through the block cache: one entity per call, random
// ids, one thread; beside it the bare MultiGetVisit of the same keys (the storage floor).
// Materialization: source table with `rows` rows x 10 double features over `entities`
// entities (random event times), a full run of the Materializer into an empty view.
// Targets (issue 5): in-process p99 <= 10 us; materialization >= 1M rows/s.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "plinth/base/strings.h"
#include "plinth/features/catalog.h"
#include "plinth/features/materializer.h"
#include "plinth/features/online_reader.h"
#include "plinth/features/online_writer.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/kv/rocksdb_store.h"
#include "plinth/storage/meta/sqlite_meta_store.h"

using namespace plinth;
using namespace plinth::features;
using Steady = std::chrono::steady_clock;

namespace {

template <typename T>
T Check(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, std::string(v.status().message()).c_str());
    std::exit(1);
  }
  return std::move(*v);
}
void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, std::string(s.message()).c_str());
    std::exit(1);
  }
}

double Pct(std::vector<double>& v, double p) {
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

Definitions MakeDefinitions() {
  Definitions d;
  d.entities.push_back({"user", {{"user_id", ValueType::kInt64}}, ""});
  d.sources.push_back({"wide", "wide", "event_timestamp", "", ""});
  d.sources.push_back({"narrow", "narrow", "event_timestamp", "", ""});
  FeatureViewDef wide;
  wide.name = "wide";
  wide.entities = {"user"};
  wide.source = "wide";
  for (int i = 0; i < 50; ++i) wide.features.push_back({StrCat("f", i), ValueType::kDouble, "", ""});
  FeatureViewDef narrow = wide;
  narrow.name = "narrow";
  narrow.source = "narrow";
  narrow.features.resize(10);
  d.feature_views = {wide, narrow};
  FeatureServiceDef svc;
  svc.name = "svc50";
  svc.features = {{"wide", "*"}};
  d.feature_services = {svc};
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/plinth-features-bench";
  int64_t entities = 100000, reads = 200000, rows = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--dir") dir = argv[i + 1];
    else if (a == "--entities") entities = std::stoll(argv[i + 1]);
    else if (a == "--reads") reads = std::stoll(argv[i + 1]);
    else if (a == "--rows") rows = std::stoll(argv[i + 1]);
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto meta = Check(storage::SqliteMetaStore::Create({.path = dir + "/meta.db"}), "meta");
  auto registry = Check(FeatureRegistry::Create({.meta = meta.get(), .lake_root = dir + "/lake"}), "registry");
  Check(registry->Apply(MakeDefinitions(), {}, {}).status(), "apply");
  auto catalog = Check(Catalog::Build(*registry), "catalog");
  auto store = Check(kv::RocksDbStore::Create({.path = dir + "/online"}), "rocksdb");
  OnlineWriter writer(store.get());
  const ViewPlan& wide = *catalog->View("wide");
  const ServicePlan& svc = *catalog->Service("svc50");
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> val(0, 1000);

  // --- online reads ---
  {
    std::vector<PendingRow> batch;
    std::vector<Value> values(50);
    for (int64_t e = 0; e < entities; ++e) {
      PendingRow row;
      row.event_micros = 1'700'000'000'000'000 + e;
      row.created_micros = kNoTimestamp;
      Value key = Value::Int64(e);
      Check(EncodeEntityKey("wide", wide.join_keys, std::span<const Value>(&key, 1), &row.key), "key");
      for (auto& v : values) v = Value::Double(val(rng));
      EncodeRecord({wide.layout, row.event_micros, row.created_micros}, values, &row.record);
      batch.push_back(std::move(row));
      if (batch.size() == 10000) {
        Check(writer.WriteLatest(batch, kv::Durability::kUnlogged).status(), "write");
        batch.clear();
      }
    }
    Check(writer.WriteLatest(batch, kv::Durability::kUnlogged).status(), "write");
    Check(store->Flush(), "flush");
    Check(store->CompactAll(), "compact");
    std::uniform_int_distribution<int64_t> pick(0, entities - 1);
    std::vector<double> full, floor;
    full.reserve(static_cast<size_t>(reads));
    floor.reserve(static_cast<size_t>(reads));
    std::vector<EntityKeys> one(1);
    RequestValues none;
    std::string key;
    size_t sink = 0;
    for (int pass = 0; pass < 2; ++pass) {  // pass 0 warms the block cache
      full.clear();
      floor.clear();
      for (int64_t i = 0; i < reads; ++i) {
        int64_t id = pick(rng);
        one[0]["user_id"] = Value::Int64(id);
        auto t0 = Steady::now();
        auto r = ReadOnlineFeatures(*store, svc, one, none, 1'800'000'000'000'000);
        auto t1 = Steady::now();
        if (!r.ok() || r->rows[0].status[0] != FeatureStatus::kPresent) {
          std::fprintf(stderr, "read failed\n");
          return 1;
        }
        sink += r->rows[0].values.size();
        Value k = Value::Int64(pick(rng));
        Check(EncodeEntityKey("wide", wide.join_keys, std::span<const Value>(&k, 1), &key), "key");
        std::string_view kv = key;
        auto t2 = Steady::now();
        Check(store->MultiGetVisit(std::span<const std::string_view>(&kv, 1),
                                   [&](size_t, std::optional<std::string_view> v) { sink += v ? v->size() : 0; }),
              "multiget");
        auto t3 = Steady::now();
        full.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        floor.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
      }
    }
    std::printf("online read, 1 entity x 50 features, %lld entities, %lld reads, 1 thread (sink %zu)\n",
                static_cast<long long>(entities), static_cast<long long>(reads), sink % 10);
    std::printf("  %-34s p50 %7.2f us  p99 %7.2f us  p99.9 %7.2f us\n", "ReadOnlineFeatures (whole path)", Pct(full, 0.5),
                Pct(full, 0.99), Pct(full, 0.999));
    std::printf("  %-34s p50 %7.2f us  p99 %7.2f us  p99.9 %7.2f us\n", "MultiGetVisit (storage floor)", Pct(floor, 0.5),
                Pct(floor, 0.99), Pct(floor, 0.999));
  }

  // --- materialization ---
  {
    const ViewPlan& narrow = *catalog->View("narrow");
    delta::TableOptions table_options;
    table_options.root = narrow.table_path;
    auto table = Check(delta::DeltaTable::Open(table_options), "open narrow");
    auto snapshot = Check(table->LatestSnapshot(), "snapshot");
    auto schema = std::make_shared<const columnar::Schema>(delta::DeltaTable::ColumnarSchema(*snapshot));
    std::uniform_int_distribution<int64_t> ent(0, entities - 1), ts(0, 86'400'000'000LL * 30);
    int64_t written = 0;
    auto t0 = Steady::now();
    Check(table
              ->Write(
                  [&](columnar::RecordBatch* b) -> absl::StatusOr<bool> {
                    if (written >= rows) return false;
                    int64_t n = std::min<int64_t>(65536, rows - written);
                    *b = columnar::RecordBatch(schema);
                    for (size_t c = 0; c < schema->size(); ++c) {
                      const std::string& name = schema->field(c).name;
                      for (int64_t r = 0; r < n; ++r) {
                        if (name == "user_id") b->columns[c].Append<int64_t>(ent(rng));
                        else if (name == "event_timestamp") b->columns[c].Append<int64_t>(1'700'000'000'000'000 + ts(rng));
                        else b->columns[c].Append<double>(val(rng));
                      }
                    }
                    b->num_rows = n;
                    written += n;
                    return true;
                  },
                  {})
              .status(),
          "write source");
    double write_s = std::chrono::duration<double>(Steady::now() - t0).count();
    // The floor: the same columns scanned alone (decoding only), on one thread and on two.
    auto written_snapshot = Check(table->LatestSnapshot(), "snapshot");
    for (int threads : {1, 2}) {
      delta::ScanSpec spec;
      spec.threads = threads;
      auto t1 = Steady::now();
      auto scan = Check(table->Scan(*written_snapshot, spec), "scan");
      columnar::RecordBatch batch;
      int64_t scanned = 0;
      while (Check(scan->Next(&batch), "next")) scanned += batch.num_rows;
      std::printf("  source scan alone (%d decode thread%s): %.3f s for %lld rows\n", threads, threads > 1 ? "s" : "",
                  std::chrono::duration<double>(Steady::now() - t1).count(), static_cast<long long>(scanned));
    }
    // Beside the materialization runs, one-row writes through the same writer (what a push
    // does once its commit is in), one every millisecond, timed: how long a push waits for a
    // materialization's hold on the writer's lock.
    struct PushProbe {
      std::atomic<bool> stop{false};
      std::vector<double> micros;
      std::thread thread;
    };
    auto start_probe = [&](PushProbe& probe) {
      probe.thread = std::thread([&] {
        std::mt19937_64 prng(7);
        std::vector<Value> values(50, Value::Double(1));
        for (int64_t i = 0; !probe.stop.load(); ++i) {
          std::vector<PendingRow> one(1);
          one[0].event_micros = 1'800'000'000'000'000 + i;
          one[0].created_micros = kNoTimestamp;
          Value k = Value::Int64(static_cast<int64_t>(prng() % static_cast<uint64_t>(entities)));
          Check(EncodeEntityKey("wide", wide.join_keys, std::span<const Value>(&k, 1), &one[0].key), "key");
          EncodeRecord({wide.layout, one[0].event_micros, kNoTimestamp}, values, &one[0].record);
          auto t0 = Steady::now();
          Check(writer.WriteLatest(one, kv::Durability::kLogged).status(), "push write");
          probe.micros.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      });
    };
    auto report_probe = [&](PushProbe& probe, const char* during) {
      probe.stop.store(true);
      probe.thread.join();
      std::vector<double>& v = probe.micros;
      if (v.empty()) return;
      double max = *std::max_element(v.begin(), v.end());
      std::printf("    one-row online writes during the %s: %zu, p50 %.0f us, p99 %.0f us, max %.0f us\n", during, v.size(),
                  Pct(v, 0.5), Pct(v, 0.99), max);
    };
    Materializer materializer({.meta = meta.get(), .writer = &writer});
    PushProbe first_probe;
    start_probe(first_probe);
    auto result = Check(materializer.Run(narrow, {}), "materialize");
    first_probe.stop.store(true);
    std::printf("materialization, %lld rows x 10 features over %lld entities (source written in %.2f s)\n",
                static_cast<long long>(rows), static_cast<long long>(entities), write_s);
    std::printf("  first run (every file, into an empty view): %.3f s, %.0f rows/s, %lld records written\n", result.seconds,
                static_cast<double>(result.rows_scanned) / result.seconds, static_cast<long long>(result.rows_written));
    report_probe(first_probe, "first run");
    // A full rebuild compares every entity with the store and deletes those without rows.
    PushProbe rebuild_probe;
    start_probe(rebuild_probe);
    MaterializeOptions full;
    full.full = true;
    auto rebuild = Check(materializer.Run(narrow, full), "rebuild");
    std::printf("  full rebuild (nothing changed): %.3f s, %.0f rows/s, %lld written, %lld deleted, %d pass(es)\n",
                rebuild.seconds, static_cast<double>(rebuild.rows_scanned) / rebuild.seconds,
                static_cast<long long>(rebuild.rows_written), static_cast<long long>(rebuild.rows_deleted),
                rebuild.reconciled ? rebuild.reconciled->passes : 0);
    report_probe(rebuild_probe, "rebuild");
  }
  return 0;
}
