#include "plinth/storage/columnar/text_io.h"

#include <algorithm>

#include "plinth/base/base64.h"
#include "plinth/base/json.h"
#include "plinth/base/strings.h"
#include "plinth/storage/columnar/value.h"
#include "plinth/storage/columnar/value_format.h"

namespace plinth::columnar {

namespace {

void AppendCsvField(std::string* out, const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

TextBatchReader::TextBatchReader(std::istream* in, TextFormat format, SchemaPtr schema, int64_t batch_rows)
    : in_(in), format_(format), schema_(std::move(schema)), batch_rows_(batch_rows) {}

absl::Status TextBatchReader::AppendCell(RecordBatch* batch, size_t col, const std::string* text, bool json_null) {
  const Field& f = schema_->field(col);
  Column& c = batch->columns[col];
  if (text == nullptr || json_null) {
    if (!f.nullable) {
      return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "' is not nullable but has no value"));
    }
    c.AppendNull();
    return absl::OkStatus();
  }
  StorageClass sc = StorageOf(f.type);
  if (sc == StorageClass::kBytes && f.type.id != TypeId::kString) {
    std::optional<std::string> raw;
    if (f.type.id == TypeId::kUuid && text->size() == 36) {
      std::string hex;
      for (char ch : *text) if (ch != '-') hex.push_back(ch);
      std::string bytes;
      auto nibble = [](char ch) -> int {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
      };
      bool ok = hex.size() == 32;
      for (size_t i = 0; ok && i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) ok = false;
        else bytes.push_back(static_cast<char>(hi * 16 + lo));
      }
      if (ok) raw = bytes;
    } else {
      raw = Base64Decode(*text);
    }
    if (!raw) return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "': binary values must be base64"));
    int want = f.type.id == TypeId::kUuid ? 16 : f.type.id == TypeId::kFixedBinary ? f.type.byte_width : -1;
    if (want >= 0 && static_cast<int>(raw->size()) != want) {
      return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "': value has ", raw->size(),
                                               " bytes, the type holds ", want));
    }
    c.AppendBytes(*raw);
    return absl::OkStatus();
  }
  auto v = ParseValue(f.type, *text);
  if (!v.ok()) return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "': ", v.status().message()));
  AppendValue(*v, &c);
  return absl::OkStatus();
}

absl::StatusOr<bool> TextBatchReader::NextCsvRecord(std::vector<std::string>* fields, std::vector<bool>* quoted) {
  return ReadCsvRecord(*in_, line_, fields, quoted);
}

absl::StatusOr<bool> ReadCsvRecord(std::istream& in, int64_t& line_, std::vector<std::string>* fields,
                                   std::vector<bool>* quoted) {
  fields->clear();
  quoted->clear();
  std::string line;
  if (!std::getline(in, line)) return false;
  ++line_;
  std::string cur;
  bool in_quotes = false, was_quoted = false;
  size_t i = 0;
  while (true) {
    if (i >= line.size()) {
      if (in_quotes) {
        std::string more;
        if (!std::getline(in, more)) return absl::InvalidArgumentError(StrCat("line ", line_, ": unterminated quoted field"));
        ++line_;
        cur.push_back('\n');
        line = more;
        i = 0;
        continue;
      }
      break;
    }
    char c = line[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') { cur.push_back('"'); i += 2; continue; }
        in_quotes = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      in_quotes = true;
      was_quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      quoted->push_back(was_quoted);
      cur.clear();
      was_quoted = false;
    } else if (c == '\r' && i + 1 == line.size()) {
      // CRLF line ending
    } else {
      cur.push_back(c);
    }
    ++i;
  }
  fields->push_back(std::move(cur));
  quoted->push_back(was_quoted);
  return true;
}

absl::Status TextBatchReader::ReadCsvHeader() {
  std::vector<std::string> names;
  std::vector<bool> quoted;
  PLINTH_ASSIGN_OR_RETURN(bool ok, NextCsvRecord(&names, &quoted));
  if (!ok) return absl::InvalidArgumentError("CSV input is empty (want a header line naming the columns)");
  std::vector<bool> seen(schema_->size(), false);
  for (const auto& n : names) {
    auto idx = schema_->IndexOf(n);
    if (!idx) {
      return absl::InvalidArgumentError(StrCat("CSV header names unknown column '", n, "' (table columns: ",
                                               schema_->ToString(), ")"));
    }
    if (seen[*idx]) return absl::InvalidArgumentError(StrCat("CSV header names column '", n, "' twice"));
    seen[*idx] = true;
    csv_columns_.push_back(static_cast<int>(*idx));
  }
  header_read_ = true;
  return absl::OkStatus();
}

absl::StatusOr<bool> TextBatchReader::Next(RecordBatch* batch) {
  *batch = RecordBatch(schema_);
  const size_t ncols = schema_->size();
  if (format_ == TextFormat::kCsv) {
    if (!header_read_) PLINTH_RETURN_IF_ERROR(ReadCsvHeader());
    std::vector<std::string> fields;
    std::vector<bool> quoted;
    std::vector<int> field_of(ncols);
    while (batch->num_rows < batch_rows_) {
      PLINTH_ASSIGN_OR_RETURN(bool ok, NextCsvRecord(&fields, &quoted));
      if (!ok) break;
      if (fields.size() == 1 && fields[0].empty() && !quoted[0]) continue;  // blank line
      if (fields.size() != csv_columns_.size()) {
        return absl::InvalidArgumentError(StrCat("line ", line_, ": ", fields.size(), " fields, the header has ",
                                                 csv_columns_.size()));
      }
      std::fill(field_of.begin(), field_of.end(), -1);
      for (size_t i = 0; i < fields.size(); ++i) field_of[csv_columns_[i]] = static_cast<int>(i);
      for (size_t c = 0; c < ncols; ++c) {
        int fi = field_of[c];
        bool null = fi < 0 || (fields[fi].empty() && !quoted[fi]);
        PLINTH_RETURN_IF_ERROR(AppendCell(batch, c, null ? nullptr : &fields[fi], false));
      }
      ++batch->num_rows;
    }
    return batch->num_rows > 0;
  }
  std::string line;
  while (batch->num_rows < batch_rows_ && std::getline(*in_, line)) {
    ++line_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto obj = ParseJsonObject(line);
    if (!obj.ok()) return absl::InvalidArgumentError(StrCat("line ", line_, ": ", obj.status().message()));
    for (auto it = obj->begin(); it != obj->end(); ++it) {
      if (!schema_->IndexOf(it.key())) {
        return absl::InvalidArgumentError(StrCat("line ", line_, ": unknown column '", it.key(), "' (table columns: ",
                                                 schema_->ToString(), ")"));
      }
    }
    for (size_t c = 0; c < ncols; ++c) {
      const Field& f = schema_->field(c);
      auto it = obj->find(f.name);
      if (it == obj->end() || it->is_null()) {
        PLINTH_RETURN_IF_ERROR(AppendCell(batch, c, nullptr, true));
        continue;
      }
      std::string text;
      if (it->is_string()) {
        text = it->get<std::string>();
      } else if (it->is_boolean()) {
        if (f.type.id != TypeId::kBool) {
          return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "' (", TypeName(f.type), ") got a boolean"));
        }
        text = it->get<bool>() ? "true" : "false";
      } else if (it->is_number()) {
        if (f.type.id == TypeId::kString || StorageOf(f.type) == StorageClass::kBytes || f.type.id == TypeId::kBool) {
          return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "' (", TypeName(f.type), ") got a number"));
        }
        text = it->dump();
      } else {
        return absl::InvalidArgumentError(StrCat("line ", line_, ": column '", f.name, "' got a JSON ", it->type_name()));
      }
      PLINTH_RETURN_IF_ERROR(AppendCell(batch, c, &text, false));
    }
    ++batch->num_rows;
  }
  return batch->num_rows > 0;
}

absl::StatusOr<PrintFormat> ParsePrintFormat(std::string_view name) {
  if (name == "jsonl" || name == "json") return PrintFormat::kJsonl;
  if (name == "csv") return PrintFormat::kCsv;
  if (name == "table") return PrintFormat::kTable;
  return absl::InvalidArgumentError(StrCat("unknown format '", name, "' (want jsonl, csv or table)"));
}

BatchPrinter::BatchPrinter(std::FILE* out, PrintFormat format, const Schema& schema)
    : out_(out), format_(format), schema_(schema) {}

void BatchPrinter::Print(const RecordBatch& batch) {
  std::string buf;
  const size_t ncols = batch.columns.size();
  if (format_ == PrintFormat::kCsv && !header_done_) {
    for (size_t c = 0; c < ncols; ++c) {
      if (c) buf.push_back(',');
      AppendCsvField(&buf, schema_.field(c).name);
    }
    buf.push_back('\n');
    header_done_ = true;
  }
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    if (format_ == PrintFormat::kJsonl) {
      buf.push_back('{');
      for (size_t c = 0; c < ncols; ++c) {
        if (c) buf.push_back(',');
        buf += DumpJson(Json(schema_.field(c).name));
        buf.push_back(':');
        AppendJsonValue(batch.columns[c], r, &buf);
      }
      buf += "}\n";
    } else if (format_ == PrintFormat::kCsv) {
      for (size_t c = 0; c < ncols; ++c) {
        if (c) buf.push_back(',');
        std::string v;
        AppendTextValue(batch.columns[c], r, &v);
        if (!batch.columns[c].IsNull(r) && v.empty()) v = "\"\"";  // empty string, not null
        else if (!batch.columns[c].IsNull(r)) {
          std::string q;
          AppendCsvField(&q, v);
          v = q;
        }
        buf += v;
      }
      buf.push_back('\n');
    } else {
      std::vector<std::string> row;
      for (size_t c = 0; c < ncols; ++c) {
        std::string v;
        if (batch.columns[c].IsNull(r)) v = "NULL";
        else AppendTextValue(batch.columns[c], r, &v);
        row.push_back(std::move(v));
      }
      table_.push_back(std::move(row));
    }
    if (buf.size() > (1 << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), out_);
      buf.clear();
    }
  }
  rows_ += batch.num_rows;
  if (!buf.empty()) std::fwrite(buf.data(), 1, buf.size(), out_);
}

void BatchPrinter::Finish() {
  if (format_ == PrintFormat::kCsv && !header_done_) {
    std::string buf;
    for (size_t c = 0; c < schema_.size(); ++c) {
      if (c) buf.push_back(',');
      AppendCsvField(&buf, schema_.field(c).name);
    }
    buf.push_back('\n');
    std::fwrite(buf.data(), 1, buf.size(), out_);
    header_done_ = true;
  }
  if (format_ == PrintFormat::kTable) {
    std::vector<size_t> width(schema_.size());
    for (size_t c = 0; c < schema_.size(); ++c) width[c] = schema_.field(c).name.size();
    for (const auto& row : table_) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string s;
      for (size_t c = 0; c < cells.size(); ++c) {
        if (c) s += "  ";
        s += cells[c];
        if (c + 1 < cells.size()) s.append(width[c] - cells[c].size(), ' ');
      }
      s.push_back('\n');
      std::fwrite(s.data(), 1, s.size(), out_);
    };
    std::vector<std::string> header;
    for (const auto& f : schema_.fields()) header.push_back(f.name);
    line(header);
    for (const auto& row : table_) line(row);
    std::string footer = StrCat("(", rows_, " row", rows_ == 1 ? "" : "s", ")\n");
    std::fwrite(footer.data(), 1, footer.size(), out_);
    table_.clear();
  }
  std::fflush(out_);
}

}  // namespace plinth::columnar
