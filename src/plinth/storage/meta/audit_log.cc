#include "plinth/storage/meta/audit_log.h"


namespace plinth::storage {

absl::Status AuditLog::Append(SqlTransaction& txn, const AuditContext& ctx, std::string_view action,
                              std::string_view resource, std::string_view details_json) {
  return txn
      .Exec("INSERT INTO audit_log (ts, actor, action, resource, details, client) VALUES (?, ?, ?, ?, ?, ?)",
            {clock_->NowMicros(), ctx.actor, std::string(action), std::string(resource),
             std::string(details_json.empty() ? "{}" : details_json), ctx.client})
      .status();
}

absl::StatusOr<AuditPage> AuditLog::List(MetaStore& store, const AuditQuery& q) {
  std::string sql = "SELECT id, ts, actor, action, resource, details, client FROM audit_log WHERE 1=1";
  std::vector<SqlValue> params;
  if (q.actor) {
    sql += " AND actor = ?";
    params.emplace_back(*q.actor);
  }
  if (q.action) {
    if (!q.action->empty() && q.action->back() == '*') {
      sql += " AND substr(action, 1, ?) = ?";
      std::string prefix = q.action->substr(0, q.action->size() - 1);
      params.emplace_back(static_cast<int64_t>(prefix.size()));
      params.emplace_back(prefix);
    } else {
      sql += " AND action = ?";
      params.emplace_back(*q.action);
    }
  }
  if (q.resource_prefix) {
    sql += " AND substr(resource, 1, ?) = ?";
    params.emplace_back(static_cast<int64_t>(q.resource_prefix->size()));
    params.emplace_back(*q.resource_prefix);
  }
  if (q.since) {
    sql += " AND ts >= ?";
    params.emplace_back(*q.since);
  }
  if (q.until) {
    sql += " AND ts < ?";
    params.emplace_back(*q.until);
  }
  if (q.before_id > 0) {
    sql += " AND id < ?";
    params.emplace_back(q.before_id);
  }
  int limit = std::clamp(q.limit, 1, 1000);
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(static_cast<int64_t>(limit + 1));
  AuditPage page;
  PLINTH_RETURN_IF_ERROR(store.Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(sql, params));
    for (const SqlRow& r : rows) {
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_before_id = page.entries.back().id;
        break;
      }
      page.entries.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)});
    }
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace plinth::storage
