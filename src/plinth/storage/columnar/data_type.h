// Logical column types, fields and schemas of Plinth's in-memory columnar batches.
//
// These are the types a user sees (`plinth table create --schema "id int64 not null, ..."`),
// independent of how Parquet or Delta store them. Every type maps to one storage class
// (see Column): integers up to 32 bits and dates are int32, 64-bit integers, timestamps and
// times are int64 (timestamps and times in microseconds), decimals are 128-bit integers
// scaled by 10^scale, strings and binaries are offsets + bytes.
// Thread-safety: value types; immutable use is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::columnar {

enum class TypeId : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat16,  // half-precision in files; held as float in memory
  kFloat,
  kDouble,
  kString,
  kBinary,
  kFixedBinary,   // binary of byte_width bytes
  kUuid,          // 16 bytes
  kDate,          // days since 1970-01-01
  kTimestamp,     // microseconds since the epoch, UTC
  kTimestampNtz,  // microseconds, wall clock without time zone
  kTime,          // microseconds since midnight
  kDecimal,       // unscaled 128-bit integer; precision <= 38
};

// How values of a type are held in a Column.
enum class StorageClass : uint8_t { kBool, kInt32, kInt64, kFloat, kDouble, kInt128, kBytes };

struct DataType {
  TypeId id = TypeId::kInt64;
  int32_t precision = 0;   // kDecimal
  int32_t scale = 0;       // kDecimal
  int32_t byte_width = 0;  // kFixedBinary

  static DataType Decimal(int32_t precision, int32_t scale) {
    return DataType{TypeId::kDecimal, precision, scale, 0};
  }
  static DataType FixedBinary(int32_t width) { return DataType{TypeId::kFixedBinary, 0, 0, width}; }
  bool operator==(const DataType&) const = default;
};

StorageClass StorageOf(TypeId id);
inline StorageClass StorageOf(const DataType& t) { return StorageOf(t.id); }
// Bytes per value for fixed-width storage classes; 0 for kBytes.
size_t StorageWidth(StorageClass s);

// "int64", "string", "decimal(10,2)", "fixed_binary(16)", ...
std::string TypeName(const DataType& t);
// Parses TypeName's output and the aliases users write: int/integer, long/bigint, short,
// byte/tinyint, boolean, float/real, double, varchar/text/utf8, bytes/blob, timestamp_ntz.
absl::StatusOr<DataType> ParseType(std::string_view text);

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  bool operator==(const Field&) const = default;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  // Index of the field with this exact name, or nullopt.
  std::optional<size_t> IndexOf(std::string_view name) const;
  // Subset in the given order; error naming the first unknown column.
  absl::StatusOr<Schema> Select(const std::vector<std::string>& names) const;
  bool operator==(const Schema&) const = default;

  // Parses "id int64 not null, name string, ts timestamp" (types as ParseType; duplicate or
  // invalid column names are errors).
  static absl::StatusOr<Schema> Parse(std::string_view text);
  // Inverse of Parse.
  std::string ToString() const;

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace plinth::columnar
