// ModelBytes: the storage under a compiled model — an owned buffer or a read-only file mapping.
// Mapped files are shared with the page cache, so thousands of per-customer models cost only
// the pages they touch, and a cold load does no parsing or copying.
// Thread-safety: immutable.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "plinth/base/status.h"

namespace plinth::runtime {

class ModelBytes {
 public:
  virtual ~ModelBytes() = default;
  virtual std::string_view data() const = 0;  // 8-byte aligned

  static std::unique_ptr<ModelBytes> Own(std::string bytes);
  // NotFound / Internal naming the path on failure.
  static absl::StatusOr<std::unique_ptr<ModelBytes>> Map(const std::string& path);
};

}  // namespace plinth::runtime
