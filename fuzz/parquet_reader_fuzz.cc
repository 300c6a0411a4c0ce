// libFuzzer target over the whole Parquet read path (untrusted files): footer, schema, column
// chunk reading, page headers, CRCs, codecs, every value and level encoding, type conversions
// and chunk statistics.
//
// Input layout: the first byte holds the options (bit 0 clear = verify page CRCs; bits 1-3 pick
// the batch size) and is then replaced by 'P', so a Parquet file used as an input (the seeds,
// ../shared/testdata/parquet) still starts with its magic and mutating that byte explores the
// options. Every flat column is scanned in small batches; every leaf of a nested column is
// drained through ColumnChunkReader::ReadLevels. Memory stays bounded: pages are limited to
// kMaxPageBytes and rows read per input to kMaxRows.
//
// Any crash, hang, sanitizer report, huge allocation or broken invariant is a bug; a crash found
// becomes a regression input in fuzz/corpus/parquet_reader.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "plinth/storage/parquet/file_reader.h"

using namespace plinth;           // NOLINT
using namespace plinth::parquet;  // NOLINT

namespace {

constexpr int64_t kMaxPageBytes = int64_t{1} << 21;
constexpr int64_t kMaxRows = 4096;  // per scan, and level entries per nested chunk
constexpr int64_t kBatchRows[] = {64, 1, 2, 3, 7, 16, 100, 1000};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "parquet_reader_fuzz: invariant broken: %s\n", what);
  std::abort();
}

void CheckColumn(const columnar::Column& c, int64_t rows) {
  if (c.length() != rows) Fail("column length differs from the batch row count");
  if (c.has_nulls() && static_cast<int64_t>(c.validity().size()) != rows) Fail("validity size");
  if (c.storage() == columnar::StorageClass::kBytes) {
    const auto& off = c.offsets();
    if (static_cast<int64_t>(off.size()) != rows + 1 || off[0] != 0) Fail("offsets size");
    for (int64_t i = 0; i < rows; ++i) {
      if (off[i + 1] < off[i]) Fail("offsets decrease");
    }
    if (off[rows] != static_cast<int64_t>(c.bytes().size())) Fail("offsets do not end at the data size");
  } else if (c.values().size() < static_cast<size_t>(rows) * columnar::StorageWidth(c.storage())) {
    Fail("values buffer too small");
  }
}

void ScanFlatColumns(const ParquetReader& reader, int64_t batch_rows) {
  ScanOptions scan;
  scan.batch_rows = batch_rows;
  columnar::Schema flat = reader.schema().FlatColumns();
  for (const auto& f : flat.fields()) scan.columns.push_back(f.name);
  if (scan.columns.empty() && !reader.schema().is_flat()) return;  // Scan would need a column
  auto batches = reader.Scan(scan);
  if (!batches.ok()) return;
  columnar::RecordBatch batch;
  int64_t rows = 0;
  while (rows < kMaxRows) {
    auto more = (*batches)->Next(&batch);
    if (!more.ok() || !*more) return;
    if (batch.num_rows < 0 || batch.num_rows > batch_rows) Fail("batch larger than batch_rows");
    if (batch.columns.size() != (*batches)->schema()->size()) Fail("batch has the wrong column count");
    for (const auto& c : batch.columns) CheckColumn(c, batch.num_rows);
    // A scan without columns only counts rows; do not let a huge claimed count spin.
    rows += batch.columns.empty() ? kMaxRows / 8 : batch.num_rows;
  }
}

void DrainNestedLeaves(const ParquetReader& reader) {
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    for (const LeafColumn& leaf : reader.schema().leaves()) {
      // Flat columns were scanned (a duplicate name resolves to the first leaf: drain the rest).
      if (reader.schema().LeafIndex(leaf.path[0]) == leaf.index) continue;
      auto chunk = reader.OpenColumnChunk(rg, leaf.index);
      if (!chunk.ok()) continue;
      std::vector<int16_t> def, rep;
      columnar::Column values(leaf.type);
      int64_t entries = 0;
      bool failed = false;
      while (entries < kMaxRows) {
        auto got = (*chunk)->ReadLevels(97, &def, &rep, &values);
        if (!got.ok()) failed = true;  // what a failed call appended is unspecified
        if (!got.ok() || *got == 0) break;
        entries += *got;
      }
      if (failed) continue;
      if (static_cast<int64_t>(def.size()) != entries || static_cast<int64_t>(rep.size()) != entries) {
        Fail("ReadLevels level count differs from the entries returned");
      }
      int64_t present = 0;
      for (int16_t d : def) {
        if (d < 0 || d > leaf.max_def) Fail("definition level out of range");
        present += d == leaf.max_def;
      }
      for (int16_t r : rep) {
        if (r < 0 || r > leaf.max_rep) Fail("repetition level out of range");
      }
      if (values.length() != present) Fail("ReadLevels value count differs from the levels");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = data[0];
  std::string bytes(reinterpret_cast<const char*>(data), size);
  bytes[0] = 'P';

  ReaderOptions ropts;
  ropts.verify_checksums = (options & 1) == 0;
  ropts.max_page_bytes = kMaxPageBytes;
  auto reader = ParquetReader::Open(NewMemoryInputFile(std::move(bytes)), ropts);
  if (!reader.ok()) {
    if (reader.status().message().empty()) Fail("error without a message");
    return 0;
  }
  const ParquetReader& r = **reader;
  for (int rg = 0; rg < r.num_row_groups(); ++rg) {
    for (size_t leaf = 0; leaf < r.schema().leaves().size(); ++leaf) {
      ColumnChunkStats stats = r.ChunkStats(rg, static_cast<int>(leaf));
      const columnar::DataType& type = r.schema().leaves()[leaf].type;
      if ((stats.min && !(stats.min->type == type)) || (stats.max && !(stats.max->type == type))) {
        Fail("chunk statistics have a type other than the column's");
      }
    }
  }
  ScanFlatColumns(r, kBatchRows[(options >> 1) & 7]);
  DrainNestedLeaves(r);
  return 0;
}
