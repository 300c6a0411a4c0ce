// SqliteMetaStore: MetaStore on an embedded SQLite database file.
//
// WAL journal, foreign keys on, busy timeout for other processes (the CLI's local commands
// share the file with a running server). One writer connection behind a mutex (SQLite has a
// single writer anyway; queuing in-process is fairer than spinning on SQLITE_BUSY) and a pool
// of reader connections that run concurrently with it. Statements are prepared once per
// connection and cached. Migrations (migrations.h) are applied in Create().
// Thread-safety: safe for concurrent use.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plinth/storage/meta/meta_store.h"

namespace plinth::storage {

class SqliteConnection;

class SqliteMetaStore : public MetaStore {
 public:
  struct Options {
    std::string path;             // database file; ":memory:" is not supported (needs sharing)
    int busy_timeout_ms = 10000;  // wait this long for another process's lock
    bool synchronous_full = false;  // FULL fsyncs every commit; NORMAL (WAL) survives crashes of
                                    // the process but may lose the last commits on power loss
    int read_connections = 8;
  };
  static absl::StatusOr<std::unique_ptr<SqliteMetaStore>> Create(Options options);
  ~SqliteMetaStore() override;

  absl::Status Run(TxnMode mode, const std::function<absl::Status(SqlTransaction&)>& fn) override;
  int schema_version() const override { return schema_version_; }
  std::string_view dialect() const override { return "sqlite"; }

 private:
  explicit SqliteMetaStore(Options options);
  absl::Status Migrate();
  absl::Status RunOn(SqliteConnection& conn, bool immediate,
                     const std::function<absl::Status(SqlTransaction&)>& fn);

  Options options_;
  int schema_version_ = 0;
  std::mutex write_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by write_mu_
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;  // guarded by read_mu_
};

}  // namespace plinth::storage
