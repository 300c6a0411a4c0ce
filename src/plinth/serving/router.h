// Router: deployment (+ tenant) -> the model version that answers, loaded and ready.
//
// Data plane (Acquire, on every request): two hash lookups under a shared lock and one
// ModelCache lookup; the registry is asked only the first time a tenant is seen. Control plane
// (Apply, Delete, the refresher): resolves refs in the registry, loads the new models, then
// publishes an immutable DeploymentState by swapping one shared_ptr (read-copy-update). A
// request keeps the ModelHandle it acquired, so it finishes on the version it began on, and
// the old version leaves memory when its last request finishes (and the cache lets it go).
//
// Swaps: Apply (a new spec) and alias moves both load the new version before publishing it.
// Alias moves and new versions are noticed by polling the ChangeFeed (the audit log) every
// `poll_interval` (200 ms by default), so a move is served within 1 s; only cached resolutions
// that name a changed model are looked up again. Models a state points at (the model, the
// fallback, pinned tenants' models) are pinned in the ModelCache, so per-tenant traffic never
// evicts them. A stored deployment whose model cannot be served at start-up stays listed with
// its error (requests get 503) and is retried every `retry_interval`.
// Thread-safety: safe for concurrent use. Control-plane operations serialise on one mutex;
// Acquire never waits for them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/base/periodic_task.h"
#include "plinth/registry/registry.h"
#include "plinth/serving/change_feed.h"
#include "plinth/serving/deployment_store.h"
#include "plinth/serving/model_cache.h"

namespace plinth::serving {

// What one request is served by.
struct Target {
  std::shared_ptr<const ResolvedModel> model;  // the version that answers
  ModelHandle handle;                           // loaded; keep it until the response is built
  bool fallback = false;                        // the tenant's own model does not exist
  int64_t max_batch_rows = kDefaultMaxBatchRows;
  std::string feature_service;  // the deployment's, empty when none
  bool would_block = false;  // Acquire(may_block = false) stopped short: nothing else is set
};

// A deployment as `plinth deployments show` reports it.
struct DeploymentStatus {
  Deployment deployment;
  std::optional<ModelKey> model;     // what a request without a tenant gets (model deployments)
  std::optional<ModelKey> fallback;
  bool ready = false;                // its models are resolved and loaded
  std::string error;                 // why not, when not ready
  int64_t tenants_cached = 0;        // tenant resolutions held in memory
  std::vector<std::pair<std::string, ModelKey>> pinned_tenants;
  Json ToJson(const ModelCache& cache) const;
};

class Router {
 public:
  using LoadFn = std::function<absl::StatusOr<std::unique_ptr<runtime::Model>>(const ResolvedModel&)>;

  struct Options {
    DeploymentStore* store = nullptr;
    registry::Registry* registry = nullptr;
    ModelCache* cache = nullptr;
    LoadFn load;                             // e.g. ArtifactLoader::Load
    storage::MetaStore* meta = nullptr;      // for the ChangeFeed
    Clock* clock = Clock::Real();
    int64_t poll_interval_micros = 200'000;
    int64_t retry_interval_micros = 5'000'000;
    size_t max_tenant_entries = 100'000;     // per deployment; the map is reset past it
  };
  // Loads every stored deployment (their models too). Does not start the refresher.
  static absl::StatusOr<std::unique_ptr<Router>> Create(Options options);
  ~Router();

  // Starts / stops the background refresher thread.
  void Start();
  void Stop();

  // Data plane. `tenant` selects the per-customer model of a template deployment (ignored by
  // a single-model deployment); `version` pins a version of the model the request resolves
  // to. NotFound for an unknown deployment, tenant model (without fallback) or version;
  // InvalidArgument for a bad tenant; Unavailable when the deployment cannot serve now.
  // With `may_block` false, anything that would wait (a registry lookup for a tenant or
  // version not seen yet, a model load) returns a Target with `would_block` set instead.
  absl::StatusOr<Target> Acquire(const std::string& deployment, const std::optional<std::string>& tenant,
                                 std::optional<int64_t> version = std::nullopt, bool may_block = true);

  // Control plane. Apply creates or replaces a deployment once its new models have loaded
  // (so a bad spec changes nothing); `created` tells which.
  struct ApplyResult {
    DeploymentStatus status;
    bool created = false;
  };
  absl::StatusOr<ApplyResult> Apply(const std::string& name, const DeploymentSpec& spec, const storage::AuditContext& ctx);
  absl::Status Delete(const std::string& name, const storage::AuditContext& ctx);
  absl::StatusOr<DeploymentStatus> Get(const std::string& name) const;
  std::vector<DeploymentStatus> List() const;
  bool Has(const std::string& name) const { return FindSlot(name) != nullptr; }

  // One poll of the change feed and the swaps it calls for (the refresher's loop body).
  absl::Status RefreshOnce();

  const ModelCache& cache() const { return *options_.cache; }

 private:
  struct State;
  struct Slot;
  struct TenantEntry;

  explicit Router(Options options) : options_(std::move(options)) {}

  // Registry lookups. ResolveOptional maps NotFound to null.
  absl::StatusOr<std::shared_ptr<const ResolvedModel>> Resolve(const registry::ModelRef& ref) const;
  absl::StatusOr<std::shared_ptr<const ResolvedModel>> ResolveOptional(const registry::ModelRef& ref) const;
  absl::StatusOr<ModelHandle> Load(const ResolvedModel& model) const;

  // Resolves and loads everything `deployment` needs; pins what it returns (router_state.cc).
  absl::StatusOr<std::shared_ptr<const State>> BuildState(const Deployment& deployment);
  std::shared_ptr<const State> ErrorState(const Deployment& deployment, const absl::Status& error) const;
  // Publishes `state` in the slot of its deployment (creating it), then unpins the old one.
  void Publish(std::shared_ptr<const State> state, bool reset_tenants);
  void Unpin(const State& state);
  DeploymentStatus StatusOf(const Slot& slot, const State& state) const;

  // Refresh steps (router_refresh.cc); REQUIRE control_mu_.
  void RefreshDeployment(const std::string& name);
  void RefreshModels(const ChangeFeed::Changes& changes);
  void RefreshTenants(const std::string& deployment, const ChangeFeed::Changes& changes);
  void RetryFailed();

  std::shared_ptr<Slot> FindSlot(const std::string& name) const;
  // With `may_block` false, return a null `*would_block`-flagged result instead of asking the registry.
  absl::StatusOr<std::shared_ptr<const ResolvedModel>> ResolveTenant(const std::string& deployment, Slot& slot,
                                                                      const State& state, const std::string& tenant,
                                                                      bool may_block, bool* would_block);
  absl::StatusOr<std::shared_ptr<const ResolvedModel>> PinnedVersion(const std::string& model, int64_t version,
                                                                      bool may_block, bool* would_block);

  Options options_;
  std::unique_ptr<ChangeFeed> feed_;

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots_;  // guarded by mu_
  // Bumped (under mu_) whenever refreshed models are announced; a lazily resolved tenant is
  // cached only if no bump happened while it was being resolved.
  uint64_t change_seq_ = 0;  // guarded by mu_
  std::unordered_map<ModelKey, std::shared_ptr<const ResolvedModel>, ModelKeyHash> versions_;  // guarded by mu_

  std::mutex control_mu_;  // serialises Apply, Delete and refreshes
  std::unique_ptr<PeriodicTask> refresher_;  // declared last: stopped first
};

}  // namespace plinth::serving
