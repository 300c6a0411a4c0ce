// Registration of the `plinth` subcommands onto the CLI11 app, one function per group.
#pragma once

#include <CLI/CLI.hpp>

namespace plinth::cli {

void AddServerCommand(CLI::App& app);
void AddTokensCommands(CLI::App& app);
void AddAuditCommands(CLI::App& app);
void AddModelsCommands(CLI::App& app);
void AddServingCommands(CLI::App& app);
void AddGcCommand(CLI::App& app);
void AddParquetCommands(CLI::App& app);
void AddTableCommands(CLI::App& app);
void AddModelCommands(CLI::App& app);
void AddFeaturesCommands(CLI::App& app);

struct ClientOptions;
// `features training-set` and `features datasets ...` (local), under the `features` group.
void AddFeaturesLocalCommands(CLI::App* group, ClientOptions* opts);

}  // namespace plinth::cli
