#include "plinth/cli/batch_input.h"

#include <fstream>

#include "plinth/base/strings.h"
#include "plinth/storage/columnar/text_io.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::cli {

using parquet::ParquetReader;

absl::StatusOr<std::string> InputFormatOf(const std::string& path, const std::string& hint) {
  if (!hint.empty()) {
    if (hint == "csv" || hint == "jsonl" || hint == "parquet") return hint;
    return absl::InvalidArgumentError(StrCat("unknown input format '", hint, "' (want csv, jsonl or parquet)"));
  }
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".parquet")) return std::string("parquet");
  if (ends(".csv")) return std::string("csv");
  if (ends(".jsonl") || ends(".json") || ends(".ndjson")) return std::string("jsonl");
  return absl::InvalidArgumentError(StrCat("cannot tell the format of '", path, "': use --input-format csv|jsonl|parquet"));
}

absl::StatusOr<columnar::Schema> ParquetInputSchema(const std::string& path) {
  PLINTH_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenFile(path));
  return reader->columnar_schema();
}

// Reads CSV / JSON lines / Parquet input into batches of `schema` (by file extension).
namespace {

class ParquetInput final : public InputReader {
 public:
  absl::StatusOr<bool> Next(columnar::RecordBatch* out) override {
    columnar::RecordBatch in;
    PLINTH_ASSIGN_OR_RETURN(bool more, scan_->Next(&in));
    if (!more) return false;
    *out = columnar::RecordBatch(schema_);
    out->num_rows = in.num_rows;
    for (size_t c = 0; c < schema_->size(); ++c) {
      auto idx = in.schema->IndexOf(schema_->field(c).name);
      if (idx) {
        out->columns[c] = std::move(in.columns[*idx]);
      } else {
        for (int64_t r = 0; r < in.num_rows; ++r) out->columns[c].AppendNull();
      }
    }
    return true;
  }
  std::unique_ptr<ParquetReader> reader_;
  std::unique_ptr<parquet::BatchReader> scan_;
  columnar::SchemaPtr schema_;
};

class TextInput final : public InputReader {
 public:
  TextInput(const std::string& path, columnar::TextFormat format, columnar::SchemaPtr schema)
      : path_(path), in_(path, std::ios::binary), reader_(&in_, format, std::move(schema)) {}
  absl::StatusOr<bool> Next(columnar::RecordBatch* out) override {
    auto more = reader_.Next(out);
    if (!more.ok()) return absl::InvalidArgumentError(StrCat(path_, ": ", more.status().message()));
    return *more;
  }
  bool ok() const { return static_cast<bool>(in_); }

 private:
  std::string path_;
  std::ifstream in_;
  columnar::TextBatchReader reader_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<InputReader>> InputReader::Open(const std::string& path, const std::string& format_hint,
                                                               columnar::SchemaPtr schema) {
  PLINTH_ASSIGN_OR_RETURN(std::string fmt, InputFormatOf(path, format_hint));
  if (fmt == "parquet") {
    auto in = std::make_unique<ParquetInput>();
    PLINTH_ASSIGN_OR_RETURN(in->reader_, ParquetReader::OpenFile(path));
    PLINTH_ASSIGN_OR_RETURN(columnar::Schema file_schema, in->reader_->columnar_schema());
    std::vector<std::string> names;
    for (const auto& f : schema->fields()) {
      auto idx = file_schema.IndexOf(f.name);
      if (!idx) {
        if (!f.nullable) return absl::InvalidArgumentError(StrCat(path, ": has no column '", f.name, "', which is not nullable"));
        continue;
      }
      if (!(file_schema.field(*idx).type == f.type)) {
        return absl::InvalidArgumentError(StrCat(path, ": column '", f.name, "' is ", columnar::TypeName(file_schema.field(*idx).type),
                                                 ", the target wants ", columnar::TypeName(f.type)));
      }
      names.push_back(f.name);
    }
    for (const auto& f : file_schema.fields()) {
      if (!schema->IndexOf(f.name)) {
        return absl::InvalidArgumentError(StrCat(path, ": column '", f.name, "' is not in the target (", schema->ToString(), ")"));
      }
    }
    parquet::ScanOptions so;
    so.columns = names;
    if (names.empty()) return absl::InvalidArgumentError(StrCat(path, ": no column in common with the target"));
    PLINTH_ASSIGN_OR_RETURN(in->scan_, in->reader_->Scan(so));
    in->schema_ = std::move(schema);
    return std::unique_ptr<InputReader>(std::move(in));
  }
  auto in = std::make_unique<TextInput>(path, fmt == "csv" ? columnar::TextFormat::kCsv : columnar::TextFormat::kJsonl,
                                        std::move(schema));
  if (!in->ok()) return absl::NotFoundError(StrCat("cannot open ", path));
  return std::unique_ptr<InputReader>(std::move(in));
}

absl::Status ForEachInputBatch(const std::string& path, const std::string& format_hint, columnar::SchemaPtr schema,
                               const std::function<absl::Status(const columnar::RecordBatch&)>& fn) {
  PLINTH_ASSIGN_OR_RETURN(auto reader, InputReader::Open(path, format_hint, std::move(schema)));
  columnar::RecordBatch batch;
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    PLINTH_RETURN_IF_ERROR(fn(batch));
  }
  return absl::OkStatus();
}

}  // namespace plinth::cli
