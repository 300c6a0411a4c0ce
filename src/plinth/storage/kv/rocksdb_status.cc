#include "plinth/storage/kv/rocksdb_status.h"

namespace plinth::kv {

absl::Status FromRocksStatus(const rocksdb::Status& s, std::string_view path,
                             std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = StrCat("online store ", path, ": ", what, ": ", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(msg);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(msg);
    case rocksdb::Status::kNotSupported:
      return absl::UnimplementedError(msg);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(msg);
    case rocksdb::Status::kIOError:
      if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
      if (s.IsPathNotFound()) return absl::NotFoundError(msg);
      return absl::InternalError(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(msg);
    case rocksdb::Status::kAborted:
      return absl::AbortedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace plinth::kv
