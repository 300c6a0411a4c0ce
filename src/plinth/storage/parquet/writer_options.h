// Options of the Parquet writer. Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "plinth/storage/parquet/format.h"

namespace plinth::parquet {

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  int compression_level = 0;  // 0 = the codec's default
  // A row group is closed when it reaches either limit (uncompressed estimate for bytes).
  int64_t row_group_rows = 1 << 20;
  int64_t row_group_bytes = int64_t{128} << 20;
  // Target uncompressed size of a data page.
  int64_t page_bytes = 1 << 20;
  // Dictionary-encode columns while the dictionary stays under dictionary_page_bytes and
  // pays off; otherwise fall back to PLAIN for the rest of the column chunk.
  bool dictionary = true;
  int64_t dictionary_page_bytes = 1 << 20;
  bool write_statistics = true;
  bool page_checksums = true;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  std::string created_by = "plinth version 0.1.0";
};

}  // namespace plinth::parquet
