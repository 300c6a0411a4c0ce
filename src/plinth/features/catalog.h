// Catalog: the live feature definitions compiled for reading and writing feature values.
//
// Built from the FeatureRegistry (its live objects and the history of each view's feature
// layouts) and swapped whole when definitions change (read-copy-update): a request keeps the
// catalog it started with. A ViewPlan knows its join keys, key prefix, layout, TTL, source
// table and compiled transforms; a ServicePlan lists the service's output features in order
// and what its callers must supply (join keys, request values).
// Thread-safety: immutable after Build; share as std::shared_ptr<const Catalog>.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plinth/features/definitions.h"
#include "plinth/features/feature_registry.h"
#include "plinth/features/transform_set.h"

namespace plinth::features {

struct ViewPlan {
  FeatureViewDef def;
  int64_t version = 0;
  SourceDef source;
  int64_t source_version = 0;
  std::string table_path;
  std::vector<JoinKey> join_keys;  // of its entities, in order
  std::string key_prefix;          // ViewKeyPrefix(name)
  uint64_t layout = 0;             // LayoutId(def)
  // Feature layouts of earlier versions still found in the online store: layout -> for each
  // stored position, the index of that feature in def.features (or -1 when it was dropped or
  // its type changed).
  std::map<uint64_t, std::vector<int>> old_layouts;
  std::optional<TransformSet> transforms;  // over TransformInputs(def); absent when none

  // Index of a feature or (features.size() + i) of transform i; nullopt when unknown.
  std::optional<size_t> OutputIndex(std::string_view name) const;
  size_t output_count() const { return def.features.size() + def.transforms.size(); }
  ValueType OutputType(size_t i) const;
  const std::string& OutputName(size_t i) const;
};

struct ServiceFeature {
  size_t view = 0;    // index into ServicePlan::views
  size_t output = 0;  // ViewPlan output index
  std::string name;   // "view:feature"
  ValueType type = ValueType::kDouble;
  bool last_use = false;  // the service's last feature to read this view output (reads may move it)
};

struct ServicePlan {
  FeatureServiceDef def;
  int64_t version = 0;
  std::vector<const ViewPlan*> views;  // distinct, in first-use order
  std::vector<ServiceFeature> features;
  std::vector<JoinKey> join_keys;      // union over the views, first-use order
  std::vector<RequestValueDef> request;  // union over the views' request values
};

class Catalog {
 public:
  static absl::StatusOr<std::shared_ptr<const Catalog>> Build(FeatureRegistry& registry);

  const ViewPlan* View(std::string_view name) const;
  const ServicePlan* Service(std::string_view name) const;
  // NotFound naming the service/view.
  absl::StatusOr<const ServicePlan*> FindService(std::string_view name) const;
  absl::StatusOr<const ViewPlan*> FindView(std::string_view name) const;
  const std::vector<std::unique_ptr<ViewPlan>>& views() const { return views_; }

 private:
  std::vector<std::unique_ptr<ViewPlan>> views_;
  std::vector<std::unique_ptr<ServicePlan>> services_;
};

}  // namespace plinth::features
