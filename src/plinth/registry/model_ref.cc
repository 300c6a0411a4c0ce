#include "plinth/registry/model_ref.h"

#include "plinth/base/names.h"

namespace plinth::registry {

namespace {
// Versions are plain decimal digits: no sign, no spaces.
std::optional<int64_t> ParseVersionNumber(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return ParseInt64(s);
}
}  // namespace

std::string ModelRef::ToString() const {
  if (version) return StrCat(name, "/", *version);
  if (alias) return StrCat(name, "@", *alias);
  return name;
}

absl::Status ParseVersionSelector(std::string_view text, ModelRef& ref) {
  if (!text.empty() && text[0] == '@') text.remove_prefix(1);
  if (text.size() > 1 && text[0] == '-' && ParseVersionNumber(text.substr(1))) {
    return absl::InvalidArgumentError(StrCat("invalid version '", text, "': versions start at 1"));
  }
  if (auto parsed = ParseVersionNumber(text)) {
    int64_t v = *parsed;
    if (v < 1) return absl::InvalidArgumentError(StrCat("invalid version '", text, "': versions start at 1"));
    ref.version = v;
    return absl::OkStatus();
  }
  PLINTH_RETURN_IF_ERROR(ValidateName("alias", text));
  ref.alias = std::string(text);
  return absl::OkStatus();
}

absl::StatusOr<ModelRef> ParseModelRef(std::string_view text) {
  ModelRef ref;
  size_t slash = text.find('/');
  size_t at = text.find('@');
  if (slash != std::string_view::npos && at != std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("invalid model reference '", text, "': use NAME, NAME/VERSION or NAME@ALIAS"));
  }
  size_t sep = slash != std::string_view::npos ? slash : at;
  ref.name = std::string(text.substr(0, sep));
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", ref.name));
  if (sep == std::string_view::npos) return ref;
  std::string_view rest = text.substr(sep + 1);
  if (slash != std::string_view::npos) {
    auto parsed = ParseVersionNumber(rest);
    if (!parsed || *parsed < 1) {
      return absl::InvalidArgumentError(StrCat("invalid model reference '", text, "': the version after '/' must be a number >= 1"));
    }
    ref.version = *parsed;
  } else {
    PLINTH_RETURN_IF_ERROR(ValidateName("alias", rest));
    ref.alias = std::string(rest);
  }
  return ref;
}

}  // namespace plinth::registry
