#!/usr/bin/env bash
# Feature store benchmarks: in process (bench/features_bench: online read path, materialization)
# and over HTTP (scripts/features_bench.py: online reads at 10,000 requests/s). Results:
# $OUT_DIR/features.txt and features_http.json; figures in bench/README.md.
#
#   PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_OUT=<build dir>/bench-results
#   PLINTH_BENCH_SECONDS=10 (per HTTP run)  PLINTH_BENCH_CONNECTIONS=8
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
mkdir -p "$OUT_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD_DIR" -j 2 plinth http_load features_bench cpu_stalls
WORK=$(mktemp -d /tmp/plinth-features-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BUILD_DIR/bench/features_bench" --dir "$WORK" 2>/dev/null | tee "$OUT_DIR/features.txt"
/usr/bin/python3 scripts/features_bench.py --plinth "$PWD/$BUILD_DIR/src/plinth/plinth" --load "$PWD/$BUILD_DIR/bench/http_load" --stalls "$PWD/$BUILD_DIR/bench/cpu_stalls" \
  --out "$OUT_DIR/features_http.json" --seconds "${PLINTH_BENCH_SECONDS:-10}" --connections "${PLINTH_BENCH_CONNECTIONS:-8}"
