#include "plinth/features/pit_columns.h"

#include <cmath>
#include <cstring>

#include "plinth/features/column_values.h"
#include "plinth/features/pit_keys.h"
#include "plinth/features/source_schema.h"

namespace plinth::features {

using columnar::Column;
using columnar::StorageClass;
using columnar::TypeId;

namespace {

// Calls put(v) with non-null src[row] converted to the C++ type of ColumnTypeFor(type):
// uint8_t (bool), int64_t (int64, timestamp) or double. Nothing for string and null.
template <typename Put>
void ConvertFixedCell(const Column& src, int64_t row, ValueType type, Put&& put) {
  switch (type) {
    case ValueType::kBool: put(static_cast<uint8_t>(src.Get<uint8_t>(row) != 0)); return;
    case ValueType::kInt64: put(IntegerAt(src, row)); return;
    case ValueType::kDouble:
      switch (src.storage()) {
        case StorageClass::kDouble: put(src.Get<double>(row)); return;
        case StorageClass::kFloat: put(static_cast<double>(src.Get<float>(row))); return;
        case StorageClass::kInt128:
          put(static_cast<double>(src.Get<__int128>(row)) / std::pow(10.0, src.type().scale));
          return;
        default: put(static_cast<double>(IntegerAt(src, row))); return;
      }
    case ValueType::kTimestamp: put(ColumnMicros(src, row)); return;
    case ValueType::kString:
    case ValueType::kNull: return;
  }
}

}  // namespace

void AppendConverted(Column& dst, const Column& src, int64_t row, ValueType type) {
  if (src.IsNull(row) || type == ValueType::kNull) {
    dst.AppendNull();
  } else if (type == ValueType::kString) {
    dst.AppendBytes(src.GetBytes(row));
  } else {
    ConvertFixedCell(src, row, type, [&](auto v) { dst.Append<decltype(v)>(v); });
  }
}

Column NullFixedColumn(ValueType type, int64_t rows) {
  Column out(ColumnTypeFor(type));
  const size_t w = columnar::StorageWidth(out.storage());
  out.values().Resize(static_cast<size_t>(rows) * w);
  if (rows > 0) std::memset(out.values().data(), 0, static_cast<size_t>(rows) * w);
  out.validity().assign(static_cast<size_t>(rows), 0);
  out.SetLength(rows);
  return out;
}

void ScatterConverted(Column& dst, const Column& src, const MatchedRow* pairs, size_t count,
                      int64_t row_base, ValueType type) {
  uint8_t* valid = dst.validity().data();
  const bool nulls = src.has_nulls();
  auto row_of = [&](size_t i) { return static_cast<int64_t>(pairs[i].pos & 0xffffffffu) - row_base; };
  // The common cases copy without converting: 8-byte values of the same storage.
  if ((type == ValueType::kDouble && src.storage() == StorageClass::kDouble) ||
      (type == ValueType::kInt64 && src.storage() == StorageClass::kInt64)) {
    const uint64_t* from = src.data<uint64_t>();
    uint64_t* to = dst.mutable_data<uint64_t>();
    // The labels are random rows of the output: prefetching the cells written kAhead pairs
    // later keeps several of those cache misses in flight instead of stalling on each store.
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < count; ++i) {
      if (i + kAhead < count) {
        __builtin_prefetch(to + pairs[i + kAhead].label, 1);
        __builtin_prefetch(valid + pairs[i + kAhead].label, 1);
      }
      const int64_t r = row_of(i);
      if (nulls && src.IsNull(r)) continue;
      to[pairs[i].label] = from[r];
      valid[pairs[i].label] = 1;
    }
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    const int64_t r = row_of(i);
    const uint32_t at = pairs[i].label;
    if (src.IsNull(r)) continue;
    ConvertFixedCell(src, r, type, [&](auto v) {
      dst.mutable_data<decltype(v)>()[at] = v;
      valid[at] = 1;
    });
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
