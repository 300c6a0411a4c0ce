#include "plinth/storage/backends.h"

#include <filesystem>

#include "plinth/storage/file_object_store.h"
#include "plinth/storage/meta/sqlite_meta_store.h"

namespace plinth::storage {

absl::StatusOr<Uri> Uri::Parse(const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError("empty storage URI");
  size_t sep = text.find("://");
  if (sep == std::string::npos) return Uri{"", text};
  Uri uri{text.substr(0, sep), text.substr(sep + 3)};
  if (uri.path.empty()) return absl::InvalidArgumentError(StrCat("storage URI '", text, "' has an empty path"));
  return uri;
}

StorageBackends StorageBackends::WithBuiltins() {
  StorageBackends b;
  auto file_opener = [](const Uri& uri) -> absl::StatusOr<std::unique_ptr<ObjectStore>> {
    PLINTH_ASSIGN_OR_RETURN(auto store, FileObjectStore::Create({.root = uri.path}));
    return std::unique_ptr<ObjectStore>(std::move(store));
  };
  b.RegisterObjectStore("file", file_opener);
  b.RegisterObjectStore("", file_opener);
  b.RegisterMetaStore("sqlite", [](const Uri& uri) -> absl::StatusOr<std::unique_ptr<MetaStore>> {
    std::error_code ec;
    auto parent = std::filesystem::path(uri.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    PLINTH_ASSIGN_OR_RETURN(auto store, SqliteMetaStore::Create({.path = uri.path}));
    return std::unique_ptr<MetaStore>(std::move(store));
  });
  return b;
}

void StorageBackends::RegisterObjectStore(const std::string& scheme, ObjectStoreOpener opener) {
  object_openers_[scheme] = std::move(opener);
}

void StorageBackends::RegisterMetaStore(const std::string& scheme, MetaStoreOpener opener) {
  meta_openers_[scheme] = std::move(opener);
}

namespace {
template <typename Map>
std::string Schemes(const Map& m) {
  std::vector<std::string> names;
  for (const auto& [k, v] : m) {
    if (!k.empty()) names.push_back(k + "://");
  }
  return StrJoin(names, ", ");
}
}  // namespace

absl::StatusOr<std::unique_ptr<ObjectStore>> StorageBackends::OpenObjectStore(const std::string& text) const {
  PLINTH_ASSIGN_OR_RETURN(Uri uri, Uri::Parse(text));
  auto it = object_openers_.find(uri.scheme);
  if (it == object_openers_.end()) {
    return absl::InvalidArgumentError(StrCat("unsupported object store URI '", text, "': supported schemes are ", Schemes(object_openers_)));
  }
  return it->second(uri);
}

absl::StatusOr<std::unique_ptr<MetaStore>> StorageBackends::OpenMetaStore(const std::string& text) const {
  PLINTH_ASSIGN_OR_RETURN(Uri uri, Uri::Parse(text));
  auto it = meta_openers_.find(uri.scheme);
  if (it == meta_openers_.end()) {
    return absl::InvalidArgumentError(StrCat("unsupported meta store URI '", text, "': supported schemes are ", Schemes(meta_openers_)));
  }
  return it->second(uri);
}

}  // namespace plinth::storage
