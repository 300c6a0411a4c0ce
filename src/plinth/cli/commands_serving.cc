// `plinth deploy`, `plinth deployments list|show|delete` and `plinth predict`: model serving
// from the command line (client of /api/v1/deployments).
#include <iostream>
#include <memory>

#include "plinth/base/file_util.h"
#include "plinth/base/names.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/serving/deployment_spec.h"

namespace plinth::cli {

namespace {

using Columns = std::vector<std::pair<std::string, std::string>>;
const Columns kDeploymentColumns = {{"NAME", "/name"},        {"MODEL", "/spec/model"}, {"TEMPLATE", "/spec/model_template"},
                                    {"SERVING", "/model"},    {"FALLBACK", "/fallback"}, {"READY", "/ready"},
                                    {"GENERATION", "/generation"}, {"UPDATED", "/updated_at"}};

std::string DeploymentPath(const std::string& name) { return StrCat("/api/v1/deployments/", PercentEncode(name)); }

}  // namespace

void AddServingCommands(CLI::App& app) {
  // Owned by the command callbacks that read it (each captures the pointer), so it outlives
  // parsing: CLI11 writes --server/--token/--output into it.
  auto opts = std::make_shared<ClientOptions>();

  // deploy
  {
    auto* cmd = app.add_subcommand("deploy", "Create or update a deployment (what serves predictions under a name)");
    AddClientOptions(cmd, opts.get());
    auto name = std::make_shared<std::string>();
    auto model = std::make_shared<std::string>();
    auto tmpl = std::make_shared<std::string>();
    auto fallback = std::make_shared<std::string>();
    auto pins = std::make_shared<std::vector<std::string>>();
    auto rows = std::make_shared<int64_t>(0);
    auto desc = std::make_shared<std::string>();
    auto service = std::make_shared<std::string>();
    cmd->add_option("name", *name, "Deployment name")->required();
    cmd->add_option("--model,-m", *model, "NAME@ALIAS or NAME/VERSION");
    cmd->add_option("--model-template", *tmpl, "Per-tenant model, e.g. \"login-risk-{tenant}@champion\"");
    cmd->add_option("--fallback", *fallback, "Model for tenants without one (NAME@ALIAS or NAME/VERSION)");
    cmd->add_option("--pin-tenant", *pins, "Keep this tenant's model loaded (repeatable)");
    CLI::Option* rows_given = cmd->add_option("--max-batch-rows", *rows, "Rows per request (default 10000)");
    cmd->add_option("--description,-d", *desc, "Description");
    cmd->add_option("--feature-service", *service, "Feature service: predict requests may then send entity keys");
    Do(cmd, [=]() -> absl::Status {
      Json spec = Json::object();
      if (!service->empty()) spec["feature_service"] = *service;
      if (!model->empty()) spec["model"] = *model;
      if (!tmpl->empty()) spec["model_template"] = *tmpl;
      if (!fallback->empty()) spec["fallback"] = *fallback;
      if (!pins->empty()) spec["pinned_tenants"] = *pins;
      if (rows_given->count() > 0) spec["max_batch_rows"] = *rows;  // 0 included: refused, not ignored
      if (!desc->empty()) spec["description"] = *desc;
      PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", *name));
      PLINTH_RETURN_IF_ERROR(serving::ParseDeploymentSpec(spec).status());  // clear errors before any request
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("PUT", DeploymentPath(*name), spec));
      if (opts->output == "json") {
        PrintJson(out);
      } else {
        std::string serving = out["model"].is_string() ? out["model"].get<std::string>() : "per-tenant models";
        std::cout << "deployment " << *name << " (generation " << out["generation"].get<int64_t>() << ") serves "
                  << serving;
        if (out["fallback"].is_string()) std::cout << ", fallback " << out["fallback"].get<std::string>();
        std::cout << std::endl;
      }
      return absl::OkStatus();
    });
  }

  // deployments list | show | delete
  {
    auto* group = app.add_subcommand("deployments", "List, show and delete deployments");
    group->require_subcommand(1);
    group->fallthrough();
    AddClientOptions(group, opts.get());

    auto* list = group->add_subcommand("list", "List deployments");
    Do(list, [opts]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json page, client->Call("GET", "/api/v1/deployments"));
      if (opts->output == "json") {
        PrintJson(page);
      } else {
        std::vector<Json> rows(page["deployments"].begin(), page["deployments"].end());
        PrintTable(rows, kDeploymentColumns);
      }
      return absl::OkStatus();
    });

    // show NAME / delete NAME: one call on /api/v1/deployments/NAME.
    for (const char* method : {"GET", "DELETE"}) {
      const bool show = std::string(method) == "GET";
      auto* cmd = group->add_subcommand(show ? "show" : "delete", show ? "Show a deployment: its spec, the version serving, readiness"
                                                                        : "Delete a deployment (its models stay in the registry)");
      auto name = std::make_shared<std::string>();
      cmd->add_option("name", *name, "Deployment name")->required();
      Do(cmd, [=]() -> absl::Status {
        PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", *name));
        PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
        PLINTH_ASSIGN_OR_RETURN(Json out, client->Call(method, DeploymentPath(*name)));
        if (opts->output == "json") PrintJson(out);
        else if (show) PrintObject(out);
        else std::cout << "deleted deployment " << *name << std::endl;
        return absl::OkStatus();
      });
    }
  }

  // predict
  {
    auto* cmd = app.add_subcommand("predict", "Predict with a deployment; prints the JSON answer (-o table: a row per prediction)");
    AddClientOptions(cmd, opts.get());
    CLI::Option* output_given = cmd->get_option("--output");
    auto name = std::make_shared<std::string>();
    auto json = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto tenant = std::make_shared<std::string>();
    cmd->add_option("deployment", *name, "Deployment name")->required();
    auto* json_opt = cmd->add_option("--json,-j", *json, "Request: '{\"tenant\": ..., \"instances\": [{...}, ...]}'");
    auto* file_opt = cmd->add_option("--file,-f", *file, "Read the request JSON from a file ('-' for stdin)");
    json_opt->excludes(file_opt);
    cmd->add_option("--tenant", *tenant, "Tenant (overrides the request's \"tenant\")");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", *name));
      PLINTH_ASSIGN_OR_RETURN(std::string text, InlineOrFile(*json, *file));
      if (text.empty()) return absl::InvalidArgumentError("give the request with --json '{...}' or --file PATH");
      auto body = ParseJsonObject(text);
      if (!body.ok()) return absl::InvalidArgumentError(StrCat("the request is not a JSON object: ", body.status().message()));
      if (!tenant->empty()) (*body)["tenant"] = *tenant;
      PLINTH_ASSIGN_OR_RETURN(auto client, Connect(*opts));
      PLINTH_ASSIGN_OR_RETURN(Json out, client->Call("POST", StrCat(DeploymentPath(*name), "/predict"), *body));
      // JSON unless a table is asked for by name (the answer is data for scripts first).
      if (output_given->count() == 0 || opts->output == "json" || !out.contains("predictions") ||
          !out["predictions"].is_array()) {
        PrintJson(out);
        return absl::OkStatus();
      }
      std::vector<Json> rows;
      for (size_t i = 0; i < out["predictions"].size(); ++i) {
        rows.push_back(Json{{"row", i}, {"model", out.value("model", "")}, {"prediction", out["predictions"][i]}});
      }
      PrintTable(rows, {{"ROW", "/row"}, {"MODEL", "/model"}, {"PREDICTION", "/prediction"}});
      return absl::OkStatus();
    });
  }
}

}  // namespace plinth::cli
