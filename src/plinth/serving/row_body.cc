#include "plinth/serving/row_body.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace plinth::serving {

namespace {

// A cursor over the body; every method returns false where the text leaves the handled shape.
class RowBodyScanner {
 public:
  explicit RowBodyScanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

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
  bool String(std::string_view* out) {
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
  // A JSON number as the document would hold it, as a double; *integer tells whether it was
  // written as an integer (and then *as_int holds it when it fits int64).
  bool Number(double* out, bool* integer = nullptr, int64_t* as_int = nullptr) {
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

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  const char* p_;
  const char* end_;
};

bool ParseInstances(RowBodyScanner& s, RowBody* out) {
  if (!s.Consume('[')) return false;
  do {
    if (!s.Consume('{')) return false;
    if (!s.Peek('}')) {
      do {
        RowBody::Cell cell;
        if (!s.String(&cell.name) || !s.Consume(':')) return false;
        if (s.ConsumeNull()) {
          cell.value = std::numeric_limits<double>::quiet_NaN();
        } else if (!s.Number(&cell.value)) {
          return false;
        }
        out->cells.push_back(cell);
      } while (s.Consume(','));
    }
    if (!s.Consume('}')) return false;
    out->ends.push_back(out->cells.size());
  } while (s.Consume(','));
  return s.Consume(']');
}

}  // namespace

bool ParseRowBody(std::string_view text, RowBody* out) {
  *out = RowBody();
  RowBodyScanner s(text);
  if (!s.Consume('{')) return false;
  bool instances = false, tenant = false, version = false;
  if (s.Peek('}')) return false;  // no instances
  do {
    std::string_view key;
    if (!s.String(&key) || !s.Consume(':')) return false;
    if (key == "instances" && !instances) {
      instances = true;
      if (!ParseInstances(s, out)) return false;
    } else if (key == "tenant" && !tenant) {
      tenant = true;
      std::string_view v;
      if (s.ConsumeNull()) continue;
      if (!s.String(&v)) return false;
      out->tenant = std::string(v);
    } else if (key == "version" && !version) {
      version = true;
      if (s.ConsumeNull()) continue;
      double d = 0;
      bool integer = false;
      int64_t v = 0;
      if (!s.Number(&d, &integer, &v) || !integer) return false;
      out->version = v;
    } else {
      return false;
    }
  } while (s.Consume(','));
  return s.Consume('}') && s.AtEnd() && instances;
}

bool EncodeRowBody(const RowBody& body, const runtime::RowEncoder& encoder, FeatureMatrix* matrix) {
  const size_t n = static_cast<size_t>(encoder.num_features());
  std::vector<uint8_t> seen(n);
  size_t begin = 0;
  for (size_t r = 0; r < body.rows(); ++r) {
    std::fill(seen.begin(), seen.end(), 0);
    double* row = matrix->mutable_row(r);
    const size_t end = body.ends[r];
    if (end - begin != n) return false;
    for (size_t i = begin; i < end; ++i) {
      const int f = encoder.Find(body.cells[i].name, i - begin);
      if (f < 0 || seen[static_cast<size_t>(f)]) return false;
      seen[static_cast<size_t>(f)] = 1;
      row[f] = body.cells[i].value;
    }
    begin = end;
  }
  return true;
}

}  // namespace plinth::serving
