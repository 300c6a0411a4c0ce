// ColumnChunkWriter: encodes one flat leaf column of a row group into Parquet pages.
//
// Values arrive in slices (Write); full pages are encoded (definition levels RLE, values
// dictionary-indexed or PLAIN), compressed and kept in memory until FinishChunk writes the
// dictionary page followed by the data pages and fills in the ColumnChunk metadata.
// Dictionary encoding falls back to PLAIN when the dictionary grows past its budget or
// the first page shows it would not pay off. Statistics (min, max, null count) cover the
// chunk. Thread-safety: none; one writer per column.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "plinth/base/status.h"
#include "plinth/storage/columnar/column.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/schema.h"
#include "plinth/storage/parquet/writer_options.h"

namespace plinth::parquet {

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const LeafColumn& leaf, const WriterOptions& options);

  // Appends rows [begin, begin+count) of `col` (of the leaf's type). Fails for nulls in a
  // required column or a fixed-width binary of the wrong size.
  absl::Status Write(const columnar::Column& col, int64_t begin, int64_t count);
  // Uncompressed bytes buffered for the current row group (estimate).
  int64_t buffered_bytes() const { return buffered_bytes_; }
  // Encodes and compresses the rows still buffered for the current page (FinishChunk does it
  // too): lets a caller do that part of finishing a row group on several threads, one column
  // each, before writing the chunks in order.
  absl::Status FinishPages() { return FlushPage(); }
  // Writes the chunk at out->position() and resets for the next row group.
  absl::Status FinishChunk(OutputFile* out, ColumnChunk* chunk);

 private:
  absl::Status FlushPage();
  void UpdateStats(int64_t begin, int64_t count);
  // Dictionary indices of pending_[0, n); false when the dictionary was abandoned.
  bool BuildIndices();
  bool DeltaCandidate() const;
  bool SplitCandidate() const;
  std::string EncodeDelta() const;
  void EncodePlain(const columnar::Column& values, int64_t begin, int64_t count, std::string* out) const;
  absl::Status AppendPage(const PageHeader& header_template, const std::string& body, std::string* sink);
  void Reset();

  const LeafColumn& leaf_;
  const WriterOptions& options_;
  const size_t value_width_;  // storage width, 0 for bytes

  // Current page.
  std::vector<uint8_t> page_valid_;  // 1 per row when the column is nullable
  columnar::Column pending_;         // dense non-null values
  int64_t page_rows_ = 0;

  // Current chunk.
  std::string pages_;  // encoded data pages
  int64_t num_values_ = 0;
  int64_t null_count_ = 0;
  int64_t uncompressed_bytes_ = 0;
  int64_t buffered_bytes_ = 0;
  int data_pages_ = 0;
  int dict_data_pages_ = 0;
  bool plain_pages_ = false;
  int delta_pages_ = 0;
  int split_pages_ = 0;
  enum class FloatEncoding { kUndecided, kPlain, kSplit } float_encoding_ = FloatEncoding::kUndecided;
  enum class IntegerEncoding { kUndecided, kPlain, kDelta } integer_encoding_ = IntegerEncoding::kUndecided;

  // Dictionary state.
  bool use_dictionary_;
  columnar::Column dict_values_;
  absl::flat_hash_map<uint64_t, uint32_t> dict_fixed_;
  struct ViewHash {
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  absl::flat_hash_map<std::string_view, uint32_t, ViewHash> dict_bytes_;
  std::deque<std::string> dict_keys_;  // stable storage for dict_bytes_ keys
  std::vector<uint32_t> indices_;
  int64_t dict_bytes_size_ = 0;

  // Statistics.
  bool has_minmax_ = false;
  columnar::Column minmax_;  // [min, max]
};

}  // namespace plinth::parquet
