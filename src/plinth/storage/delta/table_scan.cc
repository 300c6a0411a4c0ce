#include "plinth/storage/delta/table_scan.h"

#include <algorithm>

#include "plinth/base/strings.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/storage/delta/type_mapping.h"
#include "plinth/storage/parquet/row_group_filter.h"

namespace plinth::delta {

using columnar::Column;
using columnar::RecordBatch;
using columnar::Value;

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Relabels or widens a column read from a file to the table's type.
absl::Status ConformColumn(const std::string& file, const std::string& name, const columnar::DataType& want, Column* col) {
  if (col->type() == want) return absl::OkStatus();
  using columnar::StorageOf;
  using columnar::TypeId;
  const auto have = col->type();
  if (StorageOf(have) == StorageOf(want) && !(have.id == TypeId::kDecimal && have.scale != want.scale)) {
    Column relabeled(want);
    relabeled.values() = std::move(col->values());
    relabeled.offsets() = std::move(col->offsets());
    relabeled.bytes() = std::move(col->bytes());
    relabeled.validity() = std::move(col->validity());
    relabeled.SetLength(col->length());
    *col = std::move(relabeled);
    return absl::OkStatus();
  }
  if (StorageOf(have) == columnar::StorageClass::kInt32 && StorageOf(want) == columnar::StorageClass::kInt64) {
    Column wide(want);
    wide.values().Resize(col->length() * 8);
    for (int64_t i = 0; i < col->length(); ++i) wide.mutable_data<int64_t>()[i] = col->Get<int32_t>(i);
    wide.validity() = std::move(col->validity());
    wide.SetLength(col->length());
    *col = std::move(wide);
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(StrCat(file, ": column '", name, "' is ", columnar::TypeName(have),
                                              ", the table says ", columnar::TypeName(want)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<TableScan>> TableScan::Create(std::string root, const Snapshot& snapshot,
                                                             const ScanSpec& spec) {
  std::unique_ptr<TableScan> s(new TableScan());
  s->root_ = std::move(root);
  std::vector<std::string> nested;
  s->table_schema_ = ToColumnarSchema(snapshot.schema(), &nested);
  s->partition_columns_ = snapshot.partition_columns();
  s->batch_rows_ = spec.batch_rows > 0 ? spec.batch_rows : 65536;
  s->threads_ = std::max(1, spec.threads);
  s->include_row_group_ = spec.include_row_group;
  std::vector<std::string> out_cols = spec.columns;
  if (out_cols.empty()) {
    if (!nested.empty()) {
      return absl::FailedPreconditionError(StrCat("column '", nested[0],
                                                  "' has a nested type (struct, array or map), which Plinth cannot "
                                                  "read yet; select flat columns with --columns"));
    }
    for (const auto& f : s->table_schema_.fields()) out_cols.push_back(f.name);
  }
  for (const auto& c : out_cols) {
    if (Contains(nested, c)) {
      return absl::FailedPreconditionError(StrCat("column '", c, "' has a nested type, which Plinth cannot read yet"));
    }
  }
  PLINTH_ASSIGN_OR_RETURN(columnar::Schema out_schema, s->table_schema_.Select(out_cols));
  s->output_schema_ = std::make_shared<const columnar::Schema>(out_schema);
  std::vector<std::string> scan_cols = out_cols;
  const std::vector<AddFile>& candidates = spec.files != nullptr ? *spec.files : snapshot.files();
  if (!spec.where.empty()) {
    PLINTH_ASSIGN_OR_RETURN(auto full_pred, columnar::Predicate::Parse(spec.where, s->table_schema_));
    for (const auto& c : full_pred.Columns()) {
      if (!Contains(scan_cols, c)) scan_cols.push_back(c);
    }
    // File pruning: partition values are exact bounds, add.stats give min/max/nullCount.
    for (const AddFile& f : candidates) {
      if (spec.include_file && !spec.include_file(f)) continue;
      ++s->stats_.files_total;
      std::optional<FileStats> fstats;
      bool stats_parsed = false;
      bool may = full_pred.MayMatch([&](const std::string& col) -> std::optional<columnar::ColumnRangeStats> {
        auto idx = s->table_schema_.IndexOf(col);
        if (!idx) return std::nullopt;
        const auto& type = s->table_schema_.field(*idx).type;
        columnar::ColumnRangeStats r;
        if (Contains(s->partition_columns_, col)) {
          auto it = f.partition_values.find(col);
          if (it == f.partition_values.end()) return std::nullopt;
          auto v = ParsePartitionValue(type, it->second);
          if (!v.ok()) return std::nullopt;
          if (v->is_null) {
            r.null_count = 1;
            r.num_rows = 1;
          } else {
            r.min = *v;
            r.max = *v;
            r.null_count = 0;
          }
          return r;
        }
        if (!stats_parsed) {
          stats_parsed = true;
          if (f.stats) {
            auto p = FileStats::Parse(*f.stats);
            if (p.ok()) fstats = std::move(*p);
          }
        }
        if (!fstats) return std::nullopt;
        if (const Json* mn = fstats->Min(col)) r.min = StatsValue(type, *mn, false);
        if (const Json* mx = fstats->Max(col)) r.max = StatsValue(type, *mx, true);
        r.null_count = fstats->NullCount(col);
        r.num_rows = fstats->num_records;
        return r;
      });
      if (may) s->files_.push_back(&f);
      else ++s->stats_.files_skipped;
    }
  } else {
    for (const AddFile& f : candidates) {
      if (spec.include_file && !spec.include_file(f)) continue;
      s->files_.push_back(&f);
    }
    s->stats_.files_total = static_cast<int64_t>(s->files_.size());
  }
  PLINTH_ASSIGN_OR_RETURN(columnar::Schema scan_schema, s->table_schema_.Select(scan_cols));
  s->scan_schema_ = std::make_shared<const columnar::Schema>(scan_schema);
  if (!spec.where.empty()) {
    PLINTH_ASSIGN_OR_RETURN(auto pred, columnar::Predicate::Parse(spec.where, *s->scan_schema_));
    s->filter_ = std::move(pred);
  }
  return s;
}

absl::StatusOr<std::unique_ptr<TableScan>> TableScan::CreateForFile(std::string root, const Snapshot& snapshot,
                                                                    const AddFile& file) {
  std::unique_ptr<TableScan> s(new TableScan());
  s->root_ = std::move(root);
  std::vector<std::string> nested;
  s->table_schema_ = ToColumnarSchema(snapshot.schema(), &nested);
  if (!nested.empty()) {
    return absl::FailedPreconditionError(StrCat("column '", nested[0], "' has a nested type: Plinth cannot rewrite files of this table"));
  }
  s->partition_columns_ = snapshot.partition_columns();
  s->output_schema_ = std::make_shared<const columnar::Schema>(s->table_schema_);
  s->scan_schema_ = s->output_schema_;
  s->files_.push_back(&file);
  s->stats_.files_total = 1;
  return s;
}

absl::Status TableScan::OpenFile(const AddFile& file) {
  raw_ = RecordBatch();  // laid out for the previous file's columns
  PLINTH_ASSIGN_OR_RETURN(std::string rel, file.DecodedPath());
  if (rel.find("://") != std::string::npos || StartsWith(rel, "file:")) {
    return absl::UnimplementedError(StrCat("absolute file URIs in the log are not supported: ", rel));
  }
  // A data file lives under the table root: refuse paths that would leave it.
  if (StartsWith(rel, "/") || rel == ".." || StartsWith(rel, "../") || rel.find("/../") != std::string::npos ||
      (rel.size() >= 3 && rel.compare(rel.size() - 3, 3, "/..") == 0)) {
    return absl::DataLossError(StrCat("data file path '", rel, "' in the log leaves the table directory"));
  }
  std::string path = StrCat(root_, "/", rel);
  auto reader = parquet::ParquetReader::OpenFile(path);
  if (!reader.ok()) {
    if (absl::IsNotFound(reader.status())) {
      return absl::NotFoundError(StrCat("data file ", rel, " of this version is missing (was the table vacuumed?)"));
    }
    return reader.status();
  }
  reader_ = std::move(*reader);
  columnar::Schema file_schema = reader_->schema().FlatColumns();
  file_column_.assign(scan_schema_->size(), -1);
  partition_values_.assign(scan_schema_->size(), Value());
  parquet::ScanOptions so;
  so.batch_rows = batch_rows_;
  so.threads = threads_;
  for (size_t i = 0; i < scan_schema_->size(); ++i) {
    const auto& f = scan_schema_->field(i);
    if (Contains(partition_columns_, f.name)) {
      auto it = file.partition_values.find(f.name);
      std::optional<std::string> text = it == file.partition_values.end() ? std::nullopt : it->second;
      PLINTH_ASSIGN_OR_RETURN(partition_values_[i], ParsePartitionValue(f.type, text));
      continue;
    }
    if (file_schema.IndexOf(f.name)) {
      file_column_[i] = static_cast<int>(so.columns.size());
      so.columns.push_back(f.name);
    }
  }
  if (filter_) so.row_group_filter = parquet::RowGroupFilter(reader_.get(), &*filter_);
  if (include_row_group_) {
    auto by_stats = std::move(so.row_group_filter);
    so.row_group_filter = [this, &file, by_stats](int rg) { return include_row_group_(file, rg) && (!by_stats || by_stats(rg)); };
  }
  if (so.columns.empty()) {
    // Only partition columns (or none) wanted: count rows from the footer.
    batches_.reset();
  } else {
    PLINTH_ASSIGN_OR_RETURN(batches_, reader_->Scan(so));
  }
  file_ = &file;
  return absl::OkStatus();
}

void TableScan::Recycle(RecordBatch* out) {
  const bool ours = out->schema == output_schema_ && out->columns.size() == output_schema_->size() && raw_.schema &&
                    raw_.columns.size() == raw_.schema->size();
  size_t restored = 0;
  if (ours) {
    for (size_t i = 0; i < out->columns.size(); ++i) {
      const int fc = file_column_[i];
      if (fc < 0 || !(out->columns[i].type() == raw_.schema->field(fc).type)) continue;
      raw_.columns[fc] = std::move(out->columns[i]);
      ++restored;
    }
  }
  // Every file column must be back: one moved out and not returned (a filter-only column, one
  // whose type was conformed) leaves raw_ unusable, and the reader starts a fresh batch.
  size_t file_columns = 0;
  for (int fc : file_column_) file_columns += fc >= 0;
  if (!ours || restored < file_columns) raw_ = RecordBatch();
  out->columns.clear();
  out->num_rows = 0;
}

absl::StatusOr<bool> TableScan::NextFromFile(RecordBatch* out) {
  Recycle(out);
  RecordBatch& raw = raw_;
  int64_t rows = 0;
  if (batches_) {
    PLINTH_ASSIGN_OR_RETURN(bool more, batches_->Next(&raw));
    if (!more) {
      stats_.row_groups_skipped += batches_->row_groups_skipped();
      return false;
    }
    rows = raw.num_rows;
  } else {
    if (!reader_) return false;
    rows = reader_->num_rows();
    reader_.reset();
    if (rows == 0) return false;
  }
  RecordBatch scan(scan_schema_);
  scan.num_rows = rows;
  for (size_t i = 0; i < scan_schema_->size(); ++i) {
    const auto& f = scan_schema_->field(i);
    Column& col = scan.columns[i];
    if (file_column_[i] >= 0) {
      col = std::move(raw.columns[file_column_[i]]);
      PLINTH_RETURN_IF_ERROR(ConformColumn(file_->path, f.name, f.type, &col));
    } else if (!partition_values_[i].is_null) {
      col.Reserve(rows);
      for (int64_t r = 0; r < rows; ++r) columnar::AppendValue(partition_values_[i], &col);
    } else {
      for (int64_t r = 0; r < rows; ++r) col.AppendNull();
    }
  }
  stats_.rows_read += rows;
  if (filter_) {
    PLINTH_ASSIGN_OR_RETURN(auto sel, filter_->Evaluate(scan));
    scan = scan.Filter(sel);
  }
  out->schema = output_schema_;
  out->columns.clear();
  for (size_t i = 0; i < output_schema_->size(); ++i) out->columns.push_back(std::move(scan.columns[i]));
  out->num_rows = scan.num_rows;
  return true;
}

absl::StatusOr<bool> TableScan::Next(RecordBatch* batch) {
  while (true) {
    if (file_ != nullptr) {
      PLINTH_ASSIGN_OR_RETURN(bool more, NextFromFile(batch));
      if (more) {
        if (batch->num_rows > 0) return true;
        continue;
      }
      file_ = nullptr;
      batches_.reset();
      reader_.reset();
    }
    if (next_file_ >= files_.size()) return false;
    PLINTH_RETURN_IF_ERROR(OpenFile(*files_[next_file_++]));
  }
}

absl::StatusOr<RecordBatch> ReadAll(TableScan& scan) {
  RecordBatch all(scan.output_schema());
  RecordBatch b;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool more, scan.Next(&b));
    if (!more) break;
    for (size_t i = 0; i < all.columns.size(); ++i) all.columns[i].AppendFrom(b.columns[i], 0, b.num_rows);
    all.num_rows += b.num_rows;
  }
  return all;
}

}  // namespace plinth::delta
