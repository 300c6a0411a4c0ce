// String helpers over std::string_view.
//
// Debian's Abseil is built with its own absl::string_view (not std::string_view), so its
// string utilities do not accept std::string_view; Plinth uses these instead and keeps
// Abseil for Status/StatusOr. Thread-safety: stateless.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"

namespace plinth {

namespace strings_internal {
inline void Append(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }
inline void Append(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
inline void Append(std::string& out, const char* s) { out.append(s); }
inline void Append(std::string& out, const std::string& s) { out.append(s); }
inline void Append(std::string& out, char c) { out.push_back(c); }
inline void Append(std::string& out, bool b) { out.append(b ? "true" : "false"); }
template <typename T>
  requires std::is_integral_v<T> && (!std::is_same_v<T, char>) && (!std::is_same_v<T, bool>)
void Append(std::string& out, T v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}
void AppendDouble(std::string& out, double v);
inline void Append(std::string& out, double v) { AppendDouble(out, v); }
void AppendFloat(std::string& out, float v);
inline void Append(std::string& out, float v) { AppendFloat(out, v); }
}  // namespace strings_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (strings_internal::Append(out, args), ...);
  return out;
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::Append(*out, args), ...);
}

template <typename Container>
std::string StrJoin(const Container& parts, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    if (!first) out.append(sep);
    first = false;
    strings_internal::Append(out, p);
  }
  return out;
}

// Splits on `sep`; empty pieces are kept unless `skip_empty`.
std::vector<std::string_view> StrSplit(std::string_view s, char sep, bool skip_empty = false);
std::string_view StripWhitespace(std::string_view s);
// ASCII letters only; other bytes are left as they are.
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);
bool StartsWith(std::string_view s, std::string_view prefix);

// Whole-string numeric parsing; std::nullopt on anything else (including overflow).
std::optional<int64_t> ParseInt64(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

}  // namespace plinth
