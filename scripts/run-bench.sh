#!/usr/bin/env bash
# Registry benchmark: builds Plinth in Release, starts `plinth server` on a fresh data dir and a
# free loopback port, runs bench/registry_bench against it, stops the server, prints the results.
#
# Scale and output come from the environment (defaults are the issue's full scale):
#   PLINTH_BENCH_MODELS=10000  PLINTH_BENCH_VERSIONS=10  PLINTH_BENCH_CLIENTS=4
#   PLINTH_BENCH_SAMPLES=2000 (requests per latency measurement)  PLINTH_BENCH_WARMUP=100
#   PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_JOBS=2  PLINTH_BENCH_OUT=<build dir>/bench-results
#   PLINTH_BENCH_SERVER_ARGS="--threads 4"   extra `plinth server` flags
#   PLINTH_BENCH_AUTH=1                      run the server with --auth required and a read,write token
#                                            (default: auth off, as on any loopback server)
#   PLINTH_BENCH_KEEP_DATA=1                 keep the seeded data dir (its path is printed)
# Quick smoke run: PLINTH_BENCH_MODELS=200 PLINTH_BENCH_SAMPLES=200 scripts/run-bench.sh
#
# The build is its own Release tree (-O3 -DNDEBUG, no tests), not the Makefile's RelWithDebInfo
# `build/`, so the numbers are those of an optimised binary.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODELS=${PLINTH_BENCH_MODELS:-10000}
VERSIONS=${PLINTH_BENCH_VERSIONS:-10}
CLIENTS=${PLINTH_BENCH_CLIENTS:-4}
SAMPLES=${PLINTH_BENCH_SAMPLES:-2000}
WARMUP=${PLINTH_BENCH_WARMUP:-100}
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
JOBS=${PLINTH_BENCH_JOBS:-2}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
read -r -a SERVER_ARGS <<<"${PLINTH_BENCH_SERVER_ARGS:-}"

# --- build -------------------------------------------------------------------------------------
# Configure every time (a second or two): an existing tree may have been set up differently.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
# One target at a time: the machine has two cores.
ninja -C "$BUILD_DIR" -j "$JOBS" plinth
ninja -C "$BUILD_DIR" -j "$JOBS" registry_bench
PLINTH=$ROOT/$BUILD_DIR/src/plinth/plinth
BENCH=$ROOT/$BUILD_DIR/bench/registry_bench

# --- server ------------------------------------------------------------------------------------
DATA=$(mktemp -d "${TMPDIR:-/tmp}/plinth-bench-data.XXXXXX")
SERVER_LOG=$DATA.server.log
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${PLINTH_BENCH_KEEP_DATA:-0}" = 1 ]; then
    echo "run-bench: data kept in $DATA (server log $SERVER_LOG)"
  else
    rm -rf "$DATA" "$SERVER_LOG"
  fi
}
trap cleanup EXIT

# A clean environment for the server: no PLINTH_* settings, no ./plinth.yaml (cwd is the data dir).
mapfile -t UNSET < <(env | sed -n 's/^\(PLINTH_[A-Za-z0-9_]*\)=.*/-u\n\1/p')
BENCH_AUTH=()
if [ "${PLINTH_BENCH_AUTH:-0}" = 1 ]; then
  TOKEN=$(cd "$DATA" && env "${UNSET[@]}" "$PLINTH" tokens create --data-dir "$DATA" --name bench --scopes read,write 2>/dev/null)
  SERVER_ARGS+=(--auth required)
  BENCH_AUTH=(--token "$TOKEN")
fi
(cd "$DATA" && exec env "${UNSET[@]}" "$PLINTH" server --data-dir "$DATA" --listen 127.0.0.1:0 --access-log off \
  --log-level warn "${SERVER_ARGS[@]}") >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
  URL=$(sed -n 's/^plinth server listening on \(http:[^ ]*\)$/\1/p' "$SERVER_LOG" | head -n1)
  [ -n "$URL" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run-bench: server exited during start-up:" >&2
    cat "$SERVER_LOG" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "run-bench: server did not report its address within 30 s" >&2
  exit 1
fi

# --- run ---------------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSON=$OUT_DIR/registry-$STAMP.json
TABLE=$OUT_DIR/registry-$STAMP.md
echo "run-bench: $MODELS models x $VERSIONS versions, $CLIENTS clients, $SAMPLES samples, auth ${PLINTH_BENCH_AUTH:-0}; server $URL (pid $SERVER_PID), data $DATA"
echo "run-bench: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# CPU accounting, to tell how much of the machine other processes (e.g. builds) took meanwhile.
TICK=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }   # user nice system irq softirq
BUSY0=$(busy_ticks)
SERVER0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
START=$(date +%s.%N)
"$BENCH" --server "$URL" --models "$MODELS" --versions "$VERSIONS" --clients "$CLIENTS" --samples "$SAMPLES" \
  --warmup "$WARMUP" --json-out "$JSON" "${BENCH_AUTH[@]}" | tee "$TABLE"
WALL=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
BUSY1=$(busy_ticks)
SERVER1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
CLIENT_CPU=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["client_cpu_s"])' "$JSON")
awk -v wall="$WALL" -v cores="$(nproc)" -v busy=$((BUSY1 - BUSY0)) -v server=$((SERVER1 - SERVER0)) -v client="$CLIENT_CPU" \
  -v tick="$TICK" 'BEGIN {
    busy /= tick; server /= tick; other = busy - server - client; if (other < 0) other = 0
    printf "run-bench: took %.0f s; CPU used meanwhile: %.0f of %.0f core-seconds (server %.0f, bench client %.0f, other processes %.0f = %.0f%% of the machine)\n",
      wall, busy, wall * cores, server, client, other, 100 * other / (wall * cores)
  }'
echo "run-bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run-bench: data dir $(du -sh "$DATA" | cut -f1) ($(du -sh "$DATA/meta.db" | cut -f1) meta.db, $(find "$DATA/objects/sha256" -type f | wc -l) objects)"
echo "run-bench: results in $TABLE and $JSON"
