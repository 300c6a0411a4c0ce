#include "plinth/storage/meta/sqlite_meta_store.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <unordered_map>

#include "plinth/base/clock.h"
#include "plinth/base/logging.h"
#include "plinth/storage/meta/migrations.h"

namespace plinth::storage {

namespace {

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = StrCat(what, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return absl::AlreadyExistsError(msg);
  if (primary == SQLITE_CONSTRAINT) return absl::FailedPreconditionError(msg);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return absl::UnavailableError(msg);
  if (primary == SQLITE_FULL) return absl::ResourceExhaustedError(msg);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return absl::DataLossError(msg);
  return absl::InternalError(msg);
}

}  // namespace

// One sqlite3 handle with its statement cache. Used by one thread at a time.
class SqliteConnection : public SqlTransaction {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteConnection>> Open(const SqliteMetaStore::Options& o) {
    auto conn = std::unique_ptr<SqliteConnection>(new SqliteConnection());
    int rc = sqlite3_open_v2(o.path.c_str(), &conn->db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return SqliteError(conn->db_, rc, StrCat("open ", o.path));
    sqlite3_extended_result_codes(conn->db_, 1);
    sqlite3_busy_timeout(conn->db_, o.busy_timeout_ms);
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA case_sensitive_like=ON",
          "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-65536"}) {
      PLINTH_RETURN_IF_ERROR(conn->ExecRaw(pragma));
    }
    PLINTH_RETURN_IF_ERROR(conn->ExecRaw(o.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
    return conn;
  }

  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  absl::Status ExecRaw(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return SqliteError(nullptr, rc, StrCat(msg, " [", sql.substr(0, 120), "]"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "exec");
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  absl::StatusOr<SqlRows> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    PLINTH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    SqlRows rows;
    int ncol = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<SqlValue> values;
      values.reserve(ncol);
      for (int i = 0; i < ncol; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_NULL:
            values.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(stmt, i));
            break;
          default: {
            const unsigned char* text = sqlite3_column_text(stmt, i);
            int n = sqlite3_column_bytes(stmt, i);
            values.emplace_back(std::string(reinterpret_cast<const char*>(text), n));
          }
        }
      }
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "query");
    return rows;
  }

 private:
  SqliteConnection() = default;

  absl::StatusOr<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<SqlValue>& params) {
    sqlite3_stmt* stmt = nullptr;
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, StrCat("prepare [", sql.substr(0, 200), "]"));
      // Dynamic search queries vary; keep the cache bounded.
      if (cache_.size() > 512) {
        for (auto& [s, st] : cache_) sqlite3_finalize(st);
        cache_.clear();
      }
      cache_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return absl::InternalError(StrCat("statement expects ", sqlite3_bind_parameter_count(stmt),
                                              " parameters, got ", params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const SqlValue& v = params[i];
      int rc;
      if (std::holds_alternative<std::monostate>(v)) rc = sqlite3_bind_null(stmt, idx);
      else if (auto* iv = std::get_if<int64_t>(&v)) rc = sqlite3_bind_int64(stmt, idx, *iv);
      else if (auto* dv = std::get_if<double>(&v)) rc = sqlite3_bind_double(stmt, idx, *dv);
      else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

absl::StatusOr<std::unique_ptr<SqliteMetaStore>> SqliteMetaStore::Create(Options options) {
  if (options.path.empty() || options.path == ":memory:") {
    return absl::InvalidArgumentError("sqlite meta store needs a file path");
  }
  auto store = std::unique_ptr<SqliteMetaStore>(new SqliteMetaStore(options));
  PLINTH_ASSIGN_OR_RETURN(store->writer_, SqliteConnection::Open(options));
  PLINTH_RETURN_IF_ERROR(store->Migrate());
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    PLINTH_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(options));
    store->idle_readers_.push_back(std::move(reader));
  }
  return store;
}

SqliteMetaStore::SqliteMetaStore(Options options) : options_(std::move(options)) {}
SqliteMetaStore::~SqliteMetaStore() = default;

absl::Status SqliteMetaStore::Migrate() {
  std::lock_guard<std::mutex> lock(write_mu_);
  PLINTH_RETURN_IF_ERROR(writer_->ExecRaw(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)"));
  const auto& migrations = MetaMigrations();
  for (const Migration& m : migrations) {
    absl::Status st = RunOn(*writer_, /*immediate=*/true, [&](SqlTransaction& txn) -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
      int64_t current = rows.empty() ? 0 : rows[0].Int(0);
      if (current >= m.version) return absl::OkStatus();
      if (current != m.version - 1) {
        return absl::FailedPreconditionError(StrCat("schema is at version ", current, ", cannot apply ", m.version));
      }
      for (std::string_view stmt : m.statements) {
        std::string sql(stmt);
        if (sql.rfind("sqlite:", 0) == 0) sql = sql.substr(7);
        else if (sql.rfind("postgresql:", 0) == 0) continue;
        sql = ReplaceAll(sql, "{{ID}}", "INTEGER PRIMARY KEY");
        PLINTH_RETURN_IF_ERROR(writer_->ExecRaw(sql));
      }
      PLINTH_RETURN_IF_ERROR(txn.Exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                                      {int64_t{m.version}, std::string(m.description), Clock::Real()->NowMicros()})
                                 .status());
      LogInfo(StrCat("meta store: applied migration ", m.version, " (", m.description, ")"));
      return absl::OkStatus();
    });
    PLINTH_RETURN_IF_ERROR(st);
  }
  // A database written by a newer Plinth must not be used by an older one.
  absl::Status st = RunOn(*writer_, false, [&](SqlTransaction& txn) -> absl::Status {
    PLINTH_ASSIGN_OR_RETURN(SqlRows rows, txn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
    schema_version_ = static_cast<int>(rows[0].Int(0));
    return absl::OkStatus();
  });
  PLINTH_RETURN_IF_ERROR(st);
  if (schema_version_ > migrations.back().version) {
    return absl::FailedPreconditionError(StrCat("database schema version ", schema_version_,
                                                      " is newer than this binary supports (", migrations.back().version, ")"));
  }
  return absl::OkStatus();
}

absl::Status SqliteMetaStore::RunOn(SqliteConnection& conn, bool immediate,
                                    const std::function<absl::Status(SqlTransaction&)>& fn) {
  // BEGIN IMMEDIATE takes the write lock up front, so a writer never fails half-way with BUSY.
  // busy_timeout waits for other processes; retry a few more times beyond that.
  absl::Status begin;
  for (int attempt = 0; attempt < 5; ++attempt) {
    begin = conn.ExecRaw(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!absl::IsUnavailable(begin)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
  }
  PLINTH_RETURN_IF_ERROR(begin);
  absl::Status st = fn(conn);
  if (!st.ok()) {
    (void)conn.ExecRaw("ROLLBACK");
    return st;
  }
  absl::Status commit = conn.ExecRaw("COMMIT");
  if (!commit.ok()) {
    (void)conn.ExecRaw("ROLLBACK");
    return commit;
  }
  return absl::OkStatus();
}

absl::Status SqliteMetaStore::Run(TxnMode mode, const std::function<absl::Status(SqlTransaction&)>& fn) {
  if (mode == TxnMode::kWrite) {
    std::lock_guard<std::mutex> lock(write_mu_);
    return RunOn(*writer_, /*immediate=*/true, fn);
  }
  std::unique_ptr<SqliteConnection> conn;
  {
    std::unique_lock<std::mutex> lock(read_mu_);
    read_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
    conn = std::move(idle_readers_.back());
    idle_readers_.pop_back();
  }
  absl::Status st = RunOn(*conn, /*immediate=*/false, fn);
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    idle_readers_.push_back(std::move(conn));
  }
  read_cv_.notify_one();
  return st;
}

}  // namespace plinth::storage
