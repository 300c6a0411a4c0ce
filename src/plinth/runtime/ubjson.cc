#include "plinth/runtime/ubjson.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace plinth::runtime {
namespace {

// Bytes one element of a typed container takes, or 0 for types with a length prefix.
size_t FixedSize(char type) {
  switch (type) {
    case 'i': case 'U': case 'C': return 1;
    case 'I': return 2;
    case 'l': case 'd': return 4;
    case 'L': case 'D': return 8;
    default: return 0;
  }
}

bool IsScalarType(char type) { return FixedSize(type) != 0 || type == 'S' || type == 'H'; }

class Reader {
 public:
  explicit Reader(std::string_view bytes) : data_(bytes) {}

  absl::StatusOr<Json> Document() {
    Json out;
    PLINTH_ASSIGN_OR_RETURN(char marker, NextValueMarker());
    PLINTH_RETURN_IF_ERROR(Value(marker, 0, &out));
    if (pos_ != data_.size()) return Error("trailing bytes after the document", pos_);
    return out;
  }

 private:
  absl::Status Error(std::string_view what, size_t at) const {
    return absl::InvalidArgumentError(StrCat("malformed UBJSON: ", what, " at byte offset ", at));
  }
  size_t Left() const { return data_.size() - pos_; }

  absl::StatusOr<char> Byte() {
    if (pos_ >= data_.size()) return Error("unexpected end of data", pos_);
    return data_[pos_++];
  }

  // The next marker, skipping no-ops.
  absl::StatusOr<char> NextValueMarker() {
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(char m, Byte());
      if (m != 'N') return m;
    }
  }

  template <typename U>
  U Raw() {  // REQUIRES: Left() >= sizeof(U)
    U v;
    std::memcpy(&v, data_.data() + pos_, sizeof(U));
    pos_ += sizeof(U);
    if constexpr (std::endian::native == std::endian::little) {
      if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
      if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
      if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
    }
    return v;
  }

  // One fixed-size number of `type`, bounds already checked.
  Json FixedNumber(char type) {
    switch (type) {
      case 'i': return Json(static_cast<int64_t>(static_cast<int8_t>(Raw<uint8_t>())));
      case 'U': return Json(static_cast<int64_t>(Raw<uint8_t>()));
      case 'I': return Json(static_cast<int64_t>(static_cast<int16_t>(Raw<uint16_t>())));
      case 'l': return Json(static_cast<int64_t>(static_cast<int32_t>(Raw<uint32_t>())));
      case 'L': return Json(static_cast<int64_t>(Raw<uint64_t>()));
      case 'd': return Json(static_cast<double>(std::bit_cast<float>(Raw<uint32_t>())));
      case 'D': return Json(std::bit_cast<double>(Raw<uint64_t>()));
      default: return Json(std::string(1, static_cast<char>(Raw<uint8_t>())));  // 'C'
    }
  }

  // A length: an integer of any integer type, not negative.
  absl::StatusOr<int64_t> Length() {
    const size_t at = pos_;
    PLINTH_ASSIGN_OR_RETURN(char type, Byte());
    size_t size = FixedSize(type);
    if (size == 0 || type == 'd' || type == 'D' || type == 'C') {
      return Error(StrCat("expected an integer length, found marker 0x", Hex(type)), at);
    }
    if (Left() < size) return Error("unexpected end of data in a length", pos_);
    int64_t n = FixedNumber(type).get<int64_t>();
    if (n < 0) return Error(StrCat("negative length ", n), at);
    return n;
  }

  absl::StatusOr<std::string> StringBody() {
    PLINTH_ASSIGN_OR_RETURN(int64_t n, Length());
    if (static_cast<uint64_t>(n) > Left()) {
      return Error(StrCat("string of ", n, " bytes with ", Left(), " bytes left"), pos_);
    }
    std::string s(data_.substr(pos_, static_cast<size_t>(n)));
    pos_ += static_cast<size_t>(n);
    return s;
  }

  // A scalar whose marker (`type`) was read already.
  absl::Status Scalar(char type, Json* out) {
    if (type == 'S' || type == 'H') {  // high-precision numbers stay decimal strings
      PLINTH_ASSIGN_OR_RETURN(std::string s, StringBody());
      *out = std::move(s);
      return absl::OkStatus();
    }
    size_t size = FixedSize(type);
    if (Left() < size) return Error("unexpected end of data in a number", pos_);
    *out = FixedNumber(type);
    return absl::OkStatus();
  }

  absl::Status Value(char marker, int depth, Json* out) {
    switch (marker) {
      case 'Z': *out = nullptr; return absl::OkStatus();
      case 'T': *out = true; return absl::OkStatus();
      case 'F': *out = false; return absl::OkStatus();
      case '[': case '{':
        if (depth + 1 > kMaxJsonDepth) {
          return Error(StrCat("nested deeper than ", kMaxJsonDepth, " levels"), pos_ - 1);
        }
        return marker == '[' ? Array(depth + 1, out) : Object(depth + 1, out);
      default:
        if (!IsScalarType(marker)) return Error(StrCat("unknown marker 0x", Hex(marker)), pos_ - 1);
        return Scalar(marker, out);
    }
  }

  // Optional "$type" and "#count" after '[' or '{'. type 0 = untyped, count -1 = uncounted.
  absl::Status ContainerHeader(char* type, int64_t* count) {
    *type = 0;
    *count = -1;
    if (pos_ < data_.size() && data_[pos_] == '$') {
      ++pos_;
      const size_t at = pos_;
      PLINTH_ASSIGN_OR_RETURN(*type, Byte());
      if (!IsScalarType(*type) && *type != '[' && *type != '{') {
        return Error(StrCat("typed container of marker 0x", Hex(*type), " is not supported"), at);
      }
      if (pos_ >= data_.size() || data_[pos_] != '#') return Error("typed container without a count", pos_);
    }
    if (pos_ < data_.size() && data_[pos_] == '#') {
      ++pos_;
      PLINTH_ASSIGN_OR_RETURN(*count, Length());
      // Every element takes at least one byte (fixed-size types: exactly their size).
      uint64_t min_bytes = static_cast<uint64_t>(*count) * std::max<size_t>(1, FixedSize(*type));
      if (static_cast<uint64_t>(*count) > Left() || min_bytes > Left()) {
        return Error(StrCat("container of ", *count, " elements with ", Left(), " bytes left"), pos_);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Array(int depth, Json* out) {
    char type;
    int64_t count;
    PLINTH_RETURN_IF_ERROR(ContainerHeader(&type, &count));
    Json::array_t items;
    if (count >= 0) items.reserve(static_cast<size_t>(count));
    if (type != 0 && FixedSize(type) != 0) {  // typed numbers: one tight loop, bounds checked above
      for (int64_t i = 0; i < count; ++i) items.push_back(FixedNumber(type));
    } else if (count >= 0) {
      for (int64_t i = 0; i < count; ++i) {
        Json v;
        if (type != 0) {
          PLINTH_RETURN_IF_ERROR(Value(type, depth, &v));  // the marker is implied
        } else {
          PLINTH_ASSIGN_OR_RETURN(char m, Byte());
          PLINTH_RETURN_IF_ERROR(Value(m, depth, &v));
        }
        items.push_back(std::move(v));
      }
    } else {
      while (true) {
        PLINTH_ASSIGN_OR_RETURN(char m, NextValueMarker());
        if (m == ']') break;
        Json v;
        PLINTH_RETURN_IF_ERROR(Value(m, depth, &v));
        items.push_back(std::move(v));
      }
    }
    *out = Json(std::move(items));
    return absl::OkStatus();
  }

  absl::Status Object(int depth, Json* out) {
    char type;
    int64_t count;
    PLINTH_RETURN_IF_ERROR(ContainerHeader(&type, &count));
    *out = Json::object();
    for (int64_t i = 0; count < 0 || i < count; ++i) {
      if (count < 0) {
        while (pos_ < data_.size() && data_[pos_] == 'N') ++pos_;
        if (pos_ < data_.size() && data_[pos_] == '}') {
          ++pos_;
          break;
        }
      }
      PLINTH_ASSIGN_OR_RETURN(std::string key, StringBody());
      Json v;
      if (type != 0) {
        PLINTH_RETURN_IF_ERROR(Value(type, depth, &v));  // the marker is implied
      } else {
        PLINTH_ASSIGN_OR_RETURN(char m, NextValueMarker());
        PLINTH_RETURN_IF_ERROR(Value(m, depth, &v));
      }
      (*out)[std::move(key)] = std::move(v);
    }
    return absl::OkStatus();
  }

  static std::string Hex(char c) {
    static constexpr char kDigits[] = "0123456789abcdef";
    auto u = static_cast<unsigned char>(c);
    return {kDigits[u >> 4], kDigits[u & 15]};
  }

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<Json> ParseUbjson(std::string_view bytes) { return Reader(bytes).Document(); }

}  // namespace plinth::runtime
