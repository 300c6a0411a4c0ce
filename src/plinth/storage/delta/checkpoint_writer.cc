#include "plinth/storage/delta/checkpoint_writer.h"

#include <limits>

#include "plinth/base/strings.h"
#include "plinth/storage/delta/log_files.h"

namespace plinth::delta {

namespace {

constexpr std::string_view kRetentionKey = "delta.deletedFileRetentionDuration";
constexpr int64_t kDefaultRetentionMillis = int64_t{7} * 24 * 3600 * 1000;

}  // namespace

absl::StatusOr<int64_t> ParseIntervalMillis(std::string_view text) {
  std::vector<std::string_view> words = StrSplit(text, ' ', /*skip_empty=*/true);
  size_t i = 0;
  if (i < words.size() && ToLower(words[i]) == "interval") ++i;
  if (i >= words.size())
    return absl::InvalidArgumentError(StrCat("'", text, "' is not an interval"));
  struct Unit {
    const char* name;
    int64_t micros;
  };
  static constexpr Unit kUnits[] = {{"week", int64_t{7} * 24 * 3600 * 1000000},
                                    {"day", int64_t{24} * 3600 * 1000000},
                                    {"hour", int64_t{3600} * 1000000},
                                    {"minute", int64_t{60} * 1000000},
                                    {"second", 1000000},
                                    {"millisecond", 1000},
                                    {"microsecond", 1}};
  int64_t total = 0;
  for (; i < words.size(); i += 2) {
    std::optional<int64_t> n = ParseInt64(words[i]);
    if (!n || i + 1 >= words.size()) {
      return absl::InvalidArgumentError(
          StrCat("'", text, "' is not an interval (expected '<number> <unit>')"));
    }
    std::string unit = ToLower(words[i + 1]);
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    const Unit* u = nullptr;
    for (const Unit& k : kUnits) {
      if (unit == k.name) u = &k;
    }
    if (u == nullptr)
      return absl::InvalidArgumentError(
          StrCat("'", text, "': unsupported interval unit '", words[i + 1], "'"));
    if (*n < 0 || *n > (std::numeric_limits<int64_t>::max() - total) / u->micros) {
      return absl::InvalidArgumentError(StrCat("'", text, "' is out of range"));
    }
    total += *n * u->micros;
  }
  return total / 1000;
}

absl::StatusOr<std::vector<Action>> CheckpointActions(const Snapshot& snapshot,
                                                      int64_t now_millis) {
  int64_t retention = kDefaultRetentionMillis;
  if (auto conf = snapshot.metadata().Config(kRetentionKey)) {
    absl::StatusOr<int64_t> r = ParseIntervalMillis(*conf);
    if (!r.ok())
      return absl::InvalidArgumentError(StrCat(kRetentionKey, ": ", r.status().message()));
    retention = *r;
  }
  const int64_t min_timestamp = now_millis - retention;
  std::vector<Action> out;
  out.reserve(4 + snapshot.app_transactions().size() + snapshot.files().size() +
              snapshot.tombstones().size());
  out.emplace_back(snapshot.protocol());
  out.emplace_back(snapshot.metadata());
  if (snapshot.protocol().HasWriterFeature("v2Checkpoint"))
    out.emplace_back(CheckpointMetadata{snapshot.version(), {}});
  for (const auto& [app, version] : snapshot.app_transactions())
    out.emplace_back(SetTransaction{app, version, {}});
  for (const auto& [domain, d] : snapshot.domain_metadata()) out.emplace_back(d);
  for (const AddFile& f : snapshot.files()) {
    AddFile a = f;
    a.data_change = false;
    out.emplace_back(std::move(a));
  }
  for (const RemoveFile& t : snapshot.tombstones()) {
    if (t.deletion_timestamp.value_or(0) <= min_timestamp) continue;
    RemoveFile r = t;
    r.data_change = false;
    out.emplace_back(std::move(r));
  }
  return out;
}

absl::StatusOr<LastCheckpoint> WriteCheckpoint(LogStore& store, const Snapshot& snapshot,
                                               CheckpointIO& io, const CheckpointOptions& options) {
  const int64_t version = snapshot.version();
  PLINTH_ASSIGN_OR_RETURN(std::vector<Action> actions,
                          CheckpointActions(snapshot, options.clock->NowMicros() / 1000));
  const std::string name = ClassicCheckpointFileName(version);
  PLINTH_RETURN_IF_ERROR(io.Write(store.LogFilePath(name), actions));
  LastCheckpoint hint;
  hint.version = version;
  hint.size = static_cast<int64_t>(actions.size());
  hint.num_of_add_files = static_cast<int64_t>(snapshot.files().size());
  PLINTH_ASSIGN_OR_RETURN(std::vector<LogFile> files, store.List(version));
  for (const LogFile& f : files) {
    if (f.name == name) hint.size_in_bytes = f.size;
  }
  if (!hint.size_in_bytes) {
    return absl::InternalError(
        StrCat("checkpoint ", LogDisplayName(name), " is not listed after writing it"));
  }
  std::optional<LastCheckpoint> current = store.ReadLastCheckpoint();
  if (current && current->version > version) return hint;  // never move the hint backwards
  PLINTH_RETURN_IF_ERROR(store.WriteLastCheckpoint(hint));
  return hint;
}

}  // namespace plinth::delta
