// libFuzzer target over the Parquet metadata decoder (untrusted bytes from files): each input is
// decoded as a bare FileMetaData, as a PageHeader, as a whole file (ReadFooter) and wrapped in a
// minimal file layout. Whatever decodes must re-encode, decode again to the same value and
// re-encode to the same bytes. Any crash, hang, sanitizer report, huge allocation or broken
// invariant is a bug; a crash found becomes a regression input in fuzz/corpus/parquet_metadata.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "plinth/storage/parquet/metadata.h"

using namespace plinth::parquet;  // NOLINT

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "parquet_metadata_fuzz: invariant broken: %s\n", what);
  std::abort();
}

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// The encoder leaves out logical types it cannot name; drop them before comparing.
FileMetaData Normalized(FileMetaData m) {
  for (SchemaElement& e : m.schema) {
    if (e.logical_type && e.logical_type->kind == LogicalType::Kind::kUnsupported) {
      e.logical_type.reset();
    }
  }
  return m;
}

void CheckFileMetaData(const absl::StatusOr<FileMetaData>& decoded) {
  if (!decoded.ok()) {
    if (decoded.status().message().empty()) Fail("error without a message");
    return;
  }
  std::string bytes;
  EncodeFileMetaData(*decoded, &bytes);
  auto again = DecodeFileMetaData(U8(bytes), bytes.size());
  if (!again.ok()) Fail("re-encoded FileMetaData does not decode");
  if (!(*again == Normalized(*decoded))) Fail("FileMetaData round trip changed the value");
  std::string bytes2;
  EncodeFileMetaData(*again, &bytes2);
  if (bytes2 != bytes) Fail("FileMetaData encoding is not stable");
}

void CheckPageHeader(const uint8_t* data, size_t size) {
  size_t header_size = 0;
  auto decoded = DecodePageHeader(data, size, &header_size);
  if (!decoded.ok()) return;
  if (header_size == 0 || header_size > size) Fail("header_size outside the input");
  std::string bytes;
  EncodePageHeader(*decoded, &bytes);
  size_t again_size = 0;
  auto again = DecodePageHeader(U8(bytes), bytes.size(), &again_size);
  if (!again.ok()) Fail("re-encoded PageHeader does not decode");
  if (again_size != bytes.size()) Fail("re-encoded PageHeader size mismatch");
  if (!(*again == *decoded)) Fail("PageHeader round trip changed the value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckFileMetaData(DecodeFileMetaData(data, size));
  CheckPageHeader(data, size);
  CheckFileMetaData(ReadFooter(data, size));

  // The input as the footer of a minimal file: ReadFooter must agree with DecodeFileMetaData.
  std::string file = "PAR1";
  file.append(reinterpret_cast<const char*>(data), size);
  const auto length = static_cast<uint32_t>(size);
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  file.append("PAR1");
  auto footer = ReadFooter(U8(file), file.size());
  if (size > 0) {
    auto direct = DecodeFileMetaData(data, size);
    if (footer.ok() != direct.ok()) Fail("ReadFooter and DecodeFileMetaData disagree");
    if (footer.ok() && !(*footer == *direct)) Fail("ReadFooter decoded a different value");
  }
  return 0;
}
