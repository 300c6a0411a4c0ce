#include "plinth/storage/delta/log_files.h"

#include <tuple>

#include "plinth/base/strings.h"

namespace plinth::delta {

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) if (c < '0' || c > '9') return false;
  return true;
}

// 8-4-4-4-12 hex digits.
bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string Pad(int64_t v, size_t width) {
  std::string s = StrCat(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

}  // namespace

bool LogFile::operator<(const LogFile& o) const {
  return std::tie(version, kind, part, name) < std::tie(o.version, o.kind, o.part, o.name);
}

std::optional<LogFile> ParseLogFileName(std::string_view name) {
  if (name.size() < 21 || name[20] != '.' || !AllDigits(name.substr(0, 20))) return std::nullopt;
  std::optional<int64_t> version = ParseInt64(name.substr(0, 20));
  if (!version) return std::nullopt;
  LogFile f;
  f.name = std::string(name);
  f.version = *version;
  std::string_view rest = name.substr(21);
  if (rest == "json") {
    f.kind = LogFileKind::kCommit;
    return f;
  }
  if (rest == "crc") {
    f.kind = LogFileKind::kChecksum;
    return f;
  }
  if (!StartsWith(rest, "checkpoint.")) return std::nullopt;
  rest.remove_prefix(11);
  if (rest == "parquet") {
    f.kind = LogFileKind::kCheckpoint;
    return f;
  }
  auto parts = StrSplit(rest, '.');
  if (parts.size() == 3 && parts[2] == "parquet" && parts[0].size() == 10 && parts[1].size() == 10 &&
      AllDigits(parts[0]) && AllDigits(parts[1])) {
    int64_t part = *ParseInt64(parts[0]);
    int64_t total = *ParseInt64(parts[1]);
    if (part < 1 || total < 1 || part > total || total > 1'000'000'000) return std::nullopt;
    f.kind = LogFileKind::kMultiPartCheckpoint;
    f.part = static_cast<int32_t>(part);
    f.num_parts = static_cast<int32_t>(total);
    return f;
  }
  if (parts.size() == 2 && IsUuid(parts[0]) && (parts[1] == "parquet" || parts[1] == "json")) {
    f.kind = LogFileKind::kV2Checkpoint;
    return f;
  }
  return std::nullopt;
}

std::string CommitFileName(int64_t version) { return StrCat(Pad(version, 20), ".json"); }

std::string ClassicCheckpointFileName(int64_t version) { return StrCat(Pad(version, 20), ".checkpoint.parquet"); }

std::string MultiPartCheckpointFileName(int64_t version, int32_t part, int32_t num_parts) {
  return StrCat(Pad(version, 20), ".checkpoint.", Pad(part, 10), ".", Pad(num_parts, 10), ".parquet");
}

std::string LogDisplayName(std::string_view file_name) { return StrCat("_delta_log/", file_name); }

}  // namespace plinth::delta
