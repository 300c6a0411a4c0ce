// ModelKey: one registered model version, the unit the serving layer loads, caches and
// reports ("login-risk-acme/7"). Its identity includes the version's artifact: a model deleted
// and registered again reuses names and version numbers, and its "m/1" must not be served from
// the old "m/1" still in memory. ResolvedModel adds what loading it needs.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "plinth/base/strings.h"

namespace plinth::serving {

struct ModelKey {
  std::string name;
  int64_t version = 0;
  std::string artifact;  // the version's artifact (sha256 in the ObjectStore); empty in lookups by number

  std::string ToString() const { return StrCat(name, "/", version); }
  bool operator==(const ModelKey& o) const { return version == o.version && name == o.name && artifact == o.artifact; }
  bool operator!=(const ModelKey& o) const { return !(*this == o); }
};

struct ModelKeyHash {
  size_t operator()(const ModelKey& k) const {
    return (std::hash<std::string>()(k.name) * 31 + std::hash<int64_t>()(k.version)) * 31 +
           std::hash<std::string>()(k.artifact);
  }
};

// A version the registry resolved a reference to, with what is needed to load it.
struct ResolvedModel {
  ModelKey key;        // key.artifact: where the bytes are
  std::string format;  // registry format ("xgboost-json", "linear-json", ...)
};

}  // namespace plinth::serving
