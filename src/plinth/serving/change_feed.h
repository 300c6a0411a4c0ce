// ChangeFeed: which models and deployments changed since the last poll.
//
// Every registry and deployment mutation writes an audit entry in its own transaction
// (storage/meta/audit_log.h), so the audit log is a complete, ordered change log: one indexed
// query for entries past a cursor tells the serving Router which models' aliases or versions
// and which deployments to look at again, instead of asking the registry on every request.
// Resources "models/NAME[/...]" name a model, "deployments/NAME" a deployment; reads and
// artifact/token/metric entries are ignored. `batch_limit` entries or more at once set
// `everything` (re-check all) and move the cursor to the end of the log. SQLite assigns ids in
// commit order, so no entry is skipped (a PostgreSQL backend will need a commit-ordered marker).
// Thread-safety: not thread-safe; one poller owns it.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "plinth/storage/meta/meta_store.h"

namespace plinth::serving {

class ChangeFeed {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    int batch_limit = 1000;
  };
  // Starts at the current end of the log: earlier changes are not reported.
  static absl::StatusOr<std::unique_ptr<ChangeFeed>> Create(Options options);

  struct Changes {
    std::set<std::string> models;
    std::set<std::string> deployments;
    bool everything = false;
    bool empty() const { return models.empty() && deployments.empty() && !everything; }
  };
  absl::StatusOr<Changes> Poll();

  int64_t cursor() const { return cursor_; }

 private:
  explicit ChangeFeed(Options options) : options_(options) {}
  Options options_;
  int64_t cursor_ = 0;
};

}  // namespace plinth::serving
