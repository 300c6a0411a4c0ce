// ColumnChunkReader: decodes the pages of one column chunk (one leaf in one row group).
//
// It holds the chunk's compressed bytes (bounded by the row group size), decodes one page at
// a time (dictionary page, data page v1/v2), verifies page CRCs when asked, and hands out
// values in slices: ReadFlat for flat columns (one level entry per row) and ReadLevels for
// nested leaves (definition/repetition levels plus the dense non-null values).
// Thread-safety: none; one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/schema.h"

namespace plinth::parquet {

struct ColumnReadOptions {
  bool verify_checksums = true;
  // Largest decompressed page accepted, and the most one page may decode to (levels, values,
  // dictionary and DELTA_BYTE_ARRAY expansion). Protects against hostile headers.
  int64_t max_page_bytes = int64_t{1} << 30;
};

class ColumnChunkReader {
 public:
  // `chunk` holds the bytes of the column chunk, starting at `chunk_offset` in the file.
  static absl::StatusOr<std::unique_ptr<ColumnChunkReader>> Create(const LeafColumn& leaf,
                                                                   const ColumnMetaData& meta,
                                                                   std::string chunk,
                                                                   const ColumnReadOptions& options);

  // Appends up to `n` rows to `out` (a column of leaf.type). Returns rows appended; 0 at
  // the end of the chunk. REQUIRES: leaf.max_rep == 0.
  absl::StatusOr<int64_t> ReadFlat(int64_t n, columnar::Column* out);

  // Appends up to `n` level entries: def/rep levels (absent levels are 0) and the dense
  // non-null values to `values`. Returns entries appended; 0 at the end.
  absl::StatusOr<int64_t> ReadLevels(int64_t n, std::vector<int16_t>* def, std::vector<int16_t>* rep,
                                     columnar::Column* values);

  // Level entries (values incl. nulls) decoded so far.
  int64_t values_read() const { return values_read_; }

 private:
  ColumnChunkReader(const LeafColumn& leaf, const ColumnMetaData& meta, std::string chunk,
                    const ColumnReadOptions& options);
  // Loads the next data page into page_* (dictionary pages are absorbed). false at the end.
  absl::StatusOr<bool> NextDataPage();
  absl::Status ReadDictionaryPage(const PageHeader& h, const uint8_t* payload);
  absl::Status DecodeDataPage(const PageHeader& h, const uint8_t* payload);
  absl::Status DecodeValues(Encoding encoding, const uint8_t* data, size_t len, int64_t count);
  absl::Status Decompress(const uint8_t* in, size_t in_len, size_t out_len, std::string* out);
  std::string Where() const;

  const LeafColumn& leaf_;
  ColumnMetaData meta_;
  std::string chunk_;
  ColumnReadOptions options_;
  size_t pos_ = 0;
  int page_index_ = 0;
  int64_t values_read_ = 0;

  bool has_dictionary_ = false;
  columnar::Column dictionary_;

  // Current data page, fully decoded.
  std::vector<int16_t> page_def_;
  std::vector<int16_t> page_rep_;
  columnar::Column page_values_;  // dense non-null values
  int64_t page_entries_ = 0;      // level entries in the page
  int64_t page_cursor_ = 0;       // next level entry
  int64_t value_cursor_ = 0;      // next dense value

  std::string decompressed_;
  std::string scratch_;
  std::vector<uint32_t> indices_;
};

}  // namespace plinth::parquet
