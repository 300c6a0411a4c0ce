// NestedParquetWriter: writes a Parquet file with any schema tree (structs, lists, maps),
// the caller supplying each leaf column already shredded into definition/repetition levels and
// its dense non-null values.
//
//   PLINTH_ASSIGN_OR_RETURN(auto w, NestedParquetWriter::Create(std::move(out), elements,
//   options)); LeafLevels a(w->schema().leaves()[0]); a.Bytes("x");  a.Null(1);  ... // one entry
//   per level entry PLINTH_RETURN_IF_ERROR(w->WriteLeafLevels(0, a.def, a.rep, a.values));   //
//   every leaf PLINTH_RETURN_IF_ERROR(w->FlushRowGroup(num_rows));
//   PLINTH_RETURN_IF_ERROR(w->Close());
//
// Every leaf of a row group must hold exactly `num_rows` records (entries with repetition level
// 0). Data pages (v1: RLE levels, PLAIN values, the options' codec, CRC) break only at record
// boundaries, so a record never spans pages. No statistics and no dictionary are written.
// Supported leaves: BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY
// whose columnar type needs no conversion (so not DECIMAL, FLOAT16, unsigned 32-bit, millisecond
// or nanosecond times, INT96).
// Memory: one row group's levels and values per leaf until FlushRowGroup.
// Thread-safety: none; one writer per file. The flat ParquetWriter (file_writer.h) is separate.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/schema.h"
#include "plinth/storage/parquet/schema_tree.h"
#include "plinth/storage/parquet/writer_options.h"

namespace plinth::parquet {

// Level entries of one leaf, built entry by entry (a helper for shredding records).
struct LeafLevels {
  explicit LeafLevels(const LeafColumn& leaf) : values(leaf.type), max_def(leaf.max_def) {}
  std::vector<int16_t> def, rep;
  columnar::Column values;  // dense non-null values
  int16_t max_def = 0;

  // An entry without a value: the deepest defined ancestor is at level `d` (< max_def).
  void Null(int16_t d, int16_t r = 0) {
    def.push_back(d);
    rep.push_back(r);
  }
  // An entry with a value (at max_def).
  void Bytes(std::string_view v, int16_t r = 0) {
    def.push_back(max_def);
    rep.push_back(r);
    values.AppendBytes(v);
  }
  template <typename T>
  void Value(T v, int16_t r = 0) {
    def.push_back(max_def);
    rep.push_back(r);
    values.Append<T>(v);
  }
};

class NestedParquetWriter {
 public:
  // `schema` is the pre-order element list, root first (validated like a file's schema).
  static absl::StatusOr<std::unique_ptr<NestedParquetWriter>> Create(
      std::unique_ptr<OutputFile> out, std::vector<SchemaElement> schema,
      WriterOptions options = {});
  ~NestedParquetWriter();

  const ParquetSchema& schema() const { return schema_; }
  const SchemaTree& tree() const { return tree_; }

  // Appends level entries to leaf `leaf` of the current row group. `rep` may be empty for a
  // leaf without repetition (all 0). Checks: levels within the leaf's maxima, the first
  // repetition level 0, one value (of the leaf's storage class, no nulls) per def == max_def.
  absl::Status WriteLeafLevels(int leaf, const std::vector<int16_t>& def,
                               const std::vector<int16_t>& rep, const columnar::Column& values);
  // Encodes and writes the buffered row group. REQUIRES: every leaf holds `num_rows` records
  // (InvalidArgument naming the leaf otherwise). No-op when num_rows == 0 and nothing is buffered.
  absl::Status FlushRowGroup(int64_t num_rows);
  // Writes the footer and closes the file. FailedPrecondition when leaves hold unflushed data.
  absl::Status Close();

  int64_t rows_written() const { return metadata_.num_rows; }
  const FileMetaData& metadata() const { return metadata_; }
  uint64_t bytes_written() const { return out_ ? out_->position() : final_size_; }

 private:
  struct Pending {
    std::vector<int16_t> def, rep;
    columnar::Column values;
    int64_t records = 0;
  };
  NestedParquetWriter(std::unique_ptr<OutputFile> out, ParquetSchema schema, SchemaTree tree,
                      WriterOptions options);
  absl::Status WriteChunk(const LeafColumn& leaf, Pending& p, ColumnChunk* chunk);
  absl::Status EncodeValues(const LeafColumn& leaf, const columnar::Column& v, int64_t begin,
                            int64_t n, std::string* out) const;

  std::unique_ptr<OutputFile> out_;
  ParquetSchema schema_;
  SchemaTree tree_;
  WriterOptions options_;
  std::vector<Pending> pending_;
  FileMetaData metadata_;
  uint64_t final_size_ = 0;
  bool closed_ = false;
};

}  // namespace plinth::parquet
