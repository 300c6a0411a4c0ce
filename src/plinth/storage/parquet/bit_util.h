// Bit-level helpers shared by the Parquet encodings: little-endian loads/stores, ULEB128 and
// zigzag varints, and LSB-first bit packing/unpacking specialized per bit width.
//
// Unpacking works on groups of 8 values (8 values of width W occupy exactly W bytes). Each width
// has its own instantiation with compile-time shifts; every value is one unaligned 64-bit load,
// a shift and a mask. Reads never pass the `avail` bytes the caller states: groups too close to
// the end are copied into a zero-padded stack buffer first.
//
// Thread-safety: stateless functions. Ownership: callers own all buffers.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace plinth::parquet::bit_util {

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

inline void Store64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

inline void AppendLE32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}

// Number of bits needed to represent `v` (0 for 0).
inline int BitsRequired(uint64_t v) { return v == 0 ? 0 : 64 - std::countl_zero(v); }

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

inline void AppendUleb128(std::string* out, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// Reads a ULEB128 value of at most `max_bits` bits (32 or 64) from [*p, end). Advances *p and
// returns true on success; returns false (leaving *p unchanged) when the input ends first or
// the value does not fit in max_bits.
inline bool ReadUleb128(const uint8_t** p, const uint8_t* end, int max_bits, uint64_t* out) {
  uint64_t v = 0;
  int shift = 0;
  const uint8_t* q = *p;
  while (q < end) {
    uint8_t b = *q++;
    uint64_t part = b & 0x7F;
    if (shift >= max_bits) return false;
    const int room = max_bits - shift;
    if (room < 7 && (part >> room) != 0) return false;
    v |= part << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *out = v;
      return true;
    }
    shift += 7;
  }
  return false;
}

namespace internal {

template <typename Out, int W, int J>
inline void UnpackOne(const uint8_t* p, Out* out) {
  constexpr int kBit = J * W;
  constexpr int kByte = kBit / 8;
  constexpr int kShift = kBit % 8;
  uint64_t w = Load64(p + kByte) >> kShift;
  if constexpr (kShift + W > 64) w |= Load64(p + kByte + 8) << (64 - kShift);
  if constexpr (W < 64) w &= (uint64_t{1} << W) - 1;
  out[J] = static_cast<Out>(w);
}

// Unpacks one group of 8 values; REQUIRES: W + 8 readable bytes at p.
template <typename Out, int W, int... J>
inline void UnpackGroup(const uint8_t* p, Out* out, std::integer_sequence<int, J...>) {
  (UnpackOne<Out, W, J>(p, out), ...);
}

template <typename Out, int W>
void UnpackGroupsW(const uint8_t* in, size_t avail, size_t groups, Out* out) {
  if constexpr (W == 0) {
    std::fill(out, out + groups * 8, Out{0});
  } else {
    constexpr auto kSeq = std::make_integer_sequence<int, 8>{};
    size_t g = 0;
    // Fast path: a whole group plus 8 bytes of slack lies inside the input.
    size_t fast = avail >= static_cast<size_t>(W) + 8 ? (avail - W - 8) / W + 1 : 0;
    fast = std::min(fast, groups);
    for (; g < fast; ++g) UnpackGroup<Out, W>(in + g * W, out + g * 8, kSeq);
    for (; g < groups; ++g) {
      uint8_t tmp[W + 16] = {};
      size_t start = g * W;
      size_t have = avail > start ? std::min<size_t>(W, avail - start) : 0;
      if (have > 0) std::memcpy(tmp, in + start, have);
      UnpackGroup<Out, W>(tmp, out + g * 8, kSeq);
    }
  }
}

template <typename Out, int... W>
constexpr auto MakeUnpackTable(std::integer_sequence<int, W...>) {
  using Fn = void (*)(const uint8_t*, size_t, size_t, Out*);
  return std::array<Fn, sizeof...(W)>{&UnpackGroupsW<Out, W>...};
}

}  // namespace internal

// Unpacks `groups` groups of 8 LSB-first values of `bit_width` bits from `in` into `out`
// (groups*8 values). Bytes at or past `avail` read as zero. REQUIRES: 0 <= bit_width <=
// 8*sizeof(Out) and bit_width <= 64.
template <typename Out>
inline void UnpackGroups(const uint8_t* in, size_t avail, int bit_width, size_t groups, Out* out) {
  static constexpr auto kTable =
      internal::MakeUnpackTable<Out>(std::make_integer_sequence<int, sizeof(Out) * 8 + 1>{});
  kTable[bit_width](in, avail, groups, out);
}

// Packs `n` values LSB-first with `bit_width` bits each (0..64), appending ceil(n*bit_width/8)
// bytes to *out. Higher bits of each value beyond bit_width are ignored.
template <typename In>
void PackBits(const In* in, size_t n, int bit_width, std::string* out) {
  if (bit_width == 0 || n == 0) return;
  const size_t bytes = (n * static_cast<size_t>(bit_width) + 7) / 8;
  const size_t old = out->size();
  out->resize(old + bytes);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + old;
  const uint64_t mask = bit_width >= 64 ? ~uint64_t{0} : (uint64_t{1} << bit_width) - 1;
  unsigned __int128 acc = 0;  // holds < 64 + bit_width bits
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= static_cast<unsigned __int128>(static_cast<uint64_t>(in[i]) & mask) << bits;
    bits += bit_width;
    if (bits >= 64) {
      Store64(dst, static_cast<uint64_t>(acc));
      dst += 8;
      acc >>= 64;
      bits -= 64;
    }
  }
  for (; bits > 0; bits -= 8) {
    *dst++ = static_cast<uint8_t>(acc);
    acc >>= 8;
  }
}

}  // namespace plinth::parquet::bit_util
