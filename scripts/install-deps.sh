#!/usr/bin/env bash
# Installs every Debian package Plinth needs to build, test and benchmark, and the pinned npm
# packages of the DuckDB test oracle (tools/duckdb).
# Idempotent: packages already present are skipped, so running it twice is cheap.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format git ca-certificates
  clang libclang-rt-14-dev
  # C++ libraries (see docs/ARCHITECTURE.md for where each is used)
  libboost-dev libabsl-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libspdlog-dev libfmt-dev libsqlite3-dev libssl-dev zlib1g-dev
  libsnappy-dev libzstd-dev liblz4-dev libisal-dev
  # the plinth binary's allocator
  libtcmalloc-minimal4
  # feature store: embedded online store
  librocksdb-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 curl
  python3 python3-pytest python3-requests
  # model runtime: libxgboost is the test oracle and the benchmark peer; FastAPI + uvicorn serve
  # the HTTP baseline; wrk generates load
  libxgboost-dev python3-xgboost python3-sklearn python3-pandas python3-numpy
  python3-fastapi python3-uvicorn wrk
)

# Node runs the DuckDB test oracle (tools/duckdb). Debian 12's own nodejs (v18) and npm are used
# only when the machine has no node at all; a node that is already there is kept.
if ! command -v node >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "install-deps: done"
fi

# Pinned npm packages (package-lock.json) of the DuckDB oracle; reinstalled when the lock changes.
ORACLE_DIR="$(cd "$(dirname "$0")/.." && pwd)/tools/duckdb"
if [ ! -d "$ORACLE_DIR/node_modules" ] || [ "$ORACLE_DIR/package-lock.json" -nt "$ORACLE_DIR/node_modules" ]; then
  echo "install-deps: npm ci in tools/duckdb"
  npm ci --prefix "$ORACLE_DIR" --no-audit --no-fund
  touch "$ORACLE_DIR/node_modules"
else
  echo "install-deps: tools/duckdb/node_modules up to date"
fi
