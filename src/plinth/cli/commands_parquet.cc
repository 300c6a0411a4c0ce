// `plinth parquet inspect FILE` and `plinth parquet cat FILE`: look inside any Parquet file.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "plinth/base/json.h"
#include "plinth/base/strings.h"
#include "plinth/cli/batch_input.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/storage/columnar/predicate.h"
#include "plinth/storage/columnar/text_io.h"
#include "plinth/storage/columnar/value_format.h"
#include "plinth/storage/parquet/file_reader.h"
#include "plinth/storage/parquet/file_writer.h"
#include "plinth/storage/parquet/row_group_filter.h"

namespace plinth::cli {

namespace {

using parquet::ParquetReader;

Json ValueJson(const columnar::Value& v) {
  columnar::Column c(v.type);
  columnar::AppendValue(v, &c);
  std::string s;
  columnar::AppendJsonValue(c, 0, &s);
  auto j = ParseJson(s);
  return j.ok() ? *j : Json(s);
}

std::string LogicalName(const parquet::SchemaElement& e) {
  if (e.logical_type) {
    using K = parquet::LogicalType::Kind;
    switch (e.logical_type->kind) {
      case K::kString: return "STRING";
      case K::kMap: return "MAP";
      case K::kList: return "LIST";
      case K::kEnum: return "ENUM";
      case K::kDecimal: return StrCat("DECIMAL(", e.logical_type->precision, ",", e.logical_type->scale, ")");
      case K::kDate: return "DATE";
      case K::kTime: return "TIME";
      case K::kTimestamp: return StrCat("TIMESTAMP(", e.logical_type->is_adjusted_to_utc ? "UTC" : "local", ")");
      case K::kInteger: return StrCat(e.logical_type->is_signed ? "INT" : "UINT", "(", e.logical_type->bit_width, ")");
      case K::kUnknown: return "NULL";
      case K::kJson: return "JSON";
      case K::kBson: return "BSON";
      case K::kUuid: return "UUID";
      case K::kFloat16: return "FLOAT16";
      default: break;
    }
  }
  if (e.converted_type) return parquet::ConvertedTypeName(*e.converted_type);
  return "";
}

Json InspectJson(const ParquetReader& r) {
  const auto& m = r.metadata();
  Json out = Json::object();
  out["file"] = r.file().name();
  out["file_bytes"] = r.file().size();
  out["footer_bytes"] = r.footer_size();
  out["created_by"] = m.created_by ? Json(*m.created_by) : Json(nullptr);
  out["format_version"] = m.version;
  out["num_rows"] = r.num_rows();
  out["num_row_groups"] = r.num_row_groups();
  Json schema = Json::array();
  for (const auto& leaf : r.schema().leaves()) {
    Json c = {{"name", leaf.dotted_path},
              {"type", columnar::TypeName(leaf.type)},
              {"physical", parquet::PhysicalTypeName(leaf.physical)},
              {"nullable", leaf.nullable},
              {"max_definition_level", leaf.max_def},
              {"max_repetition_level", leaf.max_rep}};
    std::string logical = LogicalName(leaf.element);
    if (!logical.empty()) c["logical"] = logical;
    if (leaf.physical == parquet::PhysicalType::kFixedLenByteArray) c["type_length"] = leaf.type_length;
    schema.push_back(c);
  }
  out["schema"] = schema;
  Json kv = Json::object();
  for (const auto& e : m.key_value_metadata) kv[e.key] = e.value ? Json(*e.value) : Json(nullptr);
  out["key_value_metadata"] = kv;
  Json groups = Json::array();
  for (int g = 0; g < r.num_row_groups(); ++g) {
    const auto& rg = m.row_groups[g];
    Json cols = Json::array();
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      Json col = {{"path", r.schema().leaves()[c].dotted_path}};
      if (cc.meta_data) {
        const auto& md = *cc.meta_data;
        col["codec"] = parquet::CodecName(md.codec);
        Json enc = Json::array();
        for (auto e : md.encodings) enc.push_back(parquet::EncodingName(e));
        col["encodings"] = enc;
        col["num_values"] = md.num_values;
        col["compressed_bytes"] = md.total_compressed_size;
        col["uncompressed_bytes"] = md.total_uncompressed_size;
        col["data_page_offset"] = md.data_page_offset;
        if (md.dictionary_page_offset) col["dictionary_page_offset"] = *md.dictionary_page_offset;
        auto st = r.ChunkStats(g, static_cast<int>(c));
        Json stats = Json::object();
        if (st.min) stats["min"] = ValueJson(*st.min);
        if (st.max) stats["max"] = ValueJson(*st.max);
        if (st.null_count) stats["null_count"] = *st.null_count;
        col["statistics"] = stats;
        if (!md.key_value_metadata.empty()) {
          Json ckv = Json::object();
          for (const auto& e : md.key_value_metadata) ckv[e.key] = e.value ? Json(*e.value) : Json(nullptr);
          col["key_value_metadata"] = ckv;
        }
      }
      cols.push_back(col);
    }
    groups.push_back({{"num_rows", rg.num_rows}, {"total_byte_size", rg.total_byte_size}, {"columns", cols}});
  }
  out["row_groups"] = groups;
  return out;
}

void PrintInspectText(const Json& j) {
  std::string out;
  StrAppend(&out, "file: ", j["file"].get<std::string>(), " (", j["file_bytes"].get<uint64_t>(), " bytes, footer ",
            j["footer_bytes"].get<uint64_t>(), " bytes)\n");
  StrAppend(&out, "created_by: ", j["created_by"].is_null() ? "(unknown)" : j["created_by"].get<std::string>(), "\n");
  StrAppend(&out, "rows: ", j["num_rows"].get<int64_t>(), " in ", j["num_row_groups"].get<int>(), " row group(s)\n");
  out += "schema:\n";
  for (const auto& c : j["schema"]) {
    StrAppend(&out, "  ", c["name"].get<std::string>(), ": ", c["type"].get<std::string>(), " (",
              c["physical"].get<std::string>());
    if (c.contains("logical")) StrAppend(&out, " ", c["logical"].get<std::string>());
    StrAppend(&out, c["nullable"].get<bool>() ? ", optional" : ", required", ")\n");
  }
  if (!j["key_value_metadata"].empty()) {
    out += "key_value_metadata:\n";
    for (auto it = j["key_value_metadata"].begin(); it != j["key_value_metadata"].end(); ++it) {
      std::string v = it->is_null() ? "(no value)" : it->get<std::string>();
      if (v.size() > 120) v = v.substr(0, 117) + "...";
      StrAppend(&out, "  ", it.key(), " = ", v, "\n");
    }
  }
  int g = 0;
  for (const auto& rg : j["row_groups"]) {
    StrAppend(&out, "row group ", g++, ": ", rg["num_rows"].get<int64_t>(), " rows, ", rg["total_byte_size"].get<int64_t>(),
              " bytes uncompressed\n");
    for (const auto& c : rg["columns"]) {
      StrAppend(&out, "  ", c["path"].get<std::string>());
      if (c.contains("codec")) {
        std::vector<std::string> enc;
        for (const auto& e : c["encodings"]) enc.push_back(e.get<std::string>());
        StrAppend(&out, ": ", c["codec"].get<std::string>(), " [", StrJoin(enc, ", "), "] ", c["num_values"].get<int64_t>(),
                  " values, ", c["compressed_bytes"].get<int64_t>(), " bytes");
        const auto& s = c["statistics"];
        if (s.contains("min")) StrAppend(&out, ", min ", s["min"].dump());
        if (s.contains("max")) StrAppend(&out, ", max ", s["max"].dump());
        if (s.contains("null_count")) StrAppend(&out, ", nulls ", s["null_count"].get<int64_t>());
      }
      out += "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void AddParquetWriteCommand(CLI::App* pq);

void AddParquetCommands(CLI::App& app) {
  auto* pq = app.add_subcommand("parquet", "Look inside Parquet files");
  pq->require_subcommand(1);

  auto* inspect = pq->add_subcommand("inspect", "Schema, row groups, encodings and statistics of a Parquet file");
  auto file = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  inspect->add_option("file", *file, "Parquet file")->required();
  inspect->add_flag("--json", *as_json, "Print as JSON");
  Do(inspect, [=]() -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenFile(*file));
    Json j = InspectJson(*reader);
    if (*as_json) PrintJson(j);
    else PrintInspectText(j);
    return absl::OkStatus();
  });

  AddParquetWriteCommand(pq);

  auto* cat = pq->add_subcommand("cat", "Print the rows of a Parquet file");
  auto cat_file = std::make_shared<std::string>();
  auto columns = std::make_shared<std::string>();
  auto where = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("jsonl");
  auto limit = std::make_shared<int64_t>(-1);
  auto no_crc = std::make_shared<bool>(false);
  cat->add_option("file", *cat_file, "Parquet file")->required();
  cat->add_option("--columns", *columns, "Comma-separated columns to print (default all)");
  cat->add_option("--where", *where, "Row filter, e.g. \"id > 10 AND name = 'x'\"");
  cat->add_option("--format", *format, "jsonl (default), csv or table");
  cat->add_option("--limit", *limit, "Print at most this many rows");
  cat->add_flag("--no-verify-checksums", *no_crc, "Do not check page CRCs");
  Do(cat, [=]() -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(columnar::PrintFormat fmt, columnar::ParsePrintFormat(*format));
    parquet::ReaderOptions ro;
    ro.verify_checksums = !*no_crc;
    PLINTH_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenFile(*cat_file, ro));
    std::vector<std::string> wanted;
    for (auto part : StrSplit(*columns, ',', /*skip_empty=*/true)) wanted.emplace_back(part);
    columnar::Schema schema = reader->schema().FlatColumns();
    if (wanted.empty()) {
      PLINTH_ASSIGN_OR_RETURN(schema, reader->columnar_schema());  // error names a nested column
    }
    PLINTH_ASSIGN_OR_RETURN(columnar::Schema out_schema, wanted.empty() ? absl::StatusOr<columnar::Schema>(schema) : schema.Select(wanted));
    std::optional<columnar::Predicate> pred;
    parquet::ScanOptions so;
    so.columns = wanted;
    if (!where->empty()) {
      PLINTH_ASSIGN_OR_RETURN(auto p, columnar::Predicate::Parse(*where, schema));
      pred = std::move(p);
      if (!wanted.empty()) {  // read the filter's columns too
        for (const auto& c : pred->Columns()) {
          if (std::find(so.columns.begin(), so.columns.end(), c) == so.columns.end()) so.columns.push_back(c);
        }
        PLINTH_ASSIGN_OR_RETURN(auto scan_schema, schema.Select(so.columns));
        PLINTH_ASSIGN_OR_RETURN(auto rebound, columnar::Predicate::Parse(*where, scan_schema));
        pred = std::move(rebound);
      }
      so.row_group_filter = parquet::RowGroupFilter(reader.get(), &*pred);
    }
    PLINTH_ASSIGN_OR_RETURN(auto scan, reader->Scan(so));
    columnar::BatchPrinter printer(stdout, fmt, out_schema);
    columnar::RecordBatch batch;
    int64_t left = *limit;
    while (left != 0) {
      PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&batch));
      if (!more) break;
      columnar::RecordBatch shown = batch;
      if (pred) {
        PLINTH_ASSIGN_OR_RETURN(auto sel, pred->Evaluate(batch));
        shown = batch.Filter(sel);
      }
      if (shown.columns.size() != out_schema.size()) {
        shown.columns.resize(out_schema.size());  // drop filter-only columns (they come last)
      }
      if (left > 0 && shown.num_rows > left) {
        std::vector<uint8_t> sel(shown.num_rows, 0);
        std::fill(sel.begin(), sel.begin() + left, 1);
        shown = shown.Filter(sel);
      }
      printer.Print(shown);
      if (left > 0) left -= shown.num_rows;
    }
    printer.Finish();
    return absl::OkStatus();
  });
}

void AddParquetWriteCommand(CLI::App* pq) {
  auto* write = pq->add_subcommand("write", "Write rows from CSV, JSON lines or Parquet into a new Parquet file");
  auto out = std::make_shared<std::string>();
  auto input = std::make_shared<std::string>();
  auto input_format = std::make_shared<std::string>();
  auto schema_text = std::make_shared<std::string>();
  auto codec = std::make_shared<std::string>("snappy");
  auto rg_rows = std::make_shared<int64_t>(1 << 20);
  auto no_dict = std::make_shared<bool>(false);
  auto plain_only = std::make_shared<bool>(false);
  write->add_option("file", *out, "Parquet file to create")->required();
  write->add_option("--input", *input, "Input file (.csv, .jsonl or .parquet)")->required();
  write->add_option("--input-format", *input_format, "csv, jsonl or parquet (default: by extension)");
  write->add_option("--schema", *schema_text, "Columns, e.g. \"id int64 not null, name string, ts timestamp\"")->required();
  write->add_option("--codec", *codec, "snappy (default), zstd, gzip, lz4_raw or uncompressed");
  write->add_option("--row-group-rows", *rg_rows, "Rows per row group (default 1048576)");
  write->add_flag("--no-dictionary", *no_dict, "No dictionary encoding");
  write->add_flag("--compat", *plain_only,
                  "Only PLAIN and dictionary encodings (no DELTA_BINARY_PACKED or BYTE_STREAM_SPLIT), for old readers");
  Do(write, [=]() -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(columnar::Schema schema, columnar::Schema::Parse(*schema_text));
    parquet::WriterOptions wo;
    if (!parquet::ParseCodecName(*codec, &wo.codec)) {
      return absl::InvalidArgumentError(StrCat("unknown codec '", *codec, "' (want snappy, zstd, gzip, lz4_raw or uncompressed)"));
    }
    if (*rg_rows <= 0) return absl::InvalidArgumentError("--row-group-rows must be positive");
    wo.row_group_rows = *rg_rows;
    wo.dictionary = !*no_dict;
    if (*plain_only) wo.delta_integers = wo.byte_stream_split_floats = false;
    std::string tmp = *out + ".tmp";
    PLINTH_ASSIGN_OR_RETURN(auto file, parquet::OpenLocalOutputFile(tmp));
    PLINTH_ASSIGN_OR_RETURN(auto writer, parquet::ParquetWriter::Create(std::move(file), schema, wo));
    auto sp = std::make_shared<const columnar::Schema>(schema);
    absl::Status st = ForEachInputBatch(*input, *input_format, sp, [&](const columnar::RecordBatch& b) { return writer->Write(b); });
    if (st.ok()) st = writer->Close();
    if (!st.ok()) {
      std::remove(tmp.c_str());
      return st;
    }
    if (std::rename(tmp.c_str(), out->c_str()) != 0) return absl::InternalError(StrCat("cannot rename ", tmp, " to ", *out));
    std::fprintf(stderr, "wrote %lld rows to %s (%llu bytes)\n", static_cast<long long>(writer->rows_written()), out->c_str(),
                 static_cast<unsigned long long>(writer->bytes_written()));
    return absl::OkStatus();
  });
}

}  // namespace plinth::cli
