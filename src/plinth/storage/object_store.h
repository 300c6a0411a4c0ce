// ObjectStore: content-addressed artifact storage.
//
// Objects are immutable byte strings named by their SHA-256 (64 lowercase hex characters).
// Writers stream bytes in, hashing as they go; Commit() publishes the object atomically
// (a reader sees all of it or none of it). Keys are validated hashes, so no name can reach
// outside the store. Backends are chosen by URI (file:// now, s3:// later) through
// StorageBackends (backends.h).
// Thread-safety: ObjectStore methods are safe for concurrent use; a single ObjectWriter or
// ObjectReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::storage {

struct ObjectInfo {
  std::string sha256;
  int64_t size = 0;
};

struct ObjectEntry {
  std::string sha256;
  int64_t size = 0;
  int64_t modified_micros = 0;  // when the object was stored
};

class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;  // aborts if neither Commit nor Abort was called
  virtual absl::Status Append(std::string_view data) = 0;
  virtual int64_t bytes_written() const = 0;
  // Makes the object durable and visible under its digest. If `expected_sha256` is set and
  // differs, nothing is published and the result is InvalidArgument (DATA_LOSS semantics).
  virtual absl::StatusOr<ObjectInfo> Commit(std::optional<std::string> expected_sha256 = std::nullopt) = 0;
  virtual void Abort() = 0;
};

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Reads up to `n` bytes into `buf`; returns 0 at end of object.
  virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;
  virtual int64_t size() const = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual absl::StatusOr<std::unique_ptr<ObjectWriter>> NewWriter() = 0;
  // NotFound if absent; InvalidArgument if `sha256` is not a valid digest.
  virtual absl::StatusOr<ObjectInfo> Stat(std::string_view sha256) = 0;
  virtual absl::StatusOr<std::unique_ptr<ObjectReader>> Open(std::string_view sha256) = 0;
  // Re-hashes the stored bytes; DataLoss if they no longer match the name.
  virtual absl::Status Verify(std::string_view sha256) = 0;
  // A local file path holding the bytes, when the backend has one (for zero-copy serving).
  virtual std::optional<std::string> LocalPath(std::string_view sha256) = 0;
  virtual absl::Status Delete(std::string_view sha256) = 0;
  // Every stored object (not uploads in progress), in no particular order.
  virtual absl::StatusOr<std::vector<ObjectEntry>> List() = 0;
};

// The whole object in memory (for small artifacts such as model files). FailedPrecondition when
// it is larger than `max_bytes`; DataLoss when it is shorter than its recorded size.
absl::StatusOr<std::string> ReadObject(ObjectStore& store, std::string_view sha256, int64_t max_bytes);

}  // namespace plinth::storage
