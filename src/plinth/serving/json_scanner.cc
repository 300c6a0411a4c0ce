#include "plinth/serving/json_scanner.h"

#include <charconv>
#include <limits>

namespace plinth::serving {

bool JsonScanner::String(std::string_view* out) {
  if (!Consume('"')) return false;
  const char* start = p_;
  while (p_ != end_ && *p_ != '"') {
    const unsigned char c = static_cast<unsigned char>(*p_);
    if (c < 0x20 || c >= 0x80 || c == '\\') return false;
    ++p_;
  }
  if (p_ == end_) return false;
  *out = std::string_view(start, static_cast<size_t>(p_ - start));
  ++p_;
  return true;
}

bool JsonScanner::Number(double* out, bool* integer, int64_t* as_int) {
  SkipSpace();
  const char* start = p_;
  bool negative = false;
  if (p_ != end_ && *p_ == '-') {
    negative = true;
    ++p_;
  }
  if (p_ == end_) return false;
  if (*p_ == '0') {
    ++p_;
  } else if (*p_ >= '1' && *p_ <= '9') {
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  } else {
    return false;
  }
  bool is_int = true;
  if (p_ != end_ && *p_ == '.') {
    is_int = false;
    ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    is_int = false;
    ++p_;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  if (integer != nullptr) *integer = is_int;
  if (is_int) {
    // The document keeps integers as int64 (negative) or uint64 and converts them to double
    // on use; only those too large for both are parsed as doubles.
    if (negative) {
      int64_t v = 0;
      auto [q, ec] = std::from_chars(start, p_, v);
      if (ec == std::errc() && q == p_) {
        *out = static_cast<double>(v);
        if (as_int != nullptr) *as_int = v;
        return true;
      }
    } else {
      uint64_t v = 0;
      auto [q, ec] = std::from_chars(start, p_, v);
      if (ec == std::errc() && q == p_) {
        *out = static_cast<double>(v);
        if (integer != nullptr) *integer = v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
        if (as_int != nullptr) *as_int = static_cast<int64_t>(v);
        return true;
      }
    }
    if (integer != nullptr) *integer = false;
  }
  auto [q, ec] = std::from_chars(start, p_, *out);
  return ec == std::errc() && q == p_;  // out of range (1e400, 1e-400): the document path decides
}

}  // namespace plinth::serving
