// MetaStore: the transactional SQL store for Plinth's metadata (registry, tokens, audit...).
//
// Callers write portable SQL with `?` placeholders; each backend (sqlite:// now,
// postgresql:// later) translates placeholders and the few dialect tokens in migrations, so
// callers never change when the backend does. Work runs inside Run(): the function gets a
// transaction, and its Status decides commit (OK) or rollback (anything else).
//
// Write transactions are serialized (SQLite allows one writer; the PostgreSQL backend will
// take row locks), read transactions see a consistent snapshot and run concurrently.
// Thread-safety: MetaStore is safe for concurrent use. A SqlTransaction belongs to the
// thread running the function and must not escape it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "plinth/base/status.h"

namespace plinth::storage {

// NULL, INTEGER, REAL or TEXT (blobs are stored as TEXT; artifacts live in the ObjectStore).
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

class SqlRow {
 public:
  explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  // Conversions are lenient between numeric types; NULL reads as 0 / "" .
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  std::string Text(size_t i) const;
  const SqlValue& Value(size_t i) const { return values_.at(i); }

 private:
  std::vector<SqlValue> values_;
};

using SqlRows = std::vector<SqlRow>;

class SqlTransaction {
 public:
  virtual ~SqlTransaction() = default;
  // Executes one statement; returns the number of rows changed.
  virtual absl::StatusOr<int64_t> Exec(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  // Executes one statement (SELECT or ... RETURNING) and returns all rows.
  virtual absl::StatusOr<SqlRows> Query(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  // AlreadyExists when the statement violated a UNIQUE or PRIMARY KEY constraint is reported
  // by both methods, so callers can map duplicates to HTTP 409.
};

enum class TxnMode { kRead, kWrite };

class MetaStore {
 public:
  virtual ~MetaStore() = default;
  // Runs `fn` in a transaction. OK from `fn` commits; any other status rolls back and is
  // returned. Busy/serialization conflicts are retried by the backend before `fn` runs again.
  virtual absl::Status Run(TxnMode mode, const std::function<absl::Status(SqlTransaction&)>& fn) = 0;
  // Schema version after migrations.
  virtual int schema_version() const = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view dialect() const = 0;
};

}  // namespace plinth::storage
