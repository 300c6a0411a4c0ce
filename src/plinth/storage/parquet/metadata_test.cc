#include "plinth/storage/parquet/metadata.h"

#include <cstdint>
#include <string>

#include "plinth/storage/parquet/thrift_compact.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;
using Kind = LogicalType::Kind;

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

Statistics FullStatistics() {
  Statistics s;
  s.max = std::string("\xff\x00z", 3);
  s.min = "a";
  s.null_count = 3;
  s.distinct_count = 10;
  s.max_value = "zz";
  s.min_value = "";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  s.nan_count = 0;
  return s;
}

LogicalType Logical(Kind kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

// Every field of every struct set, every LogicalType kind present.
FileMetaData FullFileMetaData() {
  FileMetaData m;
  m.version = 2;
  m.num_rows = 1234567890123LL;
  m.created_by = "plinth test";
  m.key_value_metadata = {{"k1", "v1"}, {"k2", std::nullopt}};

  SchemaElement root;
  root.name = "schema";
  root.num_children = 0;
  m.schema.push_back(root);
  std::vector<LogicalType> logical;
  for (Kind k : {Kind::kString, Kind::kMap, Kind::kList, Kind::kEnum, Kind::kDate, Kind::kUnknown,
                 Kind::kJson, Kind::kBson, Kind::kUuid, Kind::kFloat16}) {
    logical.push_back(Logical(k));
  }
  LogicalType decimal = Logical(Kind::kDecimal);
  decimal.precision = 38;
  decimal.scale = 9;
  logical.push_back(decimal);
  for (TimeUnit unit : {TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
    LogicalType time = Logical(Kind::kTime);
    time.unit = unit;
    time.is_adjusted_to_utc = true;
    logical.push_back(time);
    LogicalType ts = Logical(Kind::kTimestamp);
    ts.unit = unit;
    logical.push_back(ts);
  }
  LogicalType integer = Logical(Kind::kInteger);
  integer.bit_width = 64;
  integer.is_signed = true;
  logical.push_back(integer);
  LogicalType variant = Logical(Kind::kVariant);
  variant.variant_specification_version = 1;
  logical.push_back(variant);
  logical.push_back(Logical(Kind::kVariant));
  LogicalType geometry = Logical(Kind::kGeometry);
  geometry.crs = "OGC:CRS84";
  logical.push_back(geometry);
  LogicalType geography = Logical(Kind::kGeography);
  geography.crs = "srid:4326";
  geography.edge_algorithm = 4;
  logical.push_back(geography);
  logical.push_back(Logical(Kind::kGeography));

  for (size_t i = 0; i < logical.size(); ++i) {
    SchemaElement leaf;
    leaf.name = StrCat("col", i);
    leaf.type = static_cast<PhysicalType>(i % 8);
    leaf.type_length = static_cast<int32_t>(i);
    leaf.repetition_type = static_cast<Repetition>(i % 3);
    leaf.converted_type = static_cast<ConvertedType>(i % 22);
    leaf.scale = 2;
    leaf.precision = 10;
    leaf.field_id = static_cast<int32_t>(100 + i);
    leaf.logical_type = logical[i];
    m.schema.push_back(leaf);
  }
  m.schema[0].num_children = static_cast<int32_t>(logical.size());

  for (int g = 0; g < 2; ++g) {
    RowGroup group;
    group.total_byte_size = 1000 + g;
    group.num_rows = 500;
    group.sorting_columns = {{0, true, false}, {3, false, true}};
    group.file_offset = 4;
    group.total_compressed_size = 900;
    group.ordinal = static_cast<int16_t>(g);
    for (int c = 0; c < 3; ++c) {
      ColumnChunk chunk;
      chunk.file_path = "other.parquet";
      chunk.file_offset = 77;
      chunk.offset_index_offset = 5000;
      chunk.offset_index_length = 40;
      chunk.column_index_offset = 6000;
      chunk.column_index_length = 50;
      ColumnMetaData& meta = chunk.meta_data.emplace();
      meta.type = PhysicalType::kByteArray;
      meta.encodings = {Encoding::kPlain, Encoding::kRleDictionary, static_cast<Encoding>(42)};
      meta.path_in_schema = {"a", StrCat("b", c)};
      meta.codec = Codec::kZstd;
      meta.num_values = 500;
      meta.total_uncompressed_size = 1LL << 40;
      meta.total_compressed_size = 1LL << 33;
      meta.key_value_metadata = {{"foo", "bar"}, {"novalue", std::nullopt}};
      meta.data_page_offset = 100;
      meta.index_page_offset = 90;
      meta.dictionary_page_offset = 4;
      meta.statistics = FullStatistics();
      meta.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                             {PageType::kDataPage, Encoding::kRleDictionary, 7}};
      meta.bloom_filter_offset = 7000;
      meta.bloom_filter_length = 1024;
      group.columns.push_back(chunk);
    }
    m.row_groups.push_back(group);
  }
  m.column_orders = {ColumnOrder::kTypeDefinedOrder, ColumnOrder::kIeee754TotalOrder,
                     ColumnOrder::kInt96TimestampOrder, static_cast<ColumnOrder>(9)};
  return m;
}

std::vector<PageHeader> AllPageHeaders() {
  std::vector<PageHeader> headers;
  PageHeader v1;
  v1.type = PageType::kDataPage;
  v1.uncompressed_page_size = 4096;
  v1.compressed_page_size = 1024;
  v1.crc = -123456;
  v1.data_page_header = DataPageHeader{100, Encoding::kRleDictionary, Encoding::kRle,
                                       Encoding::kBitPacked, FullStatistics()};
  headers.push_back(v1);
  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.uncompressed_page_size = 10;
  dict.compressed_page_size = 12;
  dict.dictionary_page_header = DictionaryPageHeader{5, Encoding::kPlainDictionary, true};
  headers.push_back(dict);
  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.uncompressed_page_size = 300;
  v2.compressed_page_size = 200;
  v2.data_page_header_v2 = DataPageHeaderV2{50, 5, 40, Encoding::kDeltaBinaryPacked, 20, 30,
                                            false, FullStatistics()};
  headers.push_back(v2);
  PageHeader v2_default = v2;
  v2_default.data_page_header_v2->is_compressed = true;
  v2_default.data_page_header_v2->statistics.reset();
  headers.push_back(v2_default);
  return headers;
}

TEST(MetadataTest, FileMetaDataRoundTrip) {
  const FileMetaData original = FullFileMetaData();
  std::string bytes;
  EncodeFileMetaData(original, &bytes);
  PLINTH_ASSERT_OK_AND_ASSIGN(FileMetaData decoded, DecodeFileMetaData(U8(bytes), bytes.size()));
  EXPECT_EQ(decoded.schema, original.schema);
  EXPECT_EQ(decoded.row_groups, original.row_groups);
  EXPECT_EQ(decoded.column_orders, original.column_orders);
  EXPECT_TRUE(decoded == original);
  std::string again;
  EncodeFileMetaData(decoded, &again);
  EXPECT_EQ(again, bytes);
}

TEST(MetadataTest, PageHeaderRoundTrip) {
  for (const PageHeader& original : AllPageHeaders()) {
    std::string bytes;
    EncodePageHeader(original, &bytes);
    const size_t encoded_size = bytes.size();
    bytes.append("page payload follows");
    size_t header_size = 0;
    PLINTH_ASSERT_OK_AND_ASSIGN(PageHeader decoded,
                                DecodePageHeader(U8(bytes), bytes.size(), &header_size));
    EXPECT_EQ(header_size, encoded_size);
    EXPECT_TRUE(decoded == original) << PageTypeName(original.type);
  }
}

TEST(MetadataTest, TruncatedFileMetaDataFailsCleanlyAtEveryOffset) {
  std::string bytes;
  EncodeFileMetaData(FullFileMetaData(), &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    // A fresh heap copy so ASan catches any read past `n`.
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
    auto result = DecodeFileMetaData(prefix.data(), prefix.size());
    ASSERT_FALSE(result.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_TRUE(result.status().code() == absl::StatusCode::kDataLoss ||
                result.status().code() == absl::StatusCode::kInvalidArgument)
        << result.status();
  }
}

TEST(MetadataTest, TruncatedPageHeaderFailsCleanlyAtEveryOffset) {
  for (const PageHeader& header : AllPageHeaders()) {
    std::string bytes;
    EncodePageHeader(header, &bytes);
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
      size_t header_size = 0;
      EXPECT_FALSE(DecodePageHeader(prefix.data(), prefix.size(), &header_size).ok()) << n;
    }
  }
}

TEST(MetadataTest, MissingRequiredFieldNamesStructAndField) {
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

TEST(MetadataTest, RejectsInvalidEnumsAndNegativeSizes) {
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

TEST(MetadataTest, UnknownFieldsAndLogicalTypesAreTolerated) {
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

TEST(MetadataTest, HugeCountsDoNotAllocate) {
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

TEST(MetadataTest, WrongWireTypeIsSkippedAsAbsent) {
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

TEST(MetadataTest, ReadFooterChecksMagicAndLength) {
  std::string meta;
  EncodeFileMetaData(FullFileMetaData(), &meta);
  auto file_with = [&](const std::string& footer, uint32_t length) {
    std::string f = "PAR1";
    f.append("column data");
    f.append(footer);
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
    f.append("PAR1");
    return f;
  };
  std::string good = file_with(meta, static_cast<uint32_t>(meta.size()));
  PLINTH_ASSERT_OK_AND_ASSIGN(FileMetaData m, ReadFooter(U8(good), good.size()));
  EXPECT_TRUE(m == FullFileMetaData());
  PLINTH_ASSERT_OK_AND_ASSIGN(FooterLocation loc, LocateFooter(U8(good), good.size()));
  EXPECT_EQ(loc.offset, 4u + 11u);
  EXPECT_EQ(loc.length, meta.size());

  std::string too_long = file_with(meta, 1u << 30);
  EXPECT_TRUE(StatusIs(ReadFooter(U8(too_long), too_long.size()),
                       absl::StatusCode::kInvalidArgument,
                       StrCat("footer length ", 1u << 30, " exceeds file size")));
  std::string no_head = good;
  no_head[0] = 'X';
  EXPECT_TRUE(StatusIs(ReadFooter(U8(no_head), no_head.size()),
                       absl::StatusCode::kInvalidArgument, "not a Parquet file: missing magic"));
  std::string no_tail = good.substr(0, good.size() - 1);
  EXPECT_TRUE(StatusIs(ReadFooter(U8(no_tail), no_tail.size()),
                       absl::StatusCode::kInvalidArgument, "not a Parquet file: missing magic"));
  std::string tiny = "PAR1PAR1";
  EXPECT_TRUE(StatusIs(ReadFooter(U8(tiny), tiny.size()), absl::StatusCode::kInvalidArgument,
                       "not a Parquet file"));
  std::string encrypted = good;
  encrypted[encrypted.size() - 1] = 'E';
  EXPECT_TRUE(StatusIs(ReadFooter(U8(encrypted), encrypted.size()),
                       absl::StatusCode::kUnimplemented, "encrypted"));
  // A footer length one short: the metadata is cut and must fail to decode.
  std::string short_len = file_with(meta, static_cast<uint32_t>(meta.size() - 1));
  EXPECT_FALSE(ReadFooter(U8(short_len), short_len.size()).ok());
}

}  // namespace
}  // namespace plinth::parquet
