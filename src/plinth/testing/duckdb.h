// Runs the DuckDB oracle (tools/duckdb/duckdb.mjs, see tools/duckdb/README.md) from unit tests.
// Tests skip, by name, when node or tools/duckdb/node_modules is missing:
//
//   PLINTH_REQUIRE_DUCKDB(script);
//   auto rows = plinth::testing::RunDuckDb(script, "select * from read_parquet('/tmp/x.parquet')");
//
// Header-only, test-only. Thread-safety: RunDuckDb may be called from several threads.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "plinth/base/random.h"
#include "plinth/base/status.h"
#include "plinth/base/strings.h"

namespace plinth::testing {

// <source tree>/tools/duckdb/duckdb.mjs when its node_modules are installed and node runs.
inline std::optional<std::string> DuckDbScript() {
  // __FILE__ is <source>/src/plinth/testing/duckdb.h.
  std::filesystem::path root =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  std::filesystem::path dir = root / "tools" / "duckdb";
  if (!std::filesystem::is_directory(dir / "node_modules")) return std::nullopt;
  if (std::system("node --version > /dev/null 2>&1") != 0) return std::nullopt;
  return (dir / "duckdb.mjs").lexically_normal().string();
}

// Runs one SQL statement; returns stdout (JSON lines). Single quotes in `sql` are fine; the
// statement is passed through a temp file, never through the shell.
inline absl::StatusOr<std::string> RunDuckDb(const std::string& script, const std::string& sql) {
  std::filesystem::path sql_file =
      std::filesystem::temp_directory_path() / StrCat("plinth-duckdb-", RandomHex(8), ".sql");
  {
    FILE* f = std::fopen(sql_file.c_str(), "w");
    if (f == nullptr) return absl::InternalError("cannot write the SQL file");
    std::fputs(sql.c_str(), f);
    std::fclose(f);
  }
  std::string cmd = StrCat("node '", script, "' --file '", sql_file.string(), "' 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return absl::InternalError("cannot start node");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  std::filesystem::remove(sql_file);
  if (rc != 0) return absl::InternalError(StrCat("duckdb failed: ", out));
  return out;
}

}  // namespace plinth::testing

#define PLINTH_REQUIRE_DUCKDB(var)                                                     \
  std::string var;                                                                     \
  do {                                                                                 \
    auto plinth_dd_ = ::plinth::testing::DuckDbScript();                               \
    if (!plinth_dd_)                                                                   \
      GTEST_SKIP() << "DuckDB oracle not installed (tools/duckdb/node_modules, node)"; \
    var = *plinth_dd_;                                                                 \
  } while (0)
