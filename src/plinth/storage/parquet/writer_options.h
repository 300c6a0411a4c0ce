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
  // Integer columns that do not take a dictionary are DELTA_BINARY_PACKED when that is at
  // least a quarter smaller than PLAIN (decided per column chunk on its first page). Readers
  // older than parquet-mr 1.8 / Spark 3.3's vectorized reader lack it: turn off for them.
  bool delta_integers = true;
  // Likewise float/double columns are BYTE_STREAM_SPLIT when that compresses at least 20%
  // better than PLAIN (compressed files only). Readers need parquet-format 2.8 support.
  bool byte_stream_split_floats = true;
  bool write_statistics = true;
  bool page_checksums = true;
  // Threads that encode and compress the columns of a batch in parallel (1 = the calling thread
  // only). The file's bytes do not depend on it.
  int threads = 1;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  std::string created_by = "plinth version 0.1.0";
};

}  // namespace plinth::parquet
