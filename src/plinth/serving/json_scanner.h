// JsonScanner: a cursor over a JSON request body for the DOM-free fast paths (row_body.h,
// oip_body.h). Each method consumes one token of the expected kind and returns false where the
// text is anything else; the caller then parses the body as a JSON document, so every answer
// and every error message stays the document path's. Values come out exactly as the document
// would give them.
// Thread-safety: a value type over text that must outlive it.
#pragma once

#include <cstdint>
#include <string_view>

namespace plinth::serving {

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool AtEnd() {
    SkipSpace();
    return p_ == end_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return p_ != end_ && *p_ == c;
  }
  bool ConsumeNull() {
    SkipSpace();
    if (end_ - p_ < 4 || std::string_view(p_, 4) != "null") return false;
    p_ += 4;
    return true;
  }
  // A string of printable ASCII without escapes.
  bool String(std::string_view* out);
  // A JSON number as the document would hold it, as a double; *integer tells whether the
  // document holds it as an integer that fits int64 (then *as_int holds it).
  bool Number(double* out, bool* integer = nullptr, int64_t* as_int = nullptr);

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  const char* p_;
  const char* end_;
};

}  // namespace plinth::serving
