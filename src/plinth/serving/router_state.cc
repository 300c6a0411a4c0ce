// Router control plane: building, publishing and removing deployment states.
#include "plinth/base/names.h"
#include "plinth/serving/router.h"
#include "plinth/serving/router_internal.h"

namespace plinth::serving {

using registry::ModelRef;

absl::StatusOr<std::shared_ptr<const Router::State>> Router::BuildState(const Deployment& d) {
  auto state = std::make_shared<State>();
  state->deployment = d;
  const DeploymentSpec& spec = d.spec;
  // Pin before loading, so the load cannot evict what it just loaded; undo on failure.
  auto pin_and_load = [&](const ResolvedModel& m) -> absl::Status {
    options_.cache->Pin(m.key);
    state->pins.push_back(m.key);
    return Load(m).status();
  };
  absl::Status st = [&]() -> absl::Status {
    if (!spec.fallback.empty()) {
      PLINTH_ASSIGN_OR_RETURN(ModelRef ref, ParseVersionRef(spec.fallback, "fallback"));
      auto fallback = Resolve(ref);
      if (!fallback.ok()) {
        return absl::Status(fallback.status().code(), StrCat("fallback ", spec.fallback, ": ", fallback.status().message()));
      }
      state->fallback = *fallback;
      PLINTH_RETURN_IF_ERROR(pin_and_load(*state->fallback));
    }
    if (!spec.model.empty()) {
      PLINTH_ASSIGN_OR_RETURN(ModelRef ref, ParseVersionRef(spec.model, "model"));
      PLINTH_ASSIGN_OR_RETURN(state->model, ResolveOptional(ref));
      if (state->model == nullptr) {
        if (state->fallback == nullptr) return absl::NotFoundError(StrCat("model ", spec.model, " does not exist"));
        state->model = state->fallback;
        state->model_uses_fallback = true;
      } else {
        PLINTH_RETURN_IF_ERROR(pin_and_load(*state->model));
      }
    }
    for (const std::string& tenant : spec.pinned_tenants) {
      PLINTH_ASSIGN_OR_RETURN(ModelRef ref, TenantModelRef(spec, tenant));
      PLINTH_ASSIGN_OR_RETURN(auto own, ResolveOptional(ref));
      if (own == nullptr && state->fallback == nullptr) {
        return absl::NotFoundError(
            StrCat("pinned tenant '", tenant, "' has no model (", ref.ToString(), " does not exist) and there is no fallback"));
      }
      if (own != nullptr) PLINTH_RETURN_IF_ERROR(pin_and_load(*own));
      state->pinned_tenants.emplace(tenant, TenantEntry{ref.name, own});
    }
    return absl::OkStatus();
  }();
  if (!st.ok()) {
    Unpin(*state);
    return st;
  }
  return std::shared_ptr<const State>(std::move(state));
}

std::shared_ptr<const Router::State> Router::ErrorState(const Deployment& d, const absl::Status& error) const {
  auto state = std::make_shared<State>();
  state->deployment = d;
  state->error = error;
  state->retry_at = options_.clock->NowMicros() + options_.retry_interval_micros;
  return state;
}

void Router::Unpin(const State& state) {
  for (const ModelKey& key : state.pins) options_.cache->Unpin(key);
}

void Router::Publish(std::shared_ptr<const State> state, bool reset_tenants) {
  std::shared_ptr<const State> old;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto& slot = slots_[state->deployment.name];
    if (slot == nullptr) slot = std::make_shared<Slot>();
    old = std::move(slot->state);
    slot->state = state;
    if (reset_tenants) slot->tenants.clear();
    for (const auto& [tenant, entry] : state->pinned_tenants) slot->tenants[tenant] = entry;
  }
  if (old != nullptr) Unpin(*old);
}

absl::StatusOr<Router::ApplyResult> Router::Apply(const std::string& name, const DeploymentSpec& spec,
                                                  const storage::AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("deployment name", name));
  PLINTH_RETURN_IF_ERROR(ValidateDeploymentSpec(spec));
  std::lock_guard<std::mutex> control(control_mu_);
  Deployment probe;
  probe.name = name;
  probe.spec = spec;
  // Resolve and load first: a spec that cannot serve is refused and changes nothing.
  PLINTH_ASSIGN_OR_RETURN(auto built, BuildState(probe));
  auto put = options_.store->Put(name, spec, ctx);
  if (!put.ok()) {
    Unpin(*built);
    return put.status();
  }
  auto state = std::make_shared<State>(*built);
  state->deployment = put->deployment;
  Publish(state, true);
  ApplyResult result;
  result.created = put->created;
  PLINTH_ASSIGN_OR_RETURN(result.status, Get(name));
  return result;
}

absl::Status Router::Delete(const std::string& name, const storage::AuditContext& ctx) {
  std::lock_guard<std::mutex> control(control_mu_);
  PLINTH_RETURN_IF_ERROR(options_.store->Delete(name, ctx));
  std::shared_ptr<const State> old;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto it = slots_.find(name);
    if (it != slots_.end()) {
      old = it->second->state;
      slots_.erase(it);
    }
  }
  if (old != nullptr) Unpin(*old);
  return absl::OkStatus();
}

}  // namespace plinth::serving
