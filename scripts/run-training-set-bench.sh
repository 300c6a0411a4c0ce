#!/usr/bin/env bash
# Training-set benchmark: `plinth features training-set` (point-in-time join, 2 threads) against
# DuckDB's ASOF JOIN (npm @duckdb/node-api via tools/duckdb/duckdb.mjs, 2 threads) on the same
# Delta tables and Parquet labels; checks the results are identical and prints the ratio and
# Plinth's peak RSS. Driver: scripts/training_set_bench.py. Writes JSON to $OUT_DIR/training_sets.json.
#
#   PLINTH_BENCH_LABELS=1000000  PLINTH_BENCH_FEATURE_ROWS=10000000  PLINTH_BENCH_ENTITIES=100000
#   PLINTH_BENCH_RUNS=2 (best of)  PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_OUT=<build dir>/bench-results
#   PLINTH_BENCH_BIN=<a built plinth binary: skips the Release build>
#   PLINTH_BENCH_TMP=<dir for the data> (default: a fresh directory under /tmp, removed afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
[ -d tools/duckdb/node_modules ] || { echo "DuckDB oracle missing: run scripts/install-deps.sh"; exit 1; }
if [ -n "${PLINTH_BENCH_BIN:-}" ]; then
  BIN=$PLINTH_BENCH_BIN
else
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
  ninja -C "$BUILD_DIR" -j 2 plinth
  BIN=$(pwd)/$BUILD_DIR/src/plinth/plinth
fi
mkdir -p "$OUT_DIR"
if [ -n "${PLINTH_BENCH_TMP:-}" ]; then
  TMP=$PLINTH_BENCH_TMP
else
  TMP=$(mktemp -d /tmp/plinth-features-bench.XXXXXX)
  trap 'rm -rf "$TMP"' EXIT
fi
/usr/bin/python3 scripts/training_set_bench.py "$BIN" "$TMP" \
  --labels "${PLINTH_BENCH_LABELS:-1000000}" --feature-rows "${PLINTH_BENCH_FEATURE_ROWS:-10000000}" \
  --entities "${PLINTH_BENCH_ENTITIES:-100000}" --runs "${PLINTH_BENCH_RUNS:-2}" --out "$OUT_DIR/training_sets.json"
