// Base64 (RFC 4648): URL-safe without padding (section 5) for opaque page tokens, and the
// standard alphabet with padding (section 4) for binary values in JSON and CSV.
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plinth {

std::string Base64UrlEncode(std::string_view bytes);
// std::nullopt on any character outside the alphabet or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

std::string Base64Encode(std::string_view bytes);
// Standard base64, padded or not; std::nullopt on any other character or length.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace plinth
