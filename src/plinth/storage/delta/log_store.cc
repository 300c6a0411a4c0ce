#include "plinth/storage/delta/log_store.h"

#include <limits>

#include "plinth/storage/delta/json_fields.h"

namespace plinth::delta {

std::optional<LastCheckpoint> ParseLastCheckpoint(std::string_view bytes) {
  if (StripWhitespace(bytes).empty()) return std::nullopt;
  absl::StatusOr<Json> j = ParseJson(bytes);
  if (!j.ok() || !j->is_object()) return std::nullopt;
  internal::FieldReader r(*j, "_last_checkpoint");
  LastCheckpoint c;
  auto version = r.Int("version");
  auto size = r.OptInt("size");
  auto parts = r.OptInt("parts");
  auto size_in_bytes = r.OptInt("sizeInBytes");
  auto adds = r.OptInt("numOfAddFiles");
  if (!version.ok() || *version < 0 || !size.ok() || !parts.ok() || !size_in_bytes.ok() || !adds.ok()) {
    return std::nullopt;
  }
  c.version = *version;
  c.size = *size;
  if (*parts) {
    if (**parts < 1 || **parts > std::numeric_limits<int32_t>::max()) return std::nullopt;
    c.parts = static_cast<int32_t>(**parts);
  }
  c.size_in_bytes = *size_in_bytes;
  c.num_of_add_files = *adds;
  if (const Json* v2 = r.Get("v2Checkpoint"); v2 != nullptr && v2->is_object()) {
    auto path = internal::FieldReader(*v2, "v2Checkpoint").OptString("path");
    if (path.ok()) c.v2_checkpoint_path = *path;
  }
  return c;
}

std::string SerializeLastCheckpoint(const LastCheckpoint& c) {
  Json j = {{"version", c.version}};
  if (c.size) j["size"] = *c.size;
  if (c.parts) j["parts"] = *c.parts;
  if (c.size_in_bytes) j["sizeInBytes"] = *c.size_in_bytes;
  if (c.num_of_add_files) j["numOfAddFiles"] = *c.num_of_add_files;
  if (c.v2_checkpoint_path) j["v2Checkpoint"] = {{"path", *c.v2_checkpoint_path}};
  return DumpJson(j);
}

absl::StatusOr<std::vector<Action>> ReadCommit(LogStore& store, int64_t version) {
  PLINTH_ASSIGN_OR_RETURN(std::string bytes, store.Read(version));
  return ParseCommit(bytes, LogDisplayName(CommitFileName(version)));
}

}  // namespace plinth::delta
