#!/usr/bin/env bash
# HTTP serving benchmark: single-row predictions over loopback, Plinth against the stack many
# teams would otherwise use (FastAPI + uvicorn + xgboost, bench/fastapi_baseline.py), serving the
# same XGBoost model (100 trees, depth 6, 32 features) with the same request body.
# Two layouts of the CPUs: "shared" (servers and the generator on every CPU) and "dedicated"
# (the generator on the first CPU, each server alone on the last). In each, both servers'
# saturation throughputs (closed loop, bench/http_load) are measured in alternating rounds, then
# each server at half of its saturation rate (open loop) for p50/p99 latency, Plinth's runs
# preceded by bench/cpu_stalls (how long the idle machine stalls a running thread). Beside
# Plinth, in every saturation round and at its half-load rate, bench/http_floor: a server that
# does no work and answers Plinth's own response bytes (what the machine leaves to any server).
# Writes $OUT_DIR/serving.json.
#
#   PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_OUT=<build dir>/bench-results
#   PLINTH_BENCH_SECONDS=10 (per run)  PLINTH_BENCH_CONNECTIONS=8  PLINTH_BENCH_ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
mkdir -p "$OUT_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD_DIR" -j 2 plinth
ninja -C "$BUILD_DIR" -j 2 http_load http_floor cpu_stalls
exec /usr/bin/python3 scripts/serving_bench.py --plinth "$PWD/$BUILD_DIR/src/plinth/plinth" --load "$PWD/$BUILD_DIR/bench/http_load" --floor "$PWD/$BUILD_DIR/bench/http_floor" --stalls "$PWD/$BUILD_DIR/bench/cpu_stalls" \
  --out "$OUT_DIR/serving.json" --seconds "${PLINTH_BENCH_SECONDS:-10}" --connections "${PLINTH_BENCH_CONNECTIONS:-8}" \
  --rounds "${PLINTH_BENCH_ROUNDS:-3}"
