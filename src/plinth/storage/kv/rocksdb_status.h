// RocksDB status -> absl::Status, in one place for the RocksDB backend's files.
// Codes: NotFound -> kNotFound; Corruption -> kDataLoss; NotSupported -> kUnimplemented;
// InvalidArgument -> kInvalidArgument; IOError -> kResourceExhausted (no space), kNotFound
// (path not found) or kInternal; Busy/TimedOut/TryAgain/ShutdownInProgress -> kUnavailable;
// Aborted -> kAborted; anything else -> kInternal. The message keeps RocksDB's text.
// Thread-safety: stateless.
#pragma once

#include <rocksdb/status.h>

#include <string_view>

#include "plinth/base/status.h"

namespace plinth::kv {

// OK for OK; else "online store <path>: <what>: <RocksDB's message>" with the code above.
absl::Status FromRocksStatus(const rocksdb::Status& s, std::string_view path,
                             std::string_view what);

}  // namespace plinth::kv
