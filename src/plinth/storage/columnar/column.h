// Column: one column of a RecordBatch - a type, a length, optional validity and the values.
//
// Layout by storage class (data_type.h):
//   fixed width (bool as uint8 0/1, int32, int64, float, double, int128): `values` holds
//     length * width bytes; a null slot holds an unspecified value.
//   bytes (string, binary, fixed binary, uuid): `offsets` has length + 1 entries starting at 0,
//     value i is data[offsets[i], offsets[i+1]); a null slot is empty.
// `validity` is empty when no value is null, else length bytes, 1 = present.
// Thread-safety: none for mutation; concurrent reads are safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/storage/columnar/buffer.h"
#include "plinth/storage/columnar/data_type.h"

namespace plinth::columnar {

using int128 = __int128;

class Column {
 public:
  Column() = default;
  explicit Column(DataType type) : type_(type), storage_(StorageOf(type)) {
    if (storage_ == StorageClass::kBytes) offsets_.push_back(0);
  }

  const DataType& type() const { return type_; }
  StorageClass storage() const { return storage_; }
  int64_t length() const { return length_; }

  bool has_nulls() const { return !validity_.empty(); }
  bool IsNull(int64_t i) const { return !validity_.empty() && validity_[i] == 0; }
  int64_t null_count() const;

  template <typename T>
  const T* data() const {
    return values_.As<T>();
  }
  template <typename T>
  T* mutable_data() {
    return values_.As<T>();
  }
  template <typename T>
  T Get(int64_t i) const {
    return values_.As<T>()[i];
  }
  std::string_view GetBytes(int64_t i) const {
    return std::string_view(data_.data() + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i]));
  }

  // Raw access for decoders and encoders.
  Buffer& values() { return values_; }
  const Buffer& values() const { return values_; }
  std::vector<int64_t>& offsets() { return offsets_; }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  std::string& bytes() { return data_; }
  const std::string& bytes() const { return data_; }
  std::vector<uint8_t>& validity() { return validity_; }
  const std::vector<uint8_t>& validity() const { return validity_; }
  // After writing values/offsets/validity directly, set the new length.
  void SetLength(int64_t n) { length_ = n; }

  // Appending builders (slow path: tests, CSV/JSON input, small batches).
  void AppendNull();
  template <typename T>
  void Append(T v) {
    size_t w = sizeof(T);
    values_.Resize((length_ + 1) * w);
    values_.As<T>()[length_] = v;
    if (!validity_.empty()) validity_.push_back(1);
    ++length_;
  }
  void AppendBytes(std::string_view v);
  // Appends rows [begin, begin+count) of `other` (same type).
  void AppendFrom(const Column& other, int64_t begin, int64_t count);
  // Keeps only rows whose selection byte is non-zero.
  Column Filter(const std::vector<uint8_t>& selection) const;
  // Ensures validity_ is materialised (all 1 so far) so a null can be set.
  void MaterializeValidity();
  void Clear();
  void Reserve(int64_t rows);
  // Approximate bytes held.
  size_t MemoryBytes() const;

 private:
  DataType type_;
  StorageClass storage_ = StorageClass::kInt64;
  int64_t length_ = 0;
  Buffer values_;
  std::vector<int64_t> offsets_;
  std::string data_;
  std::vector<uint8_t> validity_;
};

}  // namespace plinth::columnar
