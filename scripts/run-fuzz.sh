#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
# FUZZ_SECONDS (default 30) per target. Seeds and regression inputs: fuzz/corpus/<target>/.
# A crash leaves its input in build-fuzz/artifacts/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${FUZZ_SECONDS:-30}"
BUILD=build-fuzz
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPLINTH_FUZZ=ON -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=OFF >/dev/null
fi
TARGETS=(registry_inputs parquet_metadata)
cmake --build "$BUILD" -j "$(nproc)" --target "${TARGETS[@]/%/_fuzz}"
mkdir -p "$BUILD/artifacts"
for target in "${TARGETS[@]}"; do
  work="$BUILD/corpus-$target"
  mkdir -p "$work"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  "$BUILD/fuzz/${target}_fuzz" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/" "$work" "fuzz/corpus/$target" 2>"$BUILD/fuzz-$target.log" || {
    tail -40 "$BUILD/fuzz-$target.log"
    echo "fuzz: $target FAILED (input saved under $BUILD/artifacts/)"
    exit 1
  }
  grep -E "stat::number_of_executed_units|cov:" "$BUILD/fuzz-$target.log" | tail -2
done
echo "fuzz: passed"
