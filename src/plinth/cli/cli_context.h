// Shared state and output helpers of the `plinth` command's subcommands.
// Thread-safety: single-threaded CLI use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "plinth/base/json.h"
#include "plinth/cli/http_client.h"
#include "plinth/server/http_types.h"

namespace plinth::cli {

using server::PercentEncode;

// Options every client command takes.
struct ClientOptions {
  std::string server;  // --server / PLINTH_SERVER
  std::string token;   // --token / PLINTH_TOKEN
  std::string output = "table";
};

// Adds --server, --token and --output to `cmd`, bound to `opts`.
void AddClientOptions(CLI::App* cmd, ClientOptions* opts);
absl::StatusOr<std::unique_ptr<HttpClient>> Connect(const ClientOptions& opts);

// Prints `value` as pretty JSON, or as a table of `columns` from each object in `rows`
// (a column is a JSON pointer like "/name" or "/artifact/sha256").
void PrintJson(const Json& value);
void PrintTable(const std::vector<Json>& rows, const std::vector<std::pair<std::string, std::string>>& columns);
// A single object as "key: value" lines.
void PrintObject(const Json& obj);

// Records the first failure; main() turns it into the exit code.
struct CommandResult {
  absl::Status status;
};
CommandResult& LastResult();
void Fail(const absl::Status& status);

// "k=v" pairs into an object; InvalidArgument on a missing '='.
absl::StatusOr<Json> KeyValues(const std::vector<std::string>& pairs, const std::string& what, bool numeric);
// The text of a `--json TEXT` / `--file PATH` pair: the file ('-' = stdin) when given, else
// the inline text.
absl::StatusOr<std::string> InlineOrFile(const std::string& text, const std::string& file);
// Runs `fn` when the subcommand fires, recording a failure for main() to report.
void Do(CLI::App* cmd, std::function<absl::Status()> fn);

}  // namespace plinth::cli
