// Lakehouse benchmark, Plinth side: writes the benchmark table (6 columns: int64 id, int64
// account, double amount, double score, a repetitive string category, a timestamp) to a
// Parquet file and scans it fully, computing the same aggregates as the DuckDB side
// (scripts/run-lake-bench.sh runs both on the same data and reports ratios).
//
//   lake_bench --rows 10000000 --file /tmp/plinth.parquet [--codec snappy] [--threads 2]
//
// Row i (0-based) holds: id = i; account = hash(i) % 1000003 (DuckDB's 64-bit integer hash,
// i.e. pseudo-random); amount = ((i * 31337) %
// 100000) * 0.01; score = (i % 1000) / 8.0; category = 'category_' || (i % 100);
// ts = 2024-01-01T00:00:00Z + i seconds. The DuckDB SQL in the script uses the same formulas.
// Prints one JSON object with seconds and rows/s for write and scan.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "plinth/base/strings.h"
#include "plinth/storage/parquet/file_reader.h"
#include "plinth/storage/parquet/file_writer.h"

using namespace plinth;

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// DuckDB's hash() of a BIGINT, so both engines generate the same pseudo-random column.
uint64_t Mix(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

columnar::SchemaPtr BenchSchema() {
  return std::make_shared<const columnar::Schema>(*columnar::Schema::Parse(
      "id int64 not null, account int64 not null, amount double not null, score double not null, "
      "category string not null, ts timestamp not null"));
}

void FillBatch(columnar::RecordBatch* b, int64_t start, int64_t n) {
  b->Clear();
  auto& id = b->columns[0];
  auto& account = b->columns[1];
  auto& amount = b->columns[2];
  auto& score = b->columns[3];
  auto& category = b->columns[4];
  auto& ts = b->columns[5];
  for (auto* c : {&id, &account, &ts}) c->values().Resize(n * 8);
  amount.values().Resize(n * 8);
  score.values().Resize(n * 8);
  int64_t* pid = id.mutable_data<int64_t>();
  int64_t* pacc = account.mutable_data<int64_t>();
  double* pam = amount.mutable_data<double>();
  double* psc = score.mutable_data<double>();
  int64_t* pts = ts.mutable_data<int64_t>();
  category.offsets().reserve(n + 1);
  for (int64_t k = 0; k < n; ++k) {
    int64_t i = start + k;
    pid[k] = i;
    pacc[k] = static_cast<int64_t>(Mix(static_cast<uint64_t>(i)) % 1000003);
    pam[k] = static_cast<double>((i * 31337) % 100000) * 0.01;
    psc[k] = static_cast<double>(i % 1000) / 8.0;
    pts[k] = 1704067200000000LL + i * 1000000LL;
    char buf[32];
    int len = std::snprintf(buf, sizeof(buf), "category_%lld", static_cast<long long>(i % 100));
    category.bytes().append(buf, len);
    category.offsets().push_back(static_cast<int64_t>(category.bytes().size()));
  }
  for (auto* c : {&id, &account, &amount, &score, &category, &ts}) c->SetLength(n);
  b->num_rows = n;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 10000000;
  std::string file = "/tmp/plinth_lake_bench.parquet";
  std::string codec = "snappy";
  std::string scan_only;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--rows") rows = std::stoll(v);
    else if (k == "--file") file = v;
    else if (k == "--codec") codec = v;
    else if (k == "--scan-only") scan_only = v;
    else if (k == "--threads") threads = std::stoi(v);
    else {
      std::fprintf(stderr, "usage: lake_bench [--rows N] [--file F] [--codec C] [--scan-only FILE] [--threads N]\n");
      return 2;
    }
  }
  auto schema = BenchSchema();
  parquet::WriterOptions wo;
  if (!parquet::ParseCodecName(codec, &wo.codec)) {
    std::fprintf(stderr, "unknown codec %s\n", codec.c_str());
    return 2;
  }
  // Generation is timed separately; the write figure is encode + compress + IO.
  const int64_t kBatch = 65536;
  double gen = 0, t0 = Now();
  uint64_t bytes = 0;
  double write_s = 0;
  columnar::RecordBatch batch(schema);
  if (!scan_only.empty()) {
    file = scan_only;
    goto scan;
  }
  {
  auto out = parquet::OpenLocalOutputFile(file, /*durable=*/false);
  auto writer = parquet::ParquetWriter::Create(std::move(*out), *schema, wo);
  if (!writer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(writer.status().message()).c_str());
    return 1;
  }
  for (int64_t start = 0; start < rows; start += kBatch) {
    double g0 = Now();
    FillBatch(&batch, start, std::min(kBatch, rows - start));
    gen += Now() - g0;
    auto st = (*writer)->Write(batch);
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  if (auto st = (*writer)->Close(); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return 1;
  }
  write_s = Now() - t0 - gen;
  bytes = (*writer)->bytes_written();
  }

scan:
  double s0 = Now();
  auto reader = parquet::ParquetReader::OpenFile(file);
  parquet::ScanOptions so;
  so.threads = threads;
  auto scan = (*reader)->Scan(so);
  int64_t n = 0, max_id = 0, max_acc = 0, max_ts = 0, sum_acc = 0;
  double sum_amount = 0, sum_score = 0;
  std::string max_cat;
  while (true) {
    auto more = (*scan)->Next(&batch);
    if (!more.ok()) {
      std::fprintf(stderr, "%s\n", std::string(more.status().message()).c_str());
      return 1;
    }
    if (!*more) break;
    const int64_t m = batch.num_rows;
    const int64_t* pid = batch.columns[0].data<int64_t>();
    const int64_t* pacc = batch.columns[1].data<int64_t>();
    const double* pam = batch.columns[2].data<double>();
    const double* psc = batch.columns[3].data<double>();
    const int64_t* pts = batch.columns[5].data<int64_t>();
    for (int64_t k = 0; k < m; ++k) {
      max_id = std::max(max_id, pid[k]);
      max_acc = std::max(max_acc, pacc[k]);
      sum_acc += pacc[k];
      sum_amount += pam[k];
      sum_score += psc[k];
      max_ts = std::max(max_ts, pts[k]);
    }
    for (int64_t k = 0; k < m; ++k) {
      std::string_view c = batch.columns[4].GetBytes(k);
      if (c > max_cat) max_cat = std::string(c);
    }
    n += m;
  }
  double scan_s = Now() - s0;
  if (!scan_only.empty()) rows = n;
  std::printf(
      "{\"engine\":\"plinth\",\"rows\":%lld,\"codec\":\"%s\",\"file_bytes\":%llu,\"generate_seconds\":%.3f,"
      "\"write_seconds\":%.3f,\"write_rows_per_s\":%.0f,\"scan_seconds\":%.3f,\"scan_rows_per_s\":%.0f,"
      "\"check\":{\"count\":%lld,\"max_id\":%lld,\"max_account\":%lld,\"sum_account\":%lld,\"sum_amount\":%.2f,\"sum_score\":%.2f,"
      "\"max_category\":\"%s\",\"max_ts\":%lld}}\n",
      static_cast<long long>(rows), codec.c_str(), static_cast<unsigned long long>(bytes), gen, write_s,
      write_s > 0 ? rows / write_s : 0.0,
      scan_s, n / scan_s, static_cast<long long>(n), static_cast<long long>(max_id), static_cast<long long>(max_acc), static_cast<long long>(sum_acc),
      sum_amount, sum_score, max_cat.c_str(), static_cast<long long>(max_ts));
  return 0;
}
