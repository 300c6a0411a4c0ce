#include "plinth/storage/parquet/file_writer.h"

#include "plinth/base/strings.h"

namespace plinth::parquet {

ParquetWriter::ParquetWriter(std::unique_ptr<OutputFile> out, columnar::Schema schema, ParquetSchema pschema,
                             WriterOptions options)
    : out_(std::move(out)), schema_(std::move(schema)), pschema_(std::move(pschema)), options_(std::move(options)) {
  for (const auto& leaf : pschema_.leaves()) columns_.push_back(std::make_unique<ColumnChunkWriter>(leaf, options_));
  if (options_.threads > 1) pool_ = std::make_unique<WorkerPool>(options_.threads);
}

ParquetWriter::~ParquetWriter() = default;

absl::StatusOr<std::unique_ptr<ParquetWriter>> ParquetWriter::Create(std::unique_ptr<OutputFile> out,
                                                                     const columnar::Schema& schema,
                                                                     WriterOptions options) {
  if (schema.size() == 0) return absl::InvalidArgumentError("cannot write a Parquet file without columns");
  for (const auto& f : schema.fields()) {
    if (f.type.id == columnar::TypeId::kFixedBinary && f.type.byte_width <= 0) {
      return absl::InvalidArgumentError(StrCat("column '", f.name, "': fixed_binary needs a positive width"));
    }
  }
  if (options.codec == Codec::kLz4 || options.codec == Codec::kLzo || options.codec == Codec::kBrotli) {
    return absl::InvalidArgumentError(StrCat("codec ", CodecName(options.codec), " is not supported for writing"));
  }
  if (options.row_group_rows <= 0 || options.page_bytes <= 0) {
    return absl::InvalidArgumentError("row_group_rows and page_bytes must be positive");
  }
  PLINTH_ASSIGN_OR_RETURN(ParquetSchema ps, ParquetSchema::Build(ToParquetSchema(schema)));
  PLINTH_RETURN_IF_ERROR(out->Write(std::string_view(kMagic, 4)));
  std::unique_ptr<ParquetWriter> w(new ParquetWriter(std::move(out), schema, std::move(ps), std::move(options)));
  w->metadata_.version = 1;
  w->metadata_.schema = w->pschema_.elements();
  w->metadata_.created_by = w->options_.created_by;
  for (const auto& [k, v] : w->options_.key_value_metadata) w->metadata_.key_value_metadata.push_back({k, v});
  return w;
}

absl::Status ParquetWriter::Write(const columnar::RecordBatch& batch) {
  if (closed_) return absl::FailedPreconditionError("Parquet writer is closed");
  if (batch.columns.size() != columns_.size()) {
    return absl::InvalidArgumentError(StrCat("batch has ", batch.columns.size(), " columns, the file has ", columns_.size()));
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!(batch.columns[i].type() == schema_.field(i).type)) {
      return absl::InvalidArgumentError(StrCat("column '", schema_.field(i).name, "' has type ",
                                               columnar::TypeName(batch.columns[i].type()), ", the file has ",
                                               columnar::TypeName(schema_.field(i).type)));
    }
    if (batch.columns[i].length() != batch.num_rows) {
      return absl::InvalidArgumentError(StrCat("column '", schema_.field(i).name, "' has ", batch.columns[i].length(),
                                               " rows, the batch has ", batch.num_rows));
    }
  }
  int64_t done = 0;
  while (done < batch.num_rows) {
    int64_t take = std::min(batch.num_rows - done, options_.row_group_rows - group_rows_);
    if (pool_ != nullptr && columns_.size() > 1) {
      // Columns are independent: each writer encodes and compresses its own pages.
      std::vector<absl::Status> status(columns_.size());
      pool_->ParallelFor(static_cast<int>(columns_.size()),
                         [&](int i) { status[i] = columns_[i]->Write(batch.columns[i], done, take); });
      for (const auto& s : status) PLINTH_RETURN_IF_ERROR(s);
    } else {
      for (size_t i = 0; i < columns_.size(); ++i) {
        PLINTH_RETURN_IF_ERROR(columns_[i]->Write(batch.columns[i], done, take));
      }
    }
    group_rows_ += take;
    rows_written_ += take;
    done += take;
    int64_t bytes = 0;
    for (const auto& c : columns_) bytes += c->buffered_bytes();
    if (group_rows_ >= options_.row_group_rows || bytes >= options_.row_group_bytes) {
      PLINTH_RETURN_IF_ERROR(FlushRowGroup());
    }
  }
  return absl::OkStatus();
}

absl::Status ParquetWriter::FlushRowGroup() {
  if (group_rows_ == 0) return absl::OkStatus();
  RowGroup g;
  g.num_rows = group_rows_;
  int64_t start = static_cast<int64_t>(out_->position());
  g.file_offset = start;
  g.total_byte_size = 0;
  if (pool_ != nullptr && columns_.size() > 1) {
    // Each column's last page is encoded and compressed in parallel; only the writes below
    // are serial (else the last pages of all columns were compressed one after another).
    std::vector<absl::Status> status(columns_.size());
    pool_->ParallelFor(static_cast<int>(columns_.size()), [&](int i) { status[i] = columns_[i]->FinishPages(); });
    for (const auto& s : status) PLINTH_RETURN_IF_ERROR(s);
  }
  for (auto& c : columns_) {
    ColumnChunk chunk;
    PLINTH_RETURN_IF_ERROR(c->FinishChunk(out_.get(), &chunk));
    g.total_byte_size += chunk.meta_data->total_uncompressed_size;
    g.columns.push_back(std::move(chunk));
  }
  g.total_compressed_size = static_cast<int64_t>(out_->position()) - start;
  g.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
  metadata_.row_groups.push_back(std::move(g));
  metadata_.num_rows += group_rows_;
  group_rows_ = 0;
  return absl::OkStatus();
}

absl::Status WriteFooter(const FileMetaData& metadata, OutputFile* out) {
  std::string footer;
  EncodeFileMetaData(metadata, &footer);
  uint32_t len = static_cast<uint32_t>(footer.size());
  footer.append(reinterpret_cast<const char*>(&len), 4);
  footer.append(kMagic, 4);
  return out->Write(footer);
}

absl::Status ParquetWriter::Close() {
  if (closed_) return absl::OkStatus();
  PLINTH_RETURN_IF_ERROR(FlushRowGroup());
  PLINTH_RETURN_IF_ERROR(WriteFooter(metadata_, out_.get()));
  final_size_ = out_->position();
  PLINTH_RETURN_IF_ERROR(out_->Close());
  closed_ = true;
  out_.reset();
  return absl::OkStatus();
}

absl::Status WriteParquetFile(const std::string& path, const columnar::Schema& schema,
                              const std::vector<columnar::RecordBatch>& batches, const WriterOptions& options) {
  PLINTH_ASSIGN_OR_RETURN(auto out, OpenLocalOutputFile(path));
  PLINTH_ASSIGN_OR_RETURN(auto w, ParquetWriter::Create(std::move(out), schema, options));
  for (const auto& b : batches) PLINTH_RETURN_IF_ERROR(w->Write(b));
  return w->Close();
}

}  // namespace plinth::parquet
