// The `plinth` command: server, registry client, tokens and audit.
#include <iostream>

#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/server/server_app.h"

int main(int argc, char** argv) {
  CLI::App app{"Plinth: a self-hosted machine-learning platform in one binary"};
  app.require_subcommand(1);
  app.set_version_flag("--version", plinth::server::kPlinthVersion);
  plinth::cli::AddServerCommand(app);
  plinth::cli::AddModelsCommands(app);
  plinth::cli::AddServingCommands(app);
  plinth::cli::AddTokensCommands(app);
  plinth::cli::AddAuditCommands(app);
  plinth::cli::AddGcCommand(app);
  plinth::cli::AddParquetCommands(app);
  plinth::cli::AddTableCommands(app);
  plinth::cli::AddModelCommands(app);
  plinth::cli::AddFeaturesCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
  const absl::Status& st = plinth::cli::LastResult().status;
  if (!st.ok()) {
    std::cerr << "error: " << st.message() << std::endl;
    switch (st.code()) {
      case absl::StatusCode::kInvalidArgument: return 2;
      case absl::StatusCode::kUnavailable: return 3;
      default: return 1;
    }
  }
  return 0;
}
