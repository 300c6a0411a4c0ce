#include "plinth/serving/router.h"

#include "plinth/base/logging.h"
#include "plinth/serving/router_internal.h"

namespace plinth::serving {

using registry::ModelRef;

namespace {

Json KeyJson(const std::optional<ModelKey>& key) { return key ? Json(key->ToString()) : Json(nullptr); }

}  // namespace

Json DeploymentStatus::ToJson(const ModelCache& cache) const {
  Json j = deployment.ToJson();
  j["model"] = KeyJson(model);
  j["fallback"] = KeyJson(fallback);
  j["ready"] = ready;
  j["error"] = error.empty() ? Json(nullptr) : Json(error);
  j["tenants_cached"] = tenants_cached;
  Json pinned = Json::object();
  for (const auto& [tenant, key] : pinned_tenants) pinned[tenant] = key.ToString();
  j["pinned"] = pinned;
  Json loaded = Json::array();
  for (const auto& key : {model, fallback}) {
    if (key && cache.Peek(*key) != nullptr) loaded.push_back(key->ToString());
  }
  j["loaded"] = loaded;
  return j;
}

absl::StatusOr<std::unique_ptr<Router>> Router::Create(Options options) {
  if (options.store == nullptr || options.registry == nullptr || options.cache == nullptr || options.meta == nullptr ||
      !options.load) {
    return absl::InvalidArgumentError("Router needs a deployment store, registry, model cache, meta store and loader");
  }
  if (options.clock == nullptr) options.clock = Clock::Real();
  auto router = std::unique_ptr<Router>(new Router(std::move(options)));
  Router* r = router.get();
  router->refresher_ = std::make_unique<PeriodicTask>(std::chrono::microseconds(r->options_.poll_interval_micros), [r] {
    absl::Status st = r->RefreshOnce();
    if (!st.ok()) LogWarn(StrCat("serving refresh failed: ", st.message()));
  });
  // The feed starts before the deployments are read, so a change racing start-up is seen.
  PLINTH_ASSIGN_OR_RETURN(router->feed_, ChangeFeed::Create({.meta = router->options_.meta}));
  PLINTH_ASSIGN_OR_RETURN(std::vector<Deployment> stored, router->options_.store->List());
  std::lock_guard<std::mutex> control(router->control_mu_);
  for (const Deployment& d : stored) {
    auto state = router->BuildState(d);
    if (!state.ok()) {
      LogWarn(StrCat("deployment ", d.name, " cannot serve yet: ", state.status().message()));
      state = router->ErrorState(d, state.status());
    }
    router->Publish(*state, true);
  }
  return router;
}

Router::~Router() { Stop(); }

void Router::Start() { refresher_->Start(); }
void Router::Stop() { refresher_->Stop(); }

absl::StatusOr<std::shared_ptr<const ResolvedModel>> Router::Resolve(const ModelRef& ref) const {
  PLINTH_ASSIGN_OR_RETURN(registry::ModelVersion v, options_.registry->GetVersion(ref));
  return std::make_shared<const ResolvedModel>(ResolvedModel{{v.model_name, v.version, v.artifact_sha256}, v.format});
}

absl::StatusOr<std::shared_ptr<const ResolvedModel>> Router::ResolveOptional(const ModelRef& ref) const {
  auto r = Resolve(ref);
  if (absl::IsNotFound(r.status())) return std::shared_ptr<const ResolvedModel>();
  return r;
}

absl::StatusOr<ModelHandle> Router::Load(const ResolvedModel& model) const {
  return options_.cache->Get(model.key, [&] { return options_.load(model); });
}

std::shared_ptr<Router::Slot> Router::FindSlot(const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = slots_.find(name);
  return it == slots_.end() ? nullptr : it->second;
}

absl::StatusOr<std::shared_ptr<const ResolvedModel>> Router::ResolveTenant(const std::string& deployment, Slot& slot,
                                                                            const State& state, const std::string& tenant,
                                                                            bool may_block, bool* would_block) {
  uint64_t seq;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = slot.tenants.find(tenant);
    if (it != slot.tenants.end()) return it->second.own;
    seq = change_seq_;
  }
  if (!may_block) {
    *would_block = true;
    return std::shared_ptr<const ResolvedModel>();
  }
  PLINTH_ASSIGN_OR_RETURN(ModelRef ref, TenantModelRef(state.deployment.spec, tenant));
  PLINTH_ASSIGN_OR_RETURN(auto own, ResolveOptional(ref));
  std::unique_lock<std::shared_mutex> lock(mu_);
  // Cache only if nothing changed meanwhile and the deployment was not replaced.
  if (seq == change_seq_ && slot.state.get() == &state) {
    if (slot.tenants.size() >= options_.max_tenant_entries) slot.tenants.clear();
    slot.tenants.emplace(tenant, TenantEntry{ref.name, own});
  }
  return own;
}

absl::StatusOr<std::shared_ptr<const ResolvedModel>> Router::PinnedVersion(const std::string& model, int64_t version,
                                                                            bool may_block, bool* would_block) {
  ModelKey key{model, version, ""};  // by number: no artifact known yet
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = versions_.find(key);
    if (it != versions_.end()) return it->second;
  }
  if (!may_block) {
    *would_block = true;
    return std::shared_ptr<const ResolvedModel>();
  }
  ModelRef ref;
  ref.name = model;
  ref.version = version;
  PLINTH_ASSIGN_OR_RETURN(auto resolved, Resolve(ref));
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (versions_.size() >= options_.max_tenant_entries) versions_.clear();
  versions_.emplace(key, resolved);
  return resolved;
}

absl::StatusOr<Target> Router::Acquire(const std::string& deployment, const std::optional<std::string>& tenant,
                                       std::optional<int64_t> version, bool may_block) {
  std::shared_ptr<Slot> slot;
  std::shared_ptr<const State> state;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = slots_.find(deployment);
    if (it == slots_.end()) return absl::NotFoundError(StrCat("deployment '", deployment, "' not found"));
    slot = it->second;
    state = slot->state;
  }
  if (!state->error.ok()) {
    return absl::UnavailableError(StrCat("deployment '", deployment, "' cannot serve now: ", state->error.message()));
  }
  const DeploymentSpec& spec = state->deployment.spec;
  Target target;
  target.max_batch_rows = spec.max_batch_rows;
  target.feature_service = spec.feature_service;
  if (!spec.routes_by_tenant()) {
    target.model = state->model;
    target.fallback = state->model_uses_fallback;
  } else if (tenant) {
    PLINTH_ASSIGN_OR_RETURN(target.model, ResolveTenant(deployment, *slot, *state, *tenant, may_block, &target.would_block));
    if (target.would_block) return target;
    if (target.model == nullptr) {
      if (state->fallback == nullptr) {
        return absl::NotFoundError(StrCat("tenant '", *tenant, "' has no model (",
                                          TenantModelRef(spec, *tenant)->ToString(), " does not exist) and deployment '",
                                          deployment, "' has no fallback"));
      }
      target.model = state->fallback;
      target.fallback = true;
    }
  } else if (state->fallback != nullptr) {
    target.model = state->fallback;
    target.fallback = true;
  } else {
    return absl::InvalidArgumentError(StrCat("'tenant' is required: deployment '", deployment,
                                             "' routes requests by tenant (", spec.model_template, ") and has no fallback"));
  }
  if (target.model == nullptr) return absl::UnavailableError(StrCat("deployment '", deployment, "' has no model"));
  if (version && *version != target.model->key.version) {
    PLINTH_ASSIGN_OR_RETURN(target.model, PinnedVersion(target.model->key.name, *version, may_block, &target.would_block));
    if (target.would_block) return target;
  }
  if (!may_block) {
    target.handle = options_.cache->GetIfLoaded(target.model->key);
    target.would_block = target.handle == nullptr;
    return target;
  }
  auto handle = Load(*target.model);
  if (!handle.ok()) {
    // A version that does not load is the server's problem, not the request's.
    if (absl::IsFailedPrecondition(handle.status())) return absl::UnavailableError(handle.status().message());
    return handle.status();
  }
  target.handle = std::move(*handle);
  return target;
}

DeploymentStatus Router::StatusOf(const Slot& slot, const State& state) const {
  DeploymentStatus s;
  s.deployment = state.deployment;
  if (state.model) s.model = state.model->key;
  if (state.fallback) s.fallback = state.fallback->key;
  s.error = state.error.ok() ? "" : std::string(state.error.message());
  s.tenants_cached = static_cast<int64_t>(slot.tenants.size());
  for (const auto& [tenant, entry] : state.pinned_tenants) {
    const auto& m = entry.own != nullptr ? entry.own : state.fallback;
    if (m != nullptr) s.pinned_tenants.emplace_back(tenant, m->key);
  }
  s.ready = state.error.ok();
  for (const ModelKey& key : state.pins) {
    if (options_.cache->Peek(key) == nullptr) s.ready = false;
  }
  return s;
}

absl::StatusOr<DeploymentStatus> Router::Get(const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return absl::NotFoundError(StrCat("deployment '", name, "' not found"));
  return StatusOf(*it->second, *it->second->state);
}

std::vector<DeploymentStatus> Router::List() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<DeploymentStatus> out;
  for (const auto& [name, slot] : slots_) out.push_back(StatusOf(*slot, *slot->state));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.deployment.name < b.deployment.name; });
  return out;
}

}  // namespace plinth::serving
