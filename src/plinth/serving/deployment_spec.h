// DeploymentSpec: what a deployment serves, as the user wrote it (`plinth deploy`, PUT
// /api/v1/deployments/{name}).
//
//   {"model": "login-risk@champion"}                      one model (NAME@ALIAS or NAME/VERSION)
//   {"model_template": "login-risk-{tenant}@champion",    one model per tenant ...
//    "fallback": "login-risk-global@champion",            ... or this one when the tenant's
//    "pinned_tenants": ["acme"]}                              model or alias does not exist
//   optional: "max_batch_rows" (rows per request, default 10000), "description".
//
// A `fallback` may follow a `model` too (used while the model's alias does not resolve).
// ParseDeploymentSpec validates everything that can be checked without the registry.
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"
#include "plinth/registry/model_ref.h"

namespace plinth::serving {

inline constexpr int64_t kDefaultMaxBatchRows = 10000;
inline constexpr int64_t kMaxBatchRowsLimit = 1000000;
inline constexpr std::string_view kTenantPlaceholder = "{tenant}";

struct DeploymentSpec {
  std::string model;           // NAME@ALIAS or NAME/VERSION; empty when model_template is set
  std::string model_template;  // a ref with one "{tenant}"; empty when model is set
  std::string fallback;        // optional ref
  std::vector<std::string> pinned_tenants;
  int64_t max_batch_rows = kDefaultMaxBatchRows;
  std::string feature_service;  // optional: predict requests may send entities instead of features
  std::string description;

  bool routes_by_tenant() const { return !model_template.empty(); }
  Json ToJson() const;
};

// Validates and normalizes (pinned tenants sorted, duplicates removed). InvalidArgument names
// the field.
absl::StatusOr<DeploymentSpec> ParseDeploymentSpec(const Json& j);
absl::Status ValidateDeploymentSpec(const DeploymentSpec& spec);

// The ref a tenant's requests go to: the template with {tenant} replaced. InvalidArgument
// when `tenant` is not a valid name.
absl::StatusOr<registry::ModelRef> TenantModelRef(const DeploymentSpec& spec, std::string_view tenant);

// The spec's `model` or `fallback` ref (as written) that a deletion would take away, or nullopt:
// with neither `alias` nor `version`, any ref to `model`; with `alias`, a ref to NAME@ALIAS;
// with `version`, a ref to NAME/VERSION. Templates are not counted: a tenant whose model or
// alias is gone is served by the fallback, as designed.
std::optional<std::string> SpecRefTo(const DeploymentSpec& spec, std::string_view model,
                                     const std::optional<std::string>& alias, std::optional<int64_t> version);

// A ref that names a version (NAME/VERSION or NAME@ALIAS); `field` names it in errors.
absl::StatusOr<registry::ModelRef> ParseVersionRef(std::string_view text, std::string_view field);

}  // namespace plinth::serving
