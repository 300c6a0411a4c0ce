// Rows as text: reading CSV and JSON lines into RecordBatches of a known schema (for
// `plinth table append`), and printing batches as jsonl, csv or an aligned table.
//
// CSV: RFC 4180 (quotes, doubled quotes, newlines inside quotes); the first line names the
// columns; an empty unquoted field is null. JSON lines: one object per line, keys are column
// names. In both, a missing column is null (an error if the column is not nullable), an
// unknown column is an error, and values are parsed by the column type (value.h ParseValue;
// binary columns take base64). Errors name the line and column.
// Thread-safety: one reader/printer per thread.
#pragma once

#include <cstdio>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/record_batch.h"

namespace plinth::columnar {

enum class TextFormat { kCsv, kJsonl };

// Reads one CSV record (RFC 4180: quoted fields may hold commas, "" and newlines) into `fields`,
// with whether each was quoted. False at the end of input; `line` counts physical lines read.
absl::StatusOr<bool> ReadCsvRecord(std::istream& in, int64_t& line, std::vector<std::string>* fields,
                                   std::vector<bool>* quoted);

class TextBatchReader {
 public:
  TextBatchReader(std::istream* in, TextFormat format, SchemaPtr schema, int64_t batch_rows = 65536);
  // Replaces *batch with the next rows; false at the end of the input.
  absl::StatusOr<bool> Next(RecordBatch* batch);

 private:
  absl::Status ReadCsvHeader();
  absl::StatusOr<bool> NextCsvRecord(std::vector<std::string>* fields, std::vector<bool>* quoted);
  absl::Status AppendCell(RecordBatch* batch, size_t col, const std::string* text, bool json_null);

  std::istream* in_;
  TextFormat format_;
  SchemaPtr schema_;
  int64_t batch_rows_;
  int64_t line_ = 0;
  bool header_read_ = false;
  std::vector<int> csv_columns_;  // CSV field -> schema column
};

enum class PrintFormat { kJsonl, kCsv, kTable };
absl::StatusOr<PrintFormat> ParsePrintFormat(std::string_view name);

// Writes batches to a FILE*. The table format buffers rows until Finish to align columns.
class BatchPrinter {
 public:
  BatchPrinter(std::FILE* out, PrintFormat format, const Schema& schema);
  void Print(const RecordBatch& batch);
  // Flushes buffered output (table format prints here).
  void Finish();
  int64_t rows_printed() const { return rows_; }

 private:
  std::FILE* out_;
  PrintFormat format_;
  Schema schema_;
  int64_t rows_ = 0;
  bool header_done_ = false;
  std::vector<std::vector<std::string>> table_;
};

}  // namespace plinth::columnar
