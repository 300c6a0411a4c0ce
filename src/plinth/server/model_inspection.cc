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

registry::ArtifactInspector MakeArtifactInspector(storage::ObjectStore& objects) {
  return [&objects](const std::string& format, const std::string& sha256) -> absl::StatusOr<Json> {
    if (!runtime::IsLoadableFormat(format)) return Json();
    std::string bytes;
    PLINTH_ASSIGN_OR_RETURN(auto reader, objects.Open(sha256));
    bytes.resize(static_cast<size_t>(reader->size()));
    size_t got = 0;
    while (got < bytes.size()) {
      PLINTH_ASSIGN_OR_RETURN(size_t n, reader->Read(bytes.data() + got, bytes.size() - got));
      if (n == 0) break;
      got += n;
    }
    bytes.resize(got);
    auto model = runtime::LoadModel(format, bytes);
    if (!model.ok()) {
      return absl::InvalidArgumentError(StrCat("the artifact is not a model Plinth can serve as ", format, ": ",
                                               model.status().message()));
    }
    return RegistrySignature((*model)->signature());
  };
}

}  // namespace plinth::server
