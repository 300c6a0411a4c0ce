#include "plinth/features/column_values.h"

#include <cmath>

#include "plinth/features/online_record.h"

namespace plinth::features {

using columnar::TypeId;

namespace {

// Integer cell as int64 (any integer width).
int64_t IntegerCell(const columnar::Column& c, int64_t row) {
  switch (c.type().id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
      return c.Get<int32_t>(row);
    default:  // int64, uint32 (held as int64)
      return c.Get<int64_t>(row);
  }
}

double DecimalCell(const columnar::Column& c, int64_t row) {
  __int128 unscaled = c.Get<__int128>(row);
  return static_cast<double>(unscaled) / std::pow(10.0, c.type().scale);
}

}  // namespace

int64_t ColumnMicros(const columnar::Column& c, int64_t row) {
  if (c.IsNull(row)) return kNoTimestamp;
  if (c.type().id == TypeId::kDate) return static_cast<int64_t>(c.Get<int32_t>(row)) * 86400000000LL;
  return c.Get<int64_t>(row);
}

Value ColumnValue(const columnar::Column& c, int64_t row, ValueType target) {
  if (c.IsNull(row)) return Value();
  const TypeId id = c.type().id;
  switch (target) {
    case ValueType::kBool: return Value::Bool(c.Get<uint8_t>(row) != 0);
    case ValueType::kInt64: return Value::Int64(IntegerCell(c, row));
    case ValueType::kDouble:
      if (id == TypeId::kDouble) return Value::Double(c.Get<double>(row));
      if (id == TypeId::kFloat || id == TypeId::kFloat16) return Value::Double(c.Get<float>(row));
      if (id == TypeId::kDecimal) return Value::Double(DecimalCell(c, row));
      return Value::Double(static_cast<double>(IntegerCell(c, row)));
    case ValueType::kString: return Value::String(std::string(c.GetBytes(row)));
    case ValueType::kTimestamp: return Value::Time(ColumnMicros(c, row));
    case ValueType::kNull: return Value();
  }
  return Value();
}

void AppendRecordCell(const columnar::Column& c, int64_t row, ValueType target, std::string* out) {
  if (c.IsNull(row)) return AppendRecordNull(out);
  const TypeId id = c.type().id;
  if (target == ValueType::kDouble && id == TypeId::kDouble) return AppendRecordDouble(c.Get<double>(row), out);
  if (target == ValueType::kInt64 && id == TypeId::kInt64) return AppendRecordInt64(c.Get<int64_t>(row), out);
  AppendRecordValue(ColumnValue(c, row, target), out);
}

}  // namespace plinth::features
