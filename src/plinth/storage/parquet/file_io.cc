#include "plinth/storage/parquet/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "plinth/base/strings.h"

namespace plinth::parquet {
namespace {

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  int e = errno;
  std::string msg = StrCat(what, " ", path, ": ", std::strerror(e));
  if (e == ENOENT) return absl::NotFoundError(msg);
  if (e == EACCES || e == EPERM) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  ~LocalInputFile() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return path_; }
  absl::Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    if (offset > size_ || n > size_ - offset) {
      return absl::OutOfRangeError(StrCat(path_, ": read of ", n, " bytes at offset ", offset,
                                          " is past the end of the file (", size_, " bytes)"));
    }
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("read", path_);
      }
      if (r == 0) return absl::DataLossError(StrCat(path_, ": file shrank while reading"));
      done += static_cast<size_t>(r);
    }
    return absl::OkStatus();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

class MemoryInputFile final : public InputFile {
 public:
  MemoryInputFile(std::string bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}
  uint64_t size() const override { return bytes_.size(); }
  const std::string& name() const override { return name_; }
  absl::Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    if (offset > bytes_.size() || n > bytes_.size() - offset) {
      return absl::OutOfRangeError(StrCat(name_, ": read of ", n, " bytes at offset ", offset,
                                          " is past the end (", bytes_.size(), " bytes)"));
    }
    if (n) std::memcpy(out, bytes_.data() + offset, n);
    return absl::OkStatus();
  }

 private:
  std::string bytes_;
  std::string name_;
};

class LocalOutputFile final : public OutputFile {
 public:
  LocalOutputFile(int fd, std::string path, bool durable) : fd_(fd), path_(std::move(path)), durable_(durable) {
    buffer_.reserve(kBufferSize);
  }
  ~LocalOutputFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  absl::Status Write(std::string_view bytes) override {
    if (fd_ < 0) return absl::FailedPreconditionError(StrCat(path_, ": write after close"));
    position_ += bytes.size();
    if (buffer_.size() + bytes.size() < kBufferSize) {
      buffer_.append(bytes);
      return absl::OkStatus();
    }
    PLINTH_RETURN_IF_ERROR(Flush());
    if (bytes.size() >= kBufferSize) return WriteAll(bytes);
    buffer_.append(bytes);
    return absl::OkStatus();
  }
  uint64_t position() const override { return position_; }
  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    absl::Status st = Flush();
    if (st.ok() && durable_ && ::fsync(fd_) != 0) st = ErrnoError("fsync", path_);
    if (::close(fd_) != 0 && st.ok()) st = ErrnoError("close", path_);
    fd_ = -1;
    return st;
  }

 private:
  static constexpr size_t kBufferSize = 1 << 20;
  absl::Status Flush() {
    absl::Status st = WriteAll(buffer_);
    buffer_.clear();
    return st;
  }
  absl::Status WriteAll(std::string_view bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t r = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("write", path_);
      }
      done += static_cast<size_t>(r);
    }
    return absl::OkStatus();
  }
  int fd_;
  std::string path_;
  bool durable_;
  std::string buffer_;
  uint64_t position_ = 0;
};

class MemoryOutputFile final : public OutputFile {
 public:
  explicit MemoryOutputFile(std::string* sink) : sink_(sink) {}
  absl::Status Write(std::string_view bytes) override {
    bytes_.append(bytes);
    return absl::OkStatus();
  }
  uint64_t position() const override { return bytes_.size(); }
  absl::Status Close() override {
    *sink_ = std::move(bytes_);
    return absl::OkStatus();
  }

 private:
  std::string* sink_;
  std::string bytes_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<InputFile>> OpenLocalInputFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    absl::Status s = ErrnoError("stat", path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(StrCat(path, " is not a regular file"));
  }
  return std::unique_ptr<InputFile>(new LocalInputFile(fd, static_cast<uint64_t>(st.st_size), path));
}

std::unique_ptr<InputFile> NewMemoryInputFile(std::string bytes, std::string name) {
  return std::make_unique<MemoryInputFile>(std::move(bytes), std::move(name));
}

absl::StatusOr<std::unique_ptr<OutputFile>> OpenLocalOutputFile(const std::string& path, bool durable) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("create", path);
  return std::unique_ptr<OutputFile>(new LocalOutputFile(fd, path, durable));
}

std::unique_ptr<OutputFile> NewMemoryOutputFile(std::string* sink) {
  return std::make_unique<MemoryOutputFile>(sink);
}

}  // namespace plinth::parquet
