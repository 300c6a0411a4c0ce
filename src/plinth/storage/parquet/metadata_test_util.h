// Test-only helpers for the metadata codec tests: fully populated structs. Header-only; never
// linked into a library. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plinth/base/strings.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet::metadata_testing {

using ::plinth::testing::U8;

inline Statistics FullStatistics() {
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

inline LogicalType Logical(LogicalType::Kind kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

// Every field of every struct set, every LogicalType kind present.
inline FileMetaData FullFileMetaData() {
  using Kind = LogicalType::Kind;
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

inline std::vector<PageHeader> AllPageHeaders() {
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

}  // namespace plinth::parquet::metadata_testing
