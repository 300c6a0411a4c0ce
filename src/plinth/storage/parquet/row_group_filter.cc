#include "plinth/storage/parquet/row_group_filter.h"

namespace plinth::parquet {

std::function<bool(int)> RowGroupFilter(const ParquetReader* reader, const columnar::Predicate* predicate) {
  return [reader, predicate](int rg) {
    return predicate->MayMatch([&](const std::string& name) -> std::optional<columnar::ColumnRangeStats> {
      int leaf = reader->schema().LeafIndex(name);
      if (leaf < 0) return std::nullopt;
      ColumnChunkStats st = reader->ChunkStats(rg, leaf);
      columnar::ColumnRangeStats s;
      s.min = st.min;
      s.max = st.max;
      s.null_count = st.null_count;
      s.num_rows = reader->metadata().row_groups[rg].num_rows;
      return s;
    });
  };
}

}  // namespace plinth::parquet
