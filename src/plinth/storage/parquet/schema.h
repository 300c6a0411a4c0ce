// The schema of a Parquet file as a tree of SchemaElements, its leaf columns with their
// definition/repetition level maxima, and the mapping between Parquet types (physical +
// converted/logical annotations) and Plinth's columnar types.
// Thread-safety: immutable after Build; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/data_type.h"
#include "plinth/storage/parquet/format.h"
#include "plinth/storage/parquet/metadata.h"

namespace plinth::parquet {

// How a leaf's physical values become columnar storage.
enum class Conversion : uint8_t {
  kNone,             // same representation
  kUInt32ToInt64,    // INT32 annotated UINT_32 -> zero-extended int64
  kMillisToMicros,   // INT32 time millis or INT64 timestamp millis -> int64 micros
  kNanosToMicros,    // INT64 nanos -> int64 micros (floor)
  kInt96ToMicros,    // INT96 (nanos of day, Julian day) -> int64 micros
  kInt32ToDecimal,   // -> int128
  kInt64ToDecimal,   // -> int128
  kBytesToDecimal,   // big-endian two's complement (BYTE_ARRAY or FLBA) -> int128
  kHalfToFloat,      // FLBA(2) IEEE half -> float
  kFixedToBytes,     // FLBA -> offsets + bytes
};

struct LeafColumn {
  int index = 0;                   // leaf ordinal = column chunk index in a row group
  std::vector<std::string> path;   // path_in_schema
  std::string dotted_path;         // "a.b.c"
  SchemaElement element;
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  columnar::DataType type;         // logical type as Plinth holds it
  Conversion conversion = Conversion::kNone;
  bool nullable = true;            // leaf itself optional (flat files)
};

class ParquetSchema {
 public:
  // Validates the pre-order element list (root first; num_children consistent; leaves typed;
  // depth bounded) and derives the leaves.
  static absl::StatusOr<ParquetSchema> Build(const std::vector<SchemaElement>& elements);

  const std::vector<LeafColumn>& leaves() const { return leaves_; }
  const std::vector<SchemaElement>& elements() const { return elements_; }
  // True when every top-level field is a primitive (no groups, no repeated fields).
  bool is_flat() const { return flat_; }
  // Columnar schema of a flat file; FailedPrecondition naming the first nested column
  // otherwise.
  absl::StatusOr<columnar::Schema> ToColumnar() const;
  // Columnar schema of the top-level primitive columns only (nested ones left out).
  columnar::Schema FlatColumns() const;
  // Leaf index of a top-level column name (flat files), or -1.
  int LeafIndex(const std::string& name) const;
  // Multi-line tree for `plinth parquet inspect`.
  std::string DebugString() const;

 private:
  std::vector<SchemaElement> elements_;
  std::vector<LeafColumn> leaves_;
  bool flat_ = true;
};

// The Parquet leaf for a columnar field (flat schema): physical type, annotations, repetition.
SchemaElement ToSchemaElement(const columnar::Field& field);
// Element list (root "schema" + one leaf per field) for a flat columnar schema.
std::vector<SchemaElement> ToParquetSchema(const columnar::Schema& schema);

// Resolves the columnar type and conversion of one leaf element. Errors for impossible
// combinations (e.g. DECIMAL precision 40, UUID on INT32).
absl::Status ResolveLeafType(const SchemaElement& e, columnar::DataType* type, Conversion* conv);

}  // namespace plinth::parquet
