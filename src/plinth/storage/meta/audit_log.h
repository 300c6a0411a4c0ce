// AuditLog: the append-only record of every mutation and artifact download.
//
// Entries are written inside the caller's write transaction, so an audited change and its
// audit entry commit or roll back together. The table refuses UPDATE and DELETE (triggers in
// the schema), so nothing in Plinth can rewrite history.
// Thread-safety: stateless apart from the injected clock; safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::storage {

// Who is acting: a token name ("token:ci"), "anonymous" when auth is off, or "local:<user>"
// for commands run on the server host against the data directory; and the client address.
struct AuditContext {
  std::string actor = "anonymous";
  std::string client;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t ts = 0;  // micros UTC
  std::string actor;
  std::string action;    // e.g. "model.create", "alias.set", "artifact.download"
  std::string resource;  // e.g. "models/login-risk/versions/3"
  std::string details;   // JSON object text
  std::string client;
};

struct AuditQuery {
  std::optional<std::string> actor;
  std::optional<std::string> action;           // exact, or a prefix ending in '*' ("alias.*")
  std::optional<std::string> resource_prefix;  // "models/login-risk"
  std::optional<int64_t> since;                // micros, inclusive
  std::optional<int64_t> until;                // micros, exclusive
  int64_t before_id = 0;                       // page cursor: entries with id < before_id
  int limit = 100;
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  int64_t next_before_id = 0;       // 0 when there are no more
};

class AuditLog {
 public:
  explicit AuditLog(Clock* clock) : clock_(clock) {}
  absl::Status Append(SqlTransaction& txn, const AuditContext& ctx, std::string_view action,
                      std::string_view resource, std::string_view details_json = "{}");
  absl::StatusOr<AuditPage> List(MetaStore& store, const AuditQuery& query);

 private:
  Clock* clock_;
};

}  // namespace plinth::storage
