// Online store benchmark: RocksDbStore (the tuned backend behind OnlineStore) on the shape of
// an online feature read, side by side with the same lookups on plain RocksDB with its
// default options (the peer: what an untuned embedding gives).
//
//   online_store_bench [--dir /tmp/x] [--keys 100000] [--lookups 200000] [--load-rows 1000000]
//                      [--load-modes wal-off,wal-on,bulk] [--compress 1] [--skip-reads 0]
//
// Data: 16-byte keys ("fv07" + 12-digit entity id) and 600-byte values (50 features x (4-byte
// feature id + 8-byte double), random doubles: as incompressible as real features). Reads run
// after a flush and a full compaction, so every lookup goes through the SST files and the block
// cache (warmed by one pass), on one thread, random keys. Bulk load: fresh stores, entities
// in shuffled order; WriteBatches of 10k rows with the WAL off and on, then the final flush
// ("flush s"); and NewBulkLoader(), whose Finish() (last chunk) is the "flush s" column.
// Prints a table; every latency is one call timed with steady_clock (~20 ns overhead).
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "plinth/base/strings.h"
#include "plinth/storage/kv/rocksdb_store.h"

using namespace plinth;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void Die(std::string_view what, std::string_view why) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(why.size()), why.data());
  std::exit(1);
}
template <typename T>
T Check(absl::StatusOr<T> v, std::string_view what) {
  if (!v.ok()) Die(what, v.status().ToString());
  return std::move(v).value();
}
void Check(const absl::Status& s, std::string_view what) {
  if (!s.ok()) Die(what, s.ToString());
}
void Check(const rocksdb::Status& s, std::string_view what) {
  if (!s.ok()) Die(what, s.ToString());
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The p-quantile (0..1) of sorted `v`, by rank.
double Quantile(const std::vector<double>& v, double p) {
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

std::string Key(uint64_t entity) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "fv07%012llu", static_cast<unsigned long long>(entity));
  return std::string(buf, 16);
}

std::string Value(std::mt19937_64& rng) {
  std::string v(600, '\0');
  std::uniform_real_distribution<double> d(-1e3, 1e3);
  for (uint32_t f = 0; f < 50; ++f) {
    double x = d(rng);
    std::memcpy(&v[f * 12], &f, 4);
    std::memcpy(&v[f * 12 + 4], &x, 8);
  }
  return v;
}

struct Row {
  const char* name;
  std::vector<double> micros;  // per call
  int keys_per_call = 1;
};

void PrintLatency(Row& r) {
  std::sort(r.micros.begin(), r.micros.end());
  double sum = 0;
  for (double x : r.micros) sum += x;
  std::printf("| %-44s | %8zu | %7.2f | %7.2f | %7.2f | %7.2f | %9.2f |\n", r.name, r.micros.size(),
              sum / r.micros.size(), Quantile(r.micros, 0.5), Quantile(r.micros, 0.99),
              Quantile(r.micros, 0.999), r.micros.back());
}

// Times fn() once per lookup over `order` (random entity ids).
template <typename Fn>
Row Time(const char* name, const std::vector<uint64_t>& order, Fn&& fn) {
  Row r{name, {}};
  r.micros.reserve(order.size());
  for (uint64_t e : order) {
    auto t0 = Clock::now();
    fn(e);
    auto t1 = Clock::now();
    r.micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  return r;
}

// CPU seconds used by the whole process so far (all threads: RocksDB's flushes and
// compactions count), so a load's cost is visible even on a busy machine.
double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct LoadResult {
  double write_s, flush_s, cpu_s = 0;
};

// durability == nullopt: through NewBulkLoader() (sorted chunk files, ingested).
LoadResult BulkLoad(const std::string& path, uint64_t rows,
                    std::optional<kv::Durability> durability, bool compress) {
  std::filesystem::remove_all(path);
  auto store =
      Check(kv::RocksDbStore::Create({.path = path, .compress = compress}), "open load store");
  std::mt19937_64 rng(7);
  std::vector<std::string> values;
  for (int i = 0; i < 1024; ++i) values.push_back(Value(rng));
  // Entities in a shuffled order, as a materialization from a Parquet file would give them.
  std::vector<uint64_t> order(rows);
  for (uint64_t i = 0; i < rows; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  if (!durability) {
    auto t0 = Clock::now();
    auto loader = Check(store->NewBulkLoader(), "bulk loader");
    for (uint64_t i = 0; i < rows; ++i) {
      Check(loader->Put(Key(order[i]), values[order[i] % values.size()]), "bulk put");
    }
    auto t1 = Clock::now();
    Check(loader->Finish(), "bulk finish");
    auto t2 = Clock::now();
    return {Seconds(t0, t1), Seconds(t1, t2)};
  }
  kv::WriteBatch batch;
  batch.Reserve(10000, 10000 * 616);
  auto t0 = Clock::now();
  for (uint64_t i = 0; i < rows; i += 10000) {
    batch.Clear();
    for (uint64_t j = i; j < std::min(rows, i + 10000); ++j) {
      batch.Put(Key(order[j]), values[order[j] % values.size()]);
    }
    Check(store->Write(batch, {.durability = *durability}), "bulk write");
  }
  auto t1 = Clock::now();
  Check(store->Flush(), "flush");
  auto t2 = Clock::now();
  return {Seconds(t0, t1), Seconds(t1, t2)};
}

// Point lookups on `keys` rows, Plinth's store beside the default-options peer.
void RunReads(const std::string& dir, uint64_t keys, uint64_t lookups) {
  // --- Load, flush, compact: reads hit SST files through the block cache.
  std::mt19937_64 rng(42);
  std::vector<std::string> values(keys);
  for (auto& v : values) v = Value(rng);
  auto store = Check(kv::RocksDbStore::Create({.path = dir + "/plinth"}), "open");
  rocksdb::DB* peer_raw = nullptr;
  {
    rocksdb::Options o;  // defaults: the untuned peer (8 MiB block cache, no bloom filter)
    o.create_if_missing = true;
    Check(rocksdb::DB::Open(o, dir + "/peer", &peer_raw), "open peer");
  }
  std::unique_ptr<rocksdb::DB> peer(peer_raw);
  for (uint64_t i = 0; i < keys; i += 10000) {
    kv::WriteBatch b;
    rocksdb::WriteBatch pb;
    for (uint64_t e = i; e < std::min(keys, i + 10000); ++e) {
      b.Put(Key(2 * e), values[e]);
      Check(pb.Put(Key(2 * e), values[e]), "peer batch");
    }
    Check(store->Write(b), "write");
    Check(peer->Write(rocksdb::WriteOptions(), &pb), "peer write");
  }
  Check(store->Flush(), "flush");
  Check(store->CompactAll(), "compact");
  Check(peer->Flush(rocksdb::FlushOptions()), "peer flush");
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  Check(peer->CompactRange(co, nullptr, nullptr), "peer compact");

  std::vector<uint64_t> order(lookups);
  std::uniform_int_distribution<uint64_t> pick(0, keys - 1);
  for (auto& e : order) e = pick(rng);
  std::vector<uint64_t> missing(lookups);
  for (auto& e : missing) e = keys + pick(rng);  // never written
  // Row e is entity 2e; the absent keys are odd entities between them, so their lookups go
  // through the index and the filters like real misses rather than falling off the end.
  std::vector<std::string> key_text(keys + keys);
  for (uint64_t e = 0; e < keys; ++e) key_text[e] = Key(2 * e);
  for (uint64_t e = 0; e < keys; ++e) key_text[keys + e] = Key(2 * e + 1);

  // Warm-up: one pass over every key on both stores.
  uint64_t checksum = 0;
  for (uint64_t e = 0; e < keys; ++e) {
    checksum += Check(store->Get(key_text[e]), "get")->size();
    std::string v;
    Check(peer->Get(rocksdb::ReadOptions(), key_text[e], &v), "peer get");
    checksum += v.size();
  }

  std::vector<Row> rows;
  rows.push_back(Time("Get (copy into std::string)", order, [&](uint64_t e) {
    auto v = store->Get(key_text[e]);
    checksum += (*v)->size();
  }));
  std::vector<std::string_view> one(1);
  rows.push_back(Time("MultiGetVisit, 1 key (zero-copy)", order, [&](uint64_t e) {
    one[0] = key_text[e];
    Check(store->MultiGetVisit(
              one, [&](size_t, std::optional<std::string_view> v) { checksum += v->size(); }),
          "visit");
  }));
  std::vector<std::optional<std::string>> out;
  rows.push_back(Time("MultiGet, 1 key (reused vector)", order, [&](uint64_t e) {
    one[0] = key_text[e];
    Check(store->MultiGet(one, &out), "multiget");
    checksum += out[0]->size();
  }));
  rows.push_back(Time("Get, absent key (bloom filter)", missing, [&](uint64_t e) {
    auto v = store->Get(key_text[e]);
    checksum += v->has_value();
  }));
  rocksdb::PinnableSlice pinned;
  rows.push_back(Time("peer: RocksDB defaults, Get (PinnableSlice)", order, [&](uint64_t e) {
    pinned.Reset();
    Check(peer->Get(rocksdb::ReadOptions(), peer->DefaultColumnFamily(), key_text[e], &pinned),
          "peer get");
    checksum += pinned.size();
  }));
  rows.push_back(Time("peer: RocksDB defaults, Get absent key", missing, [&](uint64_t e) {
    pinned.Reset();
    checksum += peer->Get(rocksdb::ReadOptions(), peer->DefaultColumnFamily(), key_text[e], &pinned)
                    .IsNotFound();
  }));
  // 100 random keys per call.
  std::vector<uint64_t> calls(lookups / 100);
  std::vector<std::string_view> hundred(100);
  for (auto& c : calls) c = pick(rng);
  std::mt19937_64 call_rng(9);
  Row many = Time("MultiGetVisit, 100 keys (per call)", calls, [&](uint64_t) {
    for (auto& k : hundred) k = key_text[pick(call_rng)];
    Check(store->MultiGetVisit(
              hundred, [&](size_t, std::optional<std::string_view> v) { checksum += v->size(); }),
          "visit 100");
  });
  std::vector<rocksdb::Slice> peer_keys(100);
  std::vector<rocksdb::PinnableSlice> peer_values(100);
  std::vector<rocksdb::Status> peer_status(100);
  Row peer_many = Time("peer: RocksDB defaults, MultiGet 100 keys", calls, [&](uint64_t) {
    for (auto& k : peer_keys) k = key_text[pick(call_rng)];
    for (auto& v : peer_values) v.Reset();
    peer->MultiGet(rocksdb::ReadOptions(), peer->DefaultColumnFamily(), 100, peer_keys.data(),
                   peer_values.data(), peer_status.data());
    checksum += peer_values[0].size();
  });

  // Single-row writes, as a push would do them.
  std::vector<uint64_t> push_order(std::min<uint64_t>(lookups, 50000));
  for (auto& e : push_order) e = pick(rng);
  Row push = Time("Write 1 row, WAL, no fsync (push)", push_order, [&](uint64_t e) {
    kv::WriteBatch b;
    b.Put(key_text[e], values[e]);
    Check(store->Write(b), "push");
  });
  std::vector<uint64_t> sync_order(push_order.begin(), push_order.begin() + 500);
  Row push_sync = Time("Write 1 row, WAL + fsync", sync_order, [&](uint64_t e) {
    kv::WriteBatch b;
    b.Put(key_text[e], values[e]);
    Check(store->Write(b, {.durability = kv::Durability::kSynced}), "push sync");
  });

  std::printf("\n| %-44s | %8s | %7s | %7s | %7s | %7s | %9s |\n", "operation (latency in us)",
              "calls", "mean", "p50", "p99", "p99.9", "max");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(),
              std::string(10, '-').c_str(), std::string(9, '-').c_str(),
              std::string(9, '-').c_str(), std::string(9, '-').c_str(), std::string(9, '-').c_str(),
              std::string(11, '-').c_str());
  for (auto& r : rows) PrintLatency(r);
  PrintLatency(many);
  PrintLatency(peer_many);
  PrintLatency(push);
  PrintLatency(push_sync);
  auto stats = Check(store->Stats(), "stats");
  std::printf("\nblock cache in use: %.1f MiB of %.0f MiB; store size %.1f MiB\n",
              stats.cache_bytes / 1048576.0, stats.cache_capacity_bytes / 1048576.0,
              stats.approximate_bytes / 1048576.0);
  store.reset();
  // Pinned slices hold blocks of the peer's cache: release them before closing it.
  pinned.Reset();
  for (auto& v : peer_values) v.Reset();
  peer.reset();

  std::printf("(checksum %llu)\n", static_cast<unsigned long long>(checksum));
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = (std::filesystem::temp_directory_path() / "plinth-online-store-bench").string();
  uint64_t keys = 100000, lookups = 200000, load_rows = 1000000;
  bool skip_reads = false;
  bool compress = true;
  std::string load_modes = "wal-off,wal-on,bulk";  // which bulk loads to run
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--keys")
      keys = std::stoull(argv[i + 1]);
    else if (flag == "--lookups")
      lookups = std::stoull(argv[i + 1]);
    else if (flag == "--load-rows")
      load_rows = std::stoull(argv[i + 1]);
    else if (flag == "--compress")
      compress = std::string_view(argv[i + 1]) == "1";
    else if (flag == "--load-modes")
      load_modes = argv[i + 1];
    else if (flag == "--skip-reads")
      skip_reads = std::string_view(argv[i + 1]) == "1";
    else
      Die("unknown flag", flag);
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::printf("online_store_bench: %llu keys x 600-byte values, %llu random lookups, 1 thread\n",
              static_cast<unsigned long long>(keys), static_cast<unsigned long long>(lookups));

  if (!skip_reads) RunReads(dir, keys, lookups);

  // --- Bulk load throughput.
  std::printf("\n| %-42s | %9s | %9s | %9s | %12s | %12s | %7s | %14s |\n",
              "bulk load, shuffled keys", "rows", "write s", "flush s", "rows/s write",
              "rows/s total", "CPU s", "rows/CPU-s");
  std::printf(
      "|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(44, '-').c_str(), std::string(11, '-').c_str(),
      std::string(11, '-').c_str(), std::string(11, '-').c_str(), std::string(14, '-').c_str(),
      std::string(14, '-').c_str(), std::string(9, '-').c_str(), std::string(16, '-').c_str());
  for (auto [flag, name, d] :
       {std::tuple{"wal-off", "WriteBatch, WAL disabled", std::optional(kv::Durability::kUnlogged)},
        std::tuple{"wal-on", "WriteBatch, WAL enabled, no fsync",
                   std::optional(kv::Durability::kLogged)},
        std::tuple{"bulk", "BulkLoader (64 MiB sorted chunks, ingest)",
                   std::optional<kv::Durability>()}}) {
    if (load_modes.find(flag) == std::string::npos) continue;
    double cpu0 = CpuSeconds();
    LoadResult r =
        BulkLoad(dir + "/load", load_rows, d, compress);  // closing the store flushes/waits too
    r.cpu_s = CpuSeconds() - cpu0;
    std::printf("| %-42s | %9llu | %9.2f | %9.2f | %12.0f | %12.0f | %7.2f | %14.0f |\n", name,
                static_cast<unsigned long long>(load_rows), r.write_s, r.flush_s,
                load_rows / r.write_s, load_rows / (r.write_s + r.flush_s), r.cpu_s,
                load_rows / r.cpu_s);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
