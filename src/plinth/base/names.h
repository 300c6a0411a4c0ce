// Validation of user-chosen names (models, aliases, tags, tokens).
//
// Names match [a-z0-9][a-z0-9._-]{0,127} and are never "." or "..", so they are safe as
// path components, URL segments and SQL values. Thread-safety: stateless.
#pragma once

#include <string_view>

#include "plinth/base/status.h"

namespace plinth {

// InvalidArgument naming `kind` ("model name", "alias", ...) when `name` is not valid.
absl::Status ValidateName(std::string_view kind, std::string_view name);

// Keys of tags, params and metrics: 1..250 chars of [A-Za-z0-9_.:/-], no "..".
absl::Status ValidateKey(std::string_view kind, std::string_view key);

}  // namespace plinth
