#include "plinth/features/pit_keys.h"

#include <algorithm>
#include <cstring>

namespace plinth::features {

using columnar::TypeId;

absl::Status CheckKeyColumn(const columnar::Field& column, const JoinKey& key, std::string_view where) {
  const TypeId id = column.type.id;
  bool ok = false;
  if (key.type == ValueType::kInt64) {
    ok = id == TypeId::kInt8 || id == TypeId::kInt16 || id == TypeId::kInt32 || id == TypeId::kInt64 ||
         id == TypeId::kUInt8 || id == TypeId::kUInt16 || id == TypeId::kUInt32;
  } else if (key.type == ValueType::kString) {
    ok = id == TypeId::kString;
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(where, ": column '", column.name, "' is ", columnar::TypeName(column.type),
                                           ", join key '", key.name, "' is ", ValueTypeName(key.type)));
}

EntityDictionary::EntityDictionary(std::vector<JoinKey> keys) : keys_(std::move(keys)) {
  single_int_ = keys_.size() == 1 && keys_[0].type == ValueType::kInt64;
}

bool EntityDictionary::Encode(const std::vector<const columnar::Column*>& columns, int64_t r, std::string* buf) const {
  buf->clear();
  for (size_t k = 0; k < keys_.size(); ++k) {
    const columnar::Column& c = *columns[k];
    if (c.IsNull(r)) return false;
    if (keys_[k].type == ValueType::kInt64) {
      int64_t v = IntegerAt(c, r);
      buf->append(reinterpret_cast<const char*>(&v), sizeof v);
    } else {
      std::string_view s = c.GetBytes(r);
      uint32_t n = static_cast<uint32_t>(s.size());
      buf->append(reinterpret_cast<const char*>(&n), sizeof n);
      buf->append(s.data(), s.size());
    }
  }
  return true;
}

void EntityDictionary::AddRows(const std::vector<const columnar::Column*>& columns, int64_t rows, uint32_t* out) {
  if (single_int_ && next_ == 0 && AddRowsDirect(*columns[0], rows, out)) return;
  if (single_int_) {
    const columnar::Column& c = *columns[0];
    if (!direct_.empty()) {  // a later call: the keys seen so far move to the hash map
      for (size_t k = 0; k < direct_.size(); ++k) {
        if (direct_[k] != kNoEntity) ints_.emplace(static_cast<int64_t>(static_cast<uint64_t>(direct_min_) + k), direct_[k]);
      }
      direct_.clear();
    }
    for (int64_t r = 0; r < rows; ++r) {
      if (c.IsNull(r)) {
        out[r] = kNoEntity;
        continue;
      }
      auto [it, added] = ints_.try_emplace(IntegerAt(c, r), next_);
      if (added) ++next_;
      out[r] = it->second;
    }
    return;
  }
  std::string buf;
  for (int64_t r = 0; r < rows; ++r) {
    if (!Encode(columns, r, &buf)) {
      out[r] = kNoEntity;
      continue;
    }
    auto [it, added] = encoded_.try_emplace(buf, next_);
    if (added) ++next_;
    out[r] = it->second;
  }
}

bool EntityDictionary::AddRowsDirect(const columnar::Column& c, int64_t rows, uint32_t* out) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (int64_t r = 0; r < rows; ++r) {
    if (c.IsNull(r)) continue;
    const int64_t k = IntegerAt(c, r);
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  if (lo > hi) return false;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0 || span > std::max<uint64_t>(static_cast<uint64_t>(rows), 1 << 16) || span > (uint64_t{1} << 26)) return false;
  direct_min_ = lo;
  direct_.assign(span, kNoEntity);
  for (int64_t r = 0; r < rows; ++r) {
    if (c.IsNull(r)) {
      out[r] = kNoEntity;
      continue;
    }
    uint32_t& id = direct_[static_cast<uint64_t>(IntegerAt(c, r)) - static_cast<uint64_t>(lo)];
    if (id == kNoEntity) id = next_++;
    out[r] = id;
  }
  return true;
}

void EntityDictionary::Seal() {
  if (!single_int_ || ints_.empty() || !direct_.empty()) return;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const auto& [k, id] : ints_) {
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0 || span > std::max<uint64_t>(uint64_t{4} * ints_.size(), 1 << 16) || span > (uint64_t{1} << 26)) return;
  direct_min_ = lo;
  direct_.assign(span, kNoEntity);
  for (const auto& [k, id] : ints_) direct_[static_cast<uint64_t>(k) - static_cast<uint64_t>(lo)] = id;
}

void EntityDictionary::FindRows(const std::vector<const columnar::Column*>& columns, int64_t rows, uint32_t* out) const {
  if (single_int_) {
    const columnar::Column& c = *columns[0];
    const bool nulls = c.has_nulls();
    if (!direct_.empty()) {
      const uint64_t span = direct_.size();
      for (int64_t r = 0; r < rows; ++r) {
        const uint64_t k = static_cast<uint64_t>(IntegerAt(c, r)) - static_cast<uint64_t>(direct_min_);
        out[r] = (k < span && !(nulls && c.IsNull(r))) ? direct_[k] : kNoEntity;
      }
      return;
    }
    if (c.storage() == columnar::StorageClass::kInt64) {
      const int64_t* v = c.data<int64_t>();
      for (int64_t r = 0; r < rows; ++r) {
        if (nulls && c.IsNull(r)) {
          out[r] = kNoEntity;
          continue;
        }
        auto it = ints_.find(v[r]);
        out[r] = it == ints_.end() ? kNoEntity : it->second;
      }
      return;
    }
    for (int64_t r = 0; r < rows; ++r) {
      if (nulls && c.IsNull(r)) {
        out[r] = kNoEntity;
        continue;
      }
      auto it = ints_.find(IntegerAt(c, r));
      out[r] = it == ints_.end() ? kNoEntity : it->second;
    }
    return;
  }
  std::string buf;
  for (int64_t r = 0; r < rows; ++r) {
    if (!Encode(columns, r, &buf)) {
      out[r] = kNoEntity;
      continue;
    }
    auto it = encoded_.find(buf);
    out[r] = it == encoded_.end() ? kNoEntity : it->second;
  }
}

}  // namespace plinth::features
