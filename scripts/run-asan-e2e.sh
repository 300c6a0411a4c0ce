#!/usr/bin/env bash
# The black-box suite (tests/) against a plinth built with AddressSanitizer and UBSan (g++,
# -O1, no tcmalloc). Not part of `make test`: on 2 cores the build takes ~20 min and the suite
# ~35 min. Run it after changes to lifetimes, threads or the server; it found a use after free
# in the server's shutdown and one in `features parity` (2026-12-03). Every sanitizer report is
# written to $PLINTH_ASAN_DIR (default /tmp/plinth-asan); the script fails when there is one.
#
#   scripts/run-asan-e2e.sh [pytest args, e.g. tests/test_oip.py]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PLINTH_ASAN_BUILD_DIR:-build-asan}
REPORTS=${PLINTH_ASAN_DIR:-/tmp/plinth-asan}
scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLINTH_BUILD_TESTS=OFF \
  -DPLINTH_BUILD_BENCH=OFF -DPLINTH_TCMALLOC=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -O1" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
ninja -C "$BUILD_DIR" plinth
BIN="$(cd "$BUILD_DIR" && pwd)/src/plinth/plinth"  # BUILD_DIR may be relative or absolute
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
status=0
ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:log_path=$REPORTS/asan" \
UBSAN_OPTIONS="print_stacktrace=1:log_path=$REPORTS/ubsan" \
PLINTH_BIN="$BIN" /usr/bin/python3 -m pytest -q "${@:-tests}" || status=$?
if [ -n "$(ls -A "$REPORTS")" ]; then
  echo "sanitizer reports in $REPORTS:" >&2
  grep -h -m1 -E "ERROR|runtime error" "$REPORTS"/* >&2 || true
  exit 1
fi
exit $status
