#include "plinth/features/label_input.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "plinth/base/json.h"
#include "plinth/base/time.h"
#include "plinth/storage/columnar/text_io.h"
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

// Concatenates batches into one.
void AppendBatch(columnar::RecordBatch& all, const columnar::RecordBatch& b) {
  for (size_t c = 0; c < all.columns.size(); ++c) all.columns[c].AppendFrom(b.columns[c], 0, b.num_rows);
  all.num_rows += b.num_rows;
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

absl::StatusOr<LabelTable> ReadLabels(const std::string& path, const std::map<std::string, DataType>& known, int threads) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(StrCat("labels ", path, " do not exist"));
  LabelTable out;
  if (std::filesystem::is_directory(path, ec)) {
    out.format = "delta";
    auto table = delta::DeltaTable::Open({.root = path});
    if (!table.ok()) return absl::InvalidArgumentError(StrCat("labels ", path, ": not a Delta table: ", table.status().message()));
    PLINTH_ASSIGN_OR_RETURN(auto snapshot, (*table)->LatestSnapshot());
    out.table_version = snapshot->version();
    delta::ScanSpec spec;
    spec.threads = std::max(1, threads);
    PLINTH_ASSIGN_OR_RETURN(auto scan, (*table)->Scan(*snapshot, spec));
    PLINTH_ASSIGN_OR_RETURN(out.batch, delta::ReadAll(*scan));
    if (!out.batch.schema) out.batch = columnar::RecordBatch(scan->output_schema());
    return out;
  }
  if (EndsWith(path, ".parquet")) {
    out.format = "parquet";
    PLINTH_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::OpenFile(path));
    PLINTH_ASSIGN_OR_RETURN(columnar::Schema schema, reader->columnar_schema());
    // Batches of a whole row group (1M rows at most), decoded on `threads`; the first batch is
    // taken as it is, later ones appended.
    parquet::ScanOptions scan_options;
    scan_options.threads = std::max(1, threads);
    scan_options.batch_rows = std::clamp<int64_t>(reader->num_rows(), 65536, 1 << 20);
    PLINTH_ASSIGN_OR_RETURN(auto scan, reader->Scan(scan_options));
    out.batch = columnar::RecordBatch(std::make_shared<const columnar::Schema>(schema));
    columnar::RecordBatch b;
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&b));
      if (!more) break;
      if (out.batch.num_rows == 0 && b.columns.size() == out.batch.columns.size()) {
        for (size_t c = 0; c < b.columns.size(); ++c) out.batch.columns[c] = std::move(b.columns[c]);
        out.batch.num_rows = b.num_rows;
        b = columnar::RecordBatch();
        continue;
      }
      AppendBatch(out.batch, b);
    }
    return out;
  }
  columnar::TextFormat format;
  if (EndsWith(path, ".csv")) {
    out.format = "csv";
    format = columnar::TextFormat::kCsv;
  } else if (EndsWith(path, ".jsonl") || EndsWith(path, ".json") || EndsWith(path, ".ndjson")) {
    out.format = "jsonl";
    format = columnar::TextFormat::kJsonl;
  } else {
    return absl::InvalidArgumentError(
        StrCat("cannot tell the format of labels ", path, ": use a Delta table directory, .parquet, .csv or .jsonl"));
  }
  PLINTH_ASSIGN_OR_RETURN(columnar::Schema schema, InferTextSchema(path, format, known));
  auto schema_ptr = std::make_shared<const columnar::Schema>(schema);
  std::ifstream in(path, std::ios::binary);
  columnar::TextBatchReader reader(&in, format, schema_ptr);
  out.batch = columnar::RecordBatch(schema_ptr);
  columnar::RecordBatch b;
  while (true) {
    auto more = reader.Next(&b);
    if (!more.ok()) return absl::InvalidArgumentError(StrCat(path, ": ", more.status().message()));
    if (!*more) break;
    AppendBatch(out.batch, b);
  }
  return out;
}

}  // namespace plinth::features
