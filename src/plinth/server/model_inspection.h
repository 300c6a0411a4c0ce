// The registry's artifact inspector backed by the model runtime: a model file of a format the
// runtime reads is parsed and validated at registration (a feature Plinth cannot serve is
// refused with the runtime's message), and its signature is returned in the registry's schema.
// Thread-safety: the returned function is safe for concurrent use.
#pragma once

#include "plinth/registry/registry.h"
#include "plinth/runtime/signature.h"
#include "plinth/serving/artifact_loader.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

// With a loader, a model that passes is also compiled into the serving cache (Prepare), so
// that its first request maps the compiled form instead of parsing the file.
registry::ArtifactInspector MakeArtifactInspector(storage::ObjectStore& objects,
                                                  const serving::ArtifactLoader* loader = nullptr);

// {"inputs": [{"name", "type": "double"|"categorical"}], "outputs": [{"name", "type": "double"}]}
Json RegistrySignature(const runtime::Signature& sig);

}  // namespace plinth::server
