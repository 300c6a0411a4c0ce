// Whole-file reads for small files (model files, JSON arguments, request bodies from disk).
// Thread-safety: stateless.
#pragma once

#include <string>

#include "plinth/base/status.h"

namespace plinth {

// The bytes of `path`; NotFound naming the path when it cannot be opened, Internal on a read error.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace plinth
