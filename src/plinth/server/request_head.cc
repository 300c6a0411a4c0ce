#include "plinth/server/request_head.h"

#include <cstring>

#include "plinth/base/strings.h"

namespace plinth::server {

namespace {

constexpr std::string_view kCrlf = "\r\n";

// RFC 9110 tchar.
bool IsTokenChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// A field value byte other than a blank: VCHAR or obs-text.
bool IsValueChar(unsigned char c) { return (c > 0x20 && c < 0x7f) || c >= 0x80; }

// The "close" and "keep-alive" options of a Connection value; false when the value is not a
// plain list of tokens.
bool ConnectionOptions(std::string_view value, bool* close, bool* keep_alive) {
  size_t pos = 0;
  for (;;) {
    while (pos < value.size() && IsBlank(value[pos])) ++pos;
    size_t start = pos;
    while (pos < value.size() && IsTokenChar(static_cast<unsigned char>(value[pos]))) ++pos;
    if (pos == start) return false;  // an empty element or a non-token byte
    std::string_view token = value.substr(start, pos - start);
    if (EqualsIgnoreCase(token, "close")) *close = true;
    if (EqualsIgnoreCase(token, "keep-alive")) *keep_alive = true;
    while (pos < value.size() && IsBlank(value[pos])) ++pos;
    if (pos == value.size()) return true;
    if (value[pos] != ',') return false;
    ++pos;
  }
}

bool ParseContentLength(std::string_view value, uint64_t* out) {
  if (value.empty() || value.size() > 18) return false;  // 18 digits cannot overflow
  uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = n;
  return true;
}

}  // namespace

HeadParse ParseRequestHead(std::string_view in, RequestHead* head) {
  const size_t blank_line = in.find("\r\n\r\n");
  if (blank_line == std::string_view::npos) {
    // A bare LF means the head may never end in CRLF CRLF: the full parser decides.
    for (size_t i = 0; (i = in.find('\n', i)) != std::string_view::npos; ++i) {
      if (i == 0 || in[i - 1] != '\r') return HeadParse::kUnusual;
    }
    return HeadParse::kIncomplete;
  }
  const std::string_view text = in.substr(0, blank_line + 2);  // every line with its CRLF
  head->fields.clear();
  head->head_bytes = blank_line + 4;
  head->content_length = 0;

  // Request line: method SP target SP HTTP-version CRLF.
  size_t pos = 0;
  while (pos < text.size() && IsTokenChar(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos == 0 || pos >= text.size() || text[pos] != ' ') return HeadParse::kUnusual;
  head->method = text.substr(0, pos);
  const size_t target_start = ++pos;
  while (pos < text.size() && text[pos] > 0x20 && text[pos] < 0x7f) ++pos;
  if (pos == target_start || pos >= text.size() || text[pos] != ' ') return HeadParse::kUnusual;
  head->target = text.substr(target_start, pos - target_start);
  ++pos;
  const std::string_view rest = text.substr(pos);
  if (rest.substr(0, 10) == "HTTP/1.1\r\n") {
    head->version = 11;
  } else if (rest.substr(0, 10) == "HTTP/1.0\r\n") {
    head->version = 10;
  } else {
    return HeadParse::kUnusual;
  }
  pos += 10;

  bool close = false, keep_alive = false, seen_connection = false, seen_length = false;
  while (pos < text.size()) {
    const size_t eol = text.find(kCrlf, pos);  // found: text ends with CRLF
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 2;
    size_t i = 0;
    while (i < line.size() && IsTokenChar(static_cast<unsigned char>(line[i]))) ++i;
    if (i == 0 || i >= line.size() || line[i] != ':') return HeadParse::kUnusual;  // also obs-fold
    const std::string_view name = line.substr(0, i);
    ++i;
    while (i < line.size() && IsBlank(line[i])) ++i;
    size_t end = i;
    for (size_t j = i; j < line.size(); ++j) {
      const auto c = static_cast<unsigned char>(line[j]);
      if (IsValueChar(c)) {
        end = j + 1;
      } else if (!IsBlank(static_cast<char>(c))) {
        return HeadParse::kUnusual;  // a control byte, e.g. a lone CR or LF
      }
    }
    const std::string_view value = line.substr(i, end - i);
    if (EqualsIgnoreCase(name, "content-length")) {
      if (seen_length || !ParseContentLength(value, &head->content_length)) return HeadParse::kUnusual;
      seen_length = true;
    } else if (EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "expect")) {
      return HeadParse::kUnusual;
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (seen_connection || !ConnectionOptions(value, &close, &keep_alive)) return HeadParse::kUnusual;
      seen_connection = true;
    }
    head->fields.emplace_back(name, value);
  }
  head->keep_alive = head->version == 11 ? !close : keep_alive;
  return HeadParse::kComplete;
}

}  // namespace plinth::server
