#include "plinth/storage/kv/write_batch.h"

#include <algorithm>
#include <cstring>

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
  return {r.kind, all.substr(r.offset, r.key_size),
          all.substr(r.offset + r.key_size, r.value_size)};
}

namespace {

struct SortRef {
  uint64_t word;  // up to 8 key bytes after the batch's common prefix, big-endian, zero-padded
  const char* key;
  uint32_t size;
  uint32_t index;
};

// Bytewise key order, then batch order. Different words decide alone (zero padding never
// contradicts bytewise order: equal words fall through to the full comparison), so most
// comparisons touch only the array, not the keys spread over the batch's buffer.
bool Less(const SortRef& a, const SortRef& b) {
  if (a.word != b.word) return a.word < b.word;
  int c = std::memcmp(a.key, b.key, std::min(a.size, b.size));
  if (c != 0) return c < 0;
  if (a.size != b.size) return a.size < b.size;
  return a.index < b.index;
}

uint64_t WordAt(std::string_view key, size_t offset) {
  unsigned char bytes[8] = {};
  if (offset < key.size())
    std::memcpy(bytes, key.data() + offset, std::min<size_t>(8, key.size() - offset));
  uint64_t x;
  std::memcpy(&x, bytes, 8);
  return __builtin_bswap64(x);
}

}  // namespace

std::vector<uint32_t> WriteBatch::KeyOrder(bool last_per_key) const {
  std::vector<uint32_t> order(entries_.size());
  if (order.empty()) return order;
  // Keys of one feature view share a prefix: the cached word starts after it.
  std::string_view first = entry(0).key;
  size_t common = first.size();
  for (size_t i = 1; i < entries_.size() && common > 0; ++i) {
    std::string_view k = entry(i).key;
    size_t n = std::min(common, k.size());
    size_t j = 0;
    while (j < n && k[j] == first[j]) ++j;
    common = j;
  }
  std::vector<SortRef> refs(entries_.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    std::string_view k = entry(i).key;
    refs[i] = {WordAt(k, common), k.data(), static_cast<uint32_t>(k.size()),
               static_cast<uint32_t>(i)};
  }
  std::sort(refs.begin(), refs.end(), Less);  // the index tie-break makes it stable
  size_t n = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (last_per_key && i + 1 < refs.size()) {
      const SortRef& a = refs[i];
      const SortRef& b = refs[i + 1];
      if (a.word == b.word && a.size == b.size && std::memcmp(a.key, b.key, a.size) == 0) continue;
    }
    order[n++] = refs[i].index;
  }
  order.resize(n);
  return order;
}

}  // namespace plinth::kv
