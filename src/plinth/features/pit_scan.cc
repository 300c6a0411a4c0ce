#include "plinth/features/pit_scan.h"

#include <algorithm>
#include <mutex>

#include "plinth/base/huge_page_array.h"
#include "plinth/features/column_values.h"
#include "plinth/features/online_record.h"
#include "plinth/features/pit_columns.h"
#include "plinth/features/scan_units.h"
#include "plinth/features/source_schema.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/delta/table_scan.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::features {

namespace {

delta::ScanSpec ColumnsOnly(std::vector<std::string> columns) {
  delta::ScanSpec spec;
  spec.columns = std::move(columns);
  return spec;
}

// Sorts matched rows by position: LSD radix sort, 16 bits a pass, over the position bits in
// use. The arrays are huge-page backed: a million labels are 16 MB each, and filling fresh
// 4 KiB pages cost as much as the sort.
void RadixSortByPosition(HugePageArray<MatchedRow>& rows) {
  uint64_t max_pos = 0;
  for (size_t i = 0; i < rows.size(); ++i) max_pos |= rows[i].pos;
  HugePageArray<MatchedRow> tmp(rows.size());
  std::vector<size_t> count(65537);
  for (int shift = 0; shift < 64 && (max_pos >> shift) != 0; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (size_t i = 0; i < rows.size(); ++i) ++count[((rows[i].pos >> shift) & 0xffff) + 1];
    for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    for (size_t i = 0; i < rows.size(); ++i) tmp[count[(rows[i].pos >> shift) & 0xffff]++] = rows[i];
    std::swap(rows, tmp);
  }
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

absl::StatusOr<KeyScanStats> ScanKeyedRows(const KeyScanSpec& spec, const EntityDictionary& dict, WorkerPool& pool,
                                           const KeyedRowSink& sink, const std::function<void(int64_t)>& on_rows) {
  const auto& files = spec.snapshot->files();
  if (files.size() >= (size_t{1} << 31)) return absl::FailedPreconditionError(StrCat(spec.where, ": too many files"));
  std::vector<std::string> names;
  for (const JoinKey& k : spec.join_keys) names.push_back(k.name);
  names.push_back(spec.event_column);
  const bool has_created = !spec.created_column.empty();
  if (has_created) names.push_back(spec.created_column);
  std::vector<size_t> index_of;
  std::vector<std::string> columns = DistinctColumns(names, &index_of);
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

  PLINTH_ASSIGN_OR_RETURN(std::vector<ScanUnit> units, ListScanUnits(spec.table_root, *spec.snapshot));
  std::vector<KeyScanStats> per_task(static_cast<size_t>(pool.threads()));
  PLINTH_RETURN_IF_ERROR(ForEachScanUnit(pool, units, [&](size_t ui, int task) -> absl::Status {
    const ScanUnit& unit = units[ui];
    const size_t fi = unit.file;
    PLINTH_ASSIGN_OR_RETURN(auto scan, OpenScanUnit(spec.table_root, *spec.snapshot, unit, ColumnsOnly(columns)));
    KeyScanStats& stats = per_task[task];
    columnar::RecordBatch batch;
    std::vector<uint32_t> entity;
    std::vector<KeyedRow> rows;
    std::vector<const columnar::Column*> key_cols(nk);
    int64_t row_base = unit.first_row;
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) break;
      const int64_t n = batch.num_rows;
      if (row_base + n > unit.first_row + unit.rows) {
        return absl::DataLossError(StrCat(spec.where, ": a row group holds more rows than its footer says"));
      }
      for (size_t k = 0; k < nk; ++k) key_cols[k] = &batch.columns[index_of[k]];
      entity.resize(static_cast<size_t>(n));
      dict.FindRows(key_cols, n, entity.data());
      const columnar::Column& ev = batch.columns[index_of[nk]];
      const columnar::Column* cr = has_created ? &batch.columns[index_of[nk + 1]] : nullptr;
      const bool ev_plain = !ev.has_nulls() && ev.storage() == columnar::StorageClass::kInt64;
      const int64_t* ev_data = ev_plain ? ev.data<int64_t>() : nullptr;
      rows.clear();
      rows.reserve(static_cast<size_t>(n));
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
      PLINTH_RETURN_IF_ERROR(sink(task, &rows));
      row_base += n;
    }
    return absl::OkStatus();
  }));
  KeyScanStats total;
  total.files = static_cast<int64_t>(files.size());
  for (const KeyScanStats& s : per_task) {
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
  // (position, label) of every matched label, sorted by position: the order rows are read in.
  size_t matched = 0;
  for (uint64_t m : match) matched += m != kNoMatch;
  HugePageArray<MatchedRow> pairs(matched);
  for (size_t i = 0, k = 0; i < match.size(); ++i) {
    if (match[i] != kNoMatch) pairs[k++] = MatchedRow{match[i], static_cast<uint32_t>(i)};
  }
  RadixSortByPosition(pairs);

  // Row groups holding matched rows, with their range of `pairs` (both in scan order).
  const auto& files = spec.snapshot->files();
  std::vector<bool> files_wanted(files.size(), false);
  for (size_t i = 0; i < pairs.size(); ++i) files_wanted[pairs[i].pos >> 32] = true;
  PLINTH_ASSIGN_OR_RETURN(
      std::vector<ScanUnit> all_units,
      ListScanUnits(spec.table_root, *spec.snapshot, [&](size_t f) { return static_cast<bool>(files_wanted[f]); }));
  std::vector<ScanUnit> units;
  std::vector<std::pair<size_t, size_t>> ranges;  // per unit: [begin, end) in pairs
  size_t next_pair = 0;
  for (const ScanUnit& u : all_units) {
    const uint64_t lo = RowPosition(u.file, static_cast<uint32_t>(u.first_row));
    const uint64_t hi = lo + static_cast<uint64_t>(u.rows);
    while (next_pair < pairs.size() && pairs[next_pair].pos < lo) ++next_pair;  // (cannot happen: files changed)
    size_t end = next_pair;
    while (end < pairs.size() && pairs[end].pos < hi) ++end;
    if (end > next_pair) {
      units.push_back(u);
      ranges.emplace_back(next_pair, end);
    }
    next_pair = end;
  }
  size_t covered = 0;
  for (const auto& [b, e] : ranges) covered += e - b;
  if (covered != pairs.size()) return absl::DataLossError(StrCat(spec.where, ": a data file changed between the two passes"));

  // Fixed-width features are written straight to their label's row (threads write disjoint
  // rows); strings are collected per unit in pair order, then put in label order.
  const int64_t nlabels = static_cast<int64_t>(match.size());
  std::vector<bool> scattered(ncols);
  for (size_t c = 0; c < ncols; ++c) {
    scattered[c] = spec.types[c] != ValueType::kString;
    out.push_back(scattered[c] ? NullFixedColumn(spec.types[c], nlabels) : columnar::Column(ColumnTypeFor(spec.types[c])));
  }
  std::vector<size_t> index_of;
  const std::vector<std::string> scan_columns = DistinctColumns(spec.columns, &index_of);
  std::vector<std::vector<columnar::Column>> chunks(units.size());
  for (size_t ui = 0; ui < units.size(); ++ui) {
    for (size_t c = 0; c < ncols; ++c) {
      chunks[ui].emplace_back(ColumnTypeFor(spec.types[c]));
      if (!scattered[c]) chunks[ui].back().Reserve(static_cast<int64_t>(ranges[ui].second - ranges[ui].first));
    }
  }
  // One task per row group and scanned column, so that the last row group of a view does not
  // leave all but one thread idle.
  const size_t nscan = scan_columns.size();
  std::vector<ScanUnit> tasks;
  for (const ScanUnit& u : units) tasks.insert(tasks.end(), nscan, u);
  PLINTH_RETURN_IF_ERROR(ForEachScanUnit(pool, tasks, [&](size_t ti, int) -> absl::Status {
    const size_t ui = ti / nscan, column = ti % nscan;
    const ScanUnit& unit = units[ui];
    const auto [begin, end_pair] = ranges[ui];
    std::vector<columnar::Column>& cols = chunks[ui];
    PLINTH_ASSIGN_OR_RETURN(auto scan, OpenScanUnit(spec.table_root, *spec.snapshot, unit, ColumnsOnly({scan_columns[column]})));
    columnar::RecordBatch batch;
    int64_t row_base = unit.first_row;
    size_t next = begin;
    while (next < end_pair) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) return absl::DataLossError(StrCat(spec.where, ": a data file changed between the two passes"));
      const int64_t end = row_base + batch.num_rows;
      size_t stop = next;
      while (stop < end_pair && static_cast<int64_t>(pairs[stop].pos & 0xffffffffu) < end) ++stop;
      const columnar::Column& src = batch.columns[0];
      for (size_t c = 0; c < ncols; ++c) {
        if (index_of[c] != column) continue;
        if (scattered[c]) {
          ScatterConverted(out[c], src, pairs.data() + next, stop - next, row_base, spec.types[c]);
        } else {
          for (size_t i = next; i < stop; ++i) {
            AppendConverted(cols[c], src, static_cast<int64_t>(pairs[i].pos & 0xffffffffu) - row_base, spec.types[c]);
          }
        }
      }
      next = stop;
      row_base = end;
    }
    return absl::OkStatus();
  }));
  // Strings: the values in pair order, then in label order.
  std::vector<int64_t> rank;
  for (size_t c = 0; c < ncols; ++c) {
    if (scattered[c]) continue;
    if (rank.empty()) {
      rank.assign(match.size(), -1);
      for (size_t i = 0; i < pairs.size(); ++i) rank[pairs[i].label] = static_cast<int64_t>(i);
    }
    columnar::Column compact(ColumnTypeFor(spec.types[c]));
    compact.Reserve(static_cast<int64_t>(pairs.size()));
    for (auto& chunk : chunks) compact.AppendFrom(chunk[c], 0, chunk[c].length());
    for (auto& chunk : chunks) chunk[c] = columnar::Column();
    out[c] = GatherRows(compact, rank);
  }
  return out;
}

}  // namespace plinth::features
