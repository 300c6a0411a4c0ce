#include "plinth/base/names.h"


namespace plinth {

absl::Status ValidateName(std::string_view kind, std::string_view name) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("invalid ", kind, " '", name.substr(0, 200), "': ", why,
                                                   " (names match [a-z0-9][a-z0-9._-]{0,127})"));
  };
  if (name.empty()) return bad("empty");
  if (name.size() > 128) return bad("longer than 128 characters");
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name[0])) return bad("must start with a lowercase letter or digit");
  for (char c : name) {
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return bad("contains a character not allowed");
  }
  if (name.find("..") != std::string_view::npos) return bad("contains '..'");
  return absl::OkStatus();
}

absl::Status ValidateKey(std::string_view kind, std::string_view key) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("invalid ", kind, " '", key.substr(0, 200), "': ", why));
  };
  if (key.empty()) return bad("empty");
  if (key.size() > 250) return bad("longer than 250 characters");
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-' || c == ':' || c == '/';
    if (!ok) return bad("contains a character not allowed (use A-Z a-z 0-9 _ . - : /)");
  }
  if (key.find("..") != std::string_view::npos) return bad("contains '..'");
  return absl::OkStatus();
}

}  // namespace plinth
