#include "plinth/serving/artifact_loader.h"

#include "plinth/base/logging.h"
#include "plinth/runtime/model_loader.h"

namespace plinth::serving {

namespace {

absl::Status Unservable(const ResolvedModel& m, const absl::Status& st) {
  return absl::FailedPreconditionError(StrCat("model ", m.key.ToString(), " (", m.format, ") cannot be served: ", st.message()));
}

}  // namespace

absl::StatusOr<std::string> ArtifactLoader::ReadArtifact(const ResolvedModel& m) const {
  auto bytes = storage::ReadObject(*options_.objects, m.key.artifact, options_.max_artifact_bytes);
  if (absl::IsNotFound(bytes.status())) {
    // The registry names an artifact the store lost: the server's fault, not the caller's.
    return absl::DataLossError(StrCat("artifact ", m.key.artifact, " of model ", m.key.ToString(), " is missing"));
  }
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(), StrCat("artifact of model ", m.key.ToString(), ": ", bytes.status().message()));
  }
  return bytes;
}

absl::StatusOr<std::unique_ptr<runtime::Model>> ArtifactLoader::Load(const ResolvedModel& m) const {
  if (!runtime::IsLoadableFormat(m.format) || m.format == runtime::kCompiledFormat) {
    return absl::FailedPreconditionError(StrCat("model ", m.key.ToString(), " has format '", m.format,
                                                "', which Plinth cannot serve (register xgboost-json, xgboost-ubj, "
                                                "lightgbm-text or linear-json)"));
  }
  CompiledModelDir* dir = options_.compiled;
  if (dir != nullptr && dir->Contains(m.key.artifact)) {
    auto model = runtime::LoadModelFile(runtime::kCompiledFormat, dir->PathFor(m.key.artifact));
    if (model.ok()) {
      compiled_loads_.fetch_add(1);
      return model;
    }
    LogWarn(StrCat("compiled cache file for ", m.key.ToString(), " does not load (", model.status().message(),
                   "); compiling again"));
  }
  PLINTH_ASSIGN_OR_RETURN(std::string bytes, ReadArtifact(m));
  parsed_loads_.fetch_add(1);
  auto model = CompileAndCache(m.format, m.key.artifact, bytes, m.key.ToString());
  if (!model.ok()) return Unservable(m, model.status());
  return model;
}

absl::StatusOr<std::unique_ptr<runtime::Model>> ArtifactLoader::Prepare(const std::string& format,
                                                                         const std::string& sha256,
                                                                         std::string_view bytes) const {
  return CompileAndCache(format, sha256, bytes, StrCat("artifact ", sha256));
}

absl::StatusOr<std::unique_ptr<runtime::Model>> ArtifactLoader::CompileAndCache(const std::string& format,
                                                                                 const std::string& sha256,
                                                                                 std::string_view bytes,
                                                                                 const std::string& name) const {
  // Parse and compile once; serve the compiled bytes from the on-disk cache when it can be
  // written (later loads map it), else from memory.
  PLINTH_ASSIGN_OR_RETURN(runtime::ParsedModel parsed, runtime::ParseModel(format, bytes));
  PLINTH_ASSIGN_OR_RETURN(std::string compiled, runtime::CompileModel(parsed));
  CompiledModelDir* dir = options_.compiled;
  if (dir != nullptr) {
    absl::Status written = dir->Write(sha256, compiled);
    if (written.ok()) {
      auto model = runtime::LoadModelFile(runtime::kCompiledFormat, dir->PathFor(sha256));
      if (model.ok()) return model;
      LogWarn(StrCat("compiled form of ", name, " does not load: ", model.status().message()));
    } else {
      LogWarn(StrCat("cannot cache the compiled form of ", name, ": ", written.message()));
    }
  }
  return runtime::LoadModel(runtime::kCompiledFormat, compiled);
}

}  // namespace plinth::serving
