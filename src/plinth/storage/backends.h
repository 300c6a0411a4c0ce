// StorageBackends: opens ObjectStore and MetaStore backends by URI scheme.
//
// Openers are registered on an instance (DESIGN.md convention 5), so tests and embedders
// can add or replace schemes without global state. WithBuiltins() knows:
//   objects: file:///abs/path (or a bare path)
//   meta:    sqlite:///abs/path/meta.db (or sqlite://relative/path)
// Thread-safety: register at start-up; Open* may then be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "plinth/storage/meta/meta_store.h"
#include "plinth/storage/object_store.h"

namespace plinth::storage {

// "scheme://rest" split; a bare path has scheme "".
struct Uri {
  std::string scheme;
  std::string path;
  static absl::StatusOr<Uri> Parse(const std::string& text);
};

class StorageBackends {
 public:
  using ObjectStoreOpener = std::function<absl::StatusOr<std::unique_ptr<ObjectStore>>(const Uri&)>;
  using MetaStoreOpener = std::function<absl::StatusOr<std::unique_ptr<MetaStore>>(const Uri&)>;

  static StorageBackends WithBuiltins();

  void RegisterObjectStore(const std::string& scheme, ObjectStoreOpener opener);
  void RegisterMetaStore(const std::string& scheme, MetaStoreOpener opener);
  absl::StatusOr<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri) const;
  absl::StatusOr<std::unique_ptr<MetaStore>> OpenMetaStore(const std::string& uri) const;

 private:
  std::map<std::string, ObjectStoreOpener> object_openers_;
  std::map<std::string, MetaStoreOpener> meta_openers_;
};

}  // namespace plinth::storage
