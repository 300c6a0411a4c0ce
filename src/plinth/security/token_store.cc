#include "plinth/security/token_store.h"

#include "plinth/base/json.h"
#include "plinth/base/names.h"
#include "plinth/base/random.h"
#include "plinth/base/sha256.h"

namespace plinth::security {

using storage::SqlRow;
using storage::SqlRows;
using storage::SqlTransaction;
using storage::TxnMode;

absl::StatusOr<Scope> ParseScope(std::string_view text) {
  if (text == "read") return Scope::kRead;
  if (text == "write") return Scope::kWrite;
  if (text == "admin") return Scope::kAdmin;
  return absl::InvalidArgumentError(StrCat("unknown scope '", text, "': use read, write or admin"));
}

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kRead: return "read";
    case Scope::kWrite: return "write";
    case Scope::kAdmin: return "admin";
  }
  return "?";
}

bool TokenInfo::Allows(Scope needed) const {
  for (Scope s : scopes) {
    if (static_cast<int>(s) >= static_cast<int>(needed)) return true;
  }
  return false;
}

namespace {
absl::StatusOr<std::vector<Scope>> ParseScopes(std::string_view csv) {
  std::vector<Scope> out;
  for (std::string_view part : StrSplit(csv, ',', /*skip_empty=*/true)) {
    PLINTH_ASSIGN_OR_RETURN(Scope s, ParseScope(StripWhitespace(part)));
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  if (out.empty()) return absl::InvalidArgumentError("a token needs at least one scope (read, write, admin)");
  return out;
}

std::string ScopesCsv(const std::vector<Scope>& scopes) {
  std::vector<std::string_view> names;
  for (Scope s : scopes) names.push_back(ScopeName(s));
  return StrJoin(names, ",");
}

constexpr char kColumns[] = "id, name, scopes, created_at, created_by, revoked_at, last_used_at";

TokenInfo FromRow(const SqlRow& r) {
  TokenInfo t;
  t.id = r.Int(0);
  t.name = r.Text(1);
  t.scopes = ParseScopes(r.Text(2)).value_or(std::vector<Scope>{});
  t.created_at = r.Int(3);
  t.created_by = r.Text(4);
  if (!r.IsNull(5)) t.revoked_at = r.Int(5);
  if (!r.IsNull(6)) t.last_used_at = r.Int(6);
  return t;
}
}  // namespace

absl::StatusOr<CreatedToken> TokenStore::Create(const std::string& name, const std::string& scopes_csv,
                                                const storage::AuditContext& ctx) {
  PLINTH_RETURN_IF_ERROR(ValidateName("token name", name));
  PLINTH_ASSIGN_OR_RETURN(std::vector<Scope> scopes, ParseScopes(scopes_csv));
  CreatedToken out;
  out.secret = StrCat("plt_", RandomHex(32));
  std::string hash = Sha256Hex(out.secret);
  int64_t now = options_.clock->NowMicros();
  absl::Status st = options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    auto rows = txn.Query(
        "INSERT INTO api_tokens (name, scopes, secret_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
        {name, ScopesCsv(scopes), hash, now, ctx.actor});
    if (absl::IsAlreadyExists(rows.status())) {
      return absl::AlreadyExistsError(StrCat("token '", name, "' already exists"));
    }
    PLINTH_RETURN_IF_ERROR(rows.status());
    out.info = TokenInfo{(*rows)[0].Int(0), name, scopes, now, ctx.actor, std::nullopt, std::nullopt};
    Json details = {{"scopes", ScopesCsv(scopes)}};
    return audit_.Append(txn, ctx, "token.create", StrCat("tokens/", name), DumpJson(details));
  });
  PLINTH_RETURN_IF_ERROR(st);
  return out;
}

absl::StatusOr<std::vector<TokenInfo>> TokenStore::List() {
  std::vector<TokenInfo> out;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query(StrCat("SELECT ", kColumns, " FROM api_tokens ORDER BY id"), {}));
    for (const auto& r : rows) out.push_back(FromRow(r));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status TokenStore::Revoke(const std::string& name, const storage::AuditContext& ctx) {
  int64_t now = options_.clock->NowMicros();
  return options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT revoked_at FROM api_tokens WHERE name = ?", {name}));
    if (rows.empty()) return absl::NotFoundError(StrCat("token '", name, "' not found"));
    if (!rows[0].IsNull(0)) return absl::FailedPreconditionError(StrCat("token '", name, "' is already revoked"));
    PLINTH_RETURN_IF_ERROR(txn.Exec("UPDATE api_tokens SET revoked_at = ? WHERE name = ?", {now, name}).status());
    return audit_.Append(txn, ctx, "token.revoke", StrCat("tokens/", name));
  });
}

absl::StatusOr<TokenInfo> TokenStore::Authenticate(std::string_view secret) {
  if (secret.empty()) return absl::UnauthenticatedError("missing API token: send 'Authorization: Bearer <token>'");
  std::string hash = Sha256Hex(secret);
  std::optional<TokenInfo> found;
  PLINTH_RETURN_IF_ERROR(options_.meta->Run(TxnMode::kRead, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows,
                            txn.Query(StrCat("SELECT ", kColumns, " FROM api_tokens WHERE secret_hash = ?"), {hash}));
    if (!rows.empty()) found = FromRow(rows[0]);
    return absl::OkStatus();
  }));
  if (!found || found->revoked_at) return absl::UnauthenticatedError("invalid or revoked API token");
  int64_t now = options_.clock->NowMicros();
  if (!found->last_used_at || now - *found->last_used_at > 60'000'000) {
    // Best effort: a busy writer must not fail the request.
    (void)options_.meta->Run(TxnMode::kWrite, [&](SqlTransaction& txn) -> absl::Status {
      return txn.Exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now, found->id}).status();
    });
  }
  return *found;
}

}  // namespace plinth::security
