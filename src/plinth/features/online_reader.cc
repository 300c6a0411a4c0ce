#include "plinth/features/online_reader.h"

#include "plinth/features/online_record.h"

namespace plinth::features {

std::string_view FeatureStatusName(FeatureStatus s) {
  switch (s) {
    case FeatureStatus::kPresent: return "present";
    case FeatureStatus::kMissing: return "missing";
    case FeatureStatus::kExpired: return "expired";
  }
  return "?";
}

absl::Status DecodeViewRecord(const ViewPlan& view, std::string_view record, std::vector<Value>* values,
                              std::vector<bool>* present, RecordHeader* header) {
  // The current layout (the usual case) decodes in place, into room made for every feature.
  const size_t n = view.def.features.size();
  values->clear();
  values->reserve(view.output_count() + view.def.request.size());  // room for the reader's outputs
  PLINTH_ASSIGN_OR_RETURN(*header, DecodeRecord(record, values));
  if (header->layout == view.layout) {
    if (values->size() != n) return absl::DataLossError(StrCat("online record of view '", view.def.name, "' has the wrong width"));
    present->assign(n, true);
    return absl::OkStatus();
  }
  std::vector<Value> stored = std::move(*values);
  values->assign(n, Value());
  present->assign(n, false);
  auto it = view.old_layouts.find(header->layout);
  if (it == view.old_layouts.end() || it->second.size() != stored.size()) {
    return absl::DataLossError(StrCat("online record of view '", view.def.name, "' has an unknown layout"));
  }
  for (size_t i = 0; i < stored.size(); ++i) {
    int to = it->second[i];
    if (to < 0) continue;
    (*values)[to] = std::move(stored[i]);
    (*present)[to] = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<OnlineReadResult> ReadOnlineFeatures(kv::OnlineStore& store, const ServicePlan& service,
                                                    const std::vector<EntityKeys>& entities, const RequestValues& request,
                                                    int64_t as_of) {
  const size_t nviews = service.views.size();
  // Request values, typed; every declared one must be given.
  RequestValues typed_request;
  for (const RequestValueDef& r : service.request) {
    auto it = request.find(r.name);
    if (it == request.end()) {
      return absl::InvalidArgumentError(StrCat("missing request value '", r.name, "' (", ValueTypeName(r.type),
                                               ") that service '", service.def.name, "' needs"));
    }
    auto v = CoerceValue(it->second, r.type);
    if (!v.ok()) return absl::InvalidArgumentError(StrCat("request value '", r.name, "': ", v.status().message()));
    typed_request.emplace(r.name, std::move(*v));
  }
  // Keys: entity-major, one per view.
  std::vector<std::string> keys(entities.size() * nviews);
  std::vector<Value> key_values;
  for (size_t e = 0; e < entities.size(); ++e) {
    for (size_t v = 0; v < nviews; ++v) {
      const ViewPlan& view = *service.views[v];
      key_values.clear();
      for (const JoinKey& k : view.join_keys) {
        auto it = entities[e].find(k.name);
        if (it == entities[e].end()) {
          return absl::InvalidArgumentError(StrCat("entity ", e, ": missing join key '", k.name, "'"));
        }
        key_values.push_back(it->second);
      }
      absl::Status s = EncodeEntityKey(view.def.name, view.join_keys, key_values, &keys[e * nviews + v]);
      if (!s.ok()) return absl::InvalidArgumentError(StrCat("entity ", e, ": ", s.message()));
    }
  }
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  // Records are decoded where the store holds them (no copy of the bytes).
  struct Found {
    bool found = false;
    absl::Status status;
    RecordHeader header;
    std::vector<Value> values;
    std::vector<bool> present;
  };
  std::vector<Found> records(keys.size());
  PLINTH_RETURN_IF_ERROR(store.MultiGetVisit(key_views, [&](size_t i, std::optional<std::string_view> value) {
    if (!value) return;
    Found& f = records[i];
    f.found = true;
    f.status = DecodeViewRecord(*service.views[i % nviews], *value, &f.values, &f.present, &f.header);
  }));

  OnlineReadResult result;
  result.rows.resize(entities.size());
  // Per view: the output values (features then transforms), status and event time.
  std::vector<std::vector<Value>> view_outputs(nviews);
  std::vector<FeatureStatus> view_status(nviews);
  std::vector<int64_t> view_event(nviews);
  std::vector<std::vector<bool>> view_present(nviews);
  for (size_t e = 0; e < entities.size(); ++e) {
    for (size_t v = 0; v < nviews; ++v) {
      const ViewPlan& view = *service.views[v];
      Found& record = records[e * nviews + v];
      const size_t nf = view.def.features.size();
      std::vector<Value>& out = view_outputs[v];
      view_status[v] = FeatureStatus::kMissing;
      view_event[v] = kNoTimestamp;
      bool taken = false;
      if (record.found) {
        PLINTH_RETURN_IF_ERROR(record.status);
        const RecordHeader& header = record.header;
        view_event[v] = header.event_micros;
        const bool expired = view.def.ttl_micros > 0 && as_of - header.event_micros > view.def.ttl_micros;
        view_status[v] = expired ? FeatureStatus::kExpired : FeatureStatus::kPresent;
        if (!expired) {  // the decoded features become the outputs' first nf (no copy)
          out = std::move(record.values);
          view_present[v] = std::move(record.present);
          taken = true;
        }
      }
      if (!taken) {
        out.assign(nf, Value());
        view_present[v].assign(nf, false);
      }
      out.resize(view.output_count() + view.def.request.size());
      if (view.transforms) {
        // Slots: features, request values (TransformInputs order), then transform outputs.
        std::vector<Value> slots(nf + view.def.request.size() + view.def.transforms.size());
        for (size_t i = 0; i < nf; ++i) slots[i] = out[i];
        for (size_t r = 0; r < view.def.request.size(); ++r) slots[nf + r] = typed_request.at(view.def.request[r].name);
        view.transforms->Evaluate(slots);
        for (size_t t = 0; t < view.def.transforms.size(); ++t) {
          out[nf + t] = std::move(slots[nf + view.def.request.size() + t]);
        }
      }
    }
    OnlineVector& row = result.rows[e];
    row.values.reserve(service.features.size());
    row.status.reserve(service.features.size());
    row.event_micros.reserve(service.features.size());
    for (size_t i = 0; i < service.features.size(); ++i) {
      const ServiceFeature& f = service.features[i];
      const ViewPlan& view = *service.views[f.view];
      FeatureStatus status = view_status[f.view];
      if (status == FeatureStatus::kPresent && f.output < view.def.features.size() && !view_present[f.view][f.output]) {
        status = FeatureStatus::kMissing;  // an old record without this feature
      }
      Value& value = view_outputs[f.view][f.output];
      if (f.last_use) row.values.push_back(std::move(value));
      else row.values.push_back(value);
      row.status.push_back(status);
      row.event_micros.push_back(view_event[f.view]);
    }
  }
  return result;
}

}  // namespace plinth::features
