#include "plinth/runtime/model_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace plinth::runtime {
namespace {

class OwnedBytes final : public ModelBytes {
 public:
  explicit OwnedBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view data() const override { return bytes_; }

 private:
  std::string bytes_;  // heap storage from operator new: 16-byte aligned
};

class MappedBytes final : public ModelBytes {
 public:
  MappedBytes(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~MappedBytes() override { munmap(addr_, size_); }
  std::string_view data() const override { return {static_cast<const char*>(addr_), size_}; }

 private:
  void* addr_;
  size_t size_;
};

}  // namespace

std::unique_ptr<ModelBytes> ModelBytes::Own(std::string bytes) {
  // Compiled models are longer than any inline string, so the bytes are heap-allocated and
  // aligned; OpenForest checks the alignment anyway.
  return std::make_unique<OwnedBytes>(std::move(bytes));
}

absl::StatusOr<std::unique_ptr<ModelBytes>> ModelBytes::Map(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return absl::NotFoundError(StrCat("model file ", path, " does not exist"));
    return absl::InternalError(StrCat("cannot open ", path, ": ", std::strerror(err)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return absl::InternalError(StrCat("cannot stat ", path, ": ", std::strerror(err)));
  }
  if (st.st_size == 0) {
    close(fd);
    return absl::DataLossError(StrCat("model file ", path, " is empty"));
  }
  void* addr = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (addr == MAP_FAILED) return absl::InternalError(StrCat("cannot map ", path, ": ", std::strerror(err)));
  return std::unique_ptr<ModelBytes>(new MappedBytes(addr, static_cast<size_t>(st.st_size)));
}

}  // namespace plinth::runtime
