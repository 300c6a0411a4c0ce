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
  // `chunk` holds the bytes of the column chunk (from its first page to its end).
  static absl::StatusOr<std::unique_ptr<ColumnChunkReader>> Create(const LeafColumn& leaf,
                                                                   const ColumnMetaData& meta,
                                                                   columnar::Buffer chunk,
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
  ColumnChunkReader(const LeafColumn& leaf, const ColumnMetaData& meta, columnar::Buffer chunk,
                    const ColumnReadOptions& options);
  // Appends the next `k` dense (non-null) values of the current page to `out`.
  absl::Status AppendDense(int64_t k, columnar::Column* out);
  // Spreads the `present` values just appended at `base` over `take` rows per the levels.
  void SpreadNulls(columnar::Column* out, int64_t base, int64_t take, int64_t present, const int16_t* def) const;
  // Loads the next data page into page_* (dictionary pages are absorbed). false at the end.
  absl::StatusOr<bool> NextDataPage();
  absl::Status ReadDictionaryPage(const PageHeader& h, const uint8_t* payload);
  absl::Status DecodeDataPage(const PageHeader& h, const uint8_t* payload);
  absl::Status DecodeValues(Encoding encoding, const uint8_t* data, size_t len, int64_t count);
  absl::Status Decompress(const uint8_t* in, size_t in_len, size_t out_len, std::string* out);
  std::string Where() const;

  const LeafColumn& leaf_;
  ColumnMetaData meta_;
  columnar::Buffer chunk_;
  ColumnReadOptions options_;
  size_t pos_ = 0;
  int page_index_ = 0;
  int64_t values_read_ = 0;

  bool has_dictionary_ = false;
  columnar::Column dictionary_;

  // Current data page, fully decoded.
  std::vector<int16_t> page_def_;
  std::vector<int16_t> page_rep_;
  // The page's dense non-null values, in one of three forms: decoded into page_values_,
  // PLAIN fixed-width values used in place (plain_values_ points into the page), or string
  // dictionary indices (indices_) gathered only when handed out.
  enum class PageForm { kDecoded, kPlainInPlace, kDictionaryIndices } page_form_ = PageForm::kDecoded;
  columnar::Column page_values_;
  const uint8_t* plain_values_ = nullptr;
  int64_t page_value_count_ = 0;
  int64_t page_entries_ = 0;      // level entries in the page
  int64_t page_cursor_ = 0;       // next level entry
  int64_t value_cursor_ = 0;      // next dense value

  std::string decompressed_;
  std::string scratch_;
  std::vector<uint32_t> indices_;
};

}  // namespace plinth::parquet
