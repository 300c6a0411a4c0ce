#include "plinth/storage/parquet/value_conversion.h"

#include <cmath>
#include <cstring>

#include "plinth/base/strings.h"

namespace plinth::parquet {

using columnar::Column;
using columnar::int128;

size_t PhysicalWidth(const LeafColumn& leaf) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean: return 0;
    case PhysicalType::kInt32: return 4;
    case PhysicalType::kInt64: return 8;
    case PhysicalType::kInt96: return 12;
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kByteArray: return 0;
    case PhysicalType::kFixedLenByteArray: return static_cast<size_t>(leaf.type_length);
  }
  return 0;
}

bool IsIdentityFixed(const LeafColumn& leaf) {
  return leaf.conversion == Conversion::kNone &&
         (leaf.physical == PhysicalType::kInt32 || leaf.physical == PhysicalType::kInt64 ||
          leaf.physical == PhysicalType::kFloat || leaf.physical == PhysicalType::kDouble);
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31) v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

absl::StatusOr<int128> DecodeBigEndianDecimal(std::string_view b) {
  if (b.empty() || b.size() > 16) {
    return absl::InvalidArgumentError(StrCat("decimal value of ", b.size(), " bytes (want 1..16)"));
  }
  unsigned __int128 u = (static_cast<uint8_t>(b[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (char c : b) u = (u << 8) | static_cast<uint8_t>(c);
  return static_cast<int128>(u);
}

namespace {

template <typename T>
T* Grow(Column* out, int64_t n) {
  int64_t len = out->length();
  out->values().Resize((len + n) * sizeof(T));
  return out->mutable_data<T>() + len;
}

void Finish(Column* out, int64_t n) {
  if (out->has_nulls()) out->validity().insert(out->validity().end(), static_cast<size_t>(n), 1);
  out->SetLength(out->length() + n);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

absl::Status AppendConvertedFixed(const LeafColumn& leaf, const uint8_t* phys, int64_t n, Column* out) {
  switch (leaf.conversion) {
    case Conversion::kNone: {
      size_t w = PhysicalWidth(leaf);
      if (leaf.physical == PhysicalType::kBoolean) w = 1;  // caller passes unpacked 0/1 bytes
      if (w == 0 || w != columnar::StorageWidth(out->storage())) {
        return absl::InternalError(StrCat("column '", leaf.dotted_path, "': unexpected fixed conversion"));
      }
      out->values().Resize((out->length() + n) * w);
      uint8_t* dst = out->values().data() + out->length() * w;
      if (n) std::memcpy(dst, phys, n * w);
      break;
    }
    case Conversion::kUInt32ToInt64: {
      int64_t* dst = Grow<int64_t>(out, n);
      for (int64_t i = 0; i < n; ++i) {
        uint32_t v;
        std::memcpy(&v, phys + 4 * i, 4);
        dst[i] = v;
      }
      break;
    }
    case Conversion::kMillisToMicros: {
      int64_t* dst = Grow<int64_t>(out, n);
      if (leaf.physical == PhysicalType::kInt32) {
        for (int64_t i = 0; i < n; ++i) {
          int32_t v;
          std::memcpy(&v, phys + 4 * i, 4);
          dst[i] = int64_t{v} * 1000;
        }
      } else {
        for (int64_t i = 0; i < n; ++i) {
          int64_t v;
          std::memcpy(&v, phys + 8 * i, 8);
          dst[i] = static_cast<int64_t>(static_cast<uint64_t>(v) * 1000);
        }
      }
      break;
    }
    case Conversion::kNanosToMicros: {
      int64_t* dst = Grow<int64_t>(out, n);
      for (int64_t i = 0; i < n; ++i) {
        int64_t v;
        std::memcpy(&v, phys + 8 * i, 8);
        dst[i] = FloorDiv(v, 1000);
      }
      break;
    }
    case Conversion::kInt96ToMicros: {
      int64_t* dst = Grow<int64_t>(out, n);
      constexpr int64_t kJulianEpochDay = 2440588;
      for (int64_t i = 0; i < n; ++i) {
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, phys + 12 * i, 8);
        std::memcpy(&julian, phys + 12 * i + 8, 4);
        dst[i] = static_cast<int64_t>(static_cast<uint64_t>(int64_t{julian} - kJulianEpochDay) * 86400000000ULL +
                                      static_cast<uint64_t>(FloorDiv(nanos, 1000)));
      }
      break;
    }
    case Conversion::kInt32ToDecimal: {
      int128* dst = Grow<int128>(out, n);
      for (int64_t i = 0; i < n; ++i) {
        int32_t v;
        std::memcpy(&v, phys + 4 * i, 4);
        dst[i] = v;
      }
      break;
    }
    case Conversion::kInt64ToDecimal: {
      int128* dst = Grow<int128>(out, n);
      for (int64_t i = 0; i < n; ++i) {
        int64_t v;
        std::memcpy(&v, phys + 8 * i, 8);
        dst[i] = v;
      }
      break;
    }
    case Conversion::kBytesToDecimal: {
      size_t w = PhysicalWidth(leaf);
      if (leaf.physical != PhysicalType::kFixedLenByteArray || w == 0 || w > 16) {
        return absl::InternalError(StrCat("column '", leaf.dotted_path, "': bad decimal width"));
      }
      int128* dst = Grow<int128>(out, n);
      for (int64_t i = 0; i < n; ++i) {
        PLINTH_ASSIGN_OR_RETURN(dst[i], DecodeBigEndianDecimal(std::string_view(
                                            reinterpret_cast<const char*>(phys + w * i), w)));
      }
      break;
    }
    case Conversion::kHalfToFloat: {
      float* dst = Grow<float>(out, n);
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, phys + 2 * i, 2);
        dst[i] = HalfToFloat(h);
      }
      break;
    }
    case Conversion::kFixedToBytes: {
      size_t w = PhysicalWidth(leaf);
      auto& offsets = out->offsets();
      auto& data = out->bytes();
      int64_t base = static_cast<int64_t>(data.size());
      data.append(reinterpret_cast<const char*>(phys), n * w);
      offsets.reserve(offsets.size() + n);
      for (int64_t i = 1; i <= n; ++i) offsets.push_back(base + i * static_cast<int64_t>(w));
      break;
    }
  }
  Finish(out, n);
  return absl::OkStatus();
}

absl::Status AppendConvertedByteArrays(const LeafColumn& leaf, const Column& raw, Column* out) {
  int64_t n = raw.length();
  int128* dst = Grow<int128>(out, n);
  for (int64_t i = 0; i < n; ++i) {
    auto v = DecodeBigEndianDecimal(raw.GetBytes(i));
    if (!v.ok()) {
      return absl::InvalidArgumentError(StrCat("column '", leaf.dotted_path, "': ", v.status().message()));
    }
    dst[i] = *v;
  }
  Finish(out, n);
  return absl::OkStatus();
}

}  // namespace plinth::parquet
