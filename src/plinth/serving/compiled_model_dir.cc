#include "plinth/serving/compiled_model_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "plinth/base/random.h"
#include "plinth/base/sha256.h"

namespace plinth::serving {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSuffix = ".pf";
constexpr std::string_view kTmpPrefix = ".tmp-";

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::InternalError(StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CompiledModelDir>> CompiledModelDir::Create(Options options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("CompiledModelDir needs a directory");
  std::error_code ec;
  if (fs::is_directory(options.dir, ec)) {
    for (const auto& entry : fs::directory_iterator(options.dir, ec)) {
      if (StartsWith(entry.path().filename().string(), kTmpPrefix)) fs::remove(entry.path(), ec);
    }
  }
  return std::unique_ptr<CompiledModelDir>(new CompiledModelDir(std::move(options)));
}

std::string CompiledModelDir::PathFor(std::string_view sha256) const {
  return (fs::path(options_.dir) / StrCat(sha256, kSuffix)).string();
}

bool CompiledModelDir::Contains(std::string_view sha256) const {
  std::error_code ec;
  return IsSha256Hex(sha256) && fs::is_regular_file(PathFor(sha256), ec);
}

absl::Status CompiledModelDir::Write(std::string_view sha256, std::string_view bytes) {
  if (!IsSha256Hex(sha256)) return absl::InvalidArgumentError(StrCat("invalid artifact digest '", sha256, "'"));
  std::string final_path = PathFor(sha256);
  std::error_code ec;
  fs::create_directories(options_.dir, ec);  // on first use: a server that never loads a model leaves no trace
  if (ec) return absl::InternalError(StrCat("cannot create ", options_.dir, ": ", ec.message()));
  std::string tmp = (fs::path(options_.dir) / StrCat(kTmpPrefix, sha256, "-", RandomHex(8))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", tmp);
  absl::Status st = WriteAll(fd, bytes, tmp);
  if (st.ok() && options_.fsync && ::fsync(fd) != 0) st = Errno("cannot fsync", tmp);
  if (::close(fd) != 0 && st.ok()) st = Errno("cannot close", tmp);
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = Errno("cannot rename to", final_path);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<CompiledModelDir::SweepReport> CompiledModelDir::RemoveUnless(
    const std::function<bool(std::string_view sha256)>& keep, bool dry_run) {
  SweepReport report;
  std::error_code ec;
  if (!fs::is_directory(options_.dir, ec)) return report;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 64 + kSuffix.size() || name.compare(64, kSuffix.size(), kSuffix) != 0) continue;
    const std::string sha = name.substr(0, 64);
    if (!IsSha256Hex(sha)) continue;
    ++report.files;
    if (keep(sha)) continue;
    std::error_code size_ec;
    const auto bytes = fs::file_size(entry.path(), size_ec);
    if (!dry_run) {
      fs::remove(entry.path(), size_ec);
      if (size_ec) return absl::InternalError(StrCat("cannot remove ", entry.path().string(), ": ", size_ec.message()));
    }
    ++report.removed;
    report.removed_bytes += static_cast<int64_t>(bytes);
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", options_.dir, ": ", ec.message()));
  return report;
}

absl::Status CompiledModelDir::Remove(std::string_view sha256) {
  if (!IsSha256Hex(sha256)) return absl::InvalidArgumentError(StrCat("invalid artifact digest '", sha256, "'"));
  std::error_code ec;
  fs::remove(PathFor(sha256), ec);
  if (ec) return absl::InternalError(StrCat("cannot remove ", PathFor(sha256), ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace plinth::serving
