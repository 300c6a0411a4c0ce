#include "plinth/features/catalog.h"

#include <set>
#include <utility>

#include "plinth/features/definitions_validate.h"
#include "plinth/features/online_record.h"
#include "plinth/features/source_schema.h"

namespace plinth::features {

std::optional<size_t> ViewPlan::OutputIndex(std::string_view name) const {
  for (size_t i = 0; i < def.features.size(); ++i) {
    if (def.features[i].name == name) return i;
  }
  for (size_t i = 0; i < def.transforms.size(); ++i) {
    if (def.transforms[i].name == name) return def.features.size() + i;
  }
  return std::nullopt;
}

ValueType ViewPlan::OutputType(size_t i) const {
  if (i < def.features.size()) return def.features[i].type;
  return transforms->outputs()[i - def.features.size()].second;
}

const std::string& ViewPlan::OutputName(size_t i) const {
  if (i < def.features.size()) return def.features[i].name;
  return def.transforms[i - def.features.size()].name;
}

absl::StatusOr<std::shared_ptr<const Catalog>> Catalog::Build(FeatureRegistry& registry) {
  PLINTH_ASSIGN_OR_RETURN(FeatureRegistry::Live live, registry.LoadLive());
  auto catalog = std::make_shared<Catalog>();
  for (const FeatureViewDef& v : live.defs.feature_views) {
    auto plan = std::make_unique<ViewPlan>();
    plan->def = v;
    plan->version = live.versions[{ObjectKind::kFeatureView, v.name}];
    const SourceDef* source = live.defs.FindSource(v.source);
    if (source == nullptr) return absl::DataLossError(StrCat("live feature view '", v.name, "' has no live source"));
    plan->source = *source;
    plan->source_version = live.versions[{ObjectKind::kSource, source->name}];
    PLINTH_ASSIGN_OR_RETURN(plan->table_path, registry.TablePath(*source));
    plan->join_keys = ViewJoinKeys(live.defs, v);
    plan->key_prefix = ViewKeyPrefix(v.name);
    plan->layout = LayoutId(v);
    if (!v.transforms.empty()) {
      std::vector<TransformDef> defs;
      for (const TransformSpec& t : v.transforms) defs.push_back({t.name, t.expr, t.type});
      auto set = TransformSet::Create(TransformInputs(v), defs);
      if (!set.ok()) return absl::DataLossError(StrCat("live feature view '", v.name, "': ", set.status().message()));
      plan->transforms = std::move(*set);
    }
    // Layouts of earlier versions, mapped by feature name onto the live features.
    PLINTH_ASSIGN_OR_RETURN(auto history, registry.History(ObjectKind::kFeatureView, v.name));
    for (const StoredObject& old : history) {
      auto def = ParseFeatureView(old.spec, "history");
      if (!def.ok()) continue;
      uint64_t layout = LayoutId(*def);
      if (layout == plan->layout || plan->old_layouts.count(layout)) continue;
      std::vector<int> map;
      for (const FeatureDef& f : def->features) {
        int index = -1;
        for (size_t i = 0; i < v.features.size(); ++i) {
          if (v.features[i].name == f.name && v.features[i].type == f.type) index = static_cast<int>(i);
        }
        map.push_back(index);
      }
      plan->old_layouts[layout] = std::move(map);
    }
    catalog->views_.push_back(std::move(plan));
  }
  for (const FeatureServiceDef& s : live.defs.feature_services) {
    auto plan = std::make_unique<ServicePlan>();
    plan->def = s;
    plan->version = live.versions[{ObjectKind::kFeatureService, s.name}];
    auto view_slot = [&](const ViewPlan* v) {
      for (size_t i = 0; i < plan->views.size(); ++i) {
        if (plan->views[i] == v) return i;
      }
      plan->views.push_back(v);
      for (const JoinKey& k : v->join_keys) {
        bool seen = false;
        for (const JoinKey& have : plan->join_keys) seen = seen || have.name == k.name;
        if (!seen) plan->join_keys.push_back(k);
      }
      for (const RequestValueDef& r : v->def.request) {
        bool seen = false;
        for (const RequestValueDef& have : plan->request) seen = seen || have.name == r.name;
        if (!seen) plan->request.push_back(r);
      }
      return plan->views.size() - 1;
    };
    for (const FeatureRef& ref : s.features) {
      const ViewPlan* v = catalog->View(ref.view);
      if (v == nullptr) return absl::DataLossError(StrCat("live feature service '", s.name, "' names unknown view '", ref.view, "'"));
      size_t slot = view_slot(v);
      auto add = [&](size_t output) {
        plan->features.push_back({slot, output, StrCat(v->def.name, ":", v->OutputName(output)), v->OutputType(output), false});
      };
      if (ref.feature == "*") {
        for (size_t i = 0; i < v->output_count(); ++i) add(i);
      } else {
        std::optional<size_t> i = v->OutputIndex(ref.feature);
        if (!i) return absl::DataLossError(StrCat("live feature service '", s.name, "' names unknown feature '", ref.ToString(), "'"));
        add(*i);
      }
    }
    std::set<std::pair<size_t, size_t>> read_later;  // (view, output) read by a later feature
    for (size_t i = plan->features.size(); i-- > 0;) {
      ServiceFeature& f = plan->features[i];
      f.last_use = read_later.emplace(f.view, f.output).second;
    }
    catalog->services_.push_back(std::move(plan));
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

const ViewPlan* Catalog::View(std::string_view name) const {
  for (const auto& v : views_) {
    if (v->def.name == name) return v.get();
  }
  return nullptr;
}

const ServicePlan* Catalog::Service(std::string_view name) const {
  for (const auto& s : services_) {
    if (s->def.name == name) return s.get();
  }
  return nullptr;
}

absl::StatusOr<const ServicePlan*> Catalog::FindService(std::string_view name) const {
  if (const ServicePlan* s = Service(name)) return s;
  return absl::NotFoundError(StrCat("feature service '", name, "' not found"));
}

absl::StatusOr<const ViewPlan*> Catalog::FindView(std::string_view name) const {
  if (const ViewPlan* v = View(name)) return v;
  return absl::NotFoundError(StrCat("feature view '", name, "' not found"));
}

}  // namespace plinth::features
