// ReadFooter / LocateFooter: the file layout around the FileMetaData.
//
//   "PAR1" <column chunks...> <FileMetaData> <u32 little-endian length of it> "PAR1"
#include <cstring>

#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/metadata_internal.h"

namespace plinth::parquet {
namespace {

constexpr size_t kMagicSize = sizeof(kMagic);
constexpr char kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};

}  // namespace

absl::StatusOr<FooterLocation> LocateFooter(const uint8_t* file, size_t file_size) {
  if (file == nullptr) file_size = 0;
  // Leading magic, footer length, trailing magic.
  if (file_size < 2 * kMagicSize + 4) {
    return absl::InvalidArgumentError(StrCat("not a Parquet file: ", file_size,
                                             " bytes is too small (at least 12 needed)"));
  }
  const uint8_t* tail = file + file_size - kMagicSize;
  if (std::memcmp(tail, kEncryptedMagic, kMagicSize) == 0) {
    return absl::UnimplementedError(
        "encrypted Parquet files (footer magic 'PARE') are not supported");
  }
  if (std::memcmp(file, kMagic, kMagicSize) != 0) {
    return absl::InvalidArgumentError("not a Parquet file: missing magic 'PAR1' at the start");
  }
  if (std::memcmp(tail, kMagic, kMagicSize) != 0) {
    return absl::InvalidArgumentError(
        "not a Parquet file: missing magic 'PAR1' at the end (truncated file?)");
  }
  const uint8_t* len = tail - 4;
  const uint32_t footer_length = static_cast<uint32_t>(len[0]) |
                                 (static_cast<uint32_t>(len[1]) << 8) |
                                 (static_cast<uint32_t>(len[2]) << 16) |
                                 (static_cast<uint32_t>(len[3]) << 24);
  const uint64_t available = file_size - (2 * kMagicSize + 4);
  if (footer_length > available) {
    return absl::InvalidArgumentError(
        StrCat("corrupt Parquet file: footer length ", footer_length, " exceeds file size ",
               file_size, " (at most ", available, " bytes available)"));
  }
  if (footer_length == 0) {
    return absl::InvalidArgumentError("corrupt Parquet file: footer length is 0");
  }
  FooterLocation location;
  location.length = footer_length;
  location.offset = file_size - kMagicSize - 4 - footer_length;
  return location;
}

absl::StatusOr<FileMetaData> ReadFooter(const uint8_t* file, size_t file_size) {
  PLINTH_ASSIGN_OR_RETURN(FooterLocation location, LocateFooter(file, file_size));
  return DecodeFileMetaData(file + location.offset, location.length);
}

}  // namespace plinth::parquet
