// FeatureStore: the feature store as one object for the server - definitions (FeatureRegistry),
// the compiled live catalog, the online store's writer, materialization, push and online reads.
//
// The catalog is rebuilt after every apply and swapped atomically (read-copy-update); calls
// hold the catalog they started with. Apply through this object, not the registry, so the
// catalog follows the definitions.
// Thread-safety: safe for concurrent use. Ownership: borrows the registry, MetaStore and
// online store, which must outlive it.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "plinth/features/catalog.h"
#include "plinth/features/feature_registry.h"
#include "plinth/features/materializer.h"
#include "plinth/features/online_reader.h"
#include "plinth/features/online_writer.h"
#include "plinth/features/push.h"

namespace plinth::features {

class FeatureStore {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    FeatureRegistry* registry = nullptr;
    kv::OnlineStore* online = nullptr;
    Clock* clock = Clock::Real();
  };
  static absl::StatusOr<std::unique_ptr<FeatureStore>> Create(Options options);

  absl::StatusOr<ApplyResult> Apply(const Definitions& defs, const ApplyOptions& options, const storage::AuditContext& ctx);
  std::shared_ptr<const Catalog> catalog() const;
  // Rebuilds the catalog from the registry (after an apply elsewhere).
  absl::Status Reload();

  // Every online view when `views` is empty.
  absl::StatusOr<std::vector<MaterializeResult>> Materialize(const std::vector<std::string>& views,
                                                             const MaterializeOptions& options);
  absl::StatusOr<PushResult> Push(const std::string& view, const Json& rows);
  // `as_of` defaults to now.
  absl::StatusOr<OnlineReadResult> ReadOnline(const ServicePlan& service, const std::vector<EntityKeys>& entities,
                                              const RequestValues& request, std::optional<int64_t> as_of = std::nullopt);

  Clock* clock() const { return options_.clock; }
  kv::OnlineStore& online() { return *options_.online; }

 private:
  explicit FeatureStore(Options options);

  Options options_;
  OnlineWriter writer_;
  Materializer materializer_;
  mutable std::mutex mu_;
  std::shared_ptr<const Catalog> catalog_;  // guarded by mu_ (swapped whole)
  TableSnapshots snapshots_;                // pushed tables' latest snapshots, between pushes
  PushCommitter committer_;                 // pushes to one table share commits
  TableMaintainer maintainer_;            // pushed tables' checkpoints and compactions, off the request path
};

}  // namespace plinth::features
