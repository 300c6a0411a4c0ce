#include "plinth/storage/parquet/statistics.h"

#include <cmath>

#include "plinth/storage/parquet/value_conversion.h"

namespace plinth::parquet {

using columnar::Column;
using columnar::Value;

ColumnChunkStats DecodeChunkStats(const LeafColumn& lc, const ColumnMetaData& meta) {
  ColumnChunkStats out;
  out.num_values = meta.num_values;
  if (!meta.statistics) return out;
  const Statistics& s = *meta.statistics;
  out.null_count = s.null_count;
  // Legacy min/max use signed byte order for binaries and are wrong for unsigned ints:
  // only trust them for signed numeric physical types without a logical annotation.
  const std::string* min = s.min_value ? &*s.min_value : nullptr;
  const std::string* max = s.max_value ? &*s.max_value : nullptr;
  bool legacy_ok = lc.physical != PhysicalType::kByteArray && lc.physical != PhysicalType::kFixedLenByteArray &&
                   lc.physical != PhysicalType::kInt96 && lc.type.id != columnar::TypeId::kUInt32 &&
                   lc.type.id != columnar::TypeId::kUInt64 && lc.type.id != columnar::TypeId::kUInt8 &&
                   lc.type.id != columnar::TypeId::kUInt16;
  if (!min && legacy_ok && s.min) min = &*s.min;
  if (!max && legacy_ok && s.max) max = &*s.max;
  if (lc.physical == PhysicalType::kInt96) return out;  // no defined sort order
  auto decode = [&](const std::string& bytes, bool exact) -> std::optional<Value> {
    if (!exact) return std::nullopt;
    Column c(lc.type);
    if (lc.physical == PhysicalType::kByteArray) {
      if (lc.conversion == Conversion::kBytesToDecimal) {
        auto v = DecodeBigEndianDecimal(bytes);
        if (!v.ok()) return std::nullopt;
        c.Append<columnar::int128>(*v);
      } else {
        c.AppendBytes(bytes);
      }
    } else if (lc.physical == PhysicalType::kBoolean) {
      if (bytes.size() != 1) return std::nullopt;
      c.Append<uint8_t>(bytes[0] != 0);
    } else {
      size_t w = PhysicalWidth(lc);
      if (w == 0 || bytes.size() != w) return std::nullopt;
      if (!AppendConvertedFixed(lc, reinterpret_cast<const uint8_t*>(bytes.data()), 1, &c).ok()) return std::nullopt;
    }
    Value v = columnar::ValueAt(c, 0);
    if ((lc.type.id == columnar::TypeId::kFloat || lc.type.id == columnar::TypeId::kDouble ||
         lc.type.id == columnar::TypeId::kFloat16) && std::isnan(v.d)) {
      return std::nullopt;
    }
    return v;
  };
  if (min) out.min = decode(*min, s.is_min_value_exact.value_or(true));
  if (max) out.max = decode(*max, s.is_max_value_exact.value_or(true));
  // A float -0/+0 bound is ambiguous: widen it (spec: writers may store either).
  if (out.min && (lc.type.id == columnar::TypeId::kFloat || lc.type.id == columnar::TypeId::kDouble) && out.min->d == 0) out.min->d = -0.0;
  if (out.max && (lc.type.id == columnar::TypeId::kFloat || lc.type.id == columnar::TypeId::kDouble) && out.max->d == 0) out.max->d = 0.0;
  return out;
}

}  // namespace plinth::parquet
