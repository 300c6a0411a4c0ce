// Flags and configuration of `plinth server` and of the local commands that work on the data
// directory without a server (`plinth tokens`, `plinth features training-set`, ...).
// Thread-safety: single-threaded CLI use.
#pragma once

#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "plinth/server/server_config.h"

namespace plinth::cli {

struct ServerFlags {
  std::string config_file;
  std::map<std::string, std::string> values;  // config key -> flag value
};

// Adds --config, --data-dir, --meta, --online, --objects (and with `all`, every server flag).
void AddServerFlags(CLI::App* cmd, ServerFlags* f, bool all);
// plinth.yaml (or --config / PLINTH_CONFIG), then PLINTH_* variables, then flags.
absl::StatusOr<server::ServerConfig> LoadConfig(const ServerFlags& f);
// "local:<user>": the audit actor of local commands.
std::string LocalActor();

}  // namespace plinth::cli
