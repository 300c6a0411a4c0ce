#!/usr/bin/env bash
# HTTP serving benchmark: single-row predictions over loopback, Plinth against the stack many
# teams would otherwise use (FastAPI + uvicorn + xgboost, bench/fastapi_baseline.py), serving the
# same XGBoost model (100 trees, depth 6, 32 features) with the same request body.
# For each server: saturation throughput (closed loop, bench/http_load), then an open-loop run at
# half of Plinth's saturation rate (and half of the baseline's own) for p50/p99 latency.
# Writes $OUT_DIR/serving.json.
#
#   PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_OUT=<build dir>/bench-results
#   PLINTH_BENCH_SECONDS=10 (per run)  PLINTH_BENCH_CONNECTIONS=8
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
mkdir -p "$OUT_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD_DIR" -j 2 plinth
ninja -C "$BUILD_DIR" -j 2 http_load
exec /usr/bin/python3 scripts/serving_bench.py --plinth "$PWD/$BUILD_DIR/src/plinth/plinth" --load "$PWD/$BUILD_DIR/bench/http_load" \
  --out "$OUT_DIR/serving.json" --seconds "${PLINTH_BENCH_SECONDS:-10}" --connections "${PLINTH_BENCH_CONNECTIONS:-8}"
