// Online feature reads: a service's feature vector for each entity, from the online store.
//
// For every entity and every view of the service, one MultiGet fetches the latest record;
// each value gets a status: present, missing (no record, or the view's record lacks the
// feature) or expired (older than the view's TTL at `as_of`). Missing and expired values are
// null. On-demand transforms then run over the view's features (null when not present) and
// the request values, with the same code the offline path uses; a transform's status is its
// view's. Records written under an earlier layout of the view are mapped by feature name.
// Thread-safety: safe for concurrent use; each call works on the catalog it is given.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plinth/features/catalog.h"
#include "plinth/features/online_record.h"
#include "plinth/storage/kv/online_store.h"

namespace plinth::features {

enum class FeatureStatus : uint8_t { kPresent, kMissing, kExpired };
std::string_view FeatureStatusName(FeatureStatus s);  // "present", "missing", "expired"

// Most entities one online read may ask for.
inline constexpr size_t kMaxOnlineEntities = 10000;

// One entity: a value per join key of the service (by join-key name).
using EntityKeys = std::map<std::string, Value, std::less<>>;
using RequestValues = std::map<std::string, Value, std::less<>>;

struct OnlineVector {
  std::vector<Value> values;            // one per service feature
  std::vector<FeatureStatus> status;    // one per service feature
  std::vector<int64_t> event_micros;    // one per service feature; kNoTimestamp when missing
};

struct OnlineReadResult {
  std::vector<OnlineVector> rows;  // one per entity, in request order
};

// `entities[i]` must hold every join key of the service with its declared type, and `request`
// every request value the service's views declare (InvalidArgument naming what is missing).
// `as_of` is the time TTLs are measured at (now for live reads).
absl::StatusOr<OnlineReadResult> ReadOnlineFeatures(kv::OnlineStore& store, const ServicePlan& service,
                                                    const std::vector<EntityKeys>& entities, const RequestValues& request,
                                                    int64_t as_of);

// The view's stored features for one record, mapped onto the live layout (decoded values of
// features the record lacks are null, flagged in *present). DataLoss for an unknown layout.
absl::Status DecodeViewRecord(const ViewPlan& view, std::string_view record, std::vector<Value>* values,
                              std::vector<bool>* present, RecordHeader* header);

}  // namespace plinth::features
