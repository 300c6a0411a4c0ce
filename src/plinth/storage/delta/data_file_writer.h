// DataFileWriter: turns batches of a table's rows into Parquet data files under the table
// root, one open file per partition, and describes each finished file as an AddFile
// (relative URL-encoded path, partition values, size, modification time, stats JSON with
// numRecords, minValues, maxValues and nullCount). Nothing is visible to readers until the
// caller commits the AddFiles.
// Thread-safety: none; one writer per thread.
#pragma once

#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/log_store.h"
#include "plinth/storage/parquet/file_writer.h"

namespace plinth::delta {

class DataFileWriter {
 public:
  struct Options {
    std::string root;
    columnar::SchemaPtr schema;              // every table column, partition columns included
    std::vector<std::string> partition_columns;
    parquet::WriterOptions writer;
    int64_t max_rows_per_file = int64_t{4} << 20;
    // Each file is synced as it closes, and Finish syncs their directories (their names).
    bool fsync = true;
    // With fsync: files are closed without syncing, and Finish starts syncing them and their
    // directories on another thread; DurableGate waits for it. The commit that adds the files
    // passes the gate as Transaction::Options::before_publish, so the data files and the
    // commit file are synced at the same time instead of one after the other.
    bool defer_sync = false;
    Clock* clock = Clock::Real();
  };
  explicit DataFileWriter(Options options);
  ~DataFileWriter();

  // REQUIRES: batch.schema has the columns of options.schema, in order.
  absl::Status Write(const columnar::RecordBatch& batch);
  // Closes every open file; returns all files written (durable with fsync, unless deferred).
  absl::StatusOr<std::vector<AddFile>> Finish();
  // After Finish with defer_sync: waits until the files are durable (their error, if any; the
  // same answer to every call). Without defer_sync: an empty gate (the files already are).
  PublishGate DurableGate() const;
  // Deletes every file written so far (after a failed commit).
  void Abort();

  int64_t rows() const { return rows_; }
  int64_t bytes() const { return bytes_; }

 private:
  struct OpenFile;
  absl::Status WriteToPartition(const std::string& key, const PartitionValues& values, const columnar::RecordBatch& data);
  absl::Status CloseFile(OpenFile* f);

  Options options_;
  columnar::SchemaPtr data_schema_;   // non-partition columns
  std::vector<int> data_columns_;     // index in options.schema
  std::vector<int> partition_index_;  // index in options.schema
  std::map<std::string, std::unique_ptr<OpenFile>> open_;
  std::vector<AddFile> done_;
  std::vector<std::string> written_paths_;
  std::shared_future<absl::Status> synced_;  // defer_sync: the sync started by Finish
  int file_seq_ = 0;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace plinth::delta
