// ParquetWriter: writes RecordBatches of a flat schema to a Parquet file.
//
//   PLINTH_ASSIGN_OR_RETURN(auto out, OpenLocalOutputFile(path));
//   PLINTH_ASSIGN_OR_RETURN(auto w, ParquetWriter::Create(std::move(out), schema, options));
//   PLINTH_RETURN_IF_ERROR(w->Write(batch));   // any number of times
//   PLINTH_RETURN_IF_ERROR(w->Close());        // footer + fsync
//
// Row groups close at WriterOptions::row_group_rows / row_group_bytes; memory holds one row
// group's encoded pages. Files are readable by DuckDB, Spark, pandas (data page v1,
// RLE_DICTIONARY or PLAIN values, RLE levels, min/max/null_count statistics).
// Thread-safety: none; one writer per file.
#pragma once

#include <memory>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/base/worker_pool.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/parquet/column_writer.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/schema.h"
#include "plinth/storage/parquet/writer_options.h"

namespace plinth::parquet {

class ParquetWriter {
 public:
  static absl::StatusOr<std::unique_ptr<ParquetWriter>> Create(std::unique_ptr<OutputFile> out,
                                                               const columnar::Schema& schema,
                                                               WriterOptions options = {});
  ~ParquetWriter();

  // REQUIRES: batch columns match the schema (types; names are not checked).
  absl::Status Write(const columnar::RecordBatch& batch);
  // Closes the current row group (no-op when empty).
  absl::Status FlushRowGroup();
  // Writes the footer and closes the file. The writer is unusable afterwards.
  absl::Status Close();

  int64_t rows_written() const { return rows_written_; }
  // Valid after Close().
  const FileMetaData& metadata() const { return metadata_; }
  uint64_t bytes_written() const { return out_ ? out_->position() : final_size_; }
  const ParquetSchema& parquet_schema() const { return pschema_; }

 private:
  ParquetWriter(std::unique_ptr<OutputFile> out, columnar::Schema schema, ParquetSchema pschema, WriterOptions options);

  std::unique_ptr<OutputFile> out_;
  columnar::Schema schema_;
  ParquetSchema pschema_;
  WriterOptions options_;
  std::vector<std::unique_ptr<ColumnChunkWriter>> columns_;
  std::unique_ptr<WorkerPool> pool_;  // when options_.threads > 1
  FileMetaData metadata_;
  int64_t group_rows_ = 0;
  int64_t rows_written_ = 0;
  uint64_t final_size_ = 0;
  bool closed_ = false;
};

// Writes the Thrift footer, its length and the closing magic (the end of every Parquet file).
absl::Status WriteFooter(const FileMetaData& metadata, OutputFile* out);

// Convenience: writes one or more batches to `path` (durably) in one call.
absl::Status WriteParquetFile(const std::string& path, const columnar::Schema& schema,
                              const std::vector<columnar::RecordBatch>& batches, const WriterOptions& options = {});

}  // namespace plinth::parquet
