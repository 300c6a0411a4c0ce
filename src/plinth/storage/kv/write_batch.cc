#include "plinth/storage/kv/write_batch.h"

namespace plinth::kv {

void WriteBatch::Put(std::string_view key, std::string_view value) {
  entries_.push_back({Kind::kPut, static_cast<uint32_t>(key.size()), data_.size(), value.size()});
  data_.append(key);
  data_.append(value);
}

void WriteBatch::Delete(std::string_view key) {
  entries_.push_back({Kind::kDelete, static_cast<uint32_t>(key.size()), data_.size(), 0});
  data_.append(key);
}

void WriteBatch::Clear() {
  data_.clear();
  entries_.clear();
}

void WriteBatch::Reserve(size_t entries, size_t bytes) {
  entries_.reserve(entries);
  data_.reserve(bytes);
}

WriteBatch::Entry WriteBatch::entry(size_t i) const {
  const Ref& r = entries_[i];
  std::string_view all(data_);
  return {r.kind, all.substr(r.offset, r.key_size), all.substr(r.offset + r.key_size, r.value_size)};
}

}  // namespace plinth::kv
