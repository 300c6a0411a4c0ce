#include "plinth/features/feature_store.h"

#include "plinth/features/online_record.h"

namespace plinth::features {

FeatureStore::FeatureStore(Options options)
    : options_(options), writer_(options.online), materializer_({.meta = options.meta, .writer = &writer_, .clock = options.clock}) {}

absl::StatusOr<std::unique_ptr<FeatureStore>> FeatureStore::Create(Options options) {
  if (options.meta == nullptr || options.registry == nullptr || options.online == nullptr) {
    return absl::InvalidArgumentError("FeatureStore needs a MetaStore, a FeatureRegistry and an OnlineStore");
  }
  if (options.clock == nullptr) options.clock = Clock::Real();
  std::unique_ptr<FeatureStore> store(new FeatureStore(options));
  PLINTH_RETURN_IF_ERROR(store->Reload());
  return store;
}

std::shared_ptr<const Catalog> FeatureStore::catalog() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_;
}

absl::Status FeatureStore::Reload() {
  PLINTH_ASSIGN_OR_RETURN(auto built, Catalog::Build(*options_.registry));
  std::lock_guard<std::mutex> lock(mu_);
  catalog_ = std::move(built);
  return absl::OkStatus();
}

absl::StatusOr<ApplyResult> FeatureStore::Apply(const Definitions& defs, const ApplyOptions& options,
                                                const storage::AuditContext& ctx) {
  PLINTH_ASSIGN_OR_RETURN(ApplyResult result, options_.registry->Apply(defs, options, ctx));
  if (result.applied) {
    PLINTH_RETURN_IF_ERROR(Reload());
    // A removed view's online rows are dropped (a view of the same name starts empty).
    for (const Change& c : result.changes) {
      if (c.op == Change::Op::kRemove && c.kind == ObjectKind::kFeatureView) {
        PLINTH_RETURN_IF_ERROR(options_.online->DeletePrefix(ViewKeyPrefix(c.name)));
      }
    }
  }
  return result;
}

absl::StatusOr<std::vector<MaterializeResult>> FeatureStore::Materialize(const std::vector<std::string>& views,
                                                                         const MaterializeOptions& options) {
  std::shared_ptr<const Catalog> cat = catalog();
  std::vector<const ViewPlan*> plans;
  if (views.empty()) {
    for (const auto& v : cat->views()) {
      if (v->def.online) plans.push_back(v.get());
    }
  } else {
    for (const std::string& name : views) {
      PLINTH_ASSIGN_OR_RETURN(const ViewPlan* v, cat->FindView(name));
      if (!v->def.online) return absl::InvalidArgumentError(StrCat("feature view '", name, "' is not online (online: false)"));
      plans.push_back(v);
    }
  }
  std::vector<MaterializeResult> results;
  for (const ViewPlan* v : plans) {
    PLINTH_ASSIGN_OR_RETURN(MaterializeResult r, materializer_.Run(*v, options));
    results.push_back(std::move(r));
  }
  return results;
}

absl::StatusOr<PushResult> FeatureStore::Push(const std::string& view, const Json& rows) {
  std::shared_ptr<const Catalog> cat = catalog();
  PLINTH_ASSIGN_OR_RETURN(const ViewPlan* v, cat->FindView(view));
  return PushRows(*v, rows, writer_, options_.clock, snapshots_, committer_, maintainer_);
}

absl::StatusOr<OnlineReadResult> FeatureStore::ReadOnline(const ServicePlan& service, const std::vector<EntityKeys>& entities,
                                                          const RequestValues& request, std::optional<int64_t> as_of) {
  return ReadOnlineFeatures(*options_.online, service, entities, request, as_of.value_or(options_.clock->NowMicros()));
}

}  // namespace plinth::features
