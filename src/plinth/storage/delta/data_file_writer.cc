#include "plinth/storage/delta/data_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "plinth/base/random.h"
#include "plinth/base/strings.h"
#include "plinth/storage/delta/type_mapping.h"
#include "plinth/storage/parquet/statistics.h"

namespace plinth::delta {

using columnar::RecordBatch;

namespace {

absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(StrCat("cannot open ", path, " to sync it: ", std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return absl::InternalError(StrCat("fsync ", path, ": ", std::strerror(err)));
  return absl::OkStatus();
}

// fsyncs every directory between the files and `root`: a new file's name must be as durable as
// its bytes before a commit refers to it.
absl::Status SyncDirectories(const std::string& root, const std::vector<std::string>& paths) {
  std::set<std::string> dirs;
  const std::filesystem::path top = std::filesystem::path(root).lexically_normal();
  for (const std::string& p : paths) {
    for (auto dir = std::filesystem::path(p).parent_path().lexically_normal(); !dir.empty(); dir = dir.parent_path()) {
      if (!dirs.insert(dir.string()).second) break;
      if (dir == top || dir == dir.parent_path()) break;
    }
  }
  for (const std::string& d : dirs) PLINTH_RETURN_IF_ERROR(SyncPath(d, O_RDONLY | O_DIRECTORY));
  return absl::OkStatus();
}

absl::Status SyncFilesAndDirectories(const std::string& root, const std::vector<std::string>& paths) {
  for (const std::string& p : paths) PLINTH_RETURN_IF_ERROR(SyncPath(p, O_RDONLY));
  return SyncDirectories(root, paths);
}

}  // namespace

struct DataFileWriter::OpenFile {
  std::string rel_dir;  // "" or "a=1/b=x"
  std::string rel_path;
  std::string abs_path;
  PartitionValues values;
  std::unique_ptr<parquet::ParquetWriter> writer;
  int64_t rows = 0;
};

DataFileWriter::DataFileWriter(Options options) : options_(std::move(options)) {
  std::vector<columnar::Field> fields;
  for (size_t i = 0; i < options_.schema->size(); ++i) {
    const auto& f = options_.schema->field(i);
    auto it = std::find(options_.partition_columns.begin(), options_.partition_columns.end(), f.name);
    if (it == options_.partition_columns.end()) {
      data_columns_.push_back(static_cast<int>(i));
      fields.push_back(f);
    }
  }
  for (const auto& p : options_.partition_columns) {
    partition_index_.push_back(static_cast<int>(*options_.schema->IndexOf(p)));
  }
  data_schema_ = std::make_shared<const columnar::Schema>(std::move(fields));
}

DataFileWriter::~DataFileWriter() = default;

absl::Status DataFileWriter::Write(const RecordBatch& batch) {
  if (batch.columns.size() != options_.schema->size()) {
    return absl::InvalidArgumentError(StrCat("batch has ", batch.columns.size(), " columns, the table has ",
                                             options_.schema->size()));
  }
  rows_ += batch.num_rows;
  auto data_of = [&](const RecordBatch& b) {
    RecordBatch d;
    d.schema = data_schema_;
    for (int i : data_columns_) d.columns.push_back(b.columns[i]);
    d.num_rows = b.num_rows;
    return d;
  };
  // Unpartitioned: every column is a data column, in order; the batch is written as it is
  // (a copy here cost a full pass over the batch's memory).
  if (partition_index_.empty()) return WriteToPartition("", {}, batch);
  // Group rows by partition key.
  std::map<std::string, std::pair<PartitionValues, std::vector<uint8_t>>> groups;
  std::string key;
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    key.clear();
    PartitionValues pv;
    for (size_t k = 0; k < partition_index_.size(); ++k) {
      PLINTH_ASSIGN_OR_RETURN(auto v, PartitionValueString(batch.columns[partition_index_[k]], r));
      if (k) key.push_back('/');
      key += PartitionDirectory(options_.partition_columns[k], v);
      pv[options_.partition_columns[k]] = v;
    }
    auto [it, inserted] = groups.try_emplace(key);
    if (inserted) {
      it->second.first = std::move(pv);
      it->second.second.assign(batch.num_rows, 0);
    }
    it->second.second[r] = 1;
  }
  for (auto& [k, g] : groups) {
    PLINTH_RETURN_IF_ERROR(WriteToPartition(k, g.first, data_of(batch.Filter(g.second))));
  }
  return absl::OkStatus();
}

absl::Status DataFileWriter::WriteToPartition(const std::string& key, const PartitionValues& values,
                                              const RecordBatch& data) {
  int64_t done = 0;
  while (done < data.num_rows) {
    auto& slot = open_[key];
    if (!slot) {
      auto f = std::make_unique<OpenFile>();
      f->rel_dir = key;
      f->values = values;
      std::string codec = parquet::CodecName(options_.writer.codec);
      for (auto& c : codec) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string name = StrCat("part-", std::string(5 - std::min<size_t>(5, std::to_string(file_seq_).size()), '0'),
                                file_seq_, "-", RandomHex(16), "-c000.", codec, ".parquet");
      ++file_seq_;
      f->rel_path = key.empty() ? name : StrCat(key, "/", name);
      f->abs_path = StrCat(options_.root, "/", f->rel_path);
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(f->abs_path).parent_path(), ec);
      if (ec) return absl::InternalError(StrCat("cannot create directory for ", f->abs_path, ": ", ec.message()));
      PLINTH_ASSIGN_OR_RETURN(auto out, parquet::OpenLocalOutputFile(f->abs_path, options_.fsync && !options_.defer_sync));
      written_paths_.push_back(f->abs_path);
      PLINTH_ASSIGN_OR_RETURN(f->writer, parquet::ParquetWriter::Create(std::move(out), *data_schema_, options_.writer));
      slot = std::move(f);
    }
    int64_t take = std::min(data.num_rows - done, options_.max_rows_per_file - slot->rows);
    if (take == data.num_rows && done == 0) {
      PLINTH_RETURN_IF_ERROR(slot->writer->Write(data));
    } else {
      std::vector<uint8_t> sel(data.num_rows, 0);
      std::fill(sel.begin() + done, sel.begin() + done + take, 1);
      PLINTH_RETURN_IF_ERROR(slot->writer->Write(data.Filter(sel)));
    }
    slot->rows += take;
    done += take;
    if (slot->rows >= options_.max_rows_per_file) {
      PLINTH_RETURN_IF_ERROR(CloseFile(slot.get()));
      open_.erase(key);
    }
  }
  return absl::OkStatus();
}

absl::Status DataFileWriter::CloseFile(OpenFile* f) {
  PLINTH_RETURN_IF_ERROR(f->writer->Close());
  AddFile add;
  add.path = EncodeLogPath(f->rel_path);
  add.partition_values = f->values;
  add.size = static_cast<int64_t>(f->writer->bytes_written());
  add.modification_time = options_.clock->NowMicros() / 1000;
  add.data_change = true;
  // Stats from the row group statistics the Parquet writer kept.
  const auto& meta = f->writer->metadata();
  const auto& leaves = f->writer->parquet_schema().leaves();
  Json mins = Json::object(), maxs = Json::object(), nulls = Json::object();
  for (size_t c = 0; c < leaves.size(); ++c) {
    std::optional<columnar::Value> lo, hi;
    int64_t null_count = 0;
    bool complete = true;
    for (const auto& rg : meta.row_groups) {
      auto st = parquet::DecodeChunkStats(leaves[c], *rg.columns[c].meta_data);
      null_count += st.null_count.value_or(0);
      int64_t non_null = st.num_values - st.null_count.value_or(0);
      if (non_null == 0) continue;
      if (!st.min || !st.max) {
        complete = false;
        continue;
      }
      auto lt = columnar::Compare(*st.min, lo ? *lo : *st.min);
      if (!lo || (lt && *lt == std::partial_ordering::less)) lo = st.min;
      auto gt = columnar::Compare(*st.max, hi ? *hi : *st.max);
      if (!hi || (gt && *gt == std::partial_ordering::greater)) hi = st.max;
    }
    const std::string& name = leaves[c].path[0];
    nulls[name] = null_count;
    if (complete && lo && hi) {
      if (auto j = StatsJsonValue(*lo, false)) mins[name] = *j;
      if (auto j = StatsJsonValue(*hi, true)) maxs[name] = *j;
    }
  }
  Json stats = {{"numRecords", f->rows}, {"minValues", mins}, {"maxValues", maxs}, {"nullCount", nulls}};
  add.stats = DumpJson(stats);
  bytes_ += add.size;
  done_.push_back(std::move(add));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AddFile>> DataFileWriter::Finish() {
  for (auto& [k, f] : open_) PLINTH_RETURN_IF_ERROR(CloseFile(f.get()));
  open_.clear();
  if (!options_.fsync || written_paths_.empty()) return done_;
  if (options_.defer_sync) {
    synced_ = std::async(std::launch::async, SyncFilesAndDirectories, options_.root, written_paths_).share();
  } else {
    PLINTH_RETURN_IF_ERROR(SyncDirectories(options_.root, written_paths_));  // (the files were synced as they closed)
  }
  return done_;
}

PublishGate DataFileWriter::DurableGate() const {
  if (!synced_.valid()) return nullptr;
  return [synced = synced_]() { return synced.get(); };
}

void DataFileWriter::Abort() {
  open_.clear();
  if (synced_.valid()) synced_.wait();  // (the files go anyway; not while they are synced)
  for (const auto& p : written_paths_) std::remove(p.c_str());
  written_paths_.clear();
  done_.clear();
}

}  // namespace plinth::delta
