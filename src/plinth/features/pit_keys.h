// Entity keys of the point-in-time join: the distinct join-key tuples of the label rows,
// numbered densely (0, 1, ...), so that feature rows and label rows meet on a small integer.
//
// The label side builds the dictionary (AddRows); the feature side only looks keys up
// (FindRows), so a feature row whose entity no label asks for is dropped while it is read.
// A single int64 key is hashed as a number; any other key list (strings, composite keys) as
// an encoded byte string (int64: 8 bytes, string: 4-byte length + bytes).
// A row with any null key gets kNoEntity and never matches.
// Thread-safety: AddRows is single-threaded; FindRows may run on many threads at once once
// the dictionary is built.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "plinth/features/definitions.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/columnar/data_type.h"

namespace plinth::features {

inline constexpr uint32_t kNoEntity = std::numeric_limits<uint32_t>::max();

// OK when a column can hold a join key of `key`'s type: any integer column for int64, a
// string column for string. InvalidArgument naming `where` and both types otherwise.
absl::Status CheckKeyColumn(const columnar::Field& column, const JoinKey& key, std::string_view where);

// Integer cell of any integer column as int64. REQUIRES: an integer column, non-null row.
inline int64_t IntegerAt(const columnar::Column& c, int64_t row) {
  return c.storage() == columnar::StorageClass::kInt32 ? c.Get<int32_t>(row) : c.Get<int64_t>(row);
}

class EntityDictionary {
 public:
  explicit EntityDictionary(std::vector<JoinKey> keys);

  // Numbers the keys of rows [0, rows) of `columns` (one per join key, in key order), adding
  // unseen keys; out[i] = entity id, or kNoEntity when a key is null.
  void AddRows(const std::vector<const columnar::Column*>& columns, int64_t rows, uint32_t* out);
  // Call after the last AddRows: a single int64 key whose values span a small range gets a
  // direct lookup table instead of hashing (the first AddRows may have built it already).
  void Seal();
  // Looks the keys up; out[i] = entity id, or kNoEntity when null or not in the dictionary.
  void FindRows(const std::vector<const columnar::Column*>& columns, int64_t rows, uint32_t* out) const;

  uint32_t size() const { return next_; }

 private:
  // A single integer key whose values span a small range (at most max(rows, 65536)): numbers
  // the first call's keys straight into the direct lookup table, without hashing. False (and
  // nothing done) when the range is too wide.
  bool AddRowsDirect(const columnar::Column& c, int64_t rows, uint32_t* out);
  // Encodes row `r`'s key into *buf; false when a key is null.
  bool Encode(const std::vector<const columnar::Column*>& columns, int64_t r, std::string* buf) const;

  std::vector<JoinKey> keys_;
  bool single_int_ = false;
  absl::flat_hash_map<int64_t, uint32_t> ints_;
  absl::flat_hash_map<std::string, uint32_t> encoded_;
  int64_t direct_min_ = 0;
  std::vector<uint32_t> direct_;  // key - direct_min_ -> id (kNoEntity when absent)
  uint32_t next_ = 0;
};

}  // namespace plinth::features
