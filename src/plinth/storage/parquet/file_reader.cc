#include "plinth/storage/parquet/file_reader.h"

#include <cmath>
#include <cstring>

#include "plinth/base/strings.h"
#include "plinth/storage/parquet/value_conversion.h"
#include "plinth/storage/parquet/statistics.h"

namespace plinth::parquet {

using columnar::Column;
using columnar::Value;

namespace {

constexpr uint64_t kMaxFooterBytes = uint64_t{1} << 30;

}  // namespace

absl::StatusOr<std::unique_ptr<ParquetReader>> ParquetReader::OpenFile(const std::string& path, ReaderOptions options) {
  PLINTH_ASSIGN_OR_RETURN(auto file, OpenLocalInputFile(path));
  return Open(std::move(file), options);
}

absl::StatusOr<std::unique_ptr<ParquetReader>> ParquetReader::Open(std::unique_ptr<InputFile> file, ReaderOptions options) {
  const std::string& name = file->name();
  uint64_t size = file->size();
  if (size < 12) return absl::InvalidArgumentError(StrCat(name, ": not a Parquet file (", size, " bytes)"));
  uint8_t tail[8];
  PLINTH_RETURN_IF_ERROR(file->ReadAt(size - 8, 8, tail));
  uint8_t head[4];
  PLINTH_RETURN_IF_ERROR(file->ReadAt(0, 4, head));
  if (std::memcmp(tail + 4, kMagic, 4) != 0 || std::memcmp(head, kMagic, 4) != 0) {
    return absl::InvalidArgumentError(StrCat(name, ": not a Parquet file (missing PAR1 magic)"));
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, tail, 4);
  if (footer_len > size - 12 || footer_len > kMaxFooterBytes) {
    return absl::InvalidArgumentError(StrCat(name, ": footer length ", footer_len, " exceeds the file size ", size));
  }
  std::string footer(footer_len, '\0');
  PLINTH_RETURN_IF_ERROR(file->ReadAt(size - 8 - footer_len, footer_len, reinterpret_cast<uint8_t*>(footer.data())));
  auto meta = DecodeFileMetaData(reinterpret_cast<const uint8_t*>(footer.data()), footer.size());
  if (!meta.ok()) return absl::InvalidArgumentError(StrCat(name, ": corrupt footer: ", meta.status().message()));
  auto schema = ParquetSchema::Build(meta->schema);
  if (!schema.ok()) return absl::InvalidArgumentError(StrCat(name, ": ", schema.status().message()));
  for (size_t rg = 0; rg < meta->row_groups.size(); ++rg) {
    const RowGroup& g = meta->row_groups[rg];
    if (g.columns.size() != schema->leaves().size()) {
      return absl::InvalidArgumentError(StrCat(name, ": row group ", rg, " has ", g.columns.size(),
                                               " column chunks, the schema has ", schema->leaves().size(), " columns"));
    }
    if (g.num_rows < 0) return absl::InvalidArgumentError(StrCat(name, ": row group ", rg, " has a negative row count"));
  }
  std::unique_ptr<ParquetReader> r(new ParquetReader());
  r->file_ = std::move(file);
  r->options_ = options;
  r->metadata_ = std::move(*meta);
  r->schema_ = std::move(*schema);
  r->footer_size_ = footer_len;
  return r;
}

int64_t ParquetReader::num_rows() const {
  int64_t n = 0;
  for (const auto& g : metadata_.row_groups) n += g.num_rows;
  return n;
}

absl::StatusOr<std::unique_ptr<ColumnChunkReader>> ParquetReader::OpenColumnChunk(int row_group, int leaf) const {
  const ColumnChunk& cc = metadata_.row_groups.at(row_group).columns.at(leaf);
  const LeafColumn& lc = schema_.leaves().at(leaf);
  std::string where = StrCat(file_->name(), ": row group ", row_group, " column '", lc.dotted_path, "'");
  if (cc.file_path) return absl::UnimplementedError(StrCat(where, ": column chunk in another file (", *cc.file_path, ")"));
  if (!cc.meta_data) return absl::InvalidArgumentError(StrCat(where, ": column chunk without metadata"));
  const ColumnMetaData& m = *cc.meta_data;
  // The chunk starts at the dictionary page when there is one. Some writers store 0 there.
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start) {
    start = *m.dictionary_page_offset;
  }
  int64_t len = m.total_compressed_size;
  uint64_t size = file_->size();
  if (start < 4 || len < 0 || static_cast<uint64_t>(start) > size ||
      static_cast<uint64_t>(len) > size - static_cast<uint64_t>(start)) {
    // Old writers sometimes under-report the size; read up to the footer when plausible.
    if (start >= 4 && static_cast<uint64_t>(start) < size && len >= 0) {
      len = static_cast<int64_t>(size - static_cast<uint64_t>(start));
    } else {
      return absl::InvalidArgumentError(StrCat(where, ": column chunk range [", start, ", +", len,
                                               ") lies outside the file (", size, " bytes)"));
    }
  }
  columnar::Buffer bytes;  // uninitialised: the read fills it
  bytes.Resize(static_cast<size_t>(len));
  PLINTH_RETURN_IF_ERROR(file_->ReadAt(static_cast<uint64_t>(start), bytes.size(), bytes.data()));
  ColumnReadOptions opts;
  opts.verify_checksums = options_.verify_checksums;
  opts.max_page_bytes = options_.max_page_bytes;
  auto reader = ColumnChunkReader::Create(lc, m, std::move(bytes), opts);
  if (!reader.ok()) return absl::Status(reader.status().code(), StrCat(file_->name(), ": ", reader.status().message()));
  return reader;
}

ColumnChunkStats ParquetReader::ChunkStats(int row_group, int leaf) const {
  const ColumnChunk& cc = metadata_.row_groups.at(row_group).columns.at(leaf);
  if (!cc.meta_data) return ColumnChunkStats{};
  return DecodeChunkStats(schema_.leaves().at(leaf), *cc.meta_data);
}

absl::StatusOr<std::unique_ptr<BatchReader>> ParquetReader::Scan(const ScanOptions& options) const {
  std::vector<int> leaves;
  columnar::Schema full = schema_.FlatColumns();
  if (options.columns.empty()) {
    PLINTH_ASSIGN_OR_RETURN(full, columnar_schema());  // names the nested column, if any
  }
  columnar::Schema selected = full;
  if (!options.columns.empty()) {
    auto sel = full.Select(options.columns);
    if (!sel.ok() && !schema_.is_flat()) {
      return absl::FailedPreconditionError(StrCat(sel.status().message(), "; nested columns (lists, maps, structs) cannot be read yet"));
    }
    PLINTH_RETURN_IF_ERROR(sel.status());
    selected = *sel;
    for (const auto& c : options.columns) leaves.push_back(schema_.LeafIndex(c));
  } else {
    for (size_t i = 0; i < full.size(); ++i) leaves.push_back(static_cast<int>(i));
  }
  if (options.batch_rows <= 0) return absl::InvalidArgumentError("batch_rows must be positive");
  return std::unique_ptr<BatchReader>(
      new BatchReader(this, std::move(leaves), std::make_shared<const columnar::Schema>(std::move(selected)), options));
}

BatchReader::BatchReader(const ParquetReader* reader, std::vector<int> leaves, columnar::SchemaPtr schema,
                         ScanOptions options)
    : reader_(reader), leaves_(std::move(leaves)), schema_(std::move(schema)), options_(std::move(options)) {
  int threads = std::min<int>(options_.threads, static_cast<int>(leaves_.size()));
  if (threads > 1) pool_ = std::make_unique<WorkerPool>(threads);
}

absl::StatusOr<bool> BatchReader::OpenNextRowGroup() {
  chunks_.clear();
  while (next_row_group_ < reader_->num_row_groups()) {
    int rg = next_row_group_++;
    const RowGroup& g = reader_->metadata().row_groups[rg];
    if (g.num_rows == 0) continue;
    if (options_.row_group_filter && !options_.row_group_filter(rg)) {
      ++row_groups_skipped_;
      continue;
    }
    chunks_.resize(leaves_.size());  // opened (read from the file) by the column tasks
    current_row_group_ = rg;
    rows_left_in_group_ = g.num_rows;
    return true;
  }
  return false;
}

absl::StatusOr<bool> BatchReader::Next(columnar::RecordBatch* batch) {
  if (batch->schema != schema_ || batch->columns.size() != schema_->size()) {
    *batch = columnar::RecordBatch(schema_);
  } else {
    batch->Clear();
  }
  while (rows_left_in_group_ == 0) {
    PLINTH_ASSIGN_OR_RETURN(bool more, OpenNextRowGroup());
    if (!more) return false;
    if (leaves_.empty()) break;  // no columns selected: count rows only
  }
  int64_t want = std::min(options_.batch_rows, rows_left_in_group_);
  const bool group_ends = want == rows_left_in_group_;
  std::vector<absl::Status> status(chunks_.size());
  auto decode = [&](int i) {
    auto& chunk = chunks_[i];
    if (!chunk) {
      auto opened = reader_->OpenColumnChunk(current_row_group_, leaves_[i]);
      if (!opened.ok()) {
        status[i] = opened.status();
        return;
      }
      chunk = std::move(*opened);
    }
    auto got = chunk->ReadFlat(want, &batch->columns[i]);
    const auto& leaf = reader_->schema().leaves()[leaves_[i]];
    const int64_t group_rows = reader_->metadata().row_groups[current_row_group_].num_rows;
    if (!got.ok()) {
      status[i] = got.status();
    } else if (*got != want) {
      status[i] = absl::DataLossError(StrCat(reader_->file().name(), ": row group ", current_row_group_, " column '",
                                             leaf.dotted_path, "' ends after ", chunk->values_read(),
                                             " values but the row group has ", group_rows, " rows"));
    } else if (group_ends) {
      // Every column must end with the row group: more values means a corrupt file.
      columnar::Column extra(schema_->field(i).type);
      auto more = chunk->ReadFlat(1, &extra);
      if (!more.ok()) {
        status[i] = more.status();
      } else if (*more != 0) {
        status[i] = absl::DataLossError(StrCat(reader_->file().name(), ": row group ", current_row_group_, " column '",
                                               leaf.dotted_path, "' has more values than the row group's ", group_rows,
                                               " rows"));
      }
    }
  };
  if (pool_) {
    pool_->ParallelFor(static_cast<int>(chunks_.size()), decode);
  } else {
    for (size_t i = 0; i < chunks_.size(); ++i) decode(static_cast<int>(i));
  }
  for (const auto& st : status) PLINTH_RETURN_IF_ERROR(st);
  batch->num_rows = want;
  rows_left_in_group_ -= want;
  return true;
}

}  // namespace plinth::parquet
