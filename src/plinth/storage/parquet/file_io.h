// Byte sources and sinks for Parquet files: InputFile (random access, e.g. a local file read
// with pread, or bytes in memory for tests and fuzzing) and OutputFile (append-only, with a
// durable Close). Thread-safety: InputFile::ReadAt may be called concurrently; OutputFile is
// used by one writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "plinth/base/status.h"

namespace plinth::parquet {

class InputFile {
 public:
  virtual ~InputFile() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at offset; OutOfRange if the range is past the end.
  virtual absl::Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const = 0;
  // Name used in error messages (path or "<memory>").
  virtual const std::string& name() const = 0;
};

absl::StatusOr<std::unique_ptr<InputFile>> OpenLocalInputFile(const std::string& path);
// Serves bytes from memory; the InputFile owns its copy.
std::unique_ptr<InputFile> NewMemoryInputFile(std::string bytes, std::string name = "<memory>");

class OutputFile {
 public:
  virtual ~OutputFile() = default;
  virtual absl::Status Write(std::string_view bytes) = 0;
  // Bytes written so far.
  virtual uint64_t position() const = 0;
  // Flushes and (for local files) fsyncs. Further writes are errors.
  virtual absl::Status Close() = 0;
};

// Creates (truncates) `path`. With `durable`, Close() fsyncs the file.
absl::StatusOr<std::unique_ptr<OutputFile>> OpenLocalOutputFile(const std::string& path, bool durable = true);
// Collects bytes in memory; `*sink` receives them on Close().
std::unique_ptr<OutputFile> NewMemoryOutputFile(std::string* sink);

}  // namespace plinth::parquet
