#include "plinth/serving/change_feed.h"

namespace plinth::serving {

using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;

namespace {

bool Ignored(std::string_view action) {
  return action == "artifact.download" || action == "metrics.log" || StartsWith(action, "artifact.") ||
         StartsWith(action, "token.");
}

// "models/NAME/versions/3" -> NAME (the part after `prefix` up to the next '/').
std::string_view FirstSegmentAfter(std::string_view resource, std::string_view prefix) {
  std::string_view rest = resource.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChangeFeed>> ChangeFeed::Create(Options options) {
  if (options.meta == nullptr) return absl::InvalidArgumentError("ChangeFeed needs a MetaStore");
  if (options.batch_limit < 1) options.batch_limit = 1;
  auto feed = std::unique_ptr<ChangeFeed>(new ChangeFeed(options));
  PLINTH_RETURN_IF_ERROR(options.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT COALESCE(MAX(id), 0) FROM audit_log"));
    feed->cursor_ = rows.empty() ? 0 : rows[0].Int(0);
    return absl::OkStatus();
  }));
  return feed;
}

absl::StatusOr<ChangeFeed::Changes> ChangeFeed::Poll() {
  Changes changes;
  int64_t last = cursor_;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT id, action, resource FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                                                    {cursor_, int64_t{options_.batch_limit}}));
    changes.everything = static_cast<int>(rows.size()) >= options_.batch_limit;
    if (changes.everything) {
      // Too many to look at one by one: everything is re-checked, so skip to the end.
      PLINTH_ASSIGN_OR_RETURN(SqlRows end, txn.Query("SELECT COALESCE(MAX(id), 0) FROM audit_log"));
      last = end[0].Int(0);
      return absl::OkStatus();
    }
    for (const auto& r : rows) {
      last = r.Int(0);
      std::string action = r.Text(1);
      std::string resource = r.Text(2);
      if (Ignored(action)) continue;
      if (StartsWith(resource, "models/")) {
        changes.models.emplace(FirstSegmentAfter(resource, "models/"));
      } else if (StartsWith(resource, "deployments/")) {
        changes.deployments.emplace(FirstSegmentAfter(resource, "deployments/"));
      }
    }
    return absl::OkStatus();
  }));
  cursor_ = last;
  return changes;
}

}  // namespace plinth::serving
