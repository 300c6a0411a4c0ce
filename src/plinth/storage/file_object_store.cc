#include "plinth/storage/file_object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "plinth/base/random.h"
#include "plinth/base/sha256.h"

namespace plinth::storage {

namespace fs = std::filesystem;

namespace {

absl::Status ErrnoStatus(std::string_view what, const std::string& path) {
  int err = errno;
  std::string msg = StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

absl::Status CheckDigest(std::string_view sha256) {
  if (!IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(StrCat("invalid object digest '", sha256.substr(0, 80),
                                                   "': expected 64 lowercase hex characters"));
  }
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open dir", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync dir", dir);
  return absl::OkStatus();
}

class FileObjectWriter : public ObjectWriter {
 public:
  FileObjectWriter(FileObjectStore* store, std::string tmp_path, int fd, bool fsync)
      : store_(store), tmp_path_(std::move(tmp_path)), fd_(fd), fsync_(fsync) {}
  ~FileObjectWriter() override { Abort(); }

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return absl::FailedPreconditionError("object writer is closed");
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        absl::Status st = ErrnoStatus("write", tmp_path_);
        Abort();
        return st;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    hasher_.Update(data);
    written_ += static_cast<int64_t>(data.size());
    return absl::OkStatus();
  }

  int64_t bytes_written() const override { return written_; }

  absl::StatusOr<ObjectInfo> Commit(std::optional<std::string> expected) override {
    if (fd_ < 0) return absl::FailedPreconditionError("object writer is closed");
    ObjectInfo info{hasher_.FinishHex(), written_};
    if (expected && *expected != info.sha256) {
      Abort();
      return absl::InvalidArgumentError(StrCat("upload digest mismatch: expected ", *expected,
                                                     ", received bytes hash to ", info.sha256));
    }
    if (fsync_ && ::fsync(fd_) != 0) {
      absl::Status st = ErrnoStatus("fsync", tmp_path_);
      Abort();
      return st;
    }
    ::close(fd_);
    fd_ = -1;
    std::string final_path = store_->PathFor(info.sha256);
    std::string dir = fs::path(final_path).parent_path().string();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      Abort();
      return absl::InternalError(StrCat("mkdir ", dir, ": ", ec.message()));
    }
    if (::rename(tmp_path_.c_str(), final_path.c_str()) != 0) {
      absl::Status st = ErrnoStatus("rename", final_path);
      Abort();
      return st;
    }
    tmp_path_.clear();
    if (fsync_) PLINTH_RETURN_IF_ERROR(FsyncDir(dir));
    return info;
  }

  void Abort() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!tmp_path_.empty()) {
      ::unlink(tmp_path_.c_str());
      tmp_path_.clear();
    }
  }

 private:
  FileObjectStore* store_;
  std::string tmp_path_;
  int fd_;
  bool fsync_;
  Sha256 hasher_;
  int64_t written_ = 0;
};

class FileObjectReader : public ObjectReader {
 public:
  FileObjectReader(int fd, int64_t size) : fd_(fd), size_(size) {}
  ~FileObjectReader() override { ::close(fd_); }
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return absl::InternalError(StrCat("read: ", std::strerror(errno)));
    }
  }
  int64_t size() const override { return size_; }

 private:
  int fd_;
  int64_t size_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FileObjectStore>> FileObjectStore::Create(Options options) {
  if (options.root.empty()) return absl::InvalidArgumentError("object store root is empty");
  std::error_code ec;
  fs::create_directories(fs::path(options.root) / "sha256", ec);
  if (!ec) fs::create_directories(fs::path(options.root) / "tmp", ec);
  if (ec) return absl::InternalError(StrCat("cannot create object store at ", options.root, ": ", ec.message()));
  // Uploads interrupted by a crash left temp files: they were never visible, drop them.
  for (const auto& entry : fs::directory_iterator(fs::path(options.root) / "tmp", ec)) {
    fs::remove(entry.path(), ec);
  }
  options.root = fs::absolute(options.root).lexically_normal().string();
  return std::unique_ptr<FileObjectStore>(new FileObjectStore(std::move(options)));
}

std::string FileObjectStore::PathFor(std::string_view sha256) const {
  return StrCat(options_.root, "/sha256/", sha256.substr(0, 2), "/", sha256);
}

absl::StatusOr<std::unique_ptr<ObjectWriter>> FileObjectStore::NewWriter() {
  std::string tmp = StrCat(options_.root, "/tmp/", RandomHex(12), ".part");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", tmp);
  return std::unique_ptr<ObjectWriter>(std::make_unique<FileObjectWriter>(this, tmp, fd, options_.fsync));
}

absl::StatusOr<ObjectInfo> FileObjectStore::Stat(std::string_view sha256) {
  PLINTH_RETURN_IF_ERROR(CheckDigest(sha256));
  struct stat st;
  std::string path = PathFor(sha256);
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(StrCat("object ", sha256, " not found"));
    return ErrnoStatus("stat", path);
  }
  return ObjectInfo{std::string(sha256), static_cast<int64_t>(st.st_size)};
}

absl::StatusOr<std::unique_ptr<ObjectReader>> FileObjectStore::Open(std::string_view sha256) {
  PLINTH_RETURN_IF_ERROR(CheckDigest(sha256));
  std::string path = PathFor(sha256);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(StrCat("object ", sha256, " not found"));
    return ErrnoStatus("open", path);
  }
  struct stat st;
  ::fstat(fd, &st);
  return std::unique_ptr<ObjectReader>(std::make_unique<FileObjectReader>(fd, st.st_size));
}

absl::Status FileObjectStore::Verify(std::string_view sha256) {
  PLINTH_ASSIGN_OR_RETURN(auto reader, Open(sha256));
  Sha256 hasher;
  std::string buf(1 << 16, '\0');
  for (;;) {
    PLINTH_ASSIGN_OR_RETURN(size_t n, reader->Read(buf.data(), buf.size()));
    if (n == 0) break;
    hasher.Update(std::string_view(buf.data(), n));
  }
  std::string actual = hasher.FinishHex();
  if (actual != sha256) {
    return absl::DataLossError(StrCat("object ", sha256, " is corrupt: stored bytes hash to ", actual));
  }
  return absl::OkStatus();
}

std::optional<std::string> FileObjectStore::LocalPath(std::string_view sha256) {
  if (!IsSha256Hex(sha256)) return std::nullopt;
  return PathFor(sha256);
}

absl::Status FileObjectStore::Delete(std::string_view sha256) {
  PLINTH_RETURN_IF_ERROR(CheckDigest(sha256));
  std::string path = PathFor(sha256);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ObjectEntry>> FileObjectStore::List() {
  std::vector<ObjectEntry> out;
  std::error_code ec;
  fs::path root = fs::path(options_.root) / "sha256";
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (!IsSha256Hex(name)) continue;  // not ours: never touch it
    struct stat st;
    if (::stat(it->path().c_str(), &st) != 0) continue;  // deleted meanwhile
    int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000;
    out.push_back({name, static_cast<int64_t>(st.st_size), mtime});
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", root.string(), ": ", ec.message()));
  return out;
}

}  // namespace plinth::storage
