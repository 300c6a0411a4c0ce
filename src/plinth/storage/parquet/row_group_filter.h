// Row-group skipping for a filter: a ScanOptions::row_group_filter that asks the filter whether
// any row of a row group may match, given that group's column statistics.
// Thread-safety: the returned function reads `reader` and `predicate`, which must outlive it.
#pragma once

#include <functional>

#include "plinth/storage/columnar/predicate.h"
#include "plinth/storage/parquet/file_reader.h"

namespace plinth::parquet {

std::function<bool(int row_group)> RowGroupFilter(const ParquetReader* reader, const columnar::Predicate* predicate);

}  // namespace plinth::parquet
