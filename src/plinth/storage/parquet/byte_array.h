// ByteArrayOut: the in-memory layout of a BYTE_ARRAY column that decoders append to directly.
//
// A column of n values is `offsets` (n + 1 entries, offsets[0] == 0 or the end of earlier
// values) and one contiguous `data` buffer; value i is data[offsets[i], offsets[i+1]).
// Appending value v is `data->append(v); offsets->push_back(data->size());`.
// Decoders never shrink either container below its size on entry; on error they restore both to
// their sizes on entry.
//
// Thread-safety: a plain pair of pointers; the pointees are owned by the caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace plinth::parquet {

struct ByteArrayOut {
  std::vector<int64_t>* offsets;  // REQUIRES: non-empty (holds at least the leading 0)
  std::string* data;
};

}  // namespace plinth::parquet
