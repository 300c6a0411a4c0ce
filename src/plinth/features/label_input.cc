#include "plinth/features/label_input.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

#include "plinth/base/json.h"
#include "plinth/base/time.h"
#include "plinth/storage/columnar/text_io.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::features {

using columnar::DataType;
using columnar::TypeId;

namespace {

// Inferred kinds, from narrow to wide; kString absorbs any disagreement.
enum class Kind { kUnknown, kInt, kDouble, kBool, kTime, kString };

Kind KindOfText(std::string_view s) {
  if (ParseInt64(s)) return Kind::kInt;
  if (ParseDouble(s)) return Kind::kDouble;
  if (s == "true" || s == "false") return Kind::kBool;
  if (ParseTimestamp(s).ok()) return Kind::kTime;
  return Kind::kString;
}

Kind Merge(Kind a, Kind b) {
  if (a == Kind::kUnknown) return b;
  if (b == Kind::kUnknown || a == b) return a;
  if ((a == Kind::kInt && b == Kind::kDouble) || (a == Kind::kDouble && b == Kind::kInt)) return Kind::kDouble;
  return Kind::kString;
}

DataType TypeOfKind(Kind k) {
  switch (k) {
    case Kind::kInt: return {TypeId::kInt64};
    case Kind::kDouble: return {TypeId::kDouble};
    case Kind::kBool: return {TypeId::kBool};
    case Kind::kTime: return {TypeId::kTimestamp};
    default: return {TypeId::kString};
  }
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

absl::StatusOr<columnar::Schema> InferTextSchema(const std::string& path, columnar::TextFormat format,
                                                 const std::map<std::string, DataType>& known) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("cannot open ", path));
  std::vector<std::string> names;
  std::vector<Kind> kinds;
  if (format == columnar::TextFormat::kCsv) {
    int64_t line = 0;
    std::vector<std::string> fields;
    std::vector<bool> quoted;
    PLINTH_ASSIGN_OR_RETURN(bool any, columnar::ReadCsvRecord(in, line, &fields, &quoted));
    if (!any) return absl::InvalidArgumentError(StrCat(path, ": empty file (no header line)"));
    names = fields;
    kinds.assign(names.size(), Kind::kUnknown);
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, columnar::ReadCsvRecord(in, line, &fields, &quoted));
      if (!more) break;
      for (size_t c = 0; c < fields.size() && c < kinds.size(); ++c) {
        if (fields[c].empty() && !quoted[c]) continue;
        if (kinds[c] == Kind::kString || known.count(names[c])) continue;
        kinds[c] = Merge(kinds[c], KindOfText(fields[c]));
      }
    }
  } else {
    std::string text;
    int64_t line_no = 0;
    while (std::getline(in, text)) {
      ++line_no;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto obj = ParseJsonObject(text);
      if (!obj.ok()) return absl::InvalidArgumentError(StrCat(path, ": line ", line_no, ": ", obj.status().message()));
      for (auto it = obj->begin(); it != obj->end(); ++it) {
        size_t c = std::find(names.begin(), names.end(), it.key()) - names.begin();
        if (c == names.size()) {
          names.push_back(it.key());
          kinds.push_back(Kind::kUnknown);
        }
        const Json& v = it.value();
        if (v.is_null() || known.count(it.key())) continue;
        Kind k = v.is_number_integer() ? Kind::kInt
                 : v.is_number()       ? Kind::kDouble
                 : v.is_boolean()      ? Kind::kBool
                 : v.is_string()       ? (ParseTimestamp(v.get<std::string>()).ok() ? Kind::kTime : Kind::kString)
                                       : Kind::kString;
        kinds[c] = Merge(kinds[c], k);
      }
    }
  }
  std::vector<columnar::Field> fields;
  for (size_t c = 0; c < names.size(); ++c) {
    auto it = known.find(names[c]);
    fields.push_back({names[c], it != known.end() ? it->second : TypeOfKind(kinds[c]), true});
  }
  return columnar::Schema(std::move(fields));
}

}  // namespace

// The source batches of one format.
struct LabelReader::Source {
  std::unique_ptr<delta::DeltaTable> table;
  std::unique_ptr<delta::Snapshot> snapshot;
  std::unique_ptr<delta::TableScan> scan;
  std::unique_ptr<parquet::ParquetReader> parquet;
  std::unique_ptr<parquet::BatchReader> parquet_scan;
  std::unique_ptr<std::ifstream> in;
  std::unique_ptr<columnar::TextBatchReader> text;

  absl::StatusOr<bool> Next(columnar::RecordBatch* batch) {
    if (scan) return scan->Next(batch);
    if (parquet_scan) return parquet_scan->Next(batch);
    return text->Next(batch);
  }
};

LabelReader::~LabelReader() = default;

absl::StatusOr<std::unique_ptr<LabelReader>> LabelReader::Open(const std::string& path,
                                                               const std::map<std::string, DataType>& known,
                                                               int threads) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(StrCat("labels ", path, " do not exist"));
  std::unique_ptr<LabelReader> out(new LabelReader());
  out->path_ = path;
  out->source_ = std::make_unique<Source>();
  Source& src = *out->source_;
  if (std::filesystem::is_directory(path, ec)) {
    out->format_ = "delta";
    auto table = delta::DeltaTable::Open({.root = path});
    if (!table.ok()) return absl::InvalidArgumentError(StrCat("labels ", path, ": not a Delta table: ", table.status().message()));
    src.table = std::move(*table);
    PLINTH_ASSIGN_OR_RETURN(src.snapshot, src.table->LatestSnapshot());
    out->table_version_ = src.snapshot->version();
    delta::ScanSpec spec;
    spec.threads = std::max(1, threads);
    PLINTH_ASSIGN_OR_RETURN(src.scan, src.table->Scan(*src.snapshot, spec));
    out->schema_ = src.scan->output_schema();
    int64_t total = 0;
    bool counted = true;
    for (const delta::AddFile& f : src.snapshot->files()) {  // from the files' stats, when all have them
      if (!counted || !f.stats) {
        counted = false;
        break;
      }
      auto stats = delta::FileStats::Parse(*f.stats);
      counted = stats.ok() && stats->num_records.has_value();
      if (counted) total += *stats->num_records;
    }
    out->total_rows_ = counted ? total : -1;
    return out;
  }
  if (EndsWith(path, ".parquet")) {
    out->format_ = "parquet";
    PLINTH_ASSIGN_OR_RETURN(src.parquet, parquet::ParquetReader::OpenFile(path));
    PLINTH_ASSIGN_OR_RETURN(columnar::Schema schema, src.parquet->columnar_schema());
    out->schema_ = std::make_shared<const columnar::Schema>(std::move(schema));
    out->total_rows_ = src.parquet->num_rows();
    // Batches of a whole row group (1M rows at most), decoded on `threads`.
    parquet::ScanOptions scan_options;
    scan_options.threads = std::max(1, threads);
    scan_options.batch_rows = std::clamp<int64_t>(src.parquet->num_rows(), 65536, 1 << 20);
    PLINTH_ASSIGN_OR_RETURN(src.parquet_scan, src.parquet->Scan(scan_options));
    return out;
  }
  columnar::TextFormat format;
  if (EndsWith(path, ".csv")) {
    out->format_ = "csv";
    format = columnar::TextFormat::kCsv;
  } else if (EndsWith(path, ".jsonl") || EndsWith(path, ".json") || EndsWith(path, ".ndjson")) {
    out->format_ = "jsonl";
    format = columnar::TextFormat::kJsonl;
  } else {
    return absl::InvalidArgumentError(
        StrCat("cannot tell the format of labels ", path, ": use a Delta table directory, .parquet, .csv or .jsonl"));
  }
  PLINTH_ASSIGN_OR_RETURN(columnar::Schema schema, InferTextSchema(path, format, known));
  out->schema_ = std::make_shared<const columnar::Schema>(std::move(schema));
  src.in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*src.in) return absl::NotFoundError(StrCat("cannot open ", path));
  src.text = std::make_unique<columnar::TextBatchReader>(src.in.get(), format, out->schema_);
  return out;
}

absl::StatusOr<bool> LabelReader::Next(int64_t max_rows, columnar::RecordBatch* batch) {
  *batch = columnar::RecordBatch(schema_);
  max_rows = std::max<int64_t>(1, max_rows);
  // Several source batches are appended into one: room for all of them at once, rather than
  // copying the rows again each time a column outgrows its buffer.
  // (Only when starting at a source batch's start; the rows left to hand out are not counted.)
  int64_t expect = 0;
  if (total_rows_ > 0 && pending_offset_ >= pending_.num_rows) expect = std::min(max_rows, total_rows_);
  while (batch->num_rows < max_rows) {
    if (pending_offset_ >= pending_.num_rows) {
      auto more = source_->Next(&pending_);
      if (!more.ok()) {
        if (source_->text) return absl::InvalidArgumentError(StrCat(path_, ": ", more.status().message()));
        return more.status();
      }
      pending_offset_ = 0;
      if (!*more) {
        pending_ = columnar::RecordBatch();
        break;
      }
      if (pending_.columns.size() != batch->columns.size()) {
        return absl::InternalError(StrCat("labels ", path_, ": a batch has ", pending_.columns.size(), " columns, not ",
                                          batch->columns.size()));
      }
    }
    const int64_t take = std::min(max_rows - batch->num_rows, pending_.num_rows - pending_offset_);
    if (batch->num_rows == 0 && pending_offset_ == 0 && take == pending_.num_rows && take >= expect) {
      for (size_t c = 0; c < batch->columns.size(); ++c) batch->columns[c] = std::move(pending_.columns[c]);
      batch->num_rows = take;
      pending_ = columnar::RecordBatch();
      continue;
    }
    if (batch->num_rows == 0 && expect > take) {
      for (auto& c : batch->columns) c.Reserve(expect);
    }
    for (size_t c = 0; c < batch->columns.size(); ++c) {
      batch->columns[c].AppendFrom(pending_.columns[c], pending_offset_, take);
    }
    batch->num_rows += take;
    pending_offset_ += take;
  }
  return batch->num_rows > 0;
}

absl::StatusOr<LabelTable> ReadLabels(const std::string& path, const std::map<std::string, DataType>& known, int threads) {
  PLINTH_ASSIGN_OR_RETURN(auto reader, LabelReader::Open(path, known, threads));
  LabelTable out;
  out.format = reader->format();
  out.table_version = reader->table_version();
  PLINTH_RETURN_IF_ERROR(reader->Next(std::numeric_limits<int64_t>::max(), &out.batch).status());
  return out;
}

}  // namespace plinth::features
