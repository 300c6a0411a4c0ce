// Delta transaction log actions (protocol, metaData, add, remove, commitInfo, txn,
// checkpointMetadata, sidecar, domainMetadata) and their JSON form in commit files.
//
// A commit file `_delta_log/<20-digit version>.json` holds one action per line. Parsing is strict
// about the types of the fields it knows (log files are untrusted input; errors name the file,
// line and field, e.g. "_delta_log/00000000000000000003.json line 2: add.size is not an integer")
// and lenient about everything else: unknown action types and unknown fields are ignored for
// forward compatibility, empty lines are skipped. Field names follow the Delta protocol
// specification exactly; serialization writes them back in that spelling.
//
// Thread-safety: plain values and stateless functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "plinth/base/json.h"
#include "plinth/base/status.h"

namespace plinth::delta {

// `protocol`: the reader/writer versions and (for version 3 / 7) the named table features.
struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;
  bool HasReaderFeature(std::string_view f) const;
  bool HasWriterFeature(std::string_view f) const;
};

struct Format {
  std::string provider = "parquet";
  std::map<std::string, std::string> options;
};

// `metaData`: table identity, schema (as its JSON string), partitioning and configuration.
struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;  // milliseconds since the epoch
  // configuration[key] or nullopt.
  std::optional<std::string> Config(std::string_view key) const;
};

// Partition column -> value as written in the log (strings; null allowed).
using PartitionValues = std::map<std::string, std::optional<std::string>>;

// The `deletionVector` descriptor of an add/remove, kept as parsed. Plinth cannot apply deletion
// vectors yet (snapshots refuse tables that use them), but their presence changes file identity.
struct DeletionVectorDescriptor {
  std::string storage_type;  // "u", "i" or "p"
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;
  std::optional<int64_t> max_row_index;
  // storageType + pathOrInlineDv [+ "@" + offset], per the spec's "unique identifier".
  std::string UniqueId() const;
};

// `add`: a data file that becomes part of the table.
struct AddFile {
  std::string path;  // URI-encoded as in the log, relative to the table root or absolute
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;  // milliseconds
  bool data_change = true;
  std::optional<std::string> stats;  // raw JSON string; see stats.h
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  // `path` with %XX escapes decoded; InvalidArgument on a malformed escape.
  absl::StatusOr<std::string> DecodedPath() const;
  // Identity for log replay: path, plus the deletion vector's unique id when present.
  std::string ReplayKey() const;
};

// `remove`: a data file that stops being part of the table (a tombstone).
struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;  // milliseconds
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<PartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  absl::StatusOr<std::string> DecodedPath() const;
  std::string ReplayKey() const;
};

// `commitInfo`: free-form provenance; the raw object is kept whole.
struct CommitInfo {
  Json raw = Json::object();
  std::optional<int64_t> timestamp() const;            // milliseconds, when an integer
  std::optional<int64_t> in_commit_timestamp() const;  // milliseconds, when an integer
  std::optional<std::string> operation() const;
  Json operation_parameters() const;  // object, or null when absent
};

// `txn`: the latest version an application committed (idempotent writes).
struct SetTransaction {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;  // milliseconds
};

// `checkpointMetadata` (v2 checkpoints only).
struct CheckpointMetadata {
  int64_t version = 0;
  std::optional<std::map<std::string, std::string>> tags;
};

// `sidecar` (v2 checkpoints only): a Parquet file of add/remove actions under _delta_log/_sidecars/.
struct Sidecar {
  std::string path;  // relative to _delta_log/_sidecars/, or an absolute URI
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
  std::optional<std::map<std::string, std::string>> tags;
};

// `domainMetadata`: named configuration blobs; kept, not interpreted.
struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, CommitInfo, SetTransaction,
                            CheckpointMetadata, Sidecar, DomainMetadata>;

// Percent-decoding of a log path; InvalidArgument on "%" not followed by two hex digits.
absl::StatusOr<std::string> DecodeLogPath(std::string_view path);
// Percent-encodes what a URI path must not contain raw (space, %, ?, #, non-ASCII, controls...).
std::string EncodeLogPath(std::string_view decoded);

// One line's JSON object -> action. nullopt for unknown action types. Errors name the field
// ("add.size is not an integer") but not the file: callers prefix that.
absl::StatusOr<std::optional<Action>> ActionFromJson(const Json& line);
// The single-key JSON object {"add": {...}} for `action`.
Json ActionToJson(const Action& action);

// Parses a whole commit file. `source` (e.g. "_delta_log/00000000000000000003.json") prefixes
// every error together with the 1-based line number.
absl::StatusOr<std::vector<Action>> ParseCommit(std::string_view bytes, std::string_view source);
// Newline-delimited JSON, one action per line, trailing newline.
std::string SerializeCommit(const std::vector<Action>& actions);

}  // namespace plinth::delta
