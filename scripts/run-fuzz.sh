#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
# FUZZ_SECONDS (default 15) per target, FUZZ_JOBS targets at once (default: the core count).
# Seeds and regression inputs: fuzz/corpus/<target>/.
# Real files from other writers (../shared/testdata or $PLINTH_TESTDATA) are extra read-only
# corpora when present; libFuzzer writes new inputs only to the first, build-local directory.
# A crash leaves its input in build-fuzz/artifacts/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${FUZZ_SECONDS:-15}"
BUILD=build-fuzz
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPLINTH_FUZZ=ON -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=OFF >/dev/null
fi
TESTDATA="${PLINTH_TESTDATA:-../shared/testdata}"
TARGETS=(registry_inputs parquet_metadata parquet_reader delta_log delta_checkpoint model_files serving_requests transform_expressions feature_definitions request_head)
cmake --build "$BUILD" -j "$(nproc)" --target "${TARGETS[@]/%/_fuzz}"
mkdir -p "$BUILD/artifacts"

# Runs one target; its log is $BUILD/fuzz-<target>.log.
fuzz_one() {
  local target=$1 work="$BUILD/corpus-$1"
  mkdir -p "$work"
  local corpora=("$work" "fuzz/corpus/$target") flags=()
  # These targets bound their own memory (small pages, capped rows): any big allocation is a bug.
  if [ "$target" != registry_inputs ] && [ "$target" != parquet_metadata ]; then flags+=(-malloc_limit_mb=256); fi
  if [ "$target" = parquet_reader ]; then
    for extra in "$TESTDATA/parquet" "$TESTDATA/parquet/bad_data"; do
      if [ -d "$extra" ]; then corpora+=("$extra"); fi
    done
  fi
  "$BUILD/fuzz/${target}_fuzz" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    "${flags[@]}" -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/" "${corpora[@]}" \
    >"$BUILD/fuzz-$target.log" 2>&1
}

# Each fuzzer is single-threaded: run as many at once as there are cores.
PARALLEL="${FUZZ_JOBS:-$(nproc)}"
declare -A pids=()
failed=()
for target in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do wait -n || true; done
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  fuzz_one "$target" &
  pids[$target]=$!
done
for target in "${TARGETS[@]}"; do
  if wait "${pids[$target]}"; then
    echo "fuzz: $target $(grep -E 'stat::number_of_executed_units' "$BUILD/fuzz-$target.log" | awk '{print $2}') runs," \
      "$(grep -oE 'cov: [0-9]+' "$BUILD/fuzz-$target.log" | tail -1)"
  else
    tail -40 "$BUILD/fuzz-$target.log"
    echo "fuzz: $target FAILED (input saved under $BUILD/artifacts/)"
    failed+=("$target")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then echo "fuzz: failed: ${failed[*]}"; exit 1; fi
echo "fuzz: passed"
