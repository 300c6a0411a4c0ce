#include "plinth/storage/parquet/column_reader.h"


#include <algorithm>
#include <cstring>

#include "plinth/base/strings.h"
#include "plinth/storage/parquet/byte_array.h"
#include "plinth/storage/parquet/byte_stream_split.h"
#include "plinth/storage/parquet/codec.h"
#include "plinth/storage/parquet/page_crc.h"
#include "plinth/storage/parquet/delta_binary_packed.h"
#include "plinth/storage/parquet/delta_byte_array.h"
#include "plinth/storage/parquet/plain.h"
#include "plinth/storage/parquet/rle.h"
#include "plinth/storage/parquet/value_conversion.h"

namespace plinth::parquet {

using columnar::Column;
using columnar::StorageClass;

namespace {

int LevelBitWidth(int16_t max_level) {
  int w = 0;
  while ((1 << w) <= max_level) ++w;
  return w;
}

uint32_t ReadLE32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

ColumnChunkReader::ColumnChunkReader(const LeafColumn& leaf, const ColumnMetaData& meta, columnar::Buffer chunk,
                                     const ColumnReadOptions& options)
    : leaf_(leaf), meta_(meta), chunk_(std::move(chunk)), options_(options), dictionary_(leaf.type),
      page_values_(leaf.type) {}

absl::StatusOr<std::unique_ptr<ColumnChunkReader>> ColumnChunkReader::Create(const LeafColumn& leaf,
                                                                             const ColumnMetaData& meta,
                                                                             columnar::Buffer chunk,
                                                                             const ColumnReadOptions& options) {
  if (meta.type != leaf.physical) {
    return absl::InvalidArgumentError(StrCat("column '", leaf.dotted_path, "': chunk type ",
                                             PhysicalTypeName(meta.type), " differs from schema type ",
                                             PhysicalTypeName(leaf.physical)));
  }
  return std::unique_ptr<ColumnChunkReader>(new ColumnChunkReader(leaf, meta, std::move(chunk), options));
}

std::string ColumnChunkReader::Where() const {
  return StrCat("column '", leaf_.dotted_path, "' page ", page_index_);
}

absl::Status ColumnChunkReader::Decompress(const uint8_t* in, size_t in_len, size_t out_len, std::string* out) {
  if (static_cast<int64_t>(out_len) > options_.max_page_bytes) {
    return absl::InvalidArgumentError(StrCat(Where(), ": page of ", out_len, " bytes exceeds the limit"));
  }
  out->resize(out_len);
  absl::Status st = parquet::Decompress(meta_.codec, in, in_len, reinterpret_cast<uint8_t*>(out->data()), out_len);
  if (!st.ok()) return absl::DataLossError(StrCat(Where(), ": ", st.message()));
  return absl::OkStatus();
}

absl::StatusOr<bool> ColumnChunkReader::NextDataPage() {
  while (pos_ < chunk_.size()) {
    const uint8_t* base = chunk_.data();
    size_t header_size = 0;
    auto header = DecodePageHeader(base + pos_, chunk_.size() - pos_, &header_size);
    if (!header.ok()) {
      return absl::DataLossError(StrCat(Where(), ": bad page header: ", header.status().message()));
    }
    const PageHeader& h = *header;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        static_cast<size_t>(h.compressed_page_size) > chunk_.size() - pos_ - header_size) {
      return absl::DataLossError(StrCat(Where(), ": page size ", h.compressed_page_size,
                                        " runs past the end of the column chunk"));
    }
    const uint8_t* payload = base + pos_ + header_size;
    pos_ += header_size + static_cast<size_t>(h.compressed_page_size);
    if (options_.verify_checksums && h.crc) {
      uint32_t crc = PageCrc(payload, static_cast<size_t>(h.compressed_page_size));
      if (crc != static_cast<uint32_t>(*h.crc)) {
        return absl::DataLossError(StrCat(Where(), ": page checksum (CRC32) mismatch: the file is corrupt"));
      }
    }
    switch (h.type) {
      case PageType::kDictionaryPage:
        PLINTH_RETURN_IF_ERROR(ReadDictionaryPage(h, payload));
        ++page_index_;
        continue;
      case PageType::kDataPage:
      case PageType::kDataPageV2:
        PLINTH_RETURN_IF_ERROR(DecodeDataPage(h, payload));
        ++page_index_;
        if (page_entries_ == 0) continue;
        return true;
      default:
        ++page_index_;
        continue;  // index pages and unknown page types carry no values
    }
  }
  return false;
}

absl::Status ColumnChunkReader::ReadDictionaryPage(const PageHeader& h, const uint8_t* payload) {
  if (!h.dictionary_page_header) return absl::DataLossError(StrCat(Where(), ": dictionary page without its header"));
  const auto& dh = *h.dictionary_page_header;
  if (has_dictionary_) return absl::DataLossError(StrCat(Where(), ": second dictionary page in a column chunk"));
  if (dh.num_values < 0) return absl::DataLossError(StrCat(Where(), ": dictionary has negative size ", dh.num_values));
  if (dh.encoding != Encoding::kPlain && dh.encoding != Encoding::kPlainDictionary) {
    return absl::UnimplementedError(StrCat(Where(), ": dictionary encoding ", EncodingName(dh.encoding)));
  }
  PLINTH_RETURN_IF_ERROR(Decompress(payload, h.compressed_page_size, h.uncompressed_page_size, &decompressed_));
  dictionary_.Clear();
  page_values_.Clear();
  PLINTH_RETURN_IF_ERROR(DecodeValues(Encoding::kPlain, reinterpret_cast<const uint8_t*>(decompressed_.data()),
                                      decompressed_.size(), dh.num_values));
  if (page_form_ == PageForm::kPlainInPlace) {  // the dictionary must own its values
    PLINTH_RETURN_IF_ERROR(AppendDense(page_value_count_, &page_values_));
  }
  page_form_ = PageForm::kDecoded;
  value_cursor_ = 0;
  std::swap(dictionary_, page_values_);
  page_values_.Clear();
  has_dictionary_ = true;
  return absl::OkStatus();
}

absl::Status ColumnChunkReader::DecodeDataPage(const PageHeader& h, const uint8_t* payload) {
  page_def_.clear();
  page_rep_.clear();
  page_values_.Clear();
  page_form_ = PageForm::kDecoded;
  plain_values_ = nullptr;
  page_value_count_ = 0;
  page_cursor_ = value_cursor_ = 0;
  page_entries_ = 0;
  int64_t n = 0;
  Encoding encoding;
  const uint8_t* values = nullptr;
  size_t values_len = 0;
  const int def_width = LevelBitWidth(leaf_.max_def);
  const int rep_width = LevelBitWidth(leaf_.max_rep);
  // Run-length encodings let a tiny page claim 2^31 values: bound what decoding it would hold
  // (two levels per entry plus the value or its offset) by the page limit.
  auto check_entries = [&](int64_t entries) -> absl::Status {
    const size_t value_bytes = std::max<size_t>(columnar::StorageWidth(page_values_.storage()), sizeof(int64_t));
    if (entries > options_.max_page_bytes / static_cast<int64_t>(2 * sizeof(int16_t) + value_bytes)) {
      return absl::DataLossError(StrCat(Where(), ": page of ", entries, " values exceeds the limit of ",
                                        options_.max_page_bytes, " decoded bytes"));
    }
    return absl::OkStatus();
  };

  if (h.type == PageType::kDataPage) {
    if (!h.data_page_header) return absl::DataLossError(StrCat(Where(), ": data page without its header"));
    const auto& dh = *h.data_page_header;
    n = dh.num_values;
    encoding = dh.encoding;
    if (n < 0) return absl::DataLossError(StrCat(Where(), ": negative value count"));
    PLINTH_RETURN_IF_ERROR(check_entries(n));
    const uint8_t* p;
    size_t left;
    if (meta_.codec == Codec::kUncompressed) {  // use the page in place
      if (h.uncompressed_page_size != h.compressed_page_size) {
        return absl::DataLossError(StrCat(Where(), ": uncompressed page sizes differ"));
      }
      p = payload;
      left = static_cast<size_t>(h.compressed_page_size);
    } else {
      PLINTH_RETURN_IF_ERROR(Decompress(payload, h.compressed_page_size, h.uncompressed_page_size, &decompressed_));
      p = reinterpret_cast<const uint8_t*>(decompressed_.data());
      left = decompressed_.size();
    }
    auto read_levels = [&](int16_t max_level, int width, Encoding enc, std::vector<int16_t>* out) -> absl::Status {
      out->resize(n);
      if (max_level == 0) {
        std::fill(out->begin(), out->end(), 0);
        return absl::OkStatus();
      }
      if (enc == Encoding::kBitPacked) {
        size_t bytes = (static_cast<size_t>(n) * width + 7) / 8;
        if (bytes > left) return absl::DataLossError(StrCat(Where(), ": levels run past the page"));
        PLINTH_RETURN_IF_ERROR(DecodeLegacyBitPackedLevels(p, bytes, width, out->data(), static_cast<int>(n)));
        p += bytes;
        left -= bytes;
        return absl::OkStatus();
      }
      if (left < 4) return absl::DataLossError(StrCat(Where(), ": levels length missing"));
      uint32_t len = ReadLE32(p);
      p += 4;
      left -= 4;
      if (len > left) return absl::DataLossError(StrCat(Where(), ": levels length ", len, " runs past the page"));
      RleBitPackedDecoder dec(p, len, width);
      PLINTH_ASSIGN_OR_RETURN(int got, dec.GetLevels(out->data(), static_cast<int>(n)));
      if (got != n) return absl::DataLossError(StrCat(Where(), ": page has ", got, " levels, header says ", n));
      p += len;
      left -= len;
      return absl::OkStatus();
    };
    if (n > static_cast<int64_t>(INT32_MAX)) return absl::DataLossError(StrCat(Where(), ": too many values"));
    PLINTH_RETURN_IF_ERROR(read_levels(leaf_.max_rep, rep_width, dh.repetition_level_encoding, &page_rep_));
    PLINTH_RETURN_IF_ERROR(read_levels(leaf_.max_def, def_width, dh.definition_level_encoding, &page_def_));
    values = p;
    values_len = left;
  } else {
    if (!h.data_page_header_v2) return absl::DataLossError(StrCat(Where(), ": v2 data page without its header"));
    const auto& dh = *h.data_page_header_v2;
    n = dh.num_values;
    encoding = dh.encoding;
    if (n < 0 || dh.definition_levels_byte_length < 0 || dh.repetition_levels_byte_length < 0 ||
        int64_t{dh.definition_levels_byte_length} + dh.repetition_levels_byte_length > h.compressed_page_size) {
      return absl::DataLossError(StrCat(Where(), ": inconsistent v2 page header"));
    }
    PLINTH_RETURN_IF_ERROR(check_entries(n));
    const uint8_t* p = payload;
    auto read_levels = [&](int16_t max_level, int width, int32_t len, std::vector<int16_t>* out) -> absl::Status {
      out->resize(n);
      if (max_level == 0) {
        std::fill(out->begin(), out->end(), 0);
      } else {
        RleBitPackedDecoder dec(p, static_cast<size_t>(len), width);
        PLINTH_ASSIGN_OR_RETURN(int got, dec.GetLevels(out->data(), static_cast<int>(n)));
        if (got != n) return absl::DataLossError(StrCat(Where(), ": page has ", got, " levels, header says ", n));
      }
      p += len;
      return absl::OkStatus();
    };
    PLINTH_RETURN_IF_ERROR(read_levels(leaf_.max_rep, rep_width, dh.repetition_levels_byte_length, &page_rep_));
    PLINTH_RETURN_IF_ERROR(read_levels(leaf_.max_def, def_width, dh.definition_levels_byte_length, &page_def_));
    size_t levels = static_cast<size_t>(dh.definition_levels_byte_length + dh.repetition_levels_byte_length);
    size_t compressed = static_cast<size_t>(h.compressed_page_size) - levels;
    int64_t uncompressed = int64_t{h.uncompressed_page_size} - static_cast<int64_t>(levels);
    if (uncompressed < 0) return absl::DataLossError(StrCat(Where(), ": v2 page sizes are inconsistent"));
    if (dh.is_compressed && meta_.codec != Codec::kUncompressed && !(compressed == 0 && uncompressed == 0)) {
      PLINTH_RETURN_IF_ERROR(Decompress(p, compressed, static_cast<size_t>(uncompressed), &decompressed_));
      values = reinterpret_cast<const uint8_t*>(decompressed_.data());
      values_len = decompressed_.size();
    } else {
      values = p;
      values_len = compressed;
    }
  }
  // Levels must be within range; count the non-null values.
  int64_t non_null = n;
  if (leaf_.max_def > 0) {
    non_null = 0;
    for (int16_t d : page_def_) {
      if (d > leaf_.max_def || d < 0) return absl::DataLossError(StrCat(Where(), ": definition level ", d, " out of range"));
      non_null += d == leaf_.max_def;
    }
  }
  if (leaf_.max_rep > 0) {
    for (int16_t r : page_rep_) {
      if (r > leaf_.max_rep || r < 0) return absl::DataLossError(StrCat(Where(), ": repetition level ", r, " out of range"));
    }
    if (n > 0 && page_rep_[0] != 0) {
      return absl::DataLossError(StrCat(Where(), ": first repetition level of a page must be 0"));
    }
  }
  PLINTH_RETURN_IF_ERROR(DecodeValues(encoding, values, values_len, non_null));
  if (page_form_ == PageForm::kDecoded) page_value_count_ = page_values_.length();
  if (page_value_count_ != non_null) {
    return absl::DataLossError(StrCat(Where(), ": page holds ", page_value_count_, " values, levels say ", non_null));
  }
  page_entries_ = n;
  return absl::OkStatus();
}

absl::Status ColumnChunkReader::DecodeValues(Encoding encoding, const uint8_t* data, size_t len, int64_t count) {
  if (count == 0) return absl::OkStatus();
  if (count > static_cast<int64_t>(INT32_MAX)) return absl::DataLossError(StrCat(Where(), ": too many values"));
  const int n = static_cast<int>(count);
  Column& out = page_values_;
  const size_t width = PhysicalWidth(leaf_);
  auto fail = [&](const absl::Status& st) {
    return absl::DataLossError(StrCat(Where(), " (", EncodingName(encoding), "): ", st.message()));
  };
  switch (encoding) {
    case Encoding::kPlain: {
      if (leaf_.physical == PhysicalType::kBoolean) {
        if (static_cast<uint64_t>(count) > static_cast<uint64_t>(len) * 8) {
          return absl::DataLossError(StrCat(Where(), ": page holds ", len * 8, " booleans, levels say ", count));
        }
        out.values().Resize(count);
        absl::Status st = DecodePlainBooleans(data, len, n, out.mutable_data<uint8_t>());
        if (!st.ok()) return fail(st);
        out.SetLength(count);
        return absl::OkStatus();
      }
      if (leaf_.physical == PhysicalType::kByteArray) {
        if (leaf_.conversion == Conversion::kBytesToDecimal) {
          Column raw(columnar::DataType{columnar::TypeId::kBinary});
          auto used = DecodePlainByteArrays(data, len, n, ByteArrayOut{&raw.offsets(), &raw.bytes()});
          if (!used.ok()) return fail(used.status());
          raw.SetLength(count);
          return AppendConvertedByteArrays(leaf_, raw, &out);
        }
        auto used = DecodePlainByteArrays(data, len, n, ByteArrayOut{&out.offsets(), &out.bytes()});
        if (!used.ok()) return fail(used.status());
        out.SetLength(count);
        return absl::OkStatus();
      }
      if (width == 0) return absl::DataLossError(StrCat(Where(), ": zero-width values"));
      if (len / width < static_cast<size_t>(count)) {
        return absl::DataLossError(StrCat(Where(), ": page holds ", len / width, " values, levels say ", count));
      }
      if (IsIdentityFixed(leaf_) && &out == &page_values_) {
        page_form_ = PageForm::kPlainInPlace;  // handed out straight from the page
        plain_values_ = data;
        page_value_count_ = count;
        return absl::OkStatus();
      }
      if (IsIdentityFixed(leaf_)) {
        out.values().Resize(count * width);
        std::memcpy(out.values().data(), data, count * width);
        out.SetLength(count);
        return absl::OkStatus();
      }
      return AppendConvertedFixed(leaf_, data, count, &out);
    }
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!has_dictionary_) return absl::DataLossError(StrCat(Where(), ": dictionary-encoded page without a dictionary"));
      if (len < 1) return absl::DataLossError(StrCat(Where(), ": missing dictionary index bit width"));
      int bw = data[0];
      if (bw > 32) return absl::DataLossError(StrCat(Where(), ": dictionary index bit width ", bw));
      RleBitPackedDecoder dec(data + 1, len - 1, bw);
      const auto dict_size = static_cast<uint32_t>(dictionary_.length());
      auto gather = [&](auto* typed_out, const auto* dict) -> absl::Status {
        auto got = dec.GetGather(dict, dict_size, typed_out, n);
        if (!got.ok()) return fail(got.status());
        if (*got != n) return absl::DataLossError(StrCat(Where(), ": page holds ", *got, " indices, levels say ", n));
        return absl::OkStatus();
      };
      out.values().Resize(count * columnar::StorageWidth(out.storage()));  // 0 for strings
      switch (out.storage()) {
        case StorageClass::kBool:
          PLINTH_RETURN_IF_ERROR(gather(out.mutable_data<uint8_t>(), dictionary_.data<uint8_t>()));
          break;
        case StorageClass::kInt32:
          PLINTH_RETURN_IF_ERROR(gather(out.mutable_data<int32_t>(), dictionary_.data<int32_t>()));
          break;
        case StorageClass::kInt64:
          PLINTH_RETURN_IF_ERROR(gather(out.mutable_data<int64_t>(), dictionary_.data<int64_t>()));
          break;
        case StorageClass::kFloat:
          PLINTH_RETURN_IF_ERROR(gather(out.mutable_data<float>(), dictionary_.data<float>()));
          break;
        case StorageClass::kDouble:
          PLINTH_RETURN_IF_ERROR(gather(out.mutable_data<double>(), dictionary_.data<double>()));
          break;
        case StorageClass::kInt128:
          PLINTH_RETURN_IF_ERROR(gather(out.mutable_data<columnar::int128>(), dictionary_.data<columnar::int128>()));
          break;
        case StorageClass::kBytes: {
          // Strings stay as indices until handed out (AppendDense): no copy into the page.
          indices_.resize(count);
          auto got = dec.GetBatch(indices_.data(), n);
          if (!got.ok()) return fail(got.status());
          if (*got != n) return absl::DataLossError(StrCat(Where(), ": page holds ", *got, " indices, levels say ", n));
          uint32_t max_index = 0;
          for (int i = 0; i < n; ++i) max_index = std::max(max_index, indices_[i]);
          if (max_index >= dict_size) {
            return absl::DataLossError(StrCat(Where(), ": dictionary index ", max_index, " >= dictionary size ", dict_size));
          }
          page_form_ = PageForm::kDictionaryIndices;
          page_value_count_ = count;
          return absl::OkStatus();
        }
      }
      out.SetLength(count);
      return absl::OkStatus();
    }
    case Encoding::kRle: {
      if (leaf_.physical != PhysicalType::kBoolean) {
        return absl::DataLossError(StrCat(Where(), ": RLE value encoding on a non-boolean column"));
      }
      if (len < 4) return absl::DataLossError(StrCat(Where(), ": RLE length missing"));
      uint32_t rle_len = ReadLE32(data);
      if (rle_len > len - 4) return absl::DataLossError(StrCat(Where(), ": RLE length runs past the page"));
      RleBitPackedDecoder dec(data + 4, rle_len, 1);
      indices_.resize(count);
      auto got = dec.GetBatch(indices_.data(), n);
      if (!got.ok()) return fail(got.status());
      if (*got != n) return absl::DataLossError(StrCat(Where(), ": page holds ", *got, " booleans, levels say ", n));
      out.values().Resize(count);
      uint8_t* dst = out.mutable_data<uint8_t>();
      for (int i = 0; i < n; ++i) dst[i] = indices_[i] != 0;
      out.SetLength(count);
      return absl::OkStatus();
    }
    case Encoding::kDeltaBinaryPacked: {
      if (leaf_.physical == PhysicalType::kInt32) {
        DeltaBinaryPackedDecoder<int32_t> dec;
        absl::Status st = dec.Init(data, len);
        if (!st.ok()) return fail(st);
        scratch_.resize(count * 4);
        auto got = dec.GetBatch(reinterpret_cast<int32_t*>(scratch_.data()), n);
        if (!got.ok()) return fail(got.status());
        if (*got != n) return absl::DataLossError(StrCat(Where(), ": page holds ", *got, " values, levels say ", n));
      } else if (leaf_.physical == PhysicalType::kInt64) {
        DeltaBinaryPackedDecoder<int64_t> dec;
        absl::Status st = dec.Init(data, len);
        if (!st.ok()) return fail(st);
        scratch_.resize(count * 8);
        auto got = dec.GetBatch(reinterpret_cast<int64_t*>(scratch_.data()), n);
        if (!got.ok()) return fail(got.status());
        if (*got != n) return absl::DataLossError(StrCat(Where(), ": page holds ", *got, " values, levels say ", n));
      } else {
        return absl::DataLossError(StrCat(Where(), ": DELTA_BINARY_PACKED on a ", PhysicalTypeName(leaf_.physical), " column"));
      }
      return AppendConvertedFixed(leaf_, reinterpret_cast<const uint8_t*>(scratch_.data()), count, &out);
    }
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray: {
      bool fixed = leaf_.physical == PhysicalType::kFixedLenByteArray;
      if (leaf_.physical != PhysicalType::kByteArray && !(fixed && encoding == Encoding::kDeltaByteArray)) {
        return absl::DataLossError(StrCat(Where(), ": ", EncodingName(encoding), " on a ", PhysicalTypeName(leaf_.physical), " column"));
      }
      Column raw(columnar::DataType{columnar::TypeId::kBinary});
      bool direct = !fixed && leaf_.conversion == Conversion::kNone;
      Column& target = direct ? out : raw;
      ByteArrayOut sink{&target.offsets(), &target.bytes()};
      auto used = encoding == Encoding::kDeltaLengthByteArray ? DecodeDeltaLengthByteArray(data, len, n, sink)
                                                              : DecodeDeltaByteArray(data, len, n, sink,
                                                                                     static_cast<size_t>(options_.max_page_bytes));
      if (!used.ok()) return fail(used.status());
      target.SetLength(count);
      if (direct) return absl::OkStatus();
      if (leaf_.conversion == Conversion::kBytesToDecimal && !fixed) return AppendConvertedByteArrays(leaf_, raw, &out);
      // FLBA: every value must have the fixed width; then convert as fixed.
      std::string packed;
      for (int64_t i = 0; i < count; ++i) {
        auto v = raw.GetBytes(i);
        if (static_cast<int32_t>(v.size()) != leaf_.type_length) {
          return absl::DataLossError(StrCat(Where(), ": value of ", v.size(), " bytes in a FIXED_LEN_BYTE_ARRAY(", leaf_.type_length, ") column"));
        }
        packed.append(v);
      }
      return AppendConvertedFixed(leaf_, reinterpret_cast<const uint8_t*>(packed.data()), count, &out);
    }
    case Encoding::kByteStreamSplit: {
      if (width == 0) return absl::DataLossError(StrCat(Where(), ": BYTE_STREAM_SPLIT on a ", PhysicalTypeName(leaf_.physical), " column"));
      scratch_.resize(count * width);
      absl::Status st = DecodeByteStreamSplit(data, len, n, width, reinterpret_cast<uint8_t*>(scratch_.data()));
      if (!st.ok()) return fail(st);
      return AppendConvertedFixed(leaf_, reinterpret_cast<const uint8_t*>(scratch_.data()), count, &out);
    }
    default:
      return absl::UnimplementedError(StrCat(Where(), ": unsupported encoding ", EncodingName(encoding)));
  }
}

absl::Status ColumnChunkReader::AppendDense(int64_t k, Column* out) {
  if (k <= 0) return absl::OkStatus();
  if (value_cursor_ + k > page_value_count_) {
    return absl::DataLossError(StrCat(Where(), ": levels ask for more values than the page holds"));
  }
  const int64_t base = out->length();
  switch (page_form_) {
    case PageForm::kDecoded:
      out->AppendFrom(page_values_, value_cursor_, k);
      break;
    case PageForm::kPlainInPlace: {
      const size_t w = columnar::StorageWidth(out->storage());
      out->values().Resize((base + k) * w);
      std::memcpy(out->values().data() + base * w, plain_values_ + value_cursor_ * w, k * w);
      if (out->has_nulls()) out->validity().insert(out->validity().end(), static_cast<size_t>(k), 1);
      out->SetLength(base + k);
      break;
    }
    case PageForm::kDictionaryIndices: {
      const auto& doff = dictionary_.offsets();
      const char* dbytes = dictionary_.bytes().data();
      auto& offsets = out->offsets();
      auto& bytes = out->bytes();
      const uint32_t* idx = indices_.data() + value_cursor_;
      size_t total = 0;
      for (int64_t i = 0; i < k; ++i) total += static_cast<size_t>(doff[idx[i] + 1] - doff[idx[i]]);
      if (static_cast<int64_t>(total) > options_.max_page_bytes) {
        return absl::DataLossError(StrCat(Where(), ": dictionary values expand past the limit of ",
                                          options_.max_page_bytes, " decoded bytes"));
      }
      size_t at = bytes.size();
      bytes.resize(at + total);
      char* dst = bytes.data();
      offsets.resize(offsets.size() + k);
      int64_t* off = offsets.data() + base + 1;
      for (int64_t i = 0; i < k; ++i) {
        const size_t len = static_cast<size_t>(doff[idx[i] + 1] - doff[idx[i]]);
        std::memcpy(dst + at, dbytes + doff[idx[i]], len);
        at += len;
        off[i] = static_cast<int64_t>(at);
      }
      if (out->has_nulls()) out->validity().insert(out->validity().end(), static_cast<size_t>(k), 1);
      out->SetLength(base + k);
      break;
    }
  }
  value_cursor_ += k;
  return absl::OkStatus();
}

void ColumnChunkReader::SpreadNulls(Column* out, int64_t base, int64_t take, int64_t present, const int16_t* def) const {
  // The present values sit at [base, base+present); walk backwards so each moves at most
  // once and never over a value not yet moved.
  out->MaterializeValidity();
  auto& validity = out->validity();
  validity.resize(base + take);
  for (int64_t i = 0; i < take; ++i) validity[base + i] = def[i] == leaf_.max_def;
  if (out->storage() == StorageClass::kBytes) {
    auto& off = out->offsets();
    off.resize(base + take + 1);
    int64_t j = present - 1;
    for (int64_t i = take - 1; i >= 0; --i) {
      off[base + i + 1] = off[base + j + 1];
      if (def[i] == leaf_.max_def) --j;
    }
  } else {
    const size_t w = columnar::StorageWidth(out->storage());
    out->values().Resize((base + take) * w);
    uint8_t* v = out->values().data() + base * w;
    int64_t j = present - 1;
    for (int64_t i = take - 1; i >= 0; --i) {
      if (def[i] == leaf_.max_def) {
        if (i != j) std::memcpy(v + i * w, v + j * w, w);
        --j;
      } else {
        std::memset(v + i * w, 0, w);
      }
    }
  }
  out->SetLength(base + take);
}

absl::StatusOr<int64_t> ColumnChunkReader::ReadFlat(int64_t n, Column* out) {
  int64_t done = 0;
  while (done < n) {
    if (page_cursor_ >= page_entries_) {
      PLINTH_ASSIGN_OR_RETURN(bool more, NextDataPage());
      if (!more) break;
    }
    int64_t take = std::min(n - done, page_entries_ - page_cursor_);
    if (leaf_.max_def == 0) {
      PLINTH_RETURN_IF_ERROR(AppendDense(take, out));
    } else {
      const int16_t* def = page_def_.data() + page_cursor_;
      int64_t present = 0;
      for (int64_t i = 0; i < take; ++i) present += def[i] == leaf_.max_def;
      const int64_t base = out->length();
      PLINTH_RETURN_IF_ERROR(AppendDense(present, out));
      if (present != take) SpreadNulls(out, base, take, present, def);
    }
    page_cursor_ += take;
    values_read_ += take;
    done += take;
  }
  return done;
}

absl::StatusOr<int64_t> ColumnChunkReader::ReadLevels(int64_t n, std::vector<int16_t>* def, std::vector<int16_t>* rep,
                                                      Column* values) {
  int64_t done = 0;
  while (done < n) {
    if (page_cursor_ >= page_entries_) {
      PLINTH_ASSIGN_OR_RETURN(bool more, NextDataPage());
      if (!more) break;
    }
    int64_t take = std::min(n - done, page_entries_ - page_cursor_);
    int64_t present = 0;
    for (int64_t i = 0; i < take; ++i) {
      int16_t d = page_def_[page_cursor_ + i];
      def->push_back(d);
      rep->push_back(page_rep_[page_cursor_ + i]);
      present += d == leaf_.max_def;
    }
    PLINTH_RETURN_IF_ERROR(AppendDense(present, values));
    page_cursor_ += take;
    values_read_ += take;
    done += take;
  }
  return done;
}

}  // namespace plinth::parquet
