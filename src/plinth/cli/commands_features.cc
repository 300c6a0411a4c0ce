// `plinth features apply|diff|list|show|history`: the feature store's definitions from the
// command line (client of /api/v1/features).
#include <iostream>
#include <memory>

#include "plinth/base/file_util.h"
#include "plinth/base/yaml_json.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/features/definitions.h"

namespace plinth::cli {

namespace {

using Columns = std::vector<std::pair<std::string, std::string>>;
const Columns kObjectColumns = {{"KIND", "/kind"}, {"NAME", "/name"}, {"VERSION", "/version"},
                                {"CREATED", "/created_at"}, {"BY", "/created_by"}};

// Reads a definitions file and checks it locally (syntax and shapes) before any request, so a
// typo is reported with its line without a server round trip.
absl::StatusOr<std::string> ReadDefinitions(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    PLINTH_ASSIGN_OR_RETURN(text, ReadFileToString(file));
  }
  auto doc = YamlToJson(text);
  if (!doc.ok()) return absl::InvalidArgumentError(StrCat(file, ": ", doc.status().message()));
  auto defs = features::ParseDefinitions(*doc);
  if (!defs.ok()) return absl::InvalidArgumentError(StrCat(file, ": ", defs.status().message()));
  if (defs->size() == 0) return absl::InvalidArgumentError(StrCat(file, ": no definitions found"));
  return text;
}

void PrintChanges(const Json& out, bool dry_run) {
  for (const Json& c : out["changes"]) {
    const std::string op = c["op"].get<std::string>();
    const char* mark = op == "add" ? "+" : op == "update" ? "~" : op == "remove" ? "-" : "=";
    std::cout << mark << " " << c["kind"].get<std::string>() << " " << c["name"].get<std::string>();
    if (op == "update") {
      std::cout << " v" << c["old_version"].get<int64_t>() << " -> v" << c["new_version"].get<int64_t>() << " (";
      bool first = true;
      for (const auto& f : c["fields"]) {
        std::cout << (first ? "" : ", ") << f.get<std::string>();
        first = false;
      }
      std::cout << ")";
    } else if (op == "add") {
      std::cout << " v" << c["new_version"].get<int64_t>();
    } else if (op == "unchanged") {
      std::cout << " v" << c["old_version"].get<int64_t>();
    }
    std::cout << "\n";
  }
  for (const auto& t : out["created_tables"]) {
    std::cout << (dry_run ? "would create table " : "created table ") << t.get<std::string>() << "\n";
  }
  const Json& s = out["summary"];
  std::cout << (dry_run ? "diff: " : "applied: ") << s["added"].get<int>() << " added, " << s["updated"].get<int>()
            << " updated, " << s["removed"].get<int>() << " removed, " << s["unchanged"].get<int>() << " unchanged"
            << std::endl;
}

// Finds the kind of a live object named `name` when the user gave none.
absl::StatusOr<std::string> KindOf(HttpClient& client, const std::string& name) {
  PLINTH_ASSIGN_OR_RETURN(Json page, client.Call("GET", "/api/v1/features"));
  std::vector<std::string> kinds;
  for (const auto& o : page["objects"]) {
    if (o["name"] == name) kinds.push_back(o["kind"].get<std::string>());
  }
  if (kinds.empty()) return absl::NotFoundError(StrCat("no live feature object named '", name, "'"));
  if (kinds.size() > 1) {
    return absl::InvalidArgumentError(StrCat("'", name, "' names a ", StrJoin(kinds, " and a "), ": give --kind"));
  }
  return kinds[0];
}

}  // namespace

void AddFeaturesCommands(CLI::App& app) {
  auto* group = app.add_subcommand("features", "Feature store: definitions, training sets, online features");
  group->require_subcommand(1);
  auto opts = std::make_shared<ClientOptions>();
  AddClientOptions(group, opts.get());
  group->fallthrough();

  // apply / diff
  for (const bool dry_run : {false, true}) {
    auto* cmd = group->add_subcommand(dry_run ? "diff" : "apply",
                                      dry_run ? "Show what applying a definitions file would change"
                                              : "Validate and apply a definitions file (YAML)");
    auto file = std::make_shared<std::string>();
    auto prune = std::make_shared<bool>(false);
    cmd->add_option("-f,--file", *file, "Definitions file ('-' for stdin)")->required();
    cmd->add_flag("--prune", *prune, "Also remove live objects the file does not declare");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(std::string text, ReadDefinitions(*file));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", "/api/v1/features/apply",
                                                     Json{{"yaml", text}, {"dry_run", dry_run}, {"prune", *prune}}));
      if (opts->output == "json") PrintJson(out);
      else PrintChanges(out, dry_run);
      return absl::OkStatus();
    });
  }

  // list
  {
    auto* cmd = group->add_subcommand("list", "List live entities, sources, feature views and services");
    auto kind = std::make_shared<std::string>();
    cmd->add_option("--kind,-k", *kind, "entity, source, feature_view or feature_service");
    Do(cmd, [=]() -> absl::Status {
      std::string target = "/api/v1/features";
      if (!kind->empty()) {
        PLINTH_RETURN_IF_ERROR(features::ParseObjectKind(*kind).status());
        target = StrCat(target, "?kind=", PercentEncode(*kind));
      }
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json page, client->Call("GET", target));
      if (opts->output == "json") {
        PrintJson(page);
      } else {
        std::vector<Json> rows(page["objects"].begin(), page["objects"].end());
        PrintTable(rows, kObjectColumns);
      }
      return absl::OkStatus();
    });
  }

  // show / history
  for (const bool history : {false, true}) {
    auto* cmd = group->add_subcommand(history ? "history" : "show",
                                      history ? "Every version of a definition, newest first" : "Show a definition (JSON)");
    auto name = std::make_shared<std::string>();
    auto kind = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(0);
    cmd->add_option("name", *name, "Object name")->required();
    cmd->add_option("--kind,-k", *kind, "entity, source, feature_view or feature_service (needed when names clash)");
    if (!history) cmd->add_option("--version,-v", *version, "A past version");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      std::string k = *kind;
      if (k.empty()) {
        PLINTH_ASSIGN_OR_RETURN(k, KindOf(*client, *name));
      } else {
        PLINTH_ASSIGN_OR_RETURN(features::ObjectKind parsed, features::ParseObjectKind(k));
        k = std::string(features::ObjectKindName(parsed));
      }
      std::string target = StrCat("/api/v1/features/", k, "/", PercentEncode(*name));
      if (history) target += "/history";
      else if (*version > 0) target = StrCat(target, "?version=", *version);
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("GET", target));
      if (history && opts->output != "json") {
        std::vector<Json> rows(out["versions"].begin(), out["versions"].end());
        PrintTable(rows, kObjectColumns);
      } else {
        PrintJson(out);
      }
      return absl::OkStatus();
    });
  }
}

}  // namespace plinth::cli
