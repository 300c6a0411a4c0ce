// ModelRef: how users name a model or one of its versions.
//   "login-risk"            the model
//   "login-risk/7"          version 7
//   "login-risk@champion"   the version the alias points at ("@latest" is the newest version)
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plinth/base/status.h"

namespace plinth::registry {

struct ModelRef {
  std::string name;
  std::optional<int64_t> version;
  std::optional<std::string> alias;

  bool names_version() const { return version.has_value() || alias.has_value(); }
  std::string ToString() const;
};

// InvalidArgument with a message showing the accepted forms.
absl::StatusOr<ModelRef> ParseModelRef(std::string_view text);

// Parses a version selector: "7" or "@champion" / "champion" (alias).
absl::Status ParseVersionSelector(std::string_view text, ModelRef& ref);

inline constexpr std::string_view kLatestAlias = "latest";

}  // namespace plinth::registry
