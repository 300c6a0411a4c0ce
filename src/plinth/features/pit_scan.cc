#include "plinth/features/pit_scan.h"

#include <algorithm>
#include <mutex>

#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"
#include "plinth/features/pit_columns.h"
#include "plinth/features/source_schema.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/delta/table_scan.h"

namespace plinth::features {

namespace {

// Distinct column names and, for each requested name, its index among them.
std::vector<std::string> Distinct(const std::vector<std::string>& names, std::vector<size_t>* index_of) {
  std::vector<std::string> out;
  index_of->clear();
  for (const std::string& n : names) {
    auto it = std::find(out.begin(), out.end(), n);
    index_of->push_back(static_cast<size_t>(it - out.begin()));
    if (it == out.end()) out.push_back(n);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<delta::TableScan>> ScanFile(const std::string& root, const delta::Snapshot& snapshot,
                                                           const delta::AddFile& file, std::vector<std::string> columns) {
  delta::ScanSpec spec;
  spec.columns = std::move(columns);
  spec.include_file = [&file](const delta::AddFile& f) { return &f == &file; };
  return delta::TableScan::Create(root, snapshot, spec);
}

// Runs fn(file index) for every file on the pool; the first error wins. `task` is the pool
// task running it (a writer index).
absl::Status ForEachFile(WorkerPool& pool, size_t files, const std::function<absl::Status(size_t file, int task)>& fn) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  absl::Status first;
  const int tasks = std::max(1, std::min(pool.threads(), static_cast<int>(files)));
  pool.ParallelFor(tasks, [&](int task) {
    while (true) {
      const size_t f = next.fetch_add(1);
      if (f >= files) return;
      absl::Status s = fn(f, task);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = s;
        next.store(files);
        return;
      }
    }
  });
  return first;
}

}  // namespace

int64_t EstimateRows(const delta::Snapshot& snapshot) {
  int64_t rows = 0;
  for (const delta::AddFile& f : snapshot.files()) {
    std::optional<int64_t> n;
    if (f.stats) {
      auto stats = delta::FileStats::Parse(*f.stats);
      if (stats.ok()) n = stats->num_records;
    }
    rows += n ? *n : std::max<int64_t>(1, f.size / 4);
  }
  return rows;
}

absl::StatusOr<KeyScanStats> ScanKeyedRows(const KeyScanSpec& spec, const EntityDictionary& dict, KeyedRowStore& store,
                                           WorkerPool& pool, const std::function<void(int64_t)>& on_rows) {
  const auto& files = spec.snapshot->files();
  if (files.size() >= (size_t{1} << 31)) return absl::FailedPreconditionError(StrCat(spec.where, ": too many files"));
  std::vector<std::string> names;
  for (const JoinKey& k : spec.join_keys) names.push_back(k.name);
  names.push_back(spec.event_column);
  const bool has_created = !spec.created_column.empty();
  if (has_created) names.push_back(spec.created_column);
  std::vector<size_t> index_of;
  std::vector<std::string> columns = Distinct(names, &index_of);
  const size_t nk = spec.join_keys.size();

  // Check the column types once against the snapshot's schema.
  {
    const columnar::Schema schema = delta::DeltaTable::ColumnarSchema(*spec.snapshot);
    for (size_t i = 0; i < names.size(); ++i) {
      auto idx = schema.IndexOf(names[i]);
      if (!idx) return absl::FailedPreconditionError(StrCat(spec.where, ": source table has no column '", names[i], "'"));
      if (i < nk) {
        PLINTH_RETURN_IF_ERROR(CheckKeyColumn(schema.field(*idx), spec.join_keys[i], spec.where));
      } else {
        PLINTH_RETURN_IF_ERROR(CheckColumnType(schema.field(*idx), ValueType::kTimestamp, StrCat(spec.where, " timestamp")));
      }
    }
  }

  std::vector<KeyScanStats> per_task(static_cast<size_t>(pool.threads()));
  PLINTH_RETURN_IF_ERROR(ForEachFile(pool, files.size(), [&](size_t fi, int task) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(auto scan, ScanFile(spec.table_root, *spec.snapshot, files[fi], columns));
    KeyScanStats& stats = per_task[task];
    ++stats.files;
    columnar::RecordBatch batch;
    std::vector<uint32_t> entity;
    std::vector<KeyedRow> rows;
    std::vector<const columnar::Column*> key_cols(nk);
    int64_t row_base = 0;
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) break;
      const int64_t n = batch.num_rows;
      if (row_base + n > (int64_t{1} << 32)) {
        return absl::FailedPreconditionError(StrCat(spec.where, ": a data file holds more than 2^32 rows"));
      }
      for (size_t k = 0; k < nk; ++k) key_cols[k] = &batch.columns[index_of[k]];
      entity.resize(static_cast<size_t>(n));
      dict.FindRows(key_cols, n, entity.data());
      const columnar::Column& ev = batch.columns[index_of[nk]];
      const columnar::Column* cr = has_created ? &batch.columns[index_of[nk + 1]] : nullptr;
      const bool ev_plain = !ev.has_nulls() && ev.storage() == columnar::StorageClass::kInt64;
      const int64_t* ev_data = ev_plain ? ev.data<int64_t>() : nullptr;
      rows.clear();
      for (int64_t r = 0; r < n; ++r) {
        const uint32_t e = entity[r];
        if (e == kNoEntity) continue;
        const int64_t event = ev_plain ? ev_data[r] : ColumnMicros(ev, r);
        if (event == kNoTimestamp) continue;
        if (spec.max_label_ts != nullptr) {
          if (event > (*spec.max_label_ts)[e]) continue;
          if (spec.ttl_micros > 0 && event < (*spec.min_label_ts)[e] &&
              static_cast<uint64_t>((*spec.min_label_ts)[e]) - static_cast<uint64_t>(event) > static_cast<uint64_t>(spec.ttl_micros)) {
            continue;
          }
        }
        KeyedRow row;
        row.entity = e;
        row.event = event;
        row.created = cr ? ColumnMicros(*cr, r) : kNoTimestamp;
        row.pos = RowPosition(static_cast<uint32_t>(fi), static_cast<uint32_t>(row_base + r));
        rows.push_back(row);
      }
      stats.rows_scanned += n;
      stats.rows_kept += static_cast<int64_t>(rows.size());
      if (on_rows) on_rows(n);
      PLINTH_RETURN_IF_ERROR(store.Append(task, rows.data(), rows.size()));
      row_base += n;
    }
    return absl::OkStatus();
  }));
  PLINTH_RETURN_IF_ERROR(store.Finish());
  KeyScanStats total;
  for (const KeyScanStats& s : per_task) {
    total.files += s.files;
    total.rows_scanned += s.rows_scanned;
    total.rows_kept += s.rows_kept;
  }
  return total;
}

absl::StatusOr<std::vector<columnar::Column>> GatherFeatures(const GatherSpec& spec, const std::vector<uint64_t>& match,
                                                             WorkerPool& pool) {
  const size_t ncols = spec.columns.size();
  std::vector<columnar::Column> out;
  if (ncols == 0) return out;
  {
    const columnar::Schema schema = delta::DeltaTable::ColumnarSchema(*spec.snapshot);
    for (size_t c = 0; c < ncols; ++c) {
      auto idx = schema.IndexOf(spec.columns[c]);
      if (!idx) return absl::FailedPreconditionError(StrCat(spec.where, ": source table has no column '", spec.columns[c], "'"));
      PLINTH_RETURN_IF_ERROR(CheckColumnType(schema.field(*idx), spec.types[c], spec.where));
    }
  }
  // The distinct matched positions, sorted; rank[label] = index of its position among them.
  std::vector<std::pair<uint64_t, uint32_t>> pairs;
  pairs.reserve(match.size());
  for (size_t i = 0; i < match.size(); ++i) {
    if (match[i] != kNoMatch) pairs.emplace_back(match[i], static_cast<uint32_t>(i));
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<uint64_t> positions;
  std::vector<int64_t> rank(match.size(), -1);
  for (const auto& [pos, label] : pairs) {
    if (positions.empty() || positions.back() != pos) positions.push_back(pos);
    rank[label] = static_cast<int64_t>(positions.size()) - 1;
  }
  decltype(pairs)().swap(pairs);

  // Files holding matched rows, with their range of `positions`.
  struct FileRange {
    uint32_t file;
    size_t begin, end;
  };
  std::vector<FileRange> ranges;
  for (size_t i = 0; i < positions.size();) {
    const uint32_t file = static_cast<uint32_t>(positions[i] >> 32);
    size_t j = i;
    while (j < positions.size() && (positions[j] >> 32) == file) ++j;
    ranges.push_back({file, i, j});
    i = j;
  }
  std::vector<size_t> index_of;
  const std::vector<std::string> scan_columns = Distinct(spec.columns, &index_of);
  std::vector<std::vector<columnar::Column>> chunks(ranges.size());
  const auto& files = spec.snapshot->files();
  PLINTH_RETURN_IF_ERROR(ForEachFile(pool, ranges.size(), [&](size_t ri, int) -> absl::Status {
    const FileRange& range = ranges[ri];
    std::vector<columnar::Column>& cols = chunks[ri];
    for (size_t c = 0; c < ncols; ++c) {
      cols.emplace_back(ColumnTypeFor(spec.types[c]));
      cols.back().Reserve(static_cast<int64_t>(range.end - range.begin));
    }
    PLINTH_ASSIGN_OR_RETURN(auto scan, ScanFile(spec.table_root, *spec.snapshot, files[range.file], scan_columns));
    columnar::RecordBatch batch;
    int64_t row_base = 0;
    size_t next = range.begin;
    while (next < range.end) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) return absl::DataLossError(StrCat(spec.where, ": a data file changed between the two passes"));
      const int64_t end = row_base + batch.num_rows;
      for (; next < range.end && static_cast<int64_t>(positions[next] & 0xffffffffu) < end; ++next) {
        const int64_t r = static_cast<int64_t>(positions[next] & 0xffffffffu) - row_base;
        for (size_t c = 0; c < ncols; ++c) AppendConverted(cols[c], batch.columns[index_of[c]], r, spec.types[c]);
      }
      row_base = end;
    }
    return absl::OkStatus();
  }));
  // The matched values in position order, then in label order.
  for (size_t c = 0; c < ncols; ++c) {
    columnar::Column compact(ColumnTypeFor(spec.types[c]));
    compact.Reserve(static_cast<int64_t>(positions.size()));
    for (auto& chunk : chunks) compact.AppendFrom(chunk[c], 0, chunk[c].length());
    for (auto& chunk : chunks) chunk[c] = columnar::Column();
    out.push_back(GatherRows(compact, rank));
  }
  return out;
}

}  // namespace plinth::features
