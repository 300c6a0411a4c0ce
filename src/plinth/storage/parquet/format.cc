#include "plinth/storage/parquet/format.h"

#include <algorithm>
#include <cctype>

namespace plinth::parquet {
namespace {
std::string Unknown(int32_t v) { return "UNKNOWN(" + std::to_string(v) + ")"; }
}  // namespace

std::string PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return Unknown(static_cast<int32_t>(t));
}

std::string ConvertedTypeName(ConvertedType t) {
  static const char* const kNames[] = {
      "UTF8",   "MAP",    "MAP_KEY_VALUE", "LIST",  "ENUM",  "DECIMAL",          "DATE",
      "TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16",
      "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"};
  auto v = static_cast<int32_t>(t);
  if (v >= 0 && v < static_cast<int32_t>(sizeof(kNames) / sizeof(kNames[0]))) return kNames[v];
  return Unknown(v);
}

std::string EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain: return "PLAIN";
    case Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::kRle: return "RLE";
    case Encoding::kBitPacked: return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary: return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return Unknown(static_cast<int32_t>(e));
}

std::string CodecName(Codec c) {
  switch (c) {
    case Codec::kUncompressed: return "UNCOMPRESSED";
    case Codec::kSnappy: return "SNAPPY";
    case Codec::kGzip: return "GZIP";
    case Codec::kLzo: return "LZO";
    case Codec::kBrotli: return "BROTLI";
    case Codec::kLz4: return "LZ4";
    case Codec::kZstd: return "ZSTD";
    case Codec::kLz4Raw: return "LZ4_RAW";
  }
  return Unknown(static_cast<int32_t>(c));
}

std::string PageTypeName(PageType t) {
  switch (t) {
    case PageType::kDataPage: return "DATA_PAGE";
    case PageType::kIndexPage: return "INDEX_PAGE";
    case PageType::kDictionaryPage: return "DICTIONARY_PAGE";
    case PageType::kDataPageV2: return "DATA_PAGE_V2";
  }
  return Unknown(static_cast<int32_t>(t));
}

bool ParseCodecName(const std::string& name, Codec* out) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "uncompressed" || n == "none") *out = Codec::kUncompressed;
  else if (n == "snappy") *out = Codec::kSnappy;
  else if (n == "gzip") *out = Codec::kGzip;
  else if (n == "zstd") *out = Codec::kZstd;
  else if (n == "lz4_raw" || n == "lz4") *out = Codec::kLz4Raw;
  else return false;
  return true;
}

}  // namespace plinth::parquet
