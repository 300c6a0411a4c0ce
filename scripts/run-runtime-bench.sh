#!/usr/bin/env bash
# Runtime benchmark: Plinth's compiled forest against libxgboost in process, on the same
# libxgboost-trained model and the same rows (bench/runtime_bench.cc), for the two model sizes of
# issue 4: 100 trees of depth 6 and 500 trees of depth 8. Single-row latency p50/p99 (one thread
# each) and 10,000-row batch throughput on 2 threads; then 10,000 per-customer models compiled
# and cold-loaded from the compiled form (bench/cold_load_bench.cc: load p50/p99, memory per
# model, cache hit ratio at 10% and 2% budgets under Zipf traffic; the page cache is dropped
# first when running as root). Writes $OUT_DIR/runtime.json.
#
#   PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_OUT=<build dir>/bench-results
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
mkdir -p "$OUT_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD_DIR" -j 2 runtime_bench cold_load_bench
DROP=()
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/drop_caches ]; then DROP=(--drop-caches); fi
BENCH=$BUILD_DIR/bench/runtime_bench
{
  echo "["
  "$BENCH" --trees 100 --depth 6 --threads 2
  echo ","
  "$BENCH" --trees 500 --depth 8 --threads 2 --single-calls 5000
  echo ","
  "$BUILD_DIR/bench/cold_load_bench" --models 10000 --trees 50 --depth 5 --features 20 "${DROP[@]}"
  echo "]"
} | tee "$OUT_DIR/runtime.json"
