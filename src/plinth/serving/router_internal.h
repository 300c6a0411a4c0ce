// Private to router*.cc: the Router's published state and per-deployment slots.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "plinth/serving/router.h"

namespace plinth::serving {

struct Router::TenantEntry {
  std::string model_name;                    // the template expanded for this tenant
  std::shared_ptr<const ResolvedModel> own;  // null: that model or alias does not exist
};

// Immutable once published: a new state replaces the old one (read-copy-update).
struct Router::State {
  Deployment deployment;
  std::shared_ptr<const ResolvedModel> model;     // model deployments: the primary
  std::shared_ptr<const ResolvedModel> fallback;  // null without a fallback (or while it does not resolve)
  bool model_uses_fallback = false;               // model deployments: the primary did not resolve
  std::map<std::string, TenantEntry> pinned_tenants;  // resolved when the state was built
  std::vector<ModelKey> pins;  // keys this state pinned in the cache
  absl::Status error;          // not OK: the deployment cannot serve (requests get 503)
  int64_t retry_at = 0;        // with an error: when the refresher tries again
};

struct Router::Slot {
  std::shared_ptr<const State> state;                    // guarded by Router::mu_
  std::unordered_map<std::string, TenantEntry> tenants;  // guarded by Router::mu_
};

}  // namespace plinth::serving
