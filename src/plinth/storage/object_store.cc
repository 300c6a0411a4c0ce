#include "plinth/storage/object_store.h"

namespace plinth::storage {

absl::StatusOr<std::string> ReadObject(ObjectStore& store, std::string_view sha256, int64_t max_bytes) {
  PLINTH_ASSIGN_OR_RETURN(auto reader, store.Open(sha256));
  if (reader->size() > max_bytes) {
    return absl::FailedPreconditionError(StrCat("object ", sha256, " is larger than ", max_bytes, " bytes"));
  }
  std::string bytes(static_cast<size_t>(reader->size()), '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    PLINTH_ASSIGN_OR_RETURN(size_t n, reader->Read(bytes.data() + filled, bytes.size() - filled));
    if (n == 0) return absl::DataLossError(StrCat("object ", sha256, " is shorter than its size"));
    filled += n;
  }
  return bytes;
}

}  // namespace plinth::storage
