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
// A file's rows go to the server in pushes of at most this many rows and about this much JSON
// (the server takes 100,000 rows and, by default, 16 MiB per request).
constexpr size_t kCliPushRows = 10000;
constexpr size_t kCliPushBytes = size_t{8} << 20;

const Columns kObjectColumns = {{"KIND", "/kind"}, {"NAME", "/name"}, {"VERSION", "/version"},
                                {"CREATED", "/created_at"}, {"BY", "/created_by"}};

// Reads a definitions file and checks it locally (syntax and shapes) before any request, so a
// typo is reported with its line without a server round trip.
absl::StatusOr<std::string> ReadDefinitions(const std::string& file) {
  PLINTH_ASSIGN_OR_RETURN(std::string text, InlineOrFile("", file));
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

// "k=v" pairs as a JSON object; values that read as JSON numbers or booleans keep that type,
// anything else is a string ("user_id=42,country=FR").
absl::StatusOr<Json> TypedPairs(const std::vector<std::string>& pairs, std::string_view what) {
  Json out = Json::object();
  for (const std::string& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return absl::InvalidArgumentError(StrCat("invalid ", what, " '", p, "': expected KEY=VALUE"));
    std::string value = p.substr(eq + 1);
    auto parsed = ParseJson(value);
    out[p.substr(0, eq)] = parsed.ok() && (parsed->is_number() || parsed->is_boolean()) ? *parsed : Json(value);
  }
  return out;
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

  // materialize
  {
    auto* cmd = group->add_subcommand("materialize", "Load the latest feature rows into the online store");
    auto views = std::make_shared<std::vector<std::string>>();
    auto start = std::make_shared<std::string>();
    auto end = std::make_shared<std::string>();
    auto full = std::make_shared<bool>(false);
    cmd->add_option("--view", *views, "Feature view (repeatable; default every online view)");
    cmd->add_option("--start", *start, "Only rows with event time >= this (ISO-8601)");
    cmd->add_option("--end", *end, "Only rows with event time < this (ISO-8601)");
    cmd->add_flag("--full", *full,
                  "Rebuild from every file of the source: each entity gets its newest row, entities without rows "
                  "lose theirs");
    Do(cmd, [=]() -> absl::Status {
      Json body = {{"full", *full}};
      if (!views->empty()) body["views"] = *views;
      if (!start->empty()) body["start"] = *start;
      if (!end->empty()) body["end"] = *end;
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", "/api/v1/features/materialize", body));
      if (opts->output == "json") {
        PrintJson(out);
      } else {
        std::vector<Json> rows(out["views"].begin(), out["views"].end());
        PrintTable(rows, {{"VIEW", "/view"}, {"MODE", "/mode"}, {"FROM", "/from_table_version"}, {"TO", "/to_table_version"},
                          {"FILES", "/files"}, {"ROWS", "/rows_scanned"}, {"WRITTEN", "/rows_written"}, {"DELETED", "/rows_deleted"}, {"SECONDS", "/seconds"}});
      }
      return absl::OkStatus();
    });
  }

  // push
  {
    auto* cmd = group->add_subcommand("push", "Write rows to a feature view (its source table and the online store)");
    auto view = std::make_shared<std::string>();
    auto json = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    cmd->add_option("view", *view, "Feature view")->required();
    auto* json_opt = cmd->add_option("--json,-j", *json, "Rows: '[{\"user_id\": 1, \"event_timestamp\": \"...\", ...}]'");
    auto* file_opt = cmd->add_option("--file,-f", *file,
                                     "Read the rows (a JSON list, or JSON lines) from a file ('-' for stdin); more than "
                                     "10,000 rows go in several pushes (one commit each)");
    json_opt->excludes(file_opt);
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(std::string text, InlineOrFile(*json, *file));
      if (text.empty()) return absl::InvalidArgumentError("give the rows with --json '[...]' or --file PATH");
      Json rows;
      auto parsed = ParseJson(text);
      if (parsed.ok() && parsed->is_array()) {
        rows = std::move(*parsed);
      } else {
        // JSON lines: one object per line.
        rows = Json::array();
        size_t line_no = 0, pos = 0;
        while (pos <= text.size()) {
          size_t nl = text.find('\n', pos);
          std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
          ++line_no;
          pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
          if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
          auto obj = ParseJsonObject(line);
          if (!obj.ok()) return absl::InvalidArgumentError(StrCat("line ", line_no, ": ", obj.status().message()));
          rows.push_back(std::move(*obj));
        }
      }
      if (!rows.is_array() || rows.empty()) return absl::InvalidArgumentError("no rows to push");
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      // In pushes the server takes (rows and body size); each is one commit, so a file is not
      // pushed atomically: a failure names the rows that were pushed before it.
      std::vector<Json> answers;
      size_t first = 0;
      while (first < rows.size()) {
        Json chunk = Json::array();
        size_t bytes = 0;
        while (first + chunk.size() < rows.size() && chunk.size() < kCliPushRows &&
               (chunk.empty() || bytes < kCliPushBytes)) {
          const Json& row = rows[first + chunk.size()];
          bytes += DumpJson(row).size() + 1;
          chunk.push_back(row);
        }
        const size_t n = chunk.size();
        auto out = client->Call("POST", "/api/v1/features/push", Json{{"view", *view}, {"rows", std::move(chunk)}});
        if (!out.ok()) {
          if (answers.empty() && first + n == rows.size()) return out.status();
          return absl::Status(out.status().code(),
                              StrCat(first == 0 ? "no rows were pushed" : StrCat("rows 0-", first - 1, " were pushed (table versions ",
                                                                                 answers.front()["table_version"].get<int64_t>(), "-",
                                                                                 answers.back()["table_version"].get<int64_t>(), ")"),
                                     "; rows ", first, "-", first + n - 1, " failed: ", out.status().message()));
        }
        answers.push_back(std::move(*out));
        first += n;
      }
      if (answers.size() == 1) {
        if (opts->output == "json") PrintJson(answers[0]);
        else std::cout << "pushed " << answers[0]["rows"].get<int64_t>() << " rows to " << *view << " (table version "
                       << answers[0]["table_version"].get<int64_t>() << ")" << std::endl;
        return absl::OkStatus();
      }
      if (opts->output == "json") {
        PrintJson(Json{{"view", *view}, {"rows", rows.size()}, {"pushes", answers}});
      } else {
        std::cout << "pushed " << rows.size() << " rows to " << *view << " in " << answers.size() << " pushes (table versions "
                  << answers.front()["table_version"].get<int64_t>() << "-" << answers.back()["table_version"].get<int64_t>()
                  << ")" << std::endl;
      }
      return absl::OkStatus();
    });
  }

  // get-online
  {
    auto* cmd = group->add_subcommand("get-online", "Read a feature service's values for entities from the online store");
    auto service = std::make_shared<std::string>();
    auto entities = std::make_shared<std::vector<std::string>>();
    auto request = std::make_shared<std::vector<std::string>>();
    cmd->add_option("--service,-s", *service, "Feature service")->required();
    cmd->add_option("--entity,-e", *entities, "Entity as KEY=VALUE[,KEY=VALUE] (repeatable)")->required();
    cmd->add_option("--request,-r", *request, "Request value KEY=VALUE (repeatable)");
    Do(cmd, [=]() -> absl::Status {
      Json rows = Json::array();
      for (const std::string& e : *entities) {
        std::vector<std::string> pairs;
        size_t pos = 0;
        while (pos <= e.size()) {
          size_t comma = e.find(',', pos);
          pairs.push_back(e.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
          if (comma == std::string::npos) break;
          pos = comma + 1;
        }
        PLINTH_ASSIGN_OR_RETURN(Json row, TypedPairs(pairs, "--entity"));
        rows.push_back(std::move(row));
      }
      Json body = {{"service", *service}, {"entities", rows}};
      if (!request->empty()) {
        PLINTH_ASSIGN_OR_RETURN(body["request"], TypedPairs(*request, "--request"));
      }
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", "/api/v1/features/online", body));
      if (opts->output == "json") {
        PrintJson(out);
        return absl::OkStatus();
      }
      // One row per entity and feature.
      std::vector<Json> table;
      for (const Json& r : out["results"]) {
        for (size_t i = 0; i < out["features"].size(); ++i) {
          table.push_back({{"entity", DumpJson(r["entity"])}, {"feature", out["features"][i]}, {"value", DumpJson(r["values"][i])},
                           {"status", r["statuses"][i]}, {"event_timestamp", r["event_timestamps"][i]}});
        }
      }
      PrintTable(table, {{"ENTITY", "/entity"}, {"FEATURE", "/feature"}, {"VALUE", "/value"}, {"STATUS", "/status"},
                         {"EVENT_TIME", "/event_timestamp"}});
      return absl::OkStatus();
    });
  }

  AddFeaturesLocalCommands(group, opts.get());
}

}  // namespace plinth::cli
