#include "plinth/storage/parquet/delta_byte_array.h"

#include <algorithm>
#include <cstring>

#include "plinth/base/status.h"
#include "plinth/storage/parquet/delta_binary_packed.h"

namespace plinth::parquet {
namespace {

constexpr int kChunk = 512;

// Restores a ByteArrayOut to its sizes on entry unless released.
class Rollback {
 public:
  explicit Rollback(ByteArrayOut out)
      : out_(out), offsets_(out.offsets->size()), data_(out.data->size()) {}
  ~Rollback() {
    if (active_) {
      out_.offsets->resize(offsets_);
      out_.data->resize(data_);
    }
  }
  void Release() { active_ = false; }

 private:
  ByteArrayOut out_;
  size_t offsets_, data_;
  bool active_ = true;
};

absl::StatusOr<int> DecodeChunk(DeltaBinaryPackedDecoder<int32_t>& dec, int32_t* out, int k,
                                const char* what) {
  PLINTH_ASSIGN_OR_RETURN(int got, dec.GetBatch(out, k));
  if (got != k) return absl::DataLossError(StrCat(what, ": fewer encoded lengths than values"));
  return got;
}

absl::Status InitLengths(DeltaBinaryPackedDecoder<int32_t>& dec, const uint8_t* data, size_t len,
                         int n, const char* what) {
  absl::Status st = dec.Init(data, len);
  if (!st.ok()) return absl::DataLossError(StrCat(what, ": ", st.message()));
  if (dec.total_values() < n) {
    return absl::DataLossError(
        StrCat(what, ": stream holds ", dec.total_values(), " lengths, ", n, " values needed"));
  }
  return absl::OkStatus();
}

// Picks where the bytes after a DBP stream start, given that `payload` bytes must follow it:
// the spec's end, or the end that also counts unused miniblock bodies when only that one fits
// exactly.
absl::StatusOr<size_t> PayloadStart(DeltaBinaryPackedDecoder<int32_t>& dec, size_t len,
                                    uint64_t payload, const char* what) {
  absl::StatusOr<size_t> spec = dec.BytesConsumed();
  absl::StatusOr<size_t> alt = dec.BytesConsumedWithUnusedMiniblocks();
  auto fits = [&](const absl::StatusOr<size_t>& e) {
    return e.ok() && *e <= len && payload <= len - *e;
  };
  auto exact = [&](const absl::StatusOr<size_t>& e) { return fits(e) && *e + payload == len; };
  if (exact(spec)) return *spec;
  if (exact(alt)) return *alt;
  if (fits(spec)) return *spec;
  if (fits(alt)) return *alt;
  if (!spec.ok()) return absl::DataLossError(StrCat(what, ": ", spec.status().message()));
  return absl::DataLossError(StrCat(what, ": lengths add up to ", payload, " bytes, only ",
                                    len - std::min(len, *spec), " left"));
}

// Decodes n DELTA_LENGTH_BYTE_ARRAY values without rollback (the callers own it).
absl::StatusOr<size_t> DecodeDlba(const uint8_t* data, size_t len, int n, ByteArrayOut out,
                                  const char* what) {
  DeltaBinaryPackedDecoder<int32_t> dec;
  PLINTH_RETURN_IF_ERROR(InitLengths(dec, data, len, n, what));
  int32_t lens[kChunk];
  uint64_t total = 0;
  const int64_t base = static_cast<int64_t>(out.data->size());
  out.offsets->reserve(out.offsets->size() + std::min<size_t>(n, len + 1));
  for (int done = 0; done < n;) {
    PLINTH_ASSIGN_OR_RETURN(int k, DecodeChunk(dec, lens, std::min(kChunk, n - done), what));
    for (int i = 0; i < k; ++i) {
      if (lens[i] < 0) return absl::DataLossError(StrCat(what, ": negative length ", lens[i]));
      total += static_cast<uint32_t>(lens[i]);
      out.offsets->push_back(base + static_cast<int64_t>(total));
    }
    done += k;
    if (total > len) break;  // cannot fit; reported below
  }
  PLINTH_ASSIGN_OR_RETURN(size_t start, PayloadStart(dec, len, total, what));
  out.data->append(reinterpret_cast<const char*>(data + start), total);
  return start + total;
}

// DELTA_BYTE_ARRAY with the prefix-length stream ending at `suffix_start`.
absl::StatusOr<size_t> DecodeDbaAt(const uint8_t* data, size_t len, int n, ByteArrayOut out,
                                   size_t suffix_start, size_t max_output_bytes) {
  constexpr const char* kWhat = "DELTA_BYTE_ARRAY";
  const uint8_t* sdata = data + suffix_start;
  const size_t slen = len - suffix_start;
  DeltaBinaryPackedDecoder<int32_t> prefixes, suffixes;
  int32_t pre[kChunk], suf[kChunk];

  // Pass 1: validate lengths and size the output.
  PLINTH_RETURN_IF_ERROR(InitLengths(prefixes, data, len, n, kWhat));
  PLINTH_RETURN_IF_ERROR(InitLengths(suffixes, sdata, slen, n, kWhat));
  uint64_t total_out = 0, total_suffix = 0, prev_len = 0;
  for (int done = 0; done < n;) {
    const int want = std::min(kChunk, n - done);
    PLINTH_ASSIGN_OR_RETURN(int k, DecodeChunk(prefixes, pre, want, kWhat));
    PLINTH_RETURN_IF_ERROR(DecodeChunk(suffixes, suf, k, kWhat).status());
    for (int i = 0; i < k; ++i) {
      if (pre[i] < 0 || static_cast<uint64_t>(pre[i]) > prev_len) {
        return absl::DataLossError(StrCat(kWhat, ": value ", done + i, " has prefix length ",
                                          pre[i], " but the previous value has ", prev_len,
                                          " bytes"));
      }
      if (suf[i] < 0)
        return absl::DataLossError(StrCat(kWhat, ": negative suffix length ", suf[i]));
      prev_len = static_cast<uint64_t>(pre[i]) + static_cast<uint32_t>(suf[i]);
      total_out += prev_len;
      total_suffix += static_cast<uint32_t>(suf[i]);
    }
    if (total_suffix > slen)
      return absl::DataLossError(StrCat(kWhat, ": suffix lengths exceed the page"));
    if (total_out > max_output_bytes) {
      return absl::ResourceExhaustedError(
          StrCat(kWhat, ": values expand to more than ", max_output_bytes, " bytes"));
    }
    done += k;
  }
  PLINTH_ASSIGN_OR_RETURN(size_t data_start, PayloadStart(suffixes, slen, total_suffix, kWhat));

  // Pass 2: build the values straight into the output buffer.
  PLINTH_RETURN_IF_ERROR(prefixes.Init(data, len));
  PLINTH_RETURN_IF_ERROR(suffixes.Init(sdata, slen));
  const size_t base = out.data->size();
  out.data->resize(base + total_out);
  char* buf = out.data->data();
  const uint8_t* src = sdata + data_start;
  size_t w = base, prev_start = base;
  out.offsets->reserve(out.offsets->size() + n);
  for (int done = 0; done < n;) {
    const int want = std::min(kChunk, n - done);
    PLINTH_ASSIGN_OR_RETURN(int k, DecodeChunk(prefixes, pre, want, kWhat));
    PLINTH_RETURN_IF_ERROR(DecodeChunk(suffixes, suf, k, kWhat).status());
    for (int i = 0; i < k; ++i) {
      const size_t p = static_cast<size_t>(pre[i]), s = static_cast<size_t>(suf[i]);
      if (p > 0) std::memcpy(buf + w, buf + prev_start, p);  // previous value ends at w: no overlap
      if (s > 0) std::memcpy(buf + w + p, src, s);
      src += s;
      prev_start = w;
      w += p + s;
      out.offsets->push_back(static_cast<int64_t>(w));
    }
    done += k;
  }
  return suffix_start + data_start + total_suffix;
}

template <typename Get>
void EncodeDlbaImpl(size_t n, Get get, std::string* out) {
  DeltaBinaryPackedEncoder<int32_t> lengths;
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t l = static_cast<int32_t>(get(i).size());
    lengths.Put(l);
    total += get(i).size();
  }
  out->append(lengths.Finish());
  out->reserve(out->size() + total);
  for (size_t i = 0; i < n; ++i) out->append(get(i));
}

template <typename Get>
void EncodeDbaImpl(size_t n, Get get, std::string* out) {
  DeltaBinaryPackedEncoder<int32_t> prefixes;
  std::vector<std::string_view> suffixes;
  suffixes.reserve(n);
  std::string_view prev;
  for (size_t i = 0; i < n; ++i) {
    std::string_view v = get(i);
    const size_t max = std::min(prev.size(), v.size());
    size_t p = static_cast<size_t>(std::mismatch(v.begin(), v.begin() + max, prev.begin()).first -
                                   v.begin());
    prefixes.Put(static_cast<int32_t>(p));
    suffixes.push_back(v.substr(p));
    prev = v;
  }
  out->append(prefixes.Finish());
  EncodeDlbaImpl(
      n, [&](size_t i) { return suffixes[i]; }, out);
}

}  // namespace

absl::StatusOr<size_t> DecodeDeltaLengthByteArray(const uint8_t* data, size_t len, int n,
                                                  ByteArrayOut out) {
  if (n < 0)
    return absl::InvalidArgumentError(StrCat("DELTA_LENGTH_BYTE_ARRAY: negative value count ", n));
  if (out.offsets->empty())
    return absl::InvalidArgumentError("DELTA_LENGTH_BYTE_ARRAY: offsets must hold a leading 0");
  Rollback rollback(out);
  PLINTH_ASSIGN_OR_RETURN(size_t consumed,
                          DecodeDlba(data, len, n, out, "DELTA_LENGTH_BYTE_ARRAY"));
  rollback.Release();
  return consumed;
}

absl::StatusOr<size_t> DecodeDeltaByteArray(const uint8_t* data, size_t len, int n,
                                            ByteArrayOut out, size_t max_output_bytes) {
  if (n < 0)
    return absl::InvalidArgumentError(StrCat("DELTA_BYTE_ARRAY: negative value count ", n));
  if (out.offsets->empty())
    return absl::InvalidArgumentError("DELTA_BYTE_ARRAY: offsets must hold a leading 0");
  DeltaBinaryPackedDecoder<int32_t> prefixes;
  PLINTH_RETURN_IF_ERROR(InitLengths(prefixes, data, len, n, "DELTA_BYTE_ARRAY"));
  absl::StatusOr<size_t> spec = prefixes.BytesConsumed();
  if (!spec.ok()) return absl::DataLossError(StrCat("DELTA_BYTE_ARRAY: ", spec.status().message()));
  absl::StatusOr<size_t> alt = prefixes.BytesConsumedWithUnusedMiniblocks();
  absl::Status first_error;
  // Try the spec's end of the prefix stream first, then the reading with unused miniblock bodies.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1 && (!alt.ok() || *alt == *spec)) break;
    const size_t start = attempt == 0 ? *spec : *alt;
    Rollback rollback(out);
    absl::StatusOr<size_t> r = DecodeDbaAt(data, len, n, out, start, max_output_bytes);
    if (r.ok()) {
      rollback.Release();
      return r;
    }
    if (first_error.ok()) first_error = r.status();
  }
  return first_error;
}

void EncodeDeltaLengthByteArray(const std::vector<std::string_view>& values, std::string* out) {
  EncodeDlbaImpl(
      values.size(), [&](size_t i) { return values[i]; }, out);
}

void EncodeDeltaByteArray(const std::vector<std::string_view>& values, std::string* out) {
  EncodeDbaImpl(
      values.size(), [&](size_t i) { return values[i]; }, out);
}

void EncodeDeltaLengthByteArray(const int64_t* offsets, const char* data, size_t n,
                                std::string* out) {
  EncodeDlbaImpl(
      n,
      [&](size_t i) {
        return std::string_view(data + offsets[i],
                                static_cast<size_t>(offsets[i + 1] - offsets[i]));
      },
      out);
}

void EncodeDeltaByteArray(const int64_t* offsets, const char* data, size_t n, std::string* out) {
  EncodeDbaImpl(
      n,
      [&](size_t i) {
        return std::string_view(data + offsets[i],
                                static_cast<size_t>(offsets[i + 1] - offsets[i]));
      },
      out);
}

}  // namespace plinth::parquet
