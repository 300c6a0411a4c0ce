// `plinth models ...`: the model registry from the command line.
#include <fstream>
#include <iostream>
#include <memory>

#include "plinth/base/file_util.h"
#include "plinth/base/names.h"
#include "plinth/base/sha256.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/registry/model_ref.h"

namespace plinth::cli {

namespace {

using Columns = std::vector<std::pair<std::string, std::string>>;
const Columns kModelColumns = {{"NAME", "/name"},       {"LATEST", "/latest_version"}, {"ALIASES", "/aliases"},
                               {"TAGS", "/tags"},       {"UPDATED", "/updated_at"},    {"DESCRIPTION", "/description"}};
const Columns kVersionColumns = {{"MODEL", "/model"},    {"VERSION", "/version"}, {"FORMAT", "/format"},
                                 {"ALIASES", "/aliases"}, {"METRICS", "/metrics"}, {"TAGS", "/tags"},
                                 {"CREATED", "/created_at"}};

std::string VersionPath(const registry::ModelRef& ref) {
  std::string sel = ref.version ? std::to_string(*ref.version) : StrCat("@", *ref.alias);
  return StrCat("/api/v1/models/", ref.name, "/versions/", PercentEncode(sel));
}

absl::StatusOr<registry::ModelRef> VersionRefArg(const std::string& text) {
  PLINTH_ASSIGN_OR_RETURN(auto ref, registry::ParseModelRef(text));
  if (!ref.names_version()) {
    return absl::InvalidArgumentError(StrCat("'", text, "' names a model; name a version as NAME/VERSION or NAME@ALIAS"));
  }
  return ref;
}

void PrintPage(const Json& page, const char* key, const Columns& cols, const std::string& output) {
  if (output == "json") {
    PrintJson(page);
    return;
  }
  std::vector<Json> rows(page[key].begin(), page[key].end());
  PrintTable(rows, cols);
  if (page.contains("next_page_token") && !page["next_page_token"].is_null()) {
    std::cerr << "more results: --page-token " << page["next_page_token"].get<std::string>() << std::endl;
  }
}

std::string SearchQuery(const std::string& filter, const std::string& order_by, int page_size, const std::string& token) {
  std::string q = StrCat("?page_size=", page_size);
  if (!filter.empty()) StrAppend(&q, "&filter=", PercentEncode(filter));
  if (!order_by.empty()) StrAppend(&q, "&order_by=", PercentEncode(order_by));
  if (!token.empty()) StrAppend(&q, "&page_token=", PercentEncode(token));
  return q;
}

absl::StatusOr<Json> ReadJsonArg(const std::string& arg, const std::string& what) {
  std::string text = arg;
  if (!arg.empty() && arg[0] == '@') {
    auto file = ReadFileToString(arg.substr(1));
    if (!file.ok()) return absl::NotFoundError(StrCat("cannot read ", what, " file ", arg.substr(1)));
    text = std::move(*file);
  }
  auto j = ParseJson(text);
  if (!j.ok()) return absl::InvalidArgumentError(StrCat(what, ": ", j.status().message()));
  return *j;
}

absl::StatusOr<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("cannot open artifact file ", path));
  Sha256 h;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  return h.FinishHex();
}

}  // namespace

void AddModelsCommands(CLI::App& app) {
  auto* models = app.add_subcommand("models", "Model registry: models, versions, aliases, search");
  models->require_subcommand(1);
  models->fallthrough();  // --server/--token/--output may follow any subcommand
  // Owned by the command callbacks that read it (each captures the pointer), so it outlives
  // parsing: CLI11 writes --server/--token/--output into it.
  auto opts = std::make_shared<ClientOptions>();
  AddClientOptions(models, opts.get());

  // create
  {
    auto* cmd = models->add_subcommand("create", "Create a model");
    auto name = std::make_shared<std::string>();
    auto desc = std::make_shared<std::string>();
    auto tags = std::make_shared<std::vector<std::string>>();
    cmd->add_option("name", *name, "Model name")->required();
    cmd->add_option("--description,-d", *desc, "Description");
    cmd->add_option("--tag", *tags, "Tag KEY=VALUE (repeatable)");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(Json tag_obj, KeyValues(*tags, "tag", false));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", "/api/v1/models", Json{{"name", *name}, {"description", *desc}, {"tags", tag_obj}}));
      if (opts->output == "json") PrintJson(out);
      else std::cout << "created model " << out["name"].get<std::string>() << std::endl;
      return absl::OkStatus();
    });
  }

  // list / search (models)
  for (const char* verb : {"list", "search"}) {
    bool is_search = std::string(verb) == "search";
    auto* cmd = models->add_subcommand(verb, is_search ? "Search models with a filter" : "List models");
    auto filter = std::make_shared<std::string>();
    auto order = std::make_shared<std::string>();
    auto size = std::make_shared<int>(100);
    auto token = std::make_shared<std::string>();
    if (is_search) cmd->add_option("filter", *filter, "Filter, e.g. \"name like 'risk-%' and tags.team = 'risk'\"")->required();
    else cmd->add_option("--filter", *filter, "Filter expression");
    cmd->add_option("--order-by", *order, "Order, e.g. \"updated_at desc\"");
    cmd->add_option("--page-size", *size, "Results per page (1-1000)");
    cmd->add_option("--page-token", *token, "Token from a previous page");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json page, client->Call("GET", StrCat("/api/v1/models", SearchQuery(*filter, *order, *size, *token))));
      PrintPage(page, "models", kModelColumns, opts->output);
      return absl::OkStatus();
    });
  }

  // show
  {
    auto* cmd = models->add_subcommand("show", "Show a model (NAME) or a version (NAME/VERSION, NAME@ALIAS)");
    auto ref_text = std::make_shared<std::string>();
    cmd->add_option("ref", *ref_text, "NAME, NAME/VERSION or NAME@ALIAS")->required();
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto ref, registry::ParseModelRef(*ref_text));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      std::string path = ref.names_version() ? VersionPath(ref) : StrCat("/api/v1/models/", ref.name);
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("GET", path));
      if (opts->output == "json") PrintJson(out);
      else PrintObject(out);
      return absl::OkStatus();
    });
  }

  // update
  {
    auto* cmd = models->add_subcommand("update", "Update a model's (NAME) or a version's (NAME/VERSION) description and tags");
    auto ref_text = std::make_shared<std::string>();
    auto desc = std::make_shared<std::optional<std::string>>();
    auto tags = std::make_shared<std::vector<std::string>>();
    auto remove = std::make_shared<std::vector<std::string>>();
    cmd->add_option("ref", *ref_text, "NAME or NAME/VERSION")->required();
    cmd->add_option_function<std::string>("--description,-d", [desc](const std::string& d) { *desc = d; }, "New description");
    cmd->add_option("--tag", *tags, "Set tag KEY=VALUE (repeatable)");
    cmd->add_option("--remove-tag", *remove, "Remove tag KEY (repeatable)");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto ref, registry::ParseModelRef(*ref_text));
      PLINTH_ASSIGN_OR_RETURN(Json tag_obj, KeyValues(*tags, "tag", false));
      Json body = {{"tags", tag_obj}, {"remove_tags", *remove}};
      if (*desc) body["description"] = **desc;
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      std::string path = ref.names_version() ? VersionPath(ref) : StrCat("/api/v1/models/", ref.name);
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("PATCH", path, body));
      if (opts->output == "json") PrintJson(out);
      else PrintObject(out);
      return absl::OkStatus();
    });
  }

  // delete
  {
    auto* cmd = models->add_subcommand("delete", "Delete a model and all its versions");
    auto name = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    cmd->add_option("name", *name, "Model name")->required();
    cmd->add_flag("--force", *force, "Delete even if aliases point into the model");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_RETURN_IF_ERROR(ValidateName("model name", *name));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("DELETE", StrCat("/api/v1/models/", *name, *force ? "?force=true" : "")));
      if (opts->output == "json") PrintJson(out);
      else std::cout << "deleted model " << *name << std::endl;
      return absl::OkStatus();
    });
  }

  // register
  {
    auto* cmd = models->add_subcommand("register", "Upload an artifact and register it as the next version of a model");
    struct Args {
      std::string name, file, format, signature, description, source_run, training_dataset, git_commit, parent;
      std::vector<std::string> params, metrics, tags;
      bool create = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("name", a->name, "Model name")->required();
    cmd->add_option("file", a->file, "Artifact file")->required();
    cmd->add_option("--format", a->format, "xgboost-json, xgboost-ubj, lightgbm-text, linear-json or other")->required();
    cmd->add_option("--signature", a->signature, "Signature JSON, or @FILE");
    cmd->add_option("--description,-d", a->description, "Description");
    cmd->add_option("--param", a->params, "Param KEY=VALUE (repeatable)");
    cmd->add_option("--metric", a->metrics, "Metric KEY=NUMBER (repeatable)");
    cmd->add_option("--tag", a->tags, "Tag KEY=VALUE (repeatable)");
    cmd->add_option("--source-run", a->source_run, "Lineage: training run id");
    cmd->add_option("--training-dataset", a->training_dataset, "Lineage: TABLE@VERSION");
    cmd->add_option("--git-commit", a->git_commit, "Lineage: git commit");
    cmd->add_option("--parent", a->parent, "Lineage: parent (free-form, e.g. NAME/VERSION)");
    cmd->add_flag("--create", a->create, "Create the model if it does not exist");
    Do(cmd, [a, opts]() -> absl::Status {
      PLINTH_RETURN_IF_ERROR(ValidateName("model name", a->name));
      Json body = {{"format", a->format},
                   {"description", a->description},
                   {"create_model", a->create},
                   {"lineage",
                    {{"source_run", a->source_run},
                     {"training_dataset", a->training_dataset},
                     {"git_commit", a->git_commit},
                     {"parent", a->parent}}}};
      if (!a->signature.empty()) {
        PLINTH_ASSIGN_OR_RETURN(body["signature"], ReadJsonArg(a->signature, "--signature"));
      }
      PLINTH_ASSIGN_OR_RETURN(body["params"], KeyValues(a->params, "param", false));
      PLINTH_ASSIGN_OR_RETURN(body["metrics"], KeyValues(a->metrics, "metric", true));
      PLINTH_ASSIGN_OR_RETURN(body["tags"], KeyValues(a->tags, "tag", false));
      PLINTH_ASSIGN_OR_RETURN(std::string sha, FileSha256(a->file));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json uploaded, client->Upload("/api/v1/artifacts", a->file, sha));
      body["artifact_sha256"] = uploaded["sha256"];
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", StrCat("/api/v1/models/", a->name, "/versions"), body));
      if (opts->output == "json") PrintJson(out);
      else std::cout << "registered " << out["ref"].get<std::string>() << " (sha256 " << sha << ")" << std::endl;
      return absl::OkStatus();
    });
  }

  // versions list|search
  {
    auto* versions = models->add_subcommand("versions", "List or search model versions");
    versions->require_subcommand(1);
    auto* list = versions->add_subcommand("list", "List the versions of a model, newest first");
    auto name = std::make_shared<std::string>();
    auto size = std::make_shared<int>(100);
    auto token = std::make_shared<std::string>();
    list->add_option("name", *name, "Model name")->required();
    list->add_option("--page-size", *size, "Results per page (1-1000)");
    list->add_option("--page-token", *token, "Token from a previous page");
    Do(list, [=]() -> absl::Status {
      PLINTH_RETURN_IF_ERROR(ValidateName("model name", *name));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json page, client->Call("GET", StrCat("/api/v1/models/", *name, "/versions", SearchQuery("", "", *size, *token))));
      PrintPage(page, "versions", kVersionColumns, opts->output);
      return absl::OkStatus();
    });
    auto* del = versions->add_subcommand("delete", "Delete one version (refused while aliased)");
    auto dref = std::make_shared<std::string>();
    del->add_option("ref", *dref, "NAME/VERSION")->required();
    Do(del, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto ref, VersionRefArg(*dref));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("DELETE", VersionPath(ref)));
      if (opts->output == "json") PrintJson(out);
      else std::cout << "deleted " << out["deleted"].get<std::string>() << std::endl;
      return absl::OkStatus();
    });
    auto* search = versions->add_subcommand("search", "Search versions across models");
    auto filter = std::make_shared<std::string>();
    auto order = std::make_shared<std::string>();
    auto ssize = std::make_shared<int>(100);
    auto stoken = std::make_shared<std::string>();
    search->add_option("filter", *filter, "Filter, e.g. \"name like 'login-risk-%' and metrics.auc >= 0.9\"")->required();
    search->add_option("--order-by", *order, "Order, e.g. \"metrics.auc desc\"");
    search->add_option("--page-size", *ssize, "Results per page (1-1000)");
    search->add_option("--page-token", *stoken, "Token from a previous page");
    Do(search, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      Json body = {{"filter", *filter}, {"order_by", *order}, {"page_size", *ssize}};
      if (!stoken->empty()) body["page_token"] = *stoken;
      PLINTH_ASSIGN_OR_RETURN(Json page, client->Call("POST", "/api/v1/model-versions/search", body));
      PrintPage(page, "versions", kVersionColumns, opts->output);
      return absl::OkStatus();
    });
  }

  // download
  {
    auto* cmd = models->add_subcommand("download", "Download a version's artifact (digest verified)");
    auto ref_text = std::make_shared<std::string>();
    auto out_file = std::make_shared<std::string>();
    cmd->add_option("ref", *ref_text, "NAME/VERSION or NAME@ALIAS")->required();
    cmd->add_option("--out,-O", *out_file, "Output file (default NAME-VERSION.bin)");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto ref, VersionRefArg(*ref_text));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      std::string target = *out_file;
      if (target.empty()) {
        PLINTH_ASSIGN_OR_RETURN(Json v, client->Call("GET", VersionPath(ref)));
        target = StrCat(ref.name, "-", v["version"].get<int64_t>(), ".bin");
      }
      PLINTH_ASSIGN_OR_RETURN(HttpResult res, client->Download(StrCat(VersionPath(ref), "/artifact"), target));
      Json out = {{"file", target}, {"sha256", res.headers["x-plinth-sha256"]}, {"version", res.headers["x-plinth-model-version"]}};
      if (opts->output == "json") PrintJson(out);
      else std::cout << "downloaded " << out["version"].get<std::string>() << " to " << target << " (sha256 verified)" << std::endl;
      return absl::OkStatus();
    });
  }

  // metrics log|history
  {
    auto* metrics = models->add_subcommand("metrics", "Log and read metric series of a version");
    metrics->require_subcommand(1);
    auto* log = metrics->add_subcommand("log", "Log metric values on a version");
    auto ref_text = std::make_shared<std::string>();
    auto values = std::make_shared<std::vector<std::string>>();
    auto step = std::make_shared<int64_t>(0);
    auto ts = std::make_shared<std::string>();
    log->add_option("ref", *ref_text, "NAME/VERSION or NAME@ALIAS")->required();
    log->add_option("values", *values, "KEY=NUMBER ...")->required();
    log->add_option("--step", *step, "Step (default 0)");
    log->add_option("--timestamp", *ts, "ISO-8601 timestamp (default now)");
    Do(log, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto ref, VersionRefArg(*ref_text));
      PLINTH_ASSIGN_OR_RETURN(Json kv, KeyValues(*values, "metric", true));
      Json points = Json::array();
      for (auto it = kv.begin(); it != kv.end(); ++it) {
        Json p = {{"key", it.key()}, {"value", *it}, {"step", *step}};
        if (!ts->empty()) p["timestamp"] = *ts;
        points.push_back(p);
      }
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", StrCat(VersionPath(ref), "/metrics"), Json{{"metrics", points}}));
      if (opts->output == "json") PrintJson(out);
      else std::cout << "logged " << out["logged"] << " metric value(s) on " << ref.ToString() << std::endl;
      return absl::OkStatus();
    });
    auto* hist = metrics->add_subcommand("history", "Show a metric's series on a version");
    auto href = std::make_shared<std::string>();
    auto key = std::make_shared<std::string>();
    hist->add_option("ref", *href, "NAME/VERSION or NAME@ALIAS")->required();
    hist->add_option("key", *key, "Metric key")->required();
    Do(hist, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto ref, VersionRefArg(*href));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("GET", StrCat(VersionPath(ref), "/metrics/", PercentEncode(*key))));
      if (opts->output == "json") PrintJson(out);
      else PrintTable(std::vector<Json>(out["points"].begin(), out["points"].end()),
                      {{"STEP", "/step"}, {"VALUE", "/value"}, {"TIMESTAMP", "/timestamp"}});
      return absl::OkStatus();
    });
  }

  // alias set|delete|list
  {
    auto* alias = models->add_subcommand("alias", "Set, delete and list aliases");
    alias->require_subcommand(1);
    auto* set = alias->add_subcommand("set", "Point an alias at a version: NAME ALIAS VERSION, or ALIAS --filter EXPR for every matching model");
    auto args = std::make_shared<std::vector<std::string>>();
    auto filter = std::make_shared<std::string>();
    auto dry = std::make_shared<bool>(false);
    set->add_option("args", *args, "NAME ALIAS VERSION (or ALIAS with --filter)")->required();
    set->add_option("--filter", *filter, "Move ALIAS to the newest matching version of every model matching this filter, in one transaction");
    set->add_flag("--dry-run", *dry, "With --filter: show what would move");
    Do(set, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      if (!filter->empty()) {
        if (args->size() != 1) return absl::InvalidArgumentError("with --filter, give only the ALIAS");
        PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", "/api/v1/aliases/bulk-set",
                                                       Json{{"alias", (*args)[0]}, {"filter", *filter}, {"dry_run", *dry}}));
        if (opts->output == "json") {
          PrintJson(out);
        } else {
          std::cout << (*dry ? "would move " : "moved ") << out["moved_count"] << " alias(es) '" << (*args)[0] << "', "
                    << out["unchanged_count"] << " already in place" << std::endl;
        }
        return absl::OkStatus();
      }
      if (args->size() != 3) return absl::InvalidArgumentError("usage: plinth models alias set NAME ALIAS VERSION");
      auto version = ParseInt64((*args)[2]);
      if (!version) return absl::InvalidArgumentError(StrCat("VERSION must be a number, got '", (*args)[2], "'"));
      PLINTH_RETURN_IF_ERROR(ValidateName("model name", (*args)[0]));
      PLINTH_RETURN_IF_ERROR(ValidateName("alias", (*args)[1]));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("PUT", StrCat("/api/v1/models/", (*args)[0], "/aliases/", (*args)[1]),
                                                     Json{{"version", *version}}));
      if (opts->output == "json") PrintJson(out);
      else std::cout << (*args)[0] << "@" << (*args)[1] << " -> " << out["version"] << std::endl;
      return absl::OkStatus();
    });
    auto* del = alias->add_subcommand("delete", "Delete an alias");
    auto dname = std::make_shared<std::string>();
    auto dalias = std::make_shared<std::string>();
    del->add_option("name", *dname, "Model name")->required();
    del->add_option("alias", *dalias, "Alias")->required();
    Do(del, [=]() -> absl::Status {
      PLINTH_RETURN_IF_ERROR(ValidateName("model name", *dname));
      PLINTH_RETURN_IF_ERROR(ValidateName("alias", *dalias));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("DELETE", StrCat("/api/v1/models/", *dname, "/aliases/", *dalias)));
      if (opts->output == "json") PrintJson(out);
      else std::cout << "deleted alias " << *dname << "@" << *dalias << std::endl;
      return absl::OkStatus();
    });
    auto* list = alias->add_subcommand("list", "List a model's aliases (--history for every move)");
    auto lname = std::make_shared<std::string>();
    auto history = std::make_shared<bool>(false);
    list->add_option("name", *lname, "Model name")->required();
    list->add_flag("--history", *history, "Show the history of alias moves");
    Do(list, [=]() -> absl::Status {
      PLINTH_RETURN_IF_ERROR(ValidateName("model name", *lname));
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      if (*history) {
        PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("GET", StrCat("/api/v1/models/", *lname, "/alias-history")));
        if (opts->output == "json") PrintJson(out);
        else PrintTable(std::vector<Json>(out["events"].begin(), out["events"].end()),
                        {{"ALIAS", "/alias"}, {"FROM", "/old_version"}, {"TO", "/new_version"}, {"WHEN", "/timestamp"}, {"BY", "/actor"}});
        return absl::OkStatus();
      }
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("GET", StrCat("/api/v1/models/", *lname, "/aliases")));
      if (opts->output == "json") PrintJson(out);
      else PrintTable(std::vector<Json>(out["aliases"].begin(), out["aliases"].end()),
                      {{"ALIAS", "/alias"}, {"VERSION", "/version"}, {"UPDATED", "/updated_at"}, {"BY", "/updated_by"}});
      return absl::OkStatus();
    });
  }
}

}  // namespace plinth::cli
