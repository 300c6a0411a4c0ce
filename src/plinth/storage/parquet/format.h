// Parquet format enums (parquet-format's parquet.thrift), shared by the metadata codec, the page
// codecs and encodings, the reader and the writer. Values are the on-disk Thrift integers.
// Thread-safety: constants and pure functions only.
#pragma once

#include <cstdint>
#include <string>

namespace plinth::parquet {

// Physical storage type of a leaf column.
enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,  // deprecated 12-byte timestamps (nanos of day + Julian day)
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

// Legacy logical annotation (still written by most writers next to LogicalType).
enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,  // deprecated, levels only
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class Codec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,  // deprecated: Hadoop-framed LZ4 (or raw block from old parquet-cpp)
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

enum class TimeUnit : int32_t { kMillis = 0, kMicros = 1, kNanos = 2 };

// Names as parquet-format spells them ("RLE_DICTIONARY", "SNAPPY", "INT96"...); unknown values
// print as "UNKNOWN(<n>)".
std::string PhysicalTypeName(PhysicalType t);
std::string ConvertedTypeName(ConvertedType t);
std::string EncodingName(Encoding e);
std::string CodecName(Codec c);
std::string PageTypeName(PageType t);

// Parses a codec name case-insensitively ("snappy", "zstd", "gzip", "lz4_raw", "uncompressed"
// or "none"). Returns false for anything else.
bool ParseCodecName(const std::string& name, Codec* out);

// Magic at both ends of a Parquet file.
inline constexpr char kMagic[4] = {'P', 'A', 'R', '1'};

}  // namespace plinth::parquet
