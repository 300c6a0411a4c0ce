// WriteBatch: an ordered list of puts and deletes that an OnlineStore applies atomically.
//
// Backend-neutral (not RocksDB's type), so callers above storage/kv never see a backend.
// Keys and values are arbitrary bytes (NUL included). Entries are copied into one buffer
// when added, so the caller's strings may die right after Put/Delete; building a batch of
// N entries costs amortized O(1) allocations (Reserve() makes it zero). Later entries win
// over earlier ones for the same key, as if applied one by one.
// Thread-safety: a WriteBatch is plain data; use one per thread (or lock around it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::kv {

class WriteBatch {
 public:
  enum class Kind : uint8_t { kPut, kDelete };
  struct Entry {
    Kind kind;
    std::string_view key;
    std::string_view value;  // empty for kDelete
  };

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  void Clear();
  // Capacity for `entries` entries holding `bytes` key+value bytes in total.
  void Reserve(size_t entries, size_t bytes);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Key and value bytes held (what a backend will copy).
  size_t data_bytes() const { return data_.size(); }
  // The i-th entry; the views stay valid until the batch is next modified.
  // REQUIRES: i < size().
  Entry entry(size_t i) const;
  // Entry indices in ascending key order (bytewise); entries with equal keys keep their batch
  // order, or with `last_per_key` only the last of them is listed. Backends apply large
  // batches in this order.
  std::vector<uint32_t> KeyOrder(bool last_per_key = false) const;

 private:
  struct Ref {
    Kind kind;
    uint32_t key_size;
    uint64_t offset;  // key bytes, then value bytes, in data_
    uint64_t value_size;
  };
  std::string data_;
  std::vector<Ref> entries_;
};

}  // namespace plinth::kv
