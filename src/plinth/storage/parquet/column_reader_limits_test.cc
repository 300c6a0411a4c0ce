// Hostile page headers and encodings must fail within ColumnReadOptions::max_page_bytes instead of
// allocating what the header claims (regressions from parquet_reader_fuzz).
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

#include "plinth/storage/parquet/column_reader.h"
#include "plinth/storage/parquet/delta_binary_packed.h"
#include "plinth/storage/parquet/rle.h"
#include "plinth/storage/parquet/schema.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

constexpr int64_t kLimit = int64_t{1} << 20;

SchemaElement Leaf(PhysicalType type, Repetition rep) {
  SchemaElement e;
  e.name = "c";
  e.type = type;
  e.repetition_type = rep;
  return e;
}

ParquetSchema OneColumn(PhysicalType type, Repetition rep) {
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  auto schema = ParquetSchema::Build({root, Leaf(type, rep)});
  EXPECT_TRUE(schema.ok()) << schema.status();
  return *schema;
}

std::string Page(const PageHeader& header_template, const std::string& body) {
  PageHeader h = header_template;
  h.compressed_page_size = h.uncompressed_page_size = static_cast<int32_t>(body.size());
  std::string out;
  EncodePageHeader(h, &out);
  return out + body;
}

PageHeader DataPage(int32_t num_values, Encoding encoding) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.data_page_header = DataPageHeader{num_values, encoding, Encoding::kRle, Encoding::kRle, std::nullopt};
  return h;
}

PageHeader DictionaryPage(int32_t num_values) {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.dictionary_page_header = DictionaryPageHeader{num_values, Encoding::kPlain, std::nullopt};
  return h;
}

absl::Status ReadAll(const ParquetSchema& schema, std::string chunk) {
  ColumnMetaData meta;
  meta.type = schema.leaves()[0].physical;
  ColumnReadOptions options;
  options.verify_checksums = false;
  options.max_page_bytes = kLimit;
  columnar::Buffer bytes;
  bytes.Resize(chunk.size());
  if (!chunk.empty()) std::memcpy(bytes.data(), chunk.data(), chunk.size());
  PLINTH_ASSIGN_OR_RETURN(auto reader, ColumnChunkReader::Create(schema.leaves()[0], meta, std::move(bytes), options));
  columnar::Column out(schema.leaves()[0].type);
  while (true) {
    PLINTH_ASSIGN_OR_RETURN(int64_t got, reader->ReadFlat(1000, &out));
    if (got == 0) return absl::OkStatus();
    out.Clear();
  }
}

// A required column has no levels: 2^31 - 1 claimed values cost nothing to encode as a
// dictionary run, but used to size the level buffers (4 GB each).
TEST(ColumnReaderLimitsTest, HugeValueCountInASmallPageIsRefused) {
  ParquetSchema schema = OneColumn(PhysicalType::kInt32, Repetition::kRequired);
  std::string dict = Page(DictionaryPage(1), std::string(4, '\0'));
  RleBitPackedEncoder enc(1);
  enc.PutRepeated(0, 0x7fffffff);
  std::string data = Page(DataPage(0x7fffffff, Encoding::kRleDictionary), std::string(1, '\1') + enc.Finish());
  absl::Status st = ReadAll(schema, dict + data);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("exceeds the limit"));
}

// Booleans take one bit each: a PLAIN dictionary of 2^31 - 1 booleans in 1 byte is corrupt.
TEST(ColumnReaderLimitsTest, PlainBooleansBeyondThePageAreRefused) {
  ParquetSchema schema = OneColumn(PhysicalType::kBoolean, Repetition::kRequired);
  absl::Status st = ReadAll(schema, Page(DictionaryPage(0x7fffffff), std::string(1, '\1')));
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
}

// Every index of a dictionary page may name the longest entry: the expansion is bounded.
TEST(ColumnReaderLimitsTest, DictionaryExpansionOfBytesIsBounded) {
  ParquetSchema schema = OneColumn(PhysicalType::kByteArray, Repetition::kRequired);
  std::string entry(1 << 16, 'x');
  uint32_t len = static_cast<uint32_t>(entry.size());
  std::string dict = Page(DictionaryPage(1), std::string(reinterpret_cast<const char*>(&len), 4) + entry);
  RleBitPackedEncoder enc(1);
  enc.PutRepeated(0, 1 << 16);  // 2^16 x 64 KiB = 4 GiB
  std::string data = Page(DataPage(1 << 16, Encoding::kRleDictionary), std::string(1, '\1') + enc.Finish());
  absl::Status st = ReadAll(schema, dict + data);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("the limit"));
}

}  // namespace
}  // namespace plinth::parquet
