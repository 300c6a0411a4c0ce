// Snapshot::OpenAsOf: timestamp-based time travel (see snapshot.h).
#include "plinth/storage/delta/snapshot.h"

#include "plinth/base/time.h"

namespace plinth::delta {

absl::StatusOr<std::unique_ptr<Snapshot>> Snapshot::OpenAsOf(const Options& options, int64_t timestamp_micros) {
  // The latest metadata decides whether (and since when) in-commit timestamps apply.
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<Snapshot> latest, Open(options));
  LogStore& store = *options.log_store;
  PLINTH_ASSIGN_OR_RETURN(std::vector<LogFile> files, store.List(0));
  std::optional<int64_t> best;
  std::optional<int64_t> first_version, first_ts;
  int64_t prev = 0;
  for (const LogFile& f : files) {
    if (f.kind != LogFileKind::kCommit || f.version > latest->version()) continue;
    PLINTH_ASSIGN_OR_RETURN(int64_t ts,
                            CommitTimestampMicros(store, latest->metadata(), f.version, f.modification_time_micros));
    // File modification times can go backwards (clock skew, copies): the protocol makes them
    // strictly increasing by bumping to the previous one + 1 ms. In-commit timestamps already are.
    if (first_version && ts <= prev) ts = prev + 1000;
    prev = ts;
    if (!first_version) {
      first_version = f.version;
      first_ts = ts;
    }
    if (ts > timestamp_micros) break;
    best = f.version;
  }
  if (!best) {
    return absl::NotFoundError(StrCat("timestamp ", FormatTimestamp(timestamp_micros), " is before the first commit of ",
                                      store.table_root(),
                                      first_version ? StrCat(" (version ", *first_version, " at ",
                                                             FormatTimestamp(*first_ts), ")")
                                                    : std::string()));
  }
  return OpenAtVersion(options, *best);
}

}  // namespace plinth::delta
