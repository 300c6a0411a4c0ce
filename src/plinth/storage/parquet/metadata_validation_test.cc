// The metadata decoder on invalid input: missing fields, bad enums, negative sizes, unknown
// fields and types, huge counts, wrong wire types.
#include <cstdint>
#include <string>

#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/metadata_test_util.h"
#include "plinth/storage/parquet/thrift_compact.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;
using metadata_testing::FullFileMetaData;
using metadata_testing::U8;
using Kind = LogicalType::Kind;

TEST(MetadataValidationTest, MissingRequiredFieldNamesStructAndField) {
  // Hand-build a ColumnMetaData without codec (field 4) inside a minimal FileMetaData.
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 1);
  w.WriteFieldHeader(2, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteBinaryField(4, "root");
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteI64Field(3, 0);
  w.WriteFieldHeader(4, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // RowGroup
  w.WriteFieldHeader(1, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // ColumnChunk
  w.WriteI64Field(2, 0);
  w.WriteFieldHeader(3, CompactType::kStruct);
  w.WriteStructBegin();  // ColumnMetaData
  w.WriteI32Field(1, 1);
  w.WriteFieldHeader(2, CompactType::kList);
  w.WriteListHeader(CompactType::kI32, 0);
  w.WriteFieldHeader(3, CompactType::kList);
  w.WriteListHeader(CompactType::kBinary, 0);
  w.WriteI64Field(5, 0);
  w.WriteI64Field(6, 0);
  w.WriteI64Field(7, 0);
  w.WriteI64Field(9, 0);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteI64Field(2, 0);
  w.WriteI64Field(3, 0);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  auto result = DecodeFileMetaData(U8(out), out.size());
  EXPECT_TRUE(StatusIs(result, absl::StatusCode::kInvalidArgument,
                       "FileMetaData.row_groups[0]: RowGroup.columns[0]: ColumnChunk.meta_data: "
                       "ColumnMetaData: missing required field 'codec'"));

  // FileMetaData without row_groups.
  std::string top;
  ThriftCompactWriter t(&top);
  t.WriteStructBegin();
  t.WriteI32Field(1, 1);
  t.WriteI64Field(3, 0);
  t.WriteFieldStop();
  t.WriteStructEnd();
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(top), top.size()),
                       absl::StatusCode::kInvalidArgument, "missing required field 'schema'"));
}

// A PageHeader with `type`, the given sizes and (optionally) a dictionary page header.
std::string PageHeaderBytes(int32_t type, int32_t uncompressed, int32_t compressed,
                            int32_t dict_values) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, type);
  w.WriteI32Field(2, uncompressed);
  w.WriteI32Field(3, compressed);
  w.WriteFieldHeader(7, CompactType::kStruct);
  w.WriteStructBegin();
  w.WriteI32Field(1, dict_values);
  w.WriteI32Field(2, 0);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  return out;
}

TEST(MetadataValidationTest, RejectsInvalidEnumsAndNegativeSizes) {
  size_t header_size = 0;
  std::string ok = PageHeaderBytes(2, 10, 10, 3);
  PLINTH_EXPECT_OK(DecodePageHeader(U8(ok), ok.size(), &header_size));
  std::string bad_type = PageHeaderBytes(9, 10, 10, 3);
  EXPECT_TRUE(StatusIs(DecodePageHeader(U8(bad_type), bad_type.size(), &header_size),
                       absl::StatusCode::kInvalidArgument, "PageHeader.type: invalid PageType value 9"));
  std::string negative_size = PageHeaderBytes(2, -1, 10, 3);
  EXPECT_TRUE(StatusIs(DecodePageHeader(U8(negative_size), negative_size.size(), &header_size),
                       absl::StatusCode::kInvalidArgument,
                       "PageHeader.uncompressed_page_size: negative value -1"));
  std::string negative_values = PageHeaderBytes(2, 10, 10, -25);
  EXPECT_TRUE(StatusIs(DecodePageHeader(U8(negative_values), negative_values.size(), &header_size),
                       absl::StatusCode::kInvalidArgument,
                       "DictionaryPageHeader.num_values: negative value -25"));
  // DATA_PAGE without a data_page_header.
  std::string no_data_header = PageHeaderBytes(0, 10, 10, 3);
  EXPECT_TRUE(StatusIs(DecodePageHeader(U8(no_data_header), no_data_header.size(), &header_size),
                       absl::StatusCode::kInvalidArgument, "without data_page_header"));

  // Invalid codec / physical type / repetition in FileMetaData.
  FileMetaData m = FullFileMetaData();
  m.row_groups[0].columns[1].meta_data->codec = static_cast<Codec>(8);
  std::string bytes;
  EncodeFileMetaData(m, &bytes);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(bytes), bytes.size()),
                       absl::StatusCode::kInvalidArgument,
                       "RowGroup.columns[1]: ColumnChunk.meta_data: ColumnMetaData.codec: "
                       "invalid CompressionCodec value 8"));
  m = FullFileMetaData();
  m.schema[3].type = static_cast<PhysicalType>(-2);
  bytes.clear();
  EncodeFileMetaData(m, &bytes);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(bytes), bytes.size()),
                       absl::StatusCode::kInvalidArgument,
                       "FileMetaData.schema[3]: SchemaElement.type: invalid Type value -2"));
  m = FullFileMetaData();
  m.schema[1].repetition_type = static_cast<Repetition>(3);
  bytes.clear();
  EncodeFileMetaData(m, &bytes);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(bytes), bytes.size()),
                       absl::StatusCode::kInvalidArgument, "invalid FieldRepetitionType value 3"));
  m = FullFileMetaData();
  m.num_rows = -5;
  bytes.clear();
  EncodeFileMetaData(m, &bytes);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(bytes), bytes.size()),
                       absl::StatusCode::kInvalidArgument, "FileMetaData.num_rows: negative"));
  m = FullFileMetaData();
  m.schema[2].type_length = -1;
  bytes.clear();
  EncodeFileMetaData(m, &bytes);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(bytes), bytes.size()),
                       absl::StatusCode::kInvalidArgument, "SchemaElement.type_length: negative"));
}

TEST(MetadataValidationTest, UnknownFieldsAndLogicalTypesAreTolerated) {
  // SchemaElement with an unknown field 30 (a nested struct) and LogicalType member 40.
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 1);
  w.WriteFieldHeader(2, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteI32Field(1, static_cast<int32_t>(PhysicalType::kInt32));
  w.WriteBinaryField(4, "x");
  w.WriteFieldHeader(10, CompactType::kStruct);
  w.WriteStructBegin();
  w.WriteFieldHeader(40, CompactType::kStruct);
  w.WriteStructBegin();
  w.WriteI32Field(1, 5);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldHeader(30, CompactType::kStruct);
  w.WriteStructBegin();
  w.WriteFieldHeader(1, CompactType::kList);
  w.WriteListHeader(CompactType::kBinary, 2);
  w.WriteBinary("a");
  w.WriteBinary("b");
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteI64Field(3, 0);
  w.WriteFieldHeader(4, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteFieldHeader(100, CompactType::kMap);  // unknown FileMetaData field
  w.WriteMapHeader(CompactType::kBinary, CompactType::kI32, 1);
  w.WriteBinary("k");
  w.WriteI32(1);
  w.WriteFieldStop();
  w.WriteStructEnd();
  PLINTH_ASSERT_OK_AND_ASSIGN(FileMetaData m, DecodeFileMetaData(U8(out), out.size()));
  ASSERT_EQ(m.schema.size(), 1u);
  EXPECT_EQ(m.schema[0].name, "x");
  ASSERT_TRUE(m.schema[0].logical_type.has_value());
  EXPECT_EQ(m.schema[0].logical_type->kind, Kind::kUnsupported);
  // The encoder leaves unsupported logical types out.
  std::string again;
  EncodeFileMetaData(m, &again);
  PLINTH_ASSERT_OK_AND_ASSIGN(FileMetaData m2, DecodeFileMetaData(U8(again), again.size()));
  EXPECT_FALSE(m2.schema[0].logical_type.has_value());
}

TEST(MetadataValidationTest, HugeCountsDoNotAllocate) {
  // FileMetaData whose schema list claims 2^31 - 1 elements in a few bytes.
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 1);
  w.WriteFieldHeader(2, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 0x7FFFFFFF);
  out.append(64, '\0');
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(out), out.size()), absl::StatusCode::kDataLoss,
                       "FileMetaData.schema"));
  // A string length of 2^31.
  std::string s;
  ThriftCompactWriter sw(&s);
  sw.WriteStructBegin();
  sw.WriteFieldHeader(6, CompactType::kBinary);
  sw.WriteVarint(1u << 31);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(s), s.size()), absl::StatusCode::kDataLoss,
                       "FileMetaData.created_by"));
}

TEST(MetadataValidationTest, WrongWireTypeIsSkippedAsAbsent) {
  // Thrift semantics: a known field id with another wire type is skipped. Here version (1) is a
  // string, so the required field is missing.
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteBinaryField(1, "not an i32");
  w.WriteFieldStop();
  w.WriteStructEnd();
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(out), out.size()),
                       absl::StatusCode::kInvalidArgument,
                       "FileMetaData: missing required field 'version'"));
  // An optional field of the wrong type is just dropped.
  FileMetaData m = FullFileMetaData();
  m.created_by.reset();
  std::string bytes;
  EncodeFileMetaData(m, &bytes);
  ASSERT_EQ(bytes.back(), '\0');
  bytes.pop_back();
  // Long-form header (the last id was 7): type i64, zigzag id 6, then the value.
  bytes.push_back(static_cast<char>(CompactType::kI64));
  ThriftCompactWriter tail(&bytes);
  tail.WriteI16(6);
  tail.WriteI64(12345);
  tail.WriteFieldStop();
  PLINTH_ASSERT_OK_AND_ASSIGN(FileMetaData decoded, DecodeFileMetaData(U8(bytes), bytes.size()));
  EXPECT_FALSE(decoded.created_by.has_value());
  EXPECT_TRUE(decoded == m);
}

// FileMetaData with one row group holding one ColumnChunk {file_offset, extra field `id`}.
std::string OneChunkWithout(int16_t extra_id) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.WriteStructBegin();
  w.WriteI32Field(1, 1);
  w.WriteFieldHeader(2, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 0);
  w.WriteI64Field(3, 0);
  w.WriteFieldHeader(4, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // RowGroup
  w.WriteFieldHeader(1, CompactType::kList);
  w.WriteListHeader(CompactType::kStruct, 1);
  w.WriteStructBegin();  // ColumnChunk
  w.WriteI64Field(2, 0);
  if (extra_id > 0) w.WriteBinaryField(extra_id, "opaque");
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteI64Field(2, 0);
  w.WriteI64Field(3, 0);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  return out;
}

TEST(MetadataValidationTest, ColumnChunkNeedsMetaData) {
  std::string plain = OneChunkWithout(0);
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(plain), plain.size()),
                       absl::StatusCode::kInvalidArgument,
                       "RowGroup.columns[0]: ColumnChunk: missing required field 'meta_data'"));
  std::string encrypted = OneChunkWithout(9);  // encrypted_column_metadata
  EXPECT_TRUE(StatusIs(DecodeFileMetaData(U8(encrypted), encrypted.size()),
                       absl::StatusCode::kUnimplemented, "encrypted column metadata"));
}

}  // namespace
}  // namespace plinth::parquet
