#include "plinth/server/model_inspection.h"

#include "plinth/runtime/model_loader.h"

namespace plinth::server {

Json RegistrySignature(const runtime::Signature& sig) {
  Json inputs = Json::array();
  for (const runtime::FeatureSpec& f : sig.inputs) {
    inputs.push_back({{"name", f.name}, {"type", f.kind == runtime::FeatureKind::kCategorical ? "categorical" : "double"}});
  }
  Json outputs = Json::array();
  for (const std::string& o : sig.outputs) outputs.push_back({{"name", o}, {"type", "double"}});
  return Json{{"inputs", std::move(inputs)}, {"outputs", std::move(outputs)}};
}

// Model files larger than this are refused at registration (the server reads them into memory).
constexpr int64_t kMaxModelBytes = int64_t{2} << 30;

registry::ArtifactInspector MakeArtifactInspector(storage::ObjectStore& objects, const serving::ArtifactLoader* loader) {
  return [&objects, loader](const std::string& format, const std::string& sha256) -> absl::StatusOr<Json> {
    if (!runtime::IsLoadableFormat(format)) return Json();
    PLINTH_ASSIGN_OR_RETURN(std::string bytes, storage::ReadObject(objects, sha256, kMaxModelBytes));
    auto model = loader != nullptr && format != runtime::kCompiledFormat ? loader->Prepare(format, sha256, bytes)
                                                                        : runtime::LoadModel(format, bytes);
    if (!model.ok()) {
      return absl::InvalidArgumentError(StrCat("the artifact is not a model Plinth can serve as ", format, ": ",
                                               model.status().message()));
    }
    return RegistrySignature((*model)->signature());
  };
}

}  // namespace plinth::server
