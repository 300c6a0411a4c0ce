// Router refresher: applies what the ChangeFeed reports (alias moves, new or deleted models and
// versions, deployments changed by another process) by building and publishing new states.
#include <unordered_set>

#include "plinth/base/logging.h"
#include "plinth/serving/router.h"
#include "plinth/serving/router_internal.h"

namespace plinth::serving {

using registry::ModelRef;

namespace {

// The keys a state serves, to tell whether a rebuilt state differs.
std::vector<ModelKey> ServedKeys(const std::shared_ptr<const ResolvedModel>& model,
                                 const std::shared_ptr<const ResolvedModel>& fallback,
                                 const std::vector<ModelKey>& pins) {
  std::vector<ModelKey> keys = pins;
  keys.push_back(model ? model->key : ModelKey{});
  keys.push_back(fallback ? fallback->key : ModelKey{});
  return keys;
}

bool SameModel(const std::shared_ptr<const ResolvedModel>& a, const std::shared_ptr<const ResolvedModel>& b) {
  if (a == nullptr || b == nullptr) return a == b;
  return a->key == b->key;  // the key includes the artifact
}

// Model names a state depends on besides its tenants.
bool DependsOn(const DeploymentSpec& spec, const std::set<std::string>& models) {
  for (const std::string& text : {spec.model, spec.fallback}) {
    if (text.empty()) continue;
    auto ref = registry::ParseModelRef(text);
    if (ref.ok() && models.count(ref->name) > 0) return true;
  }
  for (const std::string& tenant : spec.pinned_tenants) {
    auto ref = TenantModelRef(spec, tenant);
    if (ref.ok() && models.count(ref->name) > 0) return true;
  }
  return false;
}

}  // namespace

absl::Status Router::RefreshOnce() {
  std::lock_guard<std::mutex> control(control_mu_);
  PLINTH_ASSIGN_OR_RETURN(ChangeFeed::Changes changes, feed_->Poll());
  if (changes.everything) {
    PLINTH_ASSIGN_OR_RETURN(std::vector<Deployment> stored, options_.store->List());
    std::unordered_set<std::string> names;
    for (const auto& d : stored) names.insert(d.name);
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      for (const auto& [name, slot] : slots_) names.insert(name);
    }
    for (const auto& name : names) changes.deployments.insert(name);
  }
  for (const std::string& name : changes.deployments) RefreshDeployment(name);
  if (!changes.models.empty() || changes.everything) RefreshModels(changes);
  RetryFailed();
  return absl::OkStatus();
}

void Router::RefreshDeployment(const std::string& name) {
  auto stored = options_.store->Get(name);
  if (absl::IsNotFound(stored.status())) {  // deleted by another process
    std::shared_ptr<const State> old;
    {
      std::unique_lock<std::shared_mutex> lock(mu_);
      auto it = slots_.find(name);
      if (it == slots_.end()) return;
      old = it->second->state;
      slots_.erase(it);
    }
    Unpin(*old);
    return;
  }
  if (!stored.ok()) {
    LogWarn(StrCat("cannot read deployment ", name, ": ", stored.status().message()));
    return;
  }
  std::shared_ptr<Slot> slot = FindSlot(name);
  if (slot != nullptr) {
    std::shared_ptr<const State> current;
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      current = slot->state;
    }
    if (current->deployment.generation == stored->generation && current->deployment.updated_at == stored->updated_at) {
      return;  // already serving this generation (e.g. our own Apply)
    }
  }
  auto state = BuildState(*stored);
  if (!state.ok()) {
    LogWarn(StrCat("deployment ", name, " cannot serve: ", state.status().message()));
    state = ErrorState(*stored, state.status());
  }
  Publish(*state, true);
}

void Router::RefreshModels(const ChangeFeed::Changes& changes) {
  std::vector<std::pair<std::string, std::shared_ptr<const State>>> states;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    ++change_seq_;  // tenants resolved concurrently from now on are not cached (see ResolveTenant)
    for (auto it = versions_.begin(); it != versions_.end();) {
      it = changes.everything || changes.models.count(it->first.name) > 0 ? versions_.erase(it) : std::next(it);
    }
    for (const auto& [name, slot] : slots_) states.emplace_back(name, slot->state);
  }
  for (const auto& [name, state] : states) {
    if (!state->error.ok()) continue;  // RetryFailed rebuilds it
    if (changes.everything || DependsOn(state->deployment.spec, changes.models)) {
      auto rebuilt = BuildState(state->deployment);
      if (!rebuilt.ok()) {
        // Keep serving what we have (e.g. the alias was deleted): availability first.
        LogWarn(StrCat("deployment ", name, " keeps serving its current models: ", rebuilt.status().message()));
      } else if (ServedKeys((*rebuilt)->model, (*rebuilt)->fallback, (*rebuilt)->pins) ==
                 ServedKeys(state->model, state->fallback, state->pins)) {
        Unpin(**rebuilt);  // nothing moved
      } else {
        LogInfo(StrCat("deployment ", name, ": swapping to ",
                       (*rebuilt)->model ? (*rebuilt)->model->key.ToString() : std::string("per-tenant models")));
        Publish(*rebuilt, false);
      }
    }
    if (state->deployment.spec.routes_by_tenant()) RefreshTenants(name, changes);
  }
}

void Router::RefreshTenants(const std::string& deployment, const ChangeFeed::Changes& changes) {
  std::shared_ptr<Slot> slot = FindSlot(deployment);
  if (slot == nullptr) return;
  std::shared_ptr<const State> state;
  std::vector<std::pair<std::string, TenantEntry>> affected;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    state = slot->state;
    for (const auto& [tenant, entry] : slot->tenants) {
      if (state->pinned_tenants.count(tenant) > 0) continue;  // follows the state
      if (changes.everything || changes.models.count(entry.model_name) > 0) affected.emplace_back(tenant, entry);
    }
  }
  const DeploymentSpec& spec = state->deployment.spec;
  for (const auto& [tenant, entry] : affected) {
    bool hot = entry.own == nullptr || options_.cache->Peek(entry.own->key) != nullptr;
    if (changes.everything && !hot) {
      std::unique_lock<std::shared_mutex> lock(mu_);
      if (slot->state == state) slot->tenants.erase(tenant);  // resolved again on its next request
      continue;
    }
    auto ref = TenantModelRef(spec, tenant);
    if (!ref.ok()) continue;
    auto own = ResolveOptional(*ref);
    if (!own.ok()) {
      LogWarn(StrCat("cannot resolve ", ref->ToString(), ": ", own.status().message()));
      continue;
    }
    if (SameModel(*own, entry.own)) continue;
    if (*own != nullptr && hot) {
      // The new version loads before requests move to it.
      auto loaded = Load(**own);
      if (!loaded.ok()) {
        LogWarn(StrCat("tenant ", tenant, " of ", deployment, " keeps its model: ", loaded.status().message()));
        continue;
      }
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (slot->state == state) slot->tenants[tenant] = TenantEntry{ref->name, *own};
  }
}

void Router::RetryFailed() {
  std::vector<std::shared_ptr<const State>> failed;
  int64_t now = options_.clock->NowMicros();
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [name, slot] : slots_) {
      if (!slot->state->error.ok() && now >= slot->state->retry_at) failed.push_back(slot->state);
    }
  }
  for (const auto& old : failed) {
    auto state = BuildState(old->deployment);
    if (state.ok()) LogInfo(StrCat("deployment ", old->deployment.name, " can serve again"));
    Publish(state.ok() ? *state : ErrorState(old->deployment, state.status()), true);
  }
}

}  // namespace plinth::serving
