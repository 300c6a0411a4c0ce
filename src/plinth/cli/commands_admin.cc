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
#include "plinth/cli/server_flags.h"
#include "plinth/security/token_store.h"
#include "plinth/server/admin_api.h"
#include "plinth/server/server_app.h"
#include "plinth/server/server_config.h"

namespace plinth::cli {

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
