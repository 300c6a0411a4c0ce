#include "plinth/storage/parquet/column_writer.h"


#include <algorithm>
#include <cmath>
#include <cstring>

#include "plinth/base/strings.h"
#include "plinth/storage/parquet/byte_stream_split.h"
#include "plinth/storage/parquet/codec.h"
#include "plinth/storage/parquet/page_crc.h"
#include "plinth/storage/parquet/delta_binary_packed.h"
#include "plinth/storage/parquet/rle.h"

namespace plinth::parquet {

using columnar::Column;
using columnar::StorageClass;
using columnar::TypeId;

namespace {

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;
  return static_cast<uint16_t>(half);
}

void PutLE32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

bool DictionaryCandidate(const LeafColumn& leaf) {
  if (leaf.physical == PhysicalType::kBoolean) return false;
  return columnar::StorageOf(leaf.type) != StorageClass::kInt128;
}

}  // namespace

ColumnChunkWriter::ColumnChunkWriter(const LeafColumn& leaf, const WriterOptions& options)
    : leaf_(leaf),
      options_(options),
      value_width_(columnar::StorageWidth(columnar::StorageOf(leaf.type))),
      pending_(leaf.type),
      use_dictionary_(options.dictionary && DictionaryCandidate(leaf)),
      dict_values_(leaf.type),
      minmax_(leaf.type) {}

absl::Status ColumnChunkWriter::Write(const Column& col, int64_t begin, int64_t count) {
  const bool nullable = leaf_.max_def > 0;
  int64_t done = 0;
  while (done < count) {
    // Rows per call bounded so a page closes near page_bytes.
    int64_t step = std::min<int64_t>(count - done, 4096);
    int64_t b = begin + done;
    if (col.has_nulls()) {
      if (!nullable) {
        for (int64_t i = 0; i < step; ++i) {
          if (col.IsNull(b + i)) {
            return absl::InvalidArgumentError(StrCat("column '", leaf_.dotted_path, "' is not nullable but row ",
                                                     num_values_ + page_rows_ + i, " is null"));
          }
        }
      }
      const uint8_t* valid = col.validity().data() + b;
      // Append runs of present values.
      int64_t i = 0;
      while (i < step) {
        int64_t j = i;
        while (j < step && valid[j]) ++j;
        if (j > i) pending_.AppendFrom(col, b + i, j - i);
        while (j < step && !valid[j]) ++j, ++null_count_;
        i = j;
      }
      page_valid_.insert(page_valid_.end(), valid, valid + step);
    } else {
      pending_.AppendFrom(col, b, step);
      if (nullable) page_valid_.insert(page_valid_.end(), static_cast<size_t>(step), 1);
    }
    if (leaf_.physical == PhysicalType::kFixedLenByteArray && leaf_.conversion == Conversion::kFixedToBytes) {
      const auto& off = pending_.offsets();
      for (int64_t k = std::max<int64_t>(0, pending_.length() - step); k < pending_.length(); ++k) {
        if (off[k + 1] - off[k] != leaf_.type_length) {
          return absl::InvalidArgumentError(StrCat("column '", leaf_.dotted_path, "': value of ", off[k + 1] - off[k],
                                                   " bytes, the type holds exactly ", leaf_.type_length));
        }
      }
    }
    page_rows_ += step;
    done += step;
    int64_t page_size = value_width_ ? pending_.length() * static_cast<int64_t>(value_width_)
                                     : static_cast<int64_t>(pending_.bytes().size() + 4 * pending_.length());
    if (page_size >= options_.page_bytes || page_rows_ >= (1 << 20)) PLINTH_RETURN_IF_ERROR(FlushPage());
  }
  return absl::OkStatus();
}

bool ColumnChunkWriter::BuildIndices() {
  const int64_t n = pending_.length();
  indices_.resize(n);
  // Gives up early, without hashing the rest of the page, when the dictionary outgrows its
  // budget, or when the first eighth of the chunk's first page is nearly all distinct (more
  // than 95%: a column with at most half as many distinct values as the page has rows shows
  // about 88% there, when its values come in random order).
  const int64_t probe_at = data_pages_ == 0 && n >= 8192 ? n / 8 : -1;
  auto give_up = [&](int64_t i) {
    return dict_bytes_size_ > options_.dictionary_page_bytes || (i + 1 == probe_at && dict_values_.length() * 20 > probe_at * 19);
  };
  if (value_width_ == 0) {
    for (int64_t i = 0; i < n; ++i) {
      std::string_view v = pending_.GetBytes(i);
      auto it = dict_bytes_.find(v);
      if (it == dict_bytes_.end()) {
        dict_keys_.emplace_back(v);
        uint32_t id = static_cast<uint32_t>(dict_values_.length());
        dict_bytes_.emplace(std::string_view(dict_keys_.back()), id);
        dict_values_.AppendBytes(v);
        dict_bytes_size_ += static_cast<int64_t>(v.size()) + 4;
        indices_[i] = id;
      } else {
        indices_[i] = it->second;
      }
      if (give_up(i)) return false;
    }
  } else {
    const uint8_t* data = pending_.values().data();
    for (int64_t i = 0; i < n; ++i) {
      uint64_t key = 0;
      std::memcpy(&key, data + i * value_width_, value_width_);
      auto [it, inserted] = dict_fixed_.try_emplace(key, static_cast<uint32_t>(dict_values_.length()));
      if (inserted) {
        dict_values_.AppendFrom(pending_, i, 1);
        dict_bytes_size_ += static_cast<int64_t>(value_width_);
      }
      indices_[i] = it->second;
      if (give_up(i)) return false;
    }
  }
  // Abandon when the first page shows mostly distinct values.
  if (data_pages_ == 0 && n >= 1024 && dict_values_.length() > n / 2) return false;
  return true;
}

bool ColumnChunkWriter::DeltaCandidate() const {
  if (!options_.delta_integers || pending_.length() == 0 || integer_encoding_ == IntegerEncoding::kPlain) return false;
  return (leaf_.physical == PhysicalType::kInt32 && pending_.storage() == StorageClass::kInt32) ||
         (leaf_.physical == PhysicalType::kInt64 && pending_.storage() == StorageClass::kInt64);
}

bool ColumnChunkWriter::SplitCandidate() const {
  if (!options_.byte_stream_split_floats || pending_.length() == 0 || float_encoding_ == FloatEncoding::kPlain ||
      options_.codec == Codec::kUncompressed) {
    return false;
  }
  return (leaf_.physical == PhysicalType::kFloat && pending_.storage() == StorageClass::kFloat) ||
         (leaf_.physical == PhysicalType::kDouble && pending_.storage() == StorageClass::kDouble);
}

std::string ColumnChunkWriter::EncodeDelta() const {
  if (pending_.storage() == StorageClass::kInt32) {
    DeltaBinaryPackedEncoder<int32_t> enc;
    enc.Put(pending_.data<int32_t>(), static_cast<size_t>(pending_.length()));
    return enc.Finish();
  }
  DeltaBinaryPackedEncoder<int64_t> enc;
  enc.Put(pending_.data<int64_t>(), static_cast<size_t>(pending_.length()));
  return enc.Finish();
}

void ColumnChunkWriter::EncodePlain(const Column& values, int64_t begin, int64_t n, std::string* out) const {
  switch (leaf_.physical) {
    case PhysicalType::kBoolean: {
      const uint8_t* v = values.data<uint8_t>() + begin;
      size_t start = out->size();
      out->resize(start + (n + 7) / 8, '\0');
      for (int64_t i = 0; i < n; ++i) {
        if (v[i]) (*out)[start + i / 8] = static_cast<char>((*out)[start + i / 8] | (1 << (i % 8)));
      }
      return;
    }
    case PhysicalType::kInt32:
      if (values.storage() == StorageClass::kInt32) {
        out->append(reinterpret_cast<const char*>(values.data<int32_t>() + begin), n * 4);
      } else if (values.storage() == StorageClass::kInt64) {
        for (int64_t i = 0; i < n; ++i) {
          int32_t x = static_cast<int32_t>(values.Get<int64_t>(begin + i));
          out->append(reinterpret_cast<const char*>(&x), 4);
        }
      } else {  // decimal
        for (int64_t i = 0; i < n; ++i) {
          int32_t x = static_cast<int32_t>(values.Get<columnar::int128>(begin + i));
          out->append(reinterpret_cast<const char*>(&x), 4);
        }
      }
      return;
    case PhysicalType::kInt64:
      if (values.storage() == StorageClass::kInt64) {
        out->append(reinterpret_cast<const char*>(values.data<int64_t>() + begin), n * 8);
      } else {
        for (int64_t i = 0; i < n; ++i) {
          int64_t x = static_cast<int64_t>(values.Get<columnar::int128>(begin + i));
          out->append(reinterpret_cast<const char*>(&x), 8);
        }
      }
      return;
    case PhysicalType::kFloat: out->append(reinterpret_cast<const char*>(values.data<float>() + begin), n * 4); return;
    case PhysicalType::kDouble: out->append(reinterpret_cast<const char*>(values.data<double>() + begin), n * 8); return;
    case PhysicalType::kByteArray: {
      const auto& off = values.offsets();
      size_t total = static_cast<size_t>(off[begin + n] - off[begin]) + 4 * n;
      size_t start = out->size();
      out->resize(start + total);
      char* dst = out->data() + start;
      const char* src = values.bytes().data();
      for (int64_t i = begin; i < begin + n; ++i) {
        uint32_t len = static_cast<uint32_t>(off[i + 1] - off[i]);
        std::memcpy(dst, &len, 4);
        std::memcpy(dst + 4, src + off[i], len);
        dst += 4 + len;
      }
      return;
    }
    case PhysicalType::kFixedLenByteArray:
      if (leaf_.conversion == Conversion::kHalfToFloat) {
        for (int64_t i = 0; i < n; ++i) {
          uint16_t h = FloatToHalf(values.Get<float>(begin + i));
          out->append(reinterpret_cast<const char*>(&h), 2);
        }
      } else if (leaf_.conversion == Conversion::kBytesToDecimal) {
        for (int64_t i = 0; i < n; ++i) {
          auto u = static_cast<unsigned __int128>(values.Get<columnar::int128>(begin + i));
          char be[16];
          for (int k = 15; k >= 0; --k) {
            be[k] = static_cast<char>(u & 0xff);
            u >>= 8;
          }
          out->append(be + 16 - leaf_.type_length, leaf_.type_length);
        }
      } else {
        const auto& off = values.offsets();
        out->append(values.bytes().data() + off[begin], static_cast<size_t>(off[begin + n] - off[begin]));
      }
      return;
    case PhysicalType::kInt96: return;  // never written
  }
}

void ColumnChunkWriter::UpdateStats(int64_t begin, int64_t count) {
  if (!options_.write_statistics || count == 0) return;
  const TypeId id = leaf_.type.id;
  auto track = [&](auto tag, auto less) {
    using T = decltype(tag);
    const T* v = pending_.data<T>() + begin;
    int64_t i = 0;
    if constexpr (std::is_floating_point_v<T>) {
      while (i < count && std::isnan(v[i])) ++i;
      if (i == count) return;
    }
    T lo = v[i], hi = v[i];
    for (; i < count; ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v[i])) continue;
      }
      if (less(v[i], lo)) lo = v[i];
      if (less(hi, v[i])) hi = v[i];
    }
    if (has_minmax_) {
      if (less(minmax_.data<T>()[0], lo)) lo = minmax_.data<T>()[0];
      if (less(hi, minmax_.data<T>()[1])) hi = minmax_.data<T>()[1];
      minmax_.Clear();
    }
    minmax_.Append<T>(lo);
    minmax_.Append<T>(hi);
    has_minmax_ = true;
  };
  auto lt = [](auto a, auto b) { return a < b; };
  switch (pending_.storage()) {
    case StorageClass::kBool: track(uint8_t{}, lt); break;
    case StorageClass::kInt32: track(int32_t{}, lt); break;
    case StorageClass::kInt64:
      if (id == TypeId::kUInt64) {
        track(int64_t{}, [](int64_t a, int64_t b) { return static_cast<uint64_t>(a) < static_cast<uint64_t>(b); });
      } else {
        track(int64_t{}, lt);
      }
      break;
    case StorageClass::kFloat: track(float{}, lt); break;
    case StorageClass::kDouble: track(double{}, lt); break;
    case StorageClass::kInt128: track(columnar::int128{}, lt); break;
    case StorageClass::kBytes: {
      std::string_view lo = pending_.GetBytes(begin), hi = lo;
      for (int64_t i = begin + 1; i < begin + count; ++i) {
        std::string_view v = pending_.GetBytes(i);
        if (v < lo) lo = v;
        if (hi < v) hi = v;
      }
      std::string l(lo), h(hi);
      if (has_minmax_) {
        if (minmax_.GetBytes(0) < std::string_view(l)) l = std::string(minmax_.GetBytes(0));
        if (std::string_view(h) < minmax_.GetBytes(1)) h = std::string(minmax_.GetBytes(1));
        minmax_.Clear();
      }
      minmax_.AppendBytes(l);
      minmax_.AppendBytes(h);
      has_minmax_ = true;
      break;
    }
  }
}

absl::Status ColumnChunkWriter::AppendPage(const PageHeader& header_template, const std::string& body, std::string* sink) {
  PageHeader h = header_template;
  std::string compressed;
  const std::string* payload = &body;
  if (options_.codec != Codec::kUncompressed) {
    PLINTH_RETURN_IF_ERROR(Compress(options_.codec, reinterpret_cast<const uint8_t*>(body.data()), body.size(),
                                    &compressed, options_.compression_level));
    payload = &compressed;
  }
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(payload->size());
  if (options_.page_checksums) {
    h.crc = static_cast<int32_t>(PageCrc(payload->data(), payload->size()));
  }
  EncodePageHeader(h, sink);
  sink->append(*payload);
  uncompressed_bytes_ += static_cast<int64_t>(body.size());
  return absl::OkStatus();
}

absl::Status ColumnChunkWriter::FlushPage() {
  if (page_rows_ == 0) return absl::OkStatus();
  std::string body;
  if (leaf_.max_def > 0) {
    RleBitPackedEncoder enc(1);
    size_t i = 0;
    while (i < page_valid_.size()) {
      size_t j = i;
      while (j < page_valid_.size() && page_valid_[j] == page_valid_[i]) ++j;
      if (j - i >= 8) {
        enc.PutRepeated(page_valid_[i], j - i);
      } else {
        for (size_t k = i; k < j; ++k) enc.Put(page_valid_[k]);
      }
      i = j;
    }
    std::string levels = enc.Finish();
    PutLE32(&body, static_cast<uint32_t>(levels.size()));
    body += levels;
  }
  UpdateStats(0, pending_.length());
  Encoding encoding = Encoding::kPlain;
  if (use_dictionary_ && pending_.length() > 0) {
    if (BuildIndices()) {
      encoding = Encoding::kRleDictionary;
      int bw = BitWidth(dict_values_.length() > 0 ? static_cast<uint64_t>(dict_values_.length() - 1) : 0);
      body.push_back(static_cast<char>(bw));
      RleBitPackedEncoder enc(bw);
      for (uint32_t idx : indices_) enc.Put(idx);
      body += enc.Finish();
      ++dict_data_pages_;
    } else {
      use_dictionary_ = false;
    }
  }
  if (encoding == Encoding::kPlain && DeltaCandidate()) {
    // Integers that are not worth a dictionary: DELTA_BINARY_PACKED when it is clearly smaller
    // (sequential ids and timestamps shrink to a few bits a value), decided on the first page.
    std::string delta = EncodeDelta();
    size_t plain_size = static_cast<size_t>(pending_.length()) * value_width_;
    if (integer_encoding_ == IntegerEncoding::kUndecided) {
      integer_encoding_ = delta.size() * 4 <= plain_size * 3 ? IntegerEncoding::kDelta : IntegerEncoding::kPlain;
    }
    if (integer_encoding_ == IntegerEncoding::kDelta) {
      encoding = Encoding::kDeltaBinaryPacked;
      body += delta;
      ++delta_pages_;
    }
  }
  if (encoding == Encoding::kPlain && SplitCandidate()) {
    // Floats that are not worth a dictionary: BYTE_STREAM_SPLIT when it compresses clearly
    // better than PLAIN (the exponent and high mantissa bytes line up), decided on the first page.
    std::string split;
    EncodeByteStreamSplit(pending_.values().data(), static_cast<int>(pending_.length()), value_width_, &split);
    if (float_encoding_ == FloatEncoding::kUndecided) {
      std::string plain, a, b;
      EncodePlain(pending_, 0, pending_.length(), &plain);
      bool split_smaller = Compress(options_.codec, reinterpret_cast<const uint8_t*>(split.data()), split.size(), &a).ok() &&
                           Compress(options_.codec, reinterpret_cast<const uint8_t*>(plain.data()), plain.size(), &b).ok() &&
                           a.size() * 10 <= b.size() * 8;
      float_encoding_ = split_smaller ? FloatEncoding::kSplit : FloatEncoding::kPlain;
    }
    if (float_encoding_ == FloatEncoding::kSplit) {
      encoding = Encoding::kByteStreamSplit;
      body += split;
      ++split_pages_;
    }
  }
  if (encoding == Encoding::kPlain) {
    EncodePlain(pending_, 0, pending_.length(), &body);
    plain_pages_ = true;
  }
  PageHeader h;
  h.type = PageType::kDataPage;
  DataPageHeader dh;
  dh.num_values = static_cast<int32_t>(page_rows_);
  dh.encoding = encoding;
  dh.definition_level_encoding = Encoding::kRle;
  dh.repetition_level_encoding = Encoding::kRle;
  h.data_page_header = dh;
  PLINTH_RETURN_IF_ERROR(AppendPage(h, body, &pages_));
  buffered_bytes_ += static_cast<int64_t>(body.size());
  num_values_ += page_rows_;
  ++data_pages_;
  page_rows_ = 0;
  page_valid_.clear();
  pending_.Clear();
  return absl::OkStatus();
}

absl::Status ColumnChunkWriter::FinishChunk(OutputFile* out, ColumnChunk* chunk) {
  PLINTH_RETURN_IF_ERROR(FlushPage());
  ColumnMetaData m;
  m.type = leaf_.physical;
  m.path_in_schema = leaf_.path;
  m.codec = options_.codec;
  m.num_values = num_values_;
  int64_t start = static_cast<int64_t>(out->position());
  std::string dict_page;
  if (dict_data_pages_ > 0) {
    std::string body;
    EncodePlain(dict_values_, 0, dict_values_.length(), &body);
    PageHeader h;
    h.type = PageType::kDictionaryPage;
    DictionaryPageHeader dh;
    dh.num_values = static_cast<int32_t>(dict_values_.length());
    dh.encoding = Encoding::kPlain;
    h.dictionary_page_header = dh;
    PLINTH_RETURN_IF_ERROR(AppendPage(h, body, &dict_page));
    m.dictionary_page_offset = start;
    m.encodings.push_back(Encoding::kPlain);
    m.encodings.push_back(Encoding::kRleDictionary);
    m.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kRleDictionary, dict_data_pages_});
  }
  if (plain_pages_) {
    if (dict_data_pages_ == 0) m.encodings.push_back(Encoding::kPlain);
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kPlain, data_pages_ - dict_data_pages_ - delta_pages_ - split_pages_});
  }
  if (split_pages_ > 0) {
    m.encodings.push_back(Encoding::kByteStreamSplit);
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kByteStreamSplit, split_pages_});
  }
  if (delta_pages_ > 0) {
    m.encodings.push_back(Encoding::kDeltaBinaryPacked);
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kDeltaBinaryPacked, delta_pages_});
  }
  m.encodings.push_back(Encoding::kRle);
  m.data_page_offset = start + static_cast<int64_t>(dict_page.size());
  m.total_compressed_size = static_cast<int64_t>(dict_page.size() + pages_.size());
  m.total_uncompressed_size = uncompressed_bytes_;
  if (options_.write_statistics) {
    Statistics s;
    s.null_count = null_count_;
    if (has_minmax_) {
      std::string lo, hi;
      EncodePlain(minmax_, 0, 1, &lo);
      EncodePlain(minmax_, 1, 1, &hi);
      if (leaf_.physical == PhysicalType::kByteArray) {  // no length prefix in statistics
        lo.erase(0, 4);
        hi.erase(0, 4);
      }
      s.min_value = lo;
      s.max_value = hi;
    }
    m.statistics = s;
  }
  PLINTH_RETURN_IF_ERROR(out->Write(dict_page));
  PLINTH_RETURN_IF_ERROR(out->Write(pages_));
  chunk->file_offset = start;
  chunk->meta_data = std::move(m);
  Reset();
  return absl::OkStatus();
}

void ColumnChunkWriter::Reset() {
  pages_.clear();
  pages_.shrink_to_fit();
  num_values_ = null_count_ = uncompressed_bytes_ = buffered_bytes_ = 0;
  data_pages_ = dict_data_pages_ = 0;
  plain_pages_ = false;
  delta_pages_ = 0;
  split_pages_ = 0;
  integer_encoding_ = IntegerEncoding::kUndecided;
  float_encoding_ = FloatEncoding::kUndecided;
  use_dictionary_ = options_.dictionary && DictionaryCandidate(leaf_);
  dict_values_.Clear();
  dict_fixed_.clear();
  dict_bytes_.clear();
  dict_keys_.clear();
  dict_bytes_size_ = 0;
  has_minmax_ = false;
  minmax_.Clear();
}

}  // namespace plinth::parquet
