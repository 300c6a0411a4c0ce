#include "plinth/features/pit_columns.h"

#include <cmath>
#include <cstring>

#include "plinth/features/column_values.h"
#include "plinth/features/pit_keys.h"

namespace plinth::features {

using columnar::Column;
using columnar::StorageClass;
using columnar::TypeId;

void AppendConverted(Column& dst, const Column& src, int64_t row, ValueType type) {
  if (src.IsNull(row)) {
    dst.AppendNull();
    return;
  }
  switch (type) {
    case ValueType::kBool: dst.Append<uint8_t>(src.Get<uint8_t>(row) != 0); return;
    case ValueType::kInt64: dst.Append<int64_t>(IntegerAt(src, row)); return;
    case ValueType::kDouble:
      switch (src.storage()) {
        case StorageClass::kDouble: dst.Append<double>(src.Get<double>(row)); return;
        case StorageClass::kFloat: dst.Append<double>(src.Get<float>(row)); return;
        case StorageClass::kInt128:
          dst.Append<double>(static_cast<double>(src.Get<__int128>(row)) / std::pow(10.0, src.type().scale));
          return;
        default: dst.Append<double>(static_cast<double>(IntegerAt(src, row))); return;
      }
    case ValueType::kString: dst.AppendBytes(src.GetBytes(row)); return;
    case ValueType::kTimestamp: dst.Append<int64_t>(ColumnMicros(src, row)); return;
    case ValueType::kNull: dst.AppendNull(); return;
  }
}

Column GatherRows(const Column& src, const std::vector<int64_t>& index) {
  Column out(src.type());
  const int64_t n = static_cast<int64_t>(index.size());
  bool any_null = src.has_nulls();
  for (int64_t i = 0; i < n && !any_null; ++i) any_null = index[i] < 0;
  if (any_null) {
    auto& validity = out.validity();
    validity.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) validity[i] = index[i] >= 0 && !src.IsNull(index[i]);
  }
  if (src.storage() == StorageClass::kBytes) {
    auto& offsets = out.offsets();
    auto& bytes = out.bytes();
    offsets.reserve(static_cast<size_t>(n) + 1);
    for (int64_t i = 0; i < n; ++i) {
      if (index[i] >= 0) {
        std::string_view v = src.GetBytes(index[i]);
        bytes.append(v.data(), v.size());
      }
      offsets.push_back(static_cast<int64_t>(bytes.size()));
    }
  } else {
    const size_t w = columnar::StorageWidth(src.storage());
    out.values().Resize(static_cast<size_t>(n) * w);
    uint8_t* to = out.values().data();
    const uint8_t* from = src.values().data();
    if (w == 8) {
      auto* t = reinterpret_cast<uint64_t*>(to);
      auto* f = reinterpret_cast<const uint64_t*>(from);
      for (int64_t i = 0; i < n; ++i) t[i] = index[i] >= 0 ? f[index[i]] : 0;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        if (index[i] >= 0) std::memcpy(to + i * w, from + index[i] * w, w);
        else std::memset(to + i * w, 0, w);
      }
    }
  }
  out.SetLength(n);
  return out;
}

void AppendValue(Column& dst, const Value& v, ValueType type) {
  if (v.is_null()) {
    dst.AppendNull();
    return;
  }
  switch (type) {
    case ValueType::kBool: dst.Append<uint8_t>(v.bool_value() ? 1 : 0); return;
    case ValueType::kInt64: dst.Append<int64_t>(v.int64_value()); return;
    case ValueType::kDouble: dst.Append<double>(v.AsDouble().value_or(NAN)); return;
    case ValueType::kString: dst.AppendBytes(v.string_value()); return;
    case ValueType::kTimestamp: dst.Append<int64_t>(v.timestamp_micros()); return;
    case ValueType::kNull: dst.AppendNull(); return;
  }
}

}  // namespace plinth::features
