// DeploymentStore: deployments persisted in the MetaStore (table `deployments`, migration 2).
//
// Put creates or replaces a deployment's spec (PUT semantics) and bumps its generation
// (1 when created); Put and Delete write their audit entry ("deployment.create|update|delete",
// resource "deployments/NAME") in the same transaction. The store knows nothing of models:
// the serving Router checks that a spec can be served before it calls Put.
// Thread-safety: safe for concurrent use; all state lives in the MetaStore.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/serving/deployment_spec.h"
#include "plinth/storage/meta/audit_log.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::serving {

struct Deployment {
  std::string name;
  DeploymentSpec spec;
  int64_t generation = 0;  // 1 when created, +1 per update
  int64_t created_at = 0;  // micros
  int64_t updated_at = 0;
  std::string created_by;
  std::string updated_by;

  // {"name", "spec", "generation", "created_at", "updated_at", "created_by", "updated_by"}
  Json ToJson() const;
};

class DeploymentStore {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    Clock* clock = Clock::Real();
  };
  static absl::StatusOr<std::unique_ptr<DeploymentStore>> Create(Options options);

  struct PutResult {
    Deployment deployment;
    bool created = false;
  };
  // REQUIRES: ValidateDeploymentSpec(spec) is OK (checked again here).
  absl::StatusOr<PutResult> Put(const std::string& name, const DeploymentSpec& spec, const storage::AuditContext& ctx);
  absl::StatusOr<Deployment> Get(const std::string& name);
  // Every deployment, by name.
  absl::StatusOr<std::vector<Deployment>> List();
  absl::Status Delete(const std::string& name, const storage::AuditContext& ctx);

 private:
  explicit DeploymentStore(Options options) : options_(options), audit_(options.clock) {}

  Options options_;
  storage::AuditLog audit_;
};

}  // namespace plinth::serving
