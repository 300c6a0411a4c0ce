// Aliases: named, movable pointers to versions, with history. Every move is audited.
#include "plinth/base/names.h"
#include "plinth/registry/filter.h"
#include "plinth/registry/registry.h"
#include "plinth/registry/registry_sql.h"
#include "plinth/registry/search_query.h"

namespace plinth::registry {

using storage::AuditContext;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::SqlValue;
using storage::TxnMode;
using namespace internal;  // NOLINT

namespace {

absl::Status ValidateAliasName(const std::string& alias) {
  PLINTH_RETURN_IF_ERROR(ValidateName("alias", alias));
  if (alias == kLatestAlias) return absl::InvalidArgumentError("alias 'latest' is reserved: NAME@latest always means the newest version");
  bool all_digits = std::all_of(alias.begin(), alias.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (all_digits) return absl::InvalidArgumentError(StrCat("alias '", alias, "' would read as a version number"));
  return absl::OkStatus();
}

// Moves (or creates) one alias inside `txn`; returns the previous version (0 if none).
absl::StatusOr<int64_t> MoveAlias(SqlTransaction& txn, storage::AuditLog& audit, const AuditContext& ctx, int64_t model_id,
                                  const std::string& model_name, const std::string& alias, int64_t version_id,
                                  int64_t version, int64_t now) {
  PLINTH_ASSIGN_OR_RETURN(SqlRows prev, txn.Query("SELECT v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id "
                                                  "WHERE a.model_id = ? AND a.alias = ?",
                                                  {model_id, alias}));
  int64_t old_version = prev.empty() ? 0 : prev[0].Int(0);
  if (old_version == version) return old_version;
  PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO aliases (model_id, alias, version_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
                                  "ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id, "
                                  "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                                  {model_id, alias, version_id, now, ctx.actor})
                             .status());
  PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO alias_history (model_id, alias, old_version, new_version, ts, actor) VALUES (?, ?, ?, ?, ?, ?)",
                                  {model_id, alias, old_version ? SqlValue(old_version) : SqlValue(), version, now, ctx.actor})
                             .status());
  Json details = {{"alias", alias}, {"version", version}};
  details["previous_version"] = old_version ? Json(old_version) : Json(nullptr);
  PLINTH_RETURN_IF_ERROR(audit.Append(txn, ctx, "alias.set", StrCat("models/", model_name, "/aliases/", alias), DumpJson(details)));
  return old_version;
}

}  // namespace

absl::StatusOr<AliasInfo> Registry::SetAlias(const std::string& model, const std::string& alias, int64_t version,
                                             const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", model));
  PLINTH_RETURN_IF_ERROR(ValidateAliasName(alias));
  if (version < 1) return absl::InvalidArgumentError("version must be >= 1");
  int64_t now = options_.clock->NowMicros();
  AliasInfo out{model, alias, version, now, ctx.actor};
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(VersionKey key, ResolveVersion(txn, ModelRef{model, version, std::nullopt}));
    return MoveAlias(txn, audit_, ctx, key.model_id, model, alias, key.version_id, version, now).status();
  }));
  return out;
}

absl::Status Registry::DeleteAlias(const std::string& model, const std::string& alias, const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", model));
  PLINTH_RETURN_IF_ERROR(ValidateName("alias", alias));
  int64_t now = options_.clock->NowMicros();
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t model_id, FindModelId(txn, model));
    PLINTH_ASSIGN_OR_RETURN(SqlRows prev, txn.Query("SELECT v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id "
                                                    "WHERE a.model_id = ? AND a.alias = ?",
                                                    {model_id, alias}));
    if (prev.empty()) return absl::NotFoundError(StrCat("alias '", alias, "' not found on model '", model, "'"));
    PLINTH_RETURN_IF_ERROR(txn.Exec("DELETE FROM aliases WHERE model_id = ? AND alias = ?", {model_id, alias}).status());
    PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO alias_history (model_id, alias, old_version, new_version, ts, actor) VALUES (?, ?, ?, NULL, ?, ?)",
                                    {model_id, alias, prev[0].Int(0), now, ctx.actor})
                               .status());
    Json details = {{"alias", alias}, {"previous_version", prev[0].Int(0)}};
    return audit_.Append(txn, ctx, "alias.delete", StrCat("models/", model, "/aliases/", alias), DumpJson(details));
  });
}

absl::StatusOr<std::vector<AliasInfo>> Registry::ListAliases(const std::string& model) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", model));
  std::vector<AliasInfo> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t model_id, FindModelId(txn, model));
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT a.alias, v.version, a.updated_at, a.updated_by FROM aliases a "
                                                    "JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ? ORDER BY a.alias",
                                                    {model_id}));
    for (const auto& r : rows) out.push_back({model, r.Text(0), r.Int(1), r.Int(2), r.Text(3)});
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<AliasEvent>> Registry::AliasHistory(const std::string& model, const std::optional<std::string>& alias) {
  PLINTH_RETURN_IF_ERROR(ValidateName("model name", model));
  if (alias) PLINTH_RETURN_IF_ERROR(ValidateName("alias", *alias));
  std::vector<AliasEvent> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(int64_t model_id, FindModelId(txn, model));
    std::string sql = "SELECT id, alias, old_version, new_version, ts, actor FROM alias_history WHERE model_id = ?";
    std::vector<SqlValue> params = {model_id};
    if (alias) {
      sql += " AND alias = ?";
      params.emplace_back(*alias);
    }
    sql += " ORDER BY id DESC LIMIT 1000";
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(sql, params));
    for (const auto& r : rows) {
      AliasEvent e;
      e.id = r.Int(0);
      e.alias = r.Text(1);
      if (!r.IsNull(2)) e.old_version = r.Int(2);
      if (!r.IsNull(3)) e.new_version = r.Int(3);
      e.ts = r.Int(4);
      e.actor = r.Text(5);
      out.push_back(std::move(e));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<BulkAliasResult> Registry::BulkSetAlias(const std::string& alias, const std::string& filter, bool dry_run,
                                                       const AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateAliasName(alias));
  PLINTH_ASSIGN_OR_RETURN(auto ast, ParseFilter(filter));
  if (ast == nullptr) {
    return absl::InvalidArgumentError("a bulk alias move needs a filter (use \"name like '%'\" to mean every model)");
  }
  PLINTH_ASSIGN_OR_RETURN(CompiledSearch q, CompileSearch(SearchTarget::kVersions, ast.get(), {}));
  std::string sql = StrCat(
      "SELECT t.model_id, m.name, t.version, v.id FROM (SELECT v.model_id AS model_id, MAX(v.version) AS version "
      "FROM model_versions v JOIN models m ON m.id = v.model_id WHERE ",
      q.where,
      " GROUP BY v.model_id) t JOIN models m ON m.id = t.model_id "
      "JOIN model_versions v ON v.model_id = t.model_id AND v.version = t.version ORDER BY m.name");
  int64_t now = options_.clock->NowMicros();
  BulkAliasResult result;
  absl::Status st = options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    result = BulkAliasResult{};
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(sql, q.where_params));
    for (const auto& r : rows) {
      int64_t model_id = r.Int(0), version = r.Int(2), version_id = r.Int(3);
      std::string name = r.Text(1);
      if (dry_run) {
        PLINTH_ASSIGN_OR_RETURN(SqlRows prev, txn.Query("SELECT version_id FROM aliases WHERE model_id = ? AND alias = ?", {model_id, alias}));
        if (!prev.empty() && prev[0].Int(0) == version_id) {
          ++result.unchanged;
        } else {
          result.moved.push_back({name, alias, version, now, ctx.actor});
        }
        continue;
      }
      PLINTH_ASSIGN_OR_RETURN(int64_t old_version, MoveAlias(txn, audit_, ctx, model_id, name, alias, version_id, version, now));
      if (old_version == version) {
        ++result.unchanged;
      } else {
        result.moved.push_back({name, alias, version, now, ctx.actor});
      }
    }
    if (!dry_run) {
      Json details = {{"alias", alias}, {"filter", filter}, {"moved", result.moved.size()}, {"unchanged", result.unchanged}};
      PLINTH_RETURN_IF_ERROR(audit_.Append(txn, ctx, "alias.bulk_set", StrCat("aliases/", alias), DumpJson(details)));
    }
    return absl::OkStatus();
  });
  PLINTH_RETURN_IF_ERROR(st);
  return result;
}

}  // namespace plinth::registry
