#include "plinth/storage/columnar/column.h"

#include <algorithm>
#include <cstring>

namespace plinth::columnar {

int64_t Column::null_count() const {
  if (validity_.empty()) return 0;
  int64_t valid = 0;
  for (int64_t i = 0; i < length_; ++i) valid += validity_[i];
  return length_ - valid;
}

void Column::MaterializeValidity() {
  if (validity_.empty()) validity_.assign(static_cast<size_t>(length_), 1);
}

void Column::AppendNull() {
  MaterializeValidity();
  if (storage_ == StorageClass::kBytes) {
    offsets_.push_back(static_cast<int64_t>(data_.size()));
  } else {
    size_t w = StorageWidth(storage_);
    values_.Resize((length_ + 1) * w);
    std::memset(values_.data() + length_ * w, 0, w);
  }
  validity_.push_back(0);
  ++length_;
}

void Column::AppendBytes(std::string_view v) {
  data_.append(v.data(), v.size());
  offsets_.push_back(static_cast<int64_t>(data_.size()));
  if (!validity_.empty()) validity_.push_back(1);
  ++length_;
}

void Column::AppendFrom(const Column& other, int64_t begin, int64_t count) {
  if (count <= 0) return;
  if (other.has_nulls() || has_nulls()) {
    MaterializeValidity();
    if (other.has_nulls()) {
      validity_.insert(validity_.end(), other.validity_.begin() + begin,
                       other.validity_.begin() + begin + count);
    } else {
      validity_.insert(validity_.end(), static_cast<size_t>(count), 1);
    }
  }
  if (storage_ == StorageClass::kBytes) {
    int64_t base = other.offsets_[begin];
    int64_t end = other.offsets_[begin + count];
    int64_t shift = static_cast<int64_t>(data_.size()) - base;
    data_.append(other.data_.data() + base, static_cast<size_t>(end - base));
    offsets_.reserve(offsets_.size() + count);
    for (int64_t i = 1; i <= count; ++i) offsets_.push_back(other.offsets_[begin + i] + shift);
  } else {
    size_t w = StorageWidth(storage_);
    values_.Resize((length_ + count) * w);
    std::memcpy(values_.data() + length_ * w, other.values_.data() + begin * w, count * w);
  }
  length_ += count;
}

Column Column::Filter(const std::vector<uint8_t>& selection) const {
  Column out(type_);
  int64_t kept = 0;
  for (int64_t i = 0; i < length_; ++i) kept += selection[i] != 0;
  out.Reserve(kept);
  if (has_nulls()) out.validity_.reserve(kept), out.validity_.clear();
  if (storage_ == StorageClass::kBytes) {
    for (int64_t i = 0; i < length_; ++i) {
      if (!selection[i]) continue;
      std::string_view v = GetBytes(i);
      out.data_.append(v.data(), v.size());
      out.offsets_.push_back(static_cast<int64_t>(out.data_.size()));
      if (has_nulls()) out.validity_.push_back(validity_[i]);
    }
  } else {
    size_t w = StorageWidth(storage_);
    out.values_.Resize(kept * w);
    int64_t j = 0;
    for (int64_t i = 0; i < length_; ++i) {
      if (!selection[i]) continue;
      std::memcpy(out.values_.data() + j * w, values_.data() + i * w, w);
      if (has_nulls()) out.validity_.push_back(validity_[i]);
      ++j;
    }
  }
  out.length_ = kept;
  if (has_nulls() && std::all_of(out.validity_.begin(), out.validity_.end(), [](uint8_t v) { return v; })) {
    out.validity_.clear();
  }
  return out;
}

void Column::Clear() {
  length_ = 0;
  values_.Clear();
  offsets_.clear();
  if (storage_ == StorageClass::kBytes) offsets_.push_back(0);
  data_.clear();
  validity_.clear();
}

void Column::Reserve(int64_t rows) {
  if (storage_ == StorageClass::kBytes) {
    offsets_.reserve(static_cast<size_t>(rows) + 1);
  } else {
    values_.Reserve(static_cast<size_t>(rows) * StorageWidth(storage_));
  }
}

size_t Column::MemoryBytes() const {
  return values_.capacity() + offsets_.capacity() * sizeof(int64_t) + data_.capacity() +
         validity_.capacity();
}

}  // namespace plinth::columnar
