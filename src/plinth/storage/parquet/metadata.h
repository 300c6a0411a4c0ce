// Parquet metadata structures (parquet-format's parquet.thrift: FileMetaData, the schema,
// row groups, column chunks, page headers) as plain C++ structs, with a decoder and an encoder
// for their Thrift Compact Protocol form.
//
// Optional Thrift fields are std::optional (optional lists are plain vectors: empty = absent);
// field names follow parquet.thrift. Decoding treats the bytes as untrusted: it checks that
// required fields are present, that enum values are in range (PhysicalType, Repetition, Codec,
// PageType, ConvertedType), that sizes and counts are not negative, and never allocates more
// than the input can hold. Unknown fields are skipped; unknown Encoding values are kept as-is
// (the page decoder reports them); an unknown LogicalType becomes Kind::kUnsupported. Errors
// are InvalidArgument (malformed) or DataLoss (truncated) and name the struct and field, e.g.
// "FileMetaData.row_groups[0]: RowGroup.columns[2]: ColumnChunk.meta_data: ColumnMetaData:
// missing required field 'codec'".
//
// Memory: decoded structs are bigger than their wire form; the worst case (degenerate schema
// elements) is about 60 bytes in memory per input byte, so callers should cap the footer size
// they accept.
//
// Not modelled (skipped when decoding, never written): SizeStatistics, GeospatialStatistics,
// encryption (ColumnChunk crypto fields, FileMetaData encryption_algorithm and
// footer_signing_key_metadata), IndexPageHeader, SchemaElement.vector_length.
//
// Thread-safety: plain values and pure functions. Ownership: decoded structs own their data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plinth/storage/parquet/format.h"

namespace plinth::parquet {

// parquet.thrift's LogicalType union, flattened: `kind` says which member is set and only the
// parameters of that member are meaningful (the others keep their defaults).
struct LogicalType {
  enum class Kind {
    kNone,  // no logical type (never produced by the decoder)
    kString,
    kMap,
    kList,
    kEnum,
    kDecimal,    // precision, scale
    kDate,
    kTime,       // is_adjusted_to_utc, unit
    kTimestamp,  // is_adjusted_to_utc, unit
    kInteger,    // bit_width, is_signed
    kUnknown,    // the NULL type (union id 11): only nulls are stored
    kJson,
    kBson,
    kUuid,
    kFloat16,
    kVariant,    // variant_specification_version
    kGeometry,   // crs
    kGeography,  // crs, edge_algorithm
    // A union member (or a TIME/TIMESTAMP unit) this code does not know. Not an error: the
    // column then reads as its physical/converted type. Not written back by the encoder.
    kUnsupported,
  };

  Kind kind = Kind::kNone;
  int32_t precision = 0;
  int32_t scale = 0;
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMillis;
  int32_t bit_width = 0;  // 8, 16, 32 or 64 (an i8 on the wire)
  bool is_signed = false;
  std::optional<int8_t> variant_specification_version;
  std::optional<std::string> crs;
  // GEOGRAPHY edge interpolation: SPHERICAL=0, VINCENTY=1, THOMAS=2, ANDOYER=3, KARNEY=4
  // (unset means SPHERICAL); unknown values are kept.
  std::optional<int32_t> edge_algorithm;

  friend bool operator==(const LogicalType&, const LogicalType&) = default;
};

struct SchemaElement {
  std::optional<PhysicalType> type;  // set on leaves only
  std::optional<int32_t> type_length;  // FIXED_LEN_BYTE_ARRAY byte width
  std::optional<Repetition> repetition_type;  // unset on the root
  std::string name;
  std::optional<int32_t> num_children;  // set on groups only
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;

  friend bool operator==(const SchemaElement&, const SchemaElement&) = default;
};

// Min/max values are PLAIN-encoded (byte arrays without their length prefix).
struct Statistics {
  std::optional<std::string> max;  // deprecated: signed order
  std::optional<std::string> min;  // deprecated: signed order
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;  // FLOAT, DOUBLE and FLOAT16 columns

  friend bool operator==(const Statistics&, const Statistics&) = default;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;

  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;

  friend bool operator==(const PageEncodingStats&, const PageEncodingStats&) = default;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;

  friend bool operator==(const SortingColumn&, const SortingColumn&) = default;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;  // some old writers set 0 meaning "none"
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;

  friend bool operator==(const ColumnMetaData&, const ColumnMetaData&) = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  // Optional in parquet.thrift but required by the decoder (writers MUST set it): always set
  // in decoded metadata. Encrypted column metadata is reported as Unimplemented.
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;

  friend bool operator==(const ColumnChunk&, const ColumnChunk&) = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::vector<SortingColumn> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;

  friend bool operator==(const RowGroup&, const RowGroup&) = default;
};

// The ColumnOrder union: which member is set. Union ids this code does not know are kept as
// their raw value (readers must then ignore the column's min/max statistics); kUnset is an
// empty union.
enum class ColumnOrder : int32_t {
  kUnset = 0,
  kTypeDefinedOrder = 1,
  kIeee754TotalOrder = 2,
  kInt96TimestampOrder = 3,
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first, schema[0] is the root
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  std::vector<ColumnOrder> column_orders;  // one per leaf column, when present

  friend bool operator==(const FileMetaData&, const FileMetaData&) = default;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;

  friend bool operator==(const DataPageHeader&, const DataPageHeader&) = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;

  friend bool operator==(const DictionaryPageHeader&, const DictionaryPageHeader&) = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;  // absent on the wire means true
  std::optional<Statistics> statistics;

  friend bool operator==(const DataPageHeaderV2&, const DataPageHeaderV2&) = default;
};

// The decoder checks that the header matching `type` is present for DATA_PAGE,
// DICTIONARY_PAGE and DATA_PAGE_V2, and that a V2 page's level lengths fit in the page sizes.
struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;  // bytes after this header, uncompressed
  int32_t compressed_page_size = 0;    // bytes after this header, as stored
  std::optional<int32_t> crc;          // CRC-32 of the stored page bytes
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;

  friend bool operator==(const PageHeader&, const PageHeader&) = default;
};

// Decodes a Thrift-compact FileMetaData from data[0, size). Bytes after the struct are
// ignored (an encrypted file's plaintext footer carries a signature there).
absl::StatusOr<FileMetaData> DecodeFileMetaData(const uint8_t* data, size_t size);

// Decodes the PageHeader at the start of data[0, size) (the rest is normally the page itself)
// and stores the number of bytes the header occupied in *header_size.
// REQUIRES: header_size != nullptr.
absl::StatusOr<PageHeader> DecodePageHeader(const uint8_t* data, size_t size,
                                            size_t* header_size);

// Append the Thrift-compact encoding. LogicalTypes of kind kNone or kUnsupported are left out.
void EncodeFileMetaData(const FileMetaData& metadata, std::string* out);
void EncodePageHeader(const PageHeader& header, std::string* out);

// Reads the footer of a whole Parquet file held in memory: checks the leading and trailing
// "PAR1" magic and the 4-byte little-endian footer length before the trailing magic, then
// decodes the FileMetaData. Encrypted footers ("PARE") are reported as unsupported.
absl::StatusOr<FileMetaData> ReadFooter(const uint8_t* file, size_t file_size);

// Footer bytes (the Thrift FileMetaData) of a whole file: same checks as ReadFooter without
// decoding. Returns the offset and length of the FileMetaData within `file`.
struct FooterLocation {
  size_t offset = 0;
  size_t length = 0;
};
absl::StatusOr<FooterLocation> LocateFooter(const uint8_t* file, size_t file_size);

}  // namespace plinth::parquet
