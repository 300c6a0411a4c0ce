// `plinth server`, `plinth tokens ...` (local, on the data directory) and `plinth audit ...`.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <unistd.h>
#include <pwd.h>

#include "plinth/base/config.h"
#include "plinth/base/time.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/security/token_store.h"
#include "plinth/server/admin_api.h"
#include "plinth/server/server_app.h"
#include "plinth/server/server_config.h"

extern char** environ;

namespace plinth::cli {

namespace {

// Flags of `plinth server` and of the local commands that open the data directory.
struct ServerFlags {
  std::string config_file;
  std::map<std::string, std::string> values;  // config key -> flag value
};

void AddServerFlags(CLI::App* cmd, ServerFlags* f, bool all) {
  cmd->add_option("--config,-c", f->config_file, "YAML config file (default ./plinth.yaml if present; env PLINTH_CONFIG)");
  auto flag = [&](const std::string& name, const std::string& key, const std::string& help) {
    cmd->add_option_function<std::string>(name, [f, key](const std::string& v) { f->values[key] = v; }, help);
  };
  flag("--data-dir", "data_dir", "Data directory (default ./plinth-data)");
  flag("--meta", "meta", "Meta store URI (default sqlite://<data-dir>/meta.db)");
  flag("--online", "online", "Online feature store URI (default rocksdb://<data-dir>/online; memory:// for a scratch store)");
  flag("--objects", "objects", "Object store URI (default file://<data-dir>/objects)");
  if (!all) return;
  flag("--listen", "listen", "HOST:PORT to listen on (default 127.0.0.1:7070; port 0 picks a free one)");
  flag("--auth", "auth", "required|off (required is forced on non-loopback addresses)");
  flag("--threads", "threads", "Worker threads (default 4)");
  flag("--max-body-bytes", "max_body_bytes", "Largest JSON request body (default 16 MiB)");
  flag("--max-upload-bytes", "max_upload_bytes", "Largest artifact upload (default 2 GiB)");
  flag("--max-header-bytes", "max_header_bytes", "Largest request header (default 16 KiB)");
  flag("--request-timeout", "request_timeout", "Time to receive a request (default 30s)");
  flag("--idle-timeout", "idle_timeout", "Keep-alive idle and upload stall timeout (default 60s)");
  flag("--shutdown-grace", "shutdown_grace", "How long in-flight requests may finish on shutdown (default 30s)");
  flag("--max-connections", "max_connections", "Open connections before new ones get 503 (default 1024)");
  flag("--rate-limit", "rate_limit", "Requests per second per token or client, 0 = off (default 0)");
  flag("--access-log", "access_log", "stderr, stdout, off or a file path (default stderr)");
  flag("--log-level", "log_level", "debug, info, warn, error (default info)");
  flag("--model-cache-bytes", "model_cache_bytes", "Memory budget of loaded models, e.g. 512MiB (default 2GiB)");
  flag("--max-inflight-predictions", "max_inflight_predictions", "Predictions running at once (default: one per core)");
  flag("--max-queued-predictions", "max_queued_predictions", "Predictions waiting before new ones get 503 (default 256)");
}

absl::StatusOr<server::ServerConfig> LoadConfig(const ServerFlags& f) {
  Config config(server::ServerConfigKeys());
  std::string file = f.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("PLINTH_CONFIG")) file = env;
  }
  if (!file.empty()) {
    PLINTH_RETURN_IF_ERROR(config.LoadYamlFile(file));
  } else if (std::filesystem::exists("plinth.yaml")) {
    PLINTH_RETURN_IF_ERROR(config.LoadYamlFile("plinth.yaml"));
  }
  config.LoadEnvironment(environ);
  for (const auto& [k, v] : f.values) config.Set(k, v);
  return server::ResolveServerConfig(config);
}

std::string LocalActor() {
  const char* user = std::getenv("USER");
  if (user == nullptr) {
    if (passwd* pw = getpwuid(getuid())) user = pw->pw_name;
  }
  return StrCat("local:", user ? user : "unknown");
}


}  // namespace

void AddServerCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("server", "Run the Plinth server (registry API, metrics, health)");
  auto flags = std::make_shared<ServerFlags>();
  AddServerFlags(cmd, flags.get(), true);
  Do(cmd, [flags]() -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(*flags));
    return server::RunServer(config);
  });
}

void AddTokensCommands(CLI::App& app) {
  auto* tokens = app.add_subcommand("tokens", "Manage API tokens (runs on the server host, against the data directory)");
  tokens->require_subcommand(1);
  tokens->fallthrough();
  auto flags = std::make_shared<ServerFlags>();
  auto output = std::make_shared<std::string>("table");
  AddServerFlags(tokens, flags.get(), false);
  tokens->add_option("--output,-o", *output, "json or table")->check(CLI::IsMember({"json", "table"}));

  auto with_store = [flags](const std::function<absl::Status(security::TokenStore&)>& fn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(*flags));
    PLINTH_ASSIGN_OR_RETURN(server::Stores stores, server::OpenStores(config));
    security::TokenStore store({.meta = stores.meta.get()});
    return fn(store);
  };

  auto* create = tokens->add_subcommand("create", "Create a token; its secret is printed once");
  auto name = std::make_shared<std::string>();
  auto scopes = std::make_shared<std::string>("read");
  create->add_option("--name", *name, "Token name")->required();
  create->add_option("--scopes", *scopes, "Comma-separated: read, write, admin (default read)");
  Do(create, [=]() -> absl::Status {
    return with_store([&](security::TokenStore& store) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto created, store.Create(*name, *scopes, {LocalActor(), "local"}));
      if (*output == "json") {
        Json out = server::TokenJson(created.info);
        out["secret"] = created.secret;
        PrintJson(out);
      } else {
        std::cout << created.secret << std::endl;
        std::cerr << "token '" << *name << "' created; the secret above is shown only once" << std::endl;
      }
      return absl::OkStatus();
    });
  });

  auto* list = tokens->add_subcommand("list", "List tokens (never their secrets)");
  Do(list, [=]() -> absl::Status {
    return with_store([&](security::TokenStore& store) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto all, store.List());
      std::vector<Json> rows;
      for (const auto& t : all) rows.push_back(server::TokenJson(t));
      if (*output == "json") PrintJson(Json{{"tokens", rows}});
      else PrintTable(rows, {{"NAME", "/name"}, {"SCOPES", "/scopes"}, {"CREATED", "/created_at"}, {"LAST USED", "/last_used_at"}, {"REVOKED", "/revoked_at"}});
      return absl::OkStatus();
    });
  });

  auto* revoke = tokens->add_subcommand("revoke", "Revoke a token by name");
  auto rname = std::make_shared<std::string>();
  revoke->add_option("name", *rname, "Token name")->required();
  Do(revoke, [=]() -> absl::Status {
    return with_store([&](security::TokenStore& store) -> absl::Status {
      PLINTH_RETURN_IF_ERROR(store.Revoke(*rname, {LocalActor(), "local"}));
      std::cout << "revoked token " << *rname << std::endl;
      return absl::OkStatus();
    });
  });
}

void AddAuditCommands(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "Read the audit log (needs an admin token when auth is on)");
  audit->require_subcommand(1);
  audit->fallthrough();
  auto opts = std::make_shared<ClientOptions>();
  AddClientOptions(audit, opts.get());
  auto* list = audit->add_subcommand("list", "List audit entries, newest first");
  struct Args {
    std::string actor, action, resource, since, until, page_token;
    int limit = 100;
  };
  auto a = std::make_shared<Args>();
  list->add_option("--actor", a->actor, "Only this actor (e.g. token:ci)");
  list->add_option("--action", a->action, "Only this action (e.g. alias.set, or alias.*)");
  list->add_option("--resource", a->resource, "Only resources starting with this (e.g. models/login-risk)");
  list->add_option("--since", a->since, "ISO-8601 start (inclusive)");
  list->add_option("--until", a->until, "ISO-8601 end (exclusive)");
  list->add_option("--limit", a->limit, "Entries per page (1-1000)");
  list->add_option("--page-token", a->page_token, "Token from a previous page");
  Do(list, [=]() -> absl::Status {
    std::string q = StrCat("?limit=", a->limit);
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"actor", a->actor}, {"action", a->action}, {"resource", a->resource}, {"since", a->since}, {"until", a->until}, {"page_token", a->page_token}}) {
      if (!v.empty()) StrAppend(&q, "&", k, "=", PercentEncode(v));
    }
    PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
    PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("GET", StrCat("/api/v1/audit", q)));
    if (opts->output == "json") {
      PrintJson(out);
    } else {
      PrintTable(std::vector<Json>(out["entries"].begin(), out["entries"].end()),
                 {{"ID", "/id"}, {"WHEN", "/timestamp"}, {"ACTOR", "/actor"}, {"ACTION", "/action"}, {"RESOURCE", "/resource"}, {"CLIENT", "/client"}});
      if (!out["next_page_token"].is_null()) std::cerr << "more results: --page-token " << out["next_page_token"].get<std::string>() << std::endl;
    }
    return absl::OkStatus();
  });
}

void AddGcCommand(CLI::App& app) {
  auto* gc = app.add_subcommand("gc", "Delete artifacts that no model version uses (needs an admin token when auth is on)");
  auto opts = std::make_shared<ClientOptions>();
  AddClientOptions(gc, opts.get());
  auto older = std::make_shared<std::string>("24h");
  auto dry = std::make_shared<bool>(false);
  gc->add_option("--older-than", *older, "Only artifacts stored longer ago than this (default 24h)");
  gc->add_flag("--dry-run", *dry, "Report what would be deleted");
  Do(gc, [=]() -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
    PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", "/api/v1/admin/gc", Json{{"older_than", *older}, {"dry_run", *dry}}));
    if (opts->output == "json") {
      PrintJson(out);
    } else {
      std::cout << (*dry ? "would delete " : "deleted ") << (*dry ? out["unreferenced"].get<int64_t>() - out["kept_recent"].get<int64_t>()
                                                               : out["deleted"].get<int64_t>())
                << " unused artifact(s), " << out["deleted_bytes"] << " bytes; " << out["kept_recent"]
                << " recent unused kept; " << out["objects"] << " examined" << std::endl;
    }
    return absl::OkStatus();
  });
}

}  // namespace plinth::cli
