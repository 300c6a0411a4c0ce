// ArtifactLoader: a resolved model version -> a ready runtime::Model.
//
// Reads the version's artifact from the ObjectStore and loads it with the runtime. With a
// CompiledModelDir, the first load also writes the compiled form (runtime::CompileModel) and
// every later load of the same artifact memory-maps that file instead of parsing the model
// again. Prepare does the same at registration, so even a version's first load maps the file.
// Models the runtime cannot compile are loaded from the artifact each time.
// Errors: FailedPrecondition when the version's format cannot be served ("other") or the
// file does not load, NotFound when the artifact is missing.
// Thread-safety: safe for concurrent use; counters are atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "plinth/runtime/model.h"
#include "plinth/serving/compiled_model_dir.h"
#include "plinth/serving/model_key.h"
#include "plinth/storage/object_store.h"

namespace plinth::serving {

class ArtifactLoader {
 public:
  struct Options {
    storage::ObjectStore* objects = nullptr;
    CompiledModelDir* compiled = nullptr;  // optional
    int64_t max_artifact_bytes = int64_t{4} << 30;
  };
  explicit ArtifactLoader(Options options) : options_(options) {}

  absl::StatusOr<std::unique_ptr<runtime::Model>> Load(const ResolvedModel& model) const;
  // For registration: parses and compiles the artifact `bytes` (its sha256 and format as
  // registered) and writes the compiled form to the cache dir, so that the version's first
  // load maps it. InvalidArgument (the runtime's) when the file is not a model Plinth serves.
  absl::StatusOr<std::unique_ptr<runtime::Model>> Prepare(const std::string& format, const std::string& sha256,
                                                          std::string_view bytes) const;

  uint64_t compiled_loads() const { return compiled_loads_.load(); }  // mapped from the cache dir
  uint64_t parsed_loads() const { return parsed_loads_.load(); }      // parsed from the artifact

 private:
  absl::StatusOr<std::string> ReadArtifact(const ResolvedModel& model) const;
  absl::StatusOr<std::unique_ptr<runtime::Model>> CompileAndCache(const std::string& format, const std::string& sha256,
                                                                  std::string_view bytes, const std::string& name) const;

  Options options_;
  mutable std::atomic<uint64_t> compiled_loads_{0};
  mutable std::atomic<uint64_t> parsed_loads_{0};
};

}  // namespace plinth::serving
