// The Parquet form of Delta checkpoints (PROTOCOL.md "Checkpoints", "Checkpoint Schema"): one
// action per row, each action type a nullable top-level struct column (txn, add, remove,
// metaData, protocol, domainMetadata, and for v2 checkpoints checkpointMetadata and sidecar);
// the row's action is the struct whose required field (add.path, metaData.id, ...) is non-null.
//
// Writing uses Spark's layout: every field optional, maps as MAP { repeated key_value { required
// key, optional value } }, lists as 3-level LIST { repeated list { optional element } }.
// Reading accepts what Spark, delta-rs and Delta Kernel write: extra columns and fields
// (add.stats_parsed, partitionValues_parsed, clusteringProvider, ...) are ignored, columns may be
// in any order, maps may name their repeated group key_value / entries / anything, lists may be
// 2-level, and integers may be INT32 or INT64. Required fields of a present action that are null
// fail with DataLoss naming the field ("add.size is missing"); null maps and lists of metaData
// read as empty. Internal to plinth/storage/delta (ParquetCheckpointIO is the public face).
// Thread-safety: stateless functions.
#pragma once

#include <memory>
#include <vector>

#include "plinth/base/status.h"
#include "plinth/storage/delta/actions.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/file_reader.h"
#include "plinth/storage/parquet/metadata.h"
#include "plinth/storage/parquet/writer_options.h"

namespace plinth::delta::internal {

// The checkpoint schema; checkpointMetadata and sidecar columns only when asked for.
std::vector<parquet::SchemaElement> CheckpointParquetSchema(bool with_checkpoint_metadata,
                                                            bool with_sidecar);

// Writes `actions` (commitInfo actions are skipped) as a checkpoint file to `out` and closes it.
// Returns the number of rows (actions) written.
absl::StatusOr<int64_t> WriteCheckpointParquet(const std::vector<Action>& actions,
                                               std::unique_ptr<parquet::OutputFile> out,
                                               const parquet::WriterOptions& options);

// Appends every action stored in a checkpoint or sidecar file to `out`, in row order.
absl::Status ReadCheckpointParquet(const parquet::ParquetReader& reader, std::vector<Action>* out);

}  // namespace plinth::delta::internal
