// The metadata codec against real files written by other implementations (shared testdata):
// every footer decodes, facts match MANIFEST.md and DuckDB's metadata dump, first page headers
// decode, corrupt files fail cleanly.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plinth/storage/parquet/metadata.h"
#include "plinth/testing/test_util.h"
#include "plinth/testing/testdata.h"

namespace plinth::parquet {
namespace {

namespace fs = std::filesystem;
using Kind = LogicalType::Kind;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using ::plinth::testing::U8;

std::vector<std::string> ParquetFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<FileMetaData> Footer(const std::string& file) {
  return ReadFooter(U8(file), file.size());
}

// The first page of each column chunk: the dictionary page when there is one, else the first
// data page. Returns the first error.
absl::Status DecodeFirstPageHeaders(const std::string& file, const FileMetaData& m,
                                    std::vector<PageHeader>* headers) {
  for (const RowGroup& group : m.row_groups) {
    for (const ColumnChunk& chunk : group.columns) {
      if (!chunk.meta_data) return absl::InvalidArgumentError("column chunk without meta_data");
      const ColumnMetaData& meta = *chunk.meta_data;
      // dictionary_page_offset 0 means "none" for some old writers; a chunk without data pages
      // (0 rows) may have data_page_offset 0.
      int64_t offset = meta.data_page_offset;
      if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0) {
        offset = *meta.dictionary_page_offset;
      }
      if (offset < 0 || static_cast<uint64_t>(offset) >= file.size()) {
        return absl::OutOfRangeError(StrCat("page offset ", offset, " outside the file"));
      }
      size_t header_size = 0;
      PLINTH_ASSIGN_OR_RETURN(
          PageHeader header,
          DecodePageHeader(U8(file) + offset, file.size() - static_cast<size_t>(offset),
                           &header_size));
      if (header_size == 0 ||
          static_cast<uint64_t>(offset) + header_size + header.compressed_page_size > file.size()) {
        return absl::OutOfRangeError("page runs past the end of the file");
      }
      headers->push_back(header);
    }
  }
  return absl::OkStatus();
}

// Logical types the encoder leaves out, removed so a round trip compares equal.
FileMetaData WithoutUnsupportedLogicalTypes(FileMetaData m) {
  for (SchemaElement& e : m.schema) {
    if (e.logical_type && e.logical_type->kind == Kind::kUnsupported) e.logical_type.reset();
  }
  return m;
}

std::string RepetitionName(Repetition r) {
  switch (r) {
    case Repetition::kRequired: return "REQUIRED";
    case Repetition::kOptional: return "OPTIONAL";
    case Repetition::kRepeated: return "REPEATED";
  }
  return "?";
}

std::string OptionalNumber(const std::optional<int32_t>& v) {
  return v ? StrCat(*v) : std::string("null");
}

std::string JsonText(const nlohmann::json& j) {
  return j.is_null() ? std::string("null") : j.get<std::string>();
}

// DuckDB's rendering of a logical type, e.g. "StringType()", "DecimalType(scale=3, precision=7)".
std::string DuckDbLogicalPrefix(const LogicalType& t) {
  switch (t.kind) {
    case Kind::kString: return "StringType(";
    case Kind::kList: return "ListType(";
    case Kind::kMap: return "MapType(";
    case Kind::kFloat16: return "Float16Type(";
    case Kind::kInteger: return "IntType(";
    case Kind::kUnknown: return "NullType(";
    case Kind::kDecimal: return StrCat("DecimalType(scale=", t.scale, ", precision=", t.precision);
    default: return "?";
  }
}

// Compares the decoded footer with the DuckDB dump of the same file.
void ExpectMatchesDuckDb(const std::string& name, const FileMetaData& m, const nlohmann::json& s) {
  SCOPED_TRACE(name);
  const auto& file = s["file"];
  EXPECT_EQ(StrCat(m.num_rows), JsonText(file["num_rows"]));
  EXPECT_EQ(StrCat(m.row_groups.size()), JsonText(file["num_row_groups"]));
  EXPECT_EQ(StrCat(m.version), JsonText(file["format_version"]));
  EXPECT_EQ(m.created_by.value_or("null"), JsonText(file["created_by"]));

  const auto& schema = s["schema"];
  ASSERT_EQ(m.schema.size(), schema.size());
  for (size_t i = 0; i < m.schema.size(); ++i) {
    const SchemaElement& e = m.schema[i];
    const auto& j = schema[i];
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.name, JsonText(j["name"]));
    EXPECT_EQ(e.type ? PhysicalTypeName(*e.type) : "null", JsonText(j["type"]));
    EXPECT_EQ(OptionalNumber(e.type_length), JsonText(j["type_length"]));
    EXPECT_EQ(e.repetition_type ? RepetitionName(*e.repetition_type) : "null",
              JsonText(j["repetition_type"]));
    EXPECT_EQ(OptionalNumber(e.num_children), JsonText(j["num_children"]));
    EXPECT_EQ(e.converted_type ? ConvertedTypeName(*e.converted_type) : "null",
              JsonText(j["converted_type"]));
    EXPECT_EQ(OptionalNumber(e.scale), JsonText(j["scale"]));
    EXPECT_EQ(OptionalNumber(e.precision), JsonText(j["precision"]));
    const std::string logical = JsonText(j["logical_type"]);
    if (e.logical_type && e.logical_type->kind != Kind::kUnsupported) {
      EXPECT_TRUE(StartsWith(logical, DuckDbLogicalPrefix(*e.logical_type))) << logical;
    } else {
      EXPECT_EQ(logical, "null");
    }
  }

  const auto& columns = s["columns"];
  const size_t num_columns = m.row_groups.empty() ? 0 : m.row_groups[0].columns.size();
  ASSERT_EQ(num_columns, columns.size());
  for (size_t c = 0; c < num_columns; ++c) {
    const auto& j = columns[c];
    std::set<std::string> codecs, ptypes, encodings;
    int64_t num_values = 0;
    std::string path;
    for (const RowGroup& g : m.row_groups) {
      ASSERT_EQ(g.columns.size(), num_columns);
      ASSERT_TRUE(g.columns[c].meta_data.has_value());
      const ColumnMetaData& meta = *g.columns[c].meta_data;
      codecs.insert(CodecName(meta.codec));
      ptypes.insert(PhysicalTypeName(meta.type));
      std::vector<std::string> names;
      for (Encoding e : meta.encodings) names.push_back(EncodingName(e));
      encodings.insert(StrJoin(names, ", "));
      num_values += meta.num_values;
      path = StrJoin(meta.path_in_schema, ", ");
    }
    EXPECT_EQ(path, JsonText(j["path_in_schema"]));
    EXPECT_EQ(StrCat(num_values), JsonText(j["num_values"])) << path;
    EXPECT_EQ(codecs, j["codecs"].get<std::set<std::string>>()) << path;
    EXPECT_EQ(ptypes, j["ptype"].get<std::set<std::string>>()) << path;
    std::set<std::string> want_encodings;
    for (const auto& e : j["encodings"]) want_encodings.insert(JsonText(e));
    if (want_encodings != std::set<std::string>{""}) {
      EXPECT_EQ(encodings, want_encodings) << path;
    }
  }
}

TEST(MetadataTestdataTest, EveryFooterDecodesAndMatchesDuckDb) {
  PLINTH_REQUIRE_TESTDATA(root);
  std::ifstream summary_in(root + "/derived/parquet/_metadata_summary.duckdb.json");
  nlohmann::json summary = nlohmann::json::parse(summary_in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(summary.is_discarded());
  const auto files = ParquetFiles(root + "/parquet");
  ASSERT_GE(files.size(), 50u);
  int compared = 0;
  for (const std::string& path : files) {
    const std::string name = fs::path(path).filename().string();
    SCOPED_TRACE(name);
    const std::string bytes = ReadFile(path);
    auto footer = Footer(bytes);
    ASSERT_TRUE(footer.ok()) << footer.status();
    const FileMetaData& m = *footer;
    EXPECT_FALSE(m.schema.empty());

    // Re-encode and decode: the same metadata comes back.
    std::string encoded;
    EncodeFileMetaData(m, &encoded);
    auto again = DecodeFileMetaData(U8(encoded), encoded.size());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(*again == WithoutUnsupportedLogicalTypes(m));

    // First page header of every column chunk.
    std::vector<PageHeader> headers;
    absl::Status pages = DecodeFirstPageHeaders(bytes, m, &headers);
    EXPECT_TRUE(pages.ok()) << pages;

    auto it = summary.find(StrCat("parquet/", name));
    if (it != summary.end() && it->contains("schema")) {
      ExpectMatchesDuckDb(name, m, *it);
      ++compared;
    }
  }
  EXPECT_GE(compared, 45);
}

struct Loaded {
  std::string bytes;
  FileMetaData metadata;
  FooterLocation footer;
};

#define PLINTH_LOAD_PARQUET(var, file)                                                    \
  PLINTH_REQUIRE_TESTDATA(var##_root);                                                    \
  Loaded var;                                                                             \
  var.bytes = ReadFile(var##_root + "/parquet/" + (file));                                \
  {                                                                                       \
    auto loc = LocateFooter(U8(var.bytes), var.bytes.size());                             \
    ASSERT_TRUE(loc.ok()) << loc.status();                                                \
    var.footer = *loc;                                                                    \
    auto meta = Footer(var.bytes);                                                        \
    ASSERT_TRUE(meta.ok()) << meta.status();                                              \
    var.metadata = std::move(meta).value();                                               \
  }

TEST(MetadataTestdataTest, AlltypesPlainFacts) {
  PLINTH_LOAD_PARQUET(f, "alltypes_plain.parquet");
  const FileMetaData& m = f.metadata;
  EXPECT_EQ(f.footer.length, 730u);
  EXPECT_EQ(m.num_rows, 8);
  ASSERT_EQ(m.row_groups.size(), 1u);
  EXPECT_EQ(m.row_groups[0].total_byte_size, 671);
  ASSERT_EQ(m.row_groups[0].columns.size(), 11u);
  EXPECT_EQ(m.schema.size(), 12u);
  EXPECT_EQ(m.schema[0].num_children, 11);
  EXPECT_TRUE(StartsWith(m.created_by.value_or(""), "impala version 1.3.0-INTERNAL"));
  const std::vector<int64_t> sizes = {73, 24, 47, 47, 47, 55, 47, 55, 88, 49, 139};
  for (size_t c = 0; c < sizes.size(); ++c) {
    const ColumnMetaData& meta = *m.row_groups[0].columns[c].meta_data;
    EXPECT_EQ(meta.total_compressed_size, sizes[c]) << c;
    EXPECT_EQ(meta.codec, Codec::kUncompressed);
    EXPECT_EQ(meta.num_values, 8);
  }
  EXPECT_EQ(m.schema[1].name, "id");
  EXPECT_EQ(m.schema[1].type, PhysicalType::kInt32);
  EXPECT_EQ(m.schema[1].repetition_type, Repetition::kOptional);
  EXPECT_EQ(m.schema[11].name, "timestamp_col");
  EXPECT_EQ(m.schema[11].type, PhysicalType::kInt96);

  // The first page of column 0 is its dictionary page.
  const ColumnMetaData& id = *m.row_groups[0].columns[0].meta_data;
  const int64_t first = id.dictionary_page_offset.value_or(id.data_page_offset);
  size_t header_size = 0;
  auto page = DecodePageHeader(U8(f.bytes) + first, f.bytes.size() - first, &header_size);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->type, PageType::kDictionaryPage);
  ASSERT_TRUE(page->dictionary_page_header.has_value());
  EXPECT_EQ(page->dictionary_page_header->num_values, 8);
  // Then the data page follows right after the dictionary page.
  const size_t next = first + header_size + page->compressed_page_size;
  EXPECT_EQ(static_cast<int64_t>(next), id.data_page_offset);
  auto data = DecodePageHeader(U8(f.bytes) + next, f.bytes.size() - next, &header_size);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->type, PageType::kDataPage);
  ASSERT_TRUE(data->data_page_header.has_value());
  EXPECT_EQ(data->data_page_header->num_values, 8);
  EXPECT_EQ(data->data_page_header->encoding, Encoding::kPlainDictionary);
}

TEST(MetadataTestdataTest, ColumnChunkKeyValueMetadata) {
  PLINTH_LOAD_PARQUET(f, "column_chunk_key_value_metadata.parquet");
  const FileMetaData& m = f.metadata;
  EXPECT_EQ(m.num_rows, 0);
  ASSERT_EQ(m.row_groups.size(), 1u);
  ASSERT_EQ(m.row_groups[0].columns.size(), 2u);
  const std::vector<KeyValue> want = {{"foo", "bar"}, {"thisiskeywithoutvalue", std::nullopt}};
  EXPECT_EQ(m.row_groups[0].columns[0].meta_data->key_value_metadata, want);
  EXPECT_EQ(m.created_by, "parquet-cpp-arrow version 17.0.0-SNAPSHOT");
}

TEST(MetadataTestdataTest, NewerFieldsAreDecoded) {
  {
    PLINTH_LOAD_PARQUET(f, "delta_length_byte_array.parquet");
    EXPECT_EQ(f.footer.length, 105u);
    EXPECT_EQ(f.metadata.num_rows, 1000);
    EXPECT_EQ(f.metadata.row_groups[0].columns[0].meta_data->codec, Codec::kZstd);
  }
  {
    PLINTH_LOAD_PARQUET(f, "data_index_bloom_encoding_with_length.parquet");
    const ColumnMetaData& meta = *f.metadata.row_groups[0].columns[0].meta_data;
    EXPECT_TRUE(meta.bloom_filter_offset.has_value());
    EXPECT_GT(meta.bloom_filter_length.value_or(0), 0);
  }
  {
    PLINTH_LOAD_PARQUET(f, "data_index_bloom_encoding_stats.parquet");
    const ColumnChunk& chunk = f.metadata.row_groups[0].columns[0];
    EXPECT_FALSE(chunk.meta_data->encoding_stats.empty());
    EXPECT_TRUE(chunk.meta_data->bloom_filter_offset.has_value());
    EXPECT_TRUE(chunk.offset_index_offset.has_value());
    EXPECT_TRUE(chunk.column_index_offset.has_value());
    EXPECT_EQ(chunk.meta_data->codec, Codec::kGzip);
  }
  {
    PLINTH_LOAD_PARQUET(f, "binary_truncated_min_max.parquet");
    int inexact = 0;
    for (const ColumnChunk& c : f.metadata.row_groups[0].columns) {
      const auto& stats = c.meta_data->statistics;
      ASSERT_TRUE(stats.has_value());
      ASSERT_TRUE(stats->is_min_value_exact.has_value());
      ASSERT_TRUE(stats->min_value.has_value());
      EXPECT_EQ(*stats->min_value, "Al");
      if (!*stats->is_min_value_exact) ++inexact;
    }
    EXPECT_EQ(inexact, 4);  // full and partial truncation, utf8 and binary
  }
  {
    PLINTH_LOAD_PARQUET(f, "floating_orders_nan_count.parquet");
    EXPECT_EQ(f.metadata.row_groups.size(), 5u);
    const auto& orders = f.metadata.column_orders;
    EXPECT_NE(std::find(orders.begin(), orders.end(), ColumnOrder::kIeee754TotalOrder),
              orders.end());
    EXPECT_NE(std::find(orders.begin(), orders.end(), ColumnOrder::kTypeDefinedOrder),
              orders.end());
    EXPECT_TRUE(f.metadata.row_groups[0].columns[0].meta_data->statistics->nan_count.has_value());
  }
  {
    PLINTH_LOAD_PARQUET(f, "sort_columns.parquet");
    EXPECT_FALSE(f.metadata.row_groups[0].sorting_columns.empty());
  }
}

TEST(MetadataTestdataTest, UnknownLogicalTypeDecodes) {
  PLINTH_LOAD_PARQUET(f, "unknown-logical-type.parquet");
  int unsupported = 0;
  for (const SchemaElement& e : f.metadata.schema) {
    if (e.logical_type && e.logical_type->kind == Kind::kUnsupported) ++unsupported;
  }
  EXPECT_GE(unsupported, 1);
}

TEST(MetadataTestdataTest, DataPageV2Headers) {
  PLINTH_LOAD_PARQUET(f, "datapage_v2.snappy.parquet");
  std::vector<PageHeader> headers;
  PLINTH_ASSERT_OK(DecodeFirstPageHeaders(f.bytes, f.metadata, &headers));
  int v2 = 0;
  for (const PageHeader& h : headers) {
    if (h.type != PageType::kDataPageV2) continue;
    ++v2;
    ASSERT_TRUE(h.data_page_header_v2.has_value());
    EXPECT_EQ(h.data_page_header_v2->num_rows, 5);
  }
  EXPECT_GE(v2, 1);
}

TEST(MetadataTestdataTest, CorruptFilesFailCleanly) {
  PLINTH_REQUIRE_TESTDATA(root);
  const auto files = ParquetFiles(root + "/parquet/bad_data");
  ASSERT_EQ(files.size(), 8u);
  for (const std::string& path : files) {
    const std::string name = fs::path(path).filename().string();
    SCOPED_TRACE(name);
    const std::string bytes = ReadFile(path);
    auto footer = Footer(bytes);
    if (name == "PARQUET-1481.parquet") {
      ASSERT_FALSE(footer.ok());
      EXPECT_TRUE(::plinth::testing::StatusIs(footer, absl::StatusCode::kInvalidArgument,
                                              "invalid Type value"))
          << footer.status();
      continue;
    }
    if (!footer.ok()) continue;  // a clean error is fine
    std::vector<PageHeader> headers;
    absl::Status pages = DecodeFirstPageHeaders(bytes, *footer, &headers);
    if (name == "ARROW-RS-GH-6229-DICTHEADER.parquet") {
      // The first data page header's num_values field has a corrupt wire type (i16): skipped
      // as Thrift does, so the required field is missing.
      EXPECT_TRUE(::plinth::testing::StatusIs(
          pages, absl::StatusCode::kInvalidArgument,
          "PageHeader.data_page_header: DataPageHeader: missing required field 'num_values'"));
    }
    if (!pages.ok()) {
      EXPECT_TRUE(pages.code() == absl::StatusCode::kInvalidArgument ||
                  pages.code() == absl::StatusCode::kDataLoss ||
                  pages.code() == absl::StatusCode::kOutOfRange)
          << pages;
    }
  }
}

}  // namespace
}  // namespace plinth::parquet
