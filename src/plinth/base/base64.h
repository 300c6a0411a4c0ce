// URL-safe base64 without padding (RFC 4648 section 5), used for opaque page tokens.
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plinth {

std::string Base64UrlEncode(std::string_view bytes);
// std::nullopt on any character outside the alphabet or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace plinth
