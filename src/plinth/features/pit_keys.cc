#include "plinth/features/pit_keys.h"

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
  if (single_int_) {
    const columnar::Column& c = *columns[0];
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

void EntityDictionary::FindRows(const std::vector<const columnar::Column*>& columns, int64_t rows, uint32_t* out) const {
  if (single_int_) {
    const columnar::Column& c = *columns[0];
    const bool nulls = c.has_nulls();
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
