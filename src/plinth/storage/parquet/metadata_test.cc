// Round trips, truncation and footer reading of the metadata codec (invalid input:
// metadata_validation_test.cc; real files: metadata_testdata_test.cc).
#include "plinth/storage/parquet/metadata.h"

#include <cstdint>
#include <string>

#include "plinth/storage/parquet/metadata_test_util.h"
#include "plinth/testing/test_util.h"

namespace plinth::parquet {
namespace {

using ::plinth::testing::StatusIs;
using metadata_testing::AllPageHeaders;
using metadata_testing::FullFileMetaData;
using metadata_testing::U8;

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
