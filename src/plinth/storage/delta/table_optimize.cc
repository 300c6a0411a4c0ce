// DeltaTable::Optimize: compaction of small files (see table.h).
#include "plinth/storage/delta/table.h"

#include <map>

#include "plinth/base/strings.h"
#include "plinth/storage/delta/data_file_writer.h"
#include "plinth/storage/delta/table_scan.h"
#include "plinth/storage/delta/transaction.h"
#include "plinth/storage/delta/type_mapping.h"

namespace plinth::delta {

namespace {

// A partition's identity as text (partition values are few and short).
std::string PartitionKey(const PartitionValues& values) {
  std::string key;
  for (const auto& [column, value] : values) {
    StrAppend(&key, column.size(), ":", column, value ? StrCat("=", value->size(), ":", *value) : std::string("~"), ";");
  }
  return key;
}

// Consecutive files packed into bins of about `target` bytes; a bin of one file is pointless
// and joins the bin before it.
std::vector<std::vector<const AddFile*>> PackBins(const std::vector<const AddFile*>& files, int64_t target) {
  std::vector<std::vector<const AddFile*>> bins;
  std::vector<const AddFile*> bin;
  int64_t bytes = 0;
  for (const AddFile* f : files) {
    bin.push_back(f);
    bytes += f->size;
    if (bytes >= target) {
      bins.push_back(std::move(bin));
      bin.clear();
      bytes = 0;
    }
  }
  if (bin.size() == 1 && !bins.empty()) bins.back().push_back(bin.front());
  else if (bin.size() > 1) bins.push_back(std::move(bin));
  while (!bins.empty() && bins.back().size() < 2) bins.pop_back();
  return bins;
}

}  // namespace

absl::StatusOr<OptimizeResult> DeltaTable::Optimize(const OptimizeOptions& options) {
  if (options.target_file_bytes <= 0) return absl::InvalidArgumentError("the target file size must be positive");
  if (options.min_files < 2) return absl::InvalidArgumentError("compaction needs at least 2 files per partition (min_files)");
  if (options.small_file_bytes < 0) return absl::InvalidArgumentError("the small-file size must not be negative");
  const int64_t small_bytes = options.small_file_bytes > 0 ? options.small_file_bytes : options.target_file_bytes;
  PLINTH_ASSIGN_OR_RETURN(auto snapshot, LatestSnapshot());
  const columnar::Schema schema = ToColumnarSchema(snapshot->schema());

  // Small files by partition, in the snapshot's (path) order.
  std::map<std::string, std::vector<const AddFile*>> small;
  for (const AddFile& f : snapshot->files()) {
    if (f.size < small_bytes) small[PartitionKey(f.partition_values)].push_back(&f);
  }
  std::vector<std::vector<const AddFile*>> bins;
  OptimizeResult out;
  for (const auto& [key, files] : small) {
    if (files.size() < static_cast<size_t>(options.min_files)) continue;
    std::vector<std::vector<const AddFile*>> packed = PackBins(files, options.target_file_bytes);
    if (packed.empty()) continue;
    ++out.partitions;
    for (auto& b : packed) bins.push_back(std::move(b));
  }
  if (bins.empty()) return out;

  // Each bin through its own writer, so it becomes one file (or more past max_rows_per_file);
  // on any failure every file written so far is deleted and nothing is committed.
  std::vector<std::unique_ptr<DataFileWriter>> writers;
  auto rewrite_and_commit = [&]() -> absl::StatusOr<int64_t> {
    std::vector<AddFile> adds;
    for (const auto& bin : bins) {
      writers.push_back(std::make_unique<DataFileWriter>(DataWriterOptions(*snapshot, schema)));
      DataFileWriter& writer = *writers.back();
      for (const AddFile* f : bin) {
        PLINTH_ASSIGN_OR_RETURN(auto scan, TableScan::CreateForFile(options_.root, *snapshot, *f));
        columnar::RecordBatch b;
        while (true) {
          PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&b));
          if (!more) break;
          out.rows += b.num_rows;
          PLINTH_RETURN_IF_ERROR(writer.Write(b));
        }
        ++out.files_removed;
        out.bytes_removed += f->size;
      }
      PLINTH_ASSIGN_OR_RETURN(std::vector<AddFile> written, writer.Finish());
      for (AddFile& a : written) {
        a.data_change = false;
        out.bytes_added += a.size;
        adds.push_back(std::move(a));
      }
    }
    out.files_added = static_cast<int64_t>(adds.size());

    Transaction::Options to = TxnOptions("OPTIMIZE");
    to.operation_parameters = {{"predicate", "[]"}, {"targetSize", std::to_string(options.target_file_bytes)}};
    to.operation_metrics = {{"numRemovedFiles", std::to_string(out.files_removed)},
                            {"numAddedFiles", std::to_string(out.files_added)},
                            {"numRemovedBytes", std::to_string(out.bytes_removed)},
                            {"numAddedBytes", std::to_string(out.bytes_added)}};
    PLINTH_ASSIGN_OR_RETURN(auto txn, Transaction::Start(*snapshot, to));
    const int64_t now_ms = options_.clock->NowMicros() / 1000;
    for (const auto& bin : bins) {
      for (const AddFile* f : bin) {
        RemoveFile r = Transaction::RemoveFor(*f, now_ms);
        r.data_change = false;
        txn->Remove(std::move(r));
      }
    }
    for (AddFile& a : adds) txn->Add(std::move(a));
    PLINTH_ASSIGN_OR_RETURN(auto committed, txn->Commit());
    return committed.version;
  };
  absl::StatusOr<int64_t> committed = rewrite_and_commit();
  if (!committed.ok()) {
    for (auto& w : writers) w->Abort();
    return committed.status();
  }
  out.version = *committed;
  MaybeCheckpoint(snapshot->metadata(), *committed);
  return out;
}

}  // namespace plinth::delta
