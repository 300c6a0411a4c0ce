// TokenStore: API tokens with scopes. The secret is shown once at creation; only its
// SHA-256 is stored (secrets carry 256 random bits, so a fast hash is not guessable).
//
// Scopes are ordered: admin implies write, write implies read.
// Thread-safety: safe for concurrent use (state lives in the MetaStore).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/clock.h"
#include "plinth/storage/meta/audit_log.h"
#include "plinth/storage/meta/meta_store.h"

namespace plinth::security {

enum class Scope { kRead = 1, kWrite = 2, kAdmin = 3 };

absl::StatusOr<Scope> ParseScope(std::string_view text);
std::string_view ScopeName(Scope scope);

struct TokenInfo {
  int64_t id = 0;
  std::string name;
  std::vector<Scope> scopes;
  int64_t created_at = 0;
  std::string created_by;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;
  bool Allows(Scope needed) const;
};

struct CreatedToken {
  TokenInfo info;
  std::string secret;  // "plt_" + 64 hex chars; never stored
};

class TokenStore {
 public:
  struct Options {
    storage::MetaStore* meta = nullptr;
    Clock* clock = Clock::Real();
  };
  explicit TokenStore(Options options) : options_(options), audit_(options.clock) {}

  // `scopes_csv` like "read,write". Name follows ValidateName.
  absl::StatusOr<CreatedToken> Create(const std::string& name, const std::string& scopes_csv,
                                      const storage::AuditContext& ctx);
  absl::StatusOr<std::vector<TokenInfo>> List();
  // Revokes by name; NotFound if absent, FailedPrecondition if already revoked.
  absl::Status Revoke(const std::string& name, const storage::AuditContext& ctx);
  // Unauthenticated (401) when unknown or revoked. Updates last_used_at at most once a minute.
  absl::StatusOr<TokenInfo> Authenticate(std::string_view secret);

 private:
  Options options_;
  storage::AuditLog audit_;
};

}  // namespace plinth::security
