#include "plinth/serving/deployment_spec.h"

#include <algorithm>

#include "plinth/base/names.h"

namespace plinth::serving {

namespace {

std::string ExpandTemplate(std::string_view tmpl, std::string_view tenant) {
  std::string out(tmpl);
  size_t at = out.find(kTenantPlaceholder);
  if (at != std::string::npos) out.replace(at, kTenantPlaceholder.size(), tenant);
  return out;
}

absl::Status ValidateTemplate(std::string_view tmpl) {
  size_t first = tmpl.find(kTenantPlaceholder);
  if (first == std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("'model_template' must contain {tenant}, e.g. \"login-risk-{tenant}@champion\"; got '", tmpl, "'"));
  }
  if (tmpl.find(kTenantPlaceholder, first + 1) != std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("'model_template' must contain {tenant} once; got '", tmpl, "'"));
  }
  // A one-letter tenant must give a valid ref naming a version; longer tenants are checked per
  // request (a model name is at most 128 characters).
  auto ref = registry::ParseModelRef(ExpandTemplate(tmpl, "a"));
  if (!ref.ok()) return absl::InvalidArgumentError(StrCat("'model_template': ", ref.status().message()));
  if (!ref->names_version()) {
    return absl::InvalidArgumentError(
        StrCat("'model_template' must name a version: add @ALIAS or /VERSION, e.g. \"", tmpl, "@champion\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> StringList(const Json& j, const char* field) {
  std::vector<std::string> out;
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return absl::InvalidArgumentError(StrCat("'", field, "' must be an array of strings"));
  for (const Json& v : *it) {
    if (!v.is_string()) return absl::InvalidArgumentError(StrCat("'", field, "' must be an array of strings"));
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

absl::StatusOr<registry::ModelRef> ParseVersionRef(std::string_view text, std::string_view field) {
  auto ref = registry::ParseModelRef(text);
  if (!ref.ok()) return absl::InvalidArgumentError(StrCat("'", field, "': ", ref.status().message()));
  if (!ref->names_version()) {
    return absl::InvalidArgumentError(StrCat("'", field, "' must name a version as NAME@ALIAS or NAME/VERSION (e.g. ",
                                             text, "@latest); got '", text, "'"));
  }
  return *ref;
}

Json DeploymentSpec::ToJson() const {
  Json j = Json::object();
  if (!model.empty()) j["model"] = model;
  if (!model_template.empty()) j["model_template"] = model_template;
  if (!fallback.empty()) j["fallback"] = fallback;
  if (!pinned_tenants.empty()) j["pinned_tenants"] = pinned_tenants;
  j["max_batch_rows"] = max_batch_rows;
  if (!feature_service.empty()) j["feature_service"] = feature_service;
  if (!description.empty()) j["description"] = description;
  return j;
}

absl::Status ValidateDeploymentSpec(const DeploymentSpec& spec) {
  if (spec.model.empty() == spec.model_template.empty()) {
    return absl::InvalidArgumentError(
        "a deployment needs exactly one of 'model' (NAME@ALIAS or NAME/VERSION) and 'model_template' "
        "(e.g. \"login-risk-{tenant}@champion\")");
  }
  if (!spec.model.empty()) PLINTH_RETURN_IF_ERROR(ParseVersionRef(spec.model, "model").status());
  if (!spec.model_template.empty()) PLINTH_RETURN_IF_ERROR(ValidateTemplate(spec.model_template));
  if (!spec.fallback.empty()) PLINTH_RETURN_IF_ERROR(ParseVersionRef(spec.fallback, "fallback").status());
  if (!spec.pinned_tenants.empty() && !spec.routes_by_tenant()) {
    return absl::InvalidArgumentError("'pinned_tenants' needs a 'model_template' (tenants route only through a template)");
  }
  for (const auto& t : spec.pinned_tenants) {
    PLINTH_RETURN_IF_ERROR(TenantModelRef(spec, t).status());
  }
  if (!spec.feature_service.empty()) {
    absl::Status s = ValidateName("feature service name", spec.feature_service);
    if (!s.ok()) return absl::InvalidArgumentError(StrCat("'feature_service': ", s.message()));
  }
  if (spec.max_batch_rows < 1 || spec.max_batch_rows > kMaxBatchRowsLimit) {
    return absl::InvalidArgumentError(StrCat("'max_batch_rows' must be from 1 to ", kMaxBatchRowsLimit));
  }
  return absl::OkStatus();
}

absl::StatusOr<DeploymentSpec> ParseDeploymentSpec(const Json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("a deployment spec must be a JSON object");
  PLINTH_RETURN_IF_ERROR(JsonCheckKeys(j, {"model", "model_template", "fallback", "pinned_tenants", "max_batch_rows", "feature_service", "description"},
                                       "deployment spec"));
  DeploymentSpec s;
  PLINTH_ASSIGN_OR_RETURN(auto model, JsonOptString(j, "model"));
  PLINTH_ASSIGN_OR_RETURN(auto tmpl, JsonOptString(j, "model_template"));
  PLINTH_ASSIGN_OR_RETURN(auto fallback, JsonOptString(j, "fallback"));
  PLINTH_ASSIGN_OR_RETURN(auto rows, JsonOptInt(j, "max_batch_rows"));
  PLINTH_ASSIGN_OR_RETURN(auto desc, JsonOptString(j, "description"));
  PLINTH_ASSIGN_OR_RETURN(auto service, JsonOptString(j, "feature_service"));
  s.feature_service = service.value_or("");
  PLINTH_ASSIGN_OR_RETURN(s.pinned_tenants, StringList(j, "pinned_tenants"));
  s.model = model.value_or("");
  s.model_template = tmpl.value_or("");
  s.fallback = fallback.value_or("");
  s.max_batch_rows = rows.value_or(kDefaultMaxBatchRows);
  s.description = desc.value_or("");
  std::sort(s.pinned_tenants.begin(), s.pinned_tenants.end());
  s.pinned_tenants.erase(std::unique(s.pinned_tenants.begin(), s.pinned_tenants.end()), s.pinned_tenants.end());
  PLINTH_RETURN_IF_ERROR(ValidateDeploymentSpec(s));
  return s;
}

absl::StatusOr<registry::ModelRef> TenantModelRef(const DeploymentSpec& spec, std::string_view tenant) {
  if (!spec.routes_by_tenant()) {
    return absl::FailedPreconditionError("this deployment serves one model; it does not route by tenant");
  }
  PLINTH_RETURN_IF_ERROR(ValidateName("tenant", tenant));
  std::string expanded = ExpandTemplate(spec.model_template, tenant);
  auto ref = registry::ParseModelRef(expanded);
  if (!ref.ok()) {
    return absl::InvalidArgumentError(StrCat("tenant '", tenant, "' gives an invalid model reference '", expanded,
                                             "': ", ref.status().message()));
  }
  return *ref;
}

std::optional<std::string> SpecRefTo(const DeploymentSpec& spec, std::string_view model,
                                     const std::optional<std::string>& alias, std::optional<int64_t> version) {
  for (const std::string& text : {spec.model, spec.fallback}) {
    if (text.empty()) continue;
    auto ref = registry::ParseModelRef(text);
    if (!ref.ok() || ref->name != model) continue;
    if (alias ? ref->alias == alias : version ? ref->version == version : true) return text;
  }
  return std::nullopt;
}

}  // namespace plinth::serving
