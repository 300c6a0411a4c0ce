// ModelKey: one registered model version, the unit the serving layer loads, caches and
// reports ("login-risk-acme/7"). ResolvedModel adds what loading it needs.
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

  std::string ToString() const { return StrCat(name, "/", version); }
  bool operator==(const ModelKey& o) const { return version == o.version && name == o.name; }
  bool operator!=(const ModelKey& o) const { return !(*this == o); }
};

struct ModelKeyHash {
  size_t operator()(const ModelKey& k) const {
    return std::hash<std::string>()(k.name) * 31 + std::hash<int64_t>()(k.version);
  }
};

// A version the registry resolved a reference to, with what is needed to load it.
struct ResolvedModel {
  ModelKey key;
  std::string format;           // registry format ("xgboost-json", "linear-json", ...)
  std::string artifact_sha256;  // in the ObjectStore
};

}  // namespace plinth::serving
