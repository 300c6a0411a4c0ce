// Parity: replays sample rows through the offline path (the point-in-time join that builds
// training sets) and the online path (materialization into an online store, then the online
// read at the same time) and reports every value that differs.
//
// Samples: `sample` rows drawn (seeded) from a label table when one is given - it supplies the
// entity keys, the timestamp and any request values; without labels, from the first view's
// source rows, each at its event time plus an offset (0, half the TTL, the TTL, just past it,
// or an hour), which exercises ties, TTL boundaries and expiry. Rows with a null key or time
// are not sampled.
// Online replay: each view's source rows (files in path order, rows in file order - the order
// the offline join breaks full ties by) are sorted by (event, created) and written through
// OnlineWriter into a scratch in-memory store, up to each sample's time in turn; the sample is
// then read with ReadOnlineFeatures at that time. Both paths use the same transform code.
// Memory: the views' source rows are held in memory (a checking tool for tables of up to a few
// million rows, not a bulk job).
// Thread-safety: reentrant.
#pragma once

#include <string>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/features/catalog.h"

namespace plinth::features {

struct ParityOptions {
  std::string labels;  // optional: Delta dir, .parquet, .csv, .jsonl
  std::string label_timestamp_column = "event_timestamp";
  int64_t sample = 1000;
  uint64_t seed = 1;
  std::string spill_dir;  // for the offline join (a temp dir is used when empty)
  int threads = 2;
};

struct ParityMismatch {
  int64_t sample = 0;
  Json entity;
  int64_t at_micros = 0;
  std::string feature;
  Value offline;
  Value online;
};

struct ParityResult {
  int64_t samples = 0;
  int64_t values_compared = 0;
  std::vector<ParityMismatch> mismatches;
  // {"samples", "values_compared", "mismatches": [{"sample", "entity", "at", "feature",
  //  "offline", "online"}] (the first 100), "mismatch_count"}
  Json ToJson() const;
};

absl::StatusOr<ParityResult> CheckParity(const ServicePlan& service, const ParityOptions& options);

}  // namespace plinth::features
