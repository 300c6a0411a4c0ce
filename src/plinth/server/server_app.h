// ServerApp: wires storage, registry, auth and routes into a running `plinth server`.
// Thread-safety: Start once; Shutdown from any thread.
#pragma once

#include <memory>

#include "plinth/server/server_config.h"
#include "plinth/storage/meta/meta_store.h"
#include "plinth/storage/object_store.h"

namespace plinth::server {

// The embedded stores of a data directory, opened by URI.
struct Stores {
  std::unique_ptr<storage::MetaStore> meta;
  std::unique_ptr<storage::ObjectStore> objects;
};
absl::StatusOr<Stores> OpenStores(const ServerConfig& config);

// Runs the server until SIGTERM/SIGINT; returns after a graceful shutdown.
absl::Status RunServer(const ServerConfig& config);

inline constexpr char kPlinthVersion[] = "0.1.0";

}  // namespace plinth::server
