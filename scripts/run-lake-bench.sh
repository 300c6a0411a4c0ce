#!/usr/bin/env bash
# Lakehouse benchmark: the same 10M-row, 6-column table written and fully scanned by Plinth
# (bench/lake_bench, in process) and by DuckDB (npm @duckdb/node-api through
# tools/duckdb/duckdb.mjs, 2 threads), in one run. Each engine also scans the other's file.
# Prints rows/s, file sizes and Plinth/DuckDB ratios; writes JSON to $OUT_DIR/lake.json.
#
#   PLINTH_BENCH_ROWS=10000000  PLINTH_BENCH_CODEC=snappy  PLINTH_BENCH_RUNS=3 (best of)
#   PLINTH_BENCH_BUILD_DIR=build-rel  PLINTH_BENCH_OUT=<build dir>/bench-results
#   PLINTH_BENCH_TMP=<dir for the data files> (default: a fresh directory under /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${PLINTH_BENCH_ROWS:-10000000}
CODEC=${PLINTH_BENCH_CODEC:-snappy}
RUNS=${PLINTH_BENCH_RUNS:-3}
BUILD_DIR=${PLINTH_BENCH_BUILD_DIR:-build-rel}
OUT_DIR=${PLINTH_BENCH_OUT:-$BUILD_DIR/bench-results}
TMP=${PLINTH_BENCH_TMP:-$(mktemp -d /tmp/plinth-lake-bench.XXXXXX)}
mkdir -p "$OUT_DIR" "$TMP"

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLINTH_BUILD_TESTS=OFF -DPLINTH_BUILD_BENCH=ON >/dev/null
ninja -C "$BUILD_DIR" -j 2 lake_bench
BENCH=$ROOT/$BUILD_DIR/bench/lake_bench
DUCK="node $ROOT/tools/duckdb/duckdb.mjs --threads 2"
[ -d tools/duckdb/node_modules ] || { echo "DuckDB oracle missing: run scripts/install-deps.sh"; exit 1; }

# Same formulas as bench/lake_bench.cc.
SELECT="SELECT i AS id, (hash(i) % 1000003)::BIGINT AS account, ((i*31337)%100000)::DOUBLE*0.01 AS amount,
  (i%1000)::DOUBLE/8.0 AS score, 'category_' || (i%100) AS category,
  '2024-01-01 00:00:00+00'::TIMESTAMPTZ + to_seconds(i) AS ts FROM range($ROWS) t(i)"
AGG="SELECT count(*) AS count, max(id) AS max_id, max(account) AS max_account, sum(account) AS sum_account, sum(amount) AS sum_amount,
  sum(score) AS sum_score, max(category) AS max_category, max(ts) AS max_ts"

/usr/bin/python3 - "$BENCH" "$TMP" "$ROWS" "$CODEC" "$RUNS" "$OUT_DIR/lake.json" "$DUCK" "$SELECT" "$AGG" <<'PY'
import json, os, subprocess, sys, time
bench, tmp, rows, codec, runs, out_path, duck, select, agg = sys.argv[1:]
rows, runs = int(rows), int(runs)
duck = duck.split()
pfile, dfile = os.path.join(tmp, "plinth.parquet"), os.path.join(tmp, "duckdb.parquet")
d2file = os.path.join(tmp, "duckdb-v2.parquet")

def duck_timed(sql):
    p = subprocess.run(duck + ["--time", "--sql", sql], capture_output=True, text=True, check=True)
    timing = json.loads(p.stderr.strip().splitlines()[-1])
    return timing["statements"][-1]["seconds"], [json.loads(l) for l in p.stdout.splitlines() if l.strip()]

def plinth(*args):
    p = subprocess.run([bench, *args], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)

best = {}
def keep(name, seconds):
    best[name] = min(best.get(name, float("inf")), seconds)

for run in range(runs):
    r = plinth("--rows", str(rows), "--file", pfile, "--codec", codec)
    keep("plinth_write", r["write_seconds"] + r["generate_seconds"])
    keep("plinth_scan", r["scan_seconds"])
    plinth_check = r["check"]
    s, _ = duck_timed(f"COPY ({select}) TO '{dfile}' (FORMAT parquet, COMPRESSION {codec})")
    keep("duckdb_write", s)
    s, res = duck_timed(f"{agg} FROM read_parquet('{dfile}')")
    keep("duckdb_scan", s)
    duck_check = res[0]
    r2 = plinth("--scan-only", dfile)
    keep("plinth_scan_duckdb_file", r2["scan_seconds"])
    s, res2 = duck_timed(f"{agg} FROM read_parquet('{pfile}')")
    keep("duckdb_scan_plinth_file", s)
    # DuckDB's Parquet v2 writer (DELTA encodings, data page v2): the closest like-for-like.
    s, _ = duck_timed(f"COPY ({select}) TO '{d2file}' (FORMAT parquet, COMPRESSION {codec}, PARQUET_VERSION v2)")
    keep("duckdb_v2_write", s)
    s, res3 = duck_timed(f"{agg} FROM read_parquet('{d2file}')")
    keep("duckdb_v2_scan", s)
    r3 = plinth("--scan-only", d2file)
    keep("plinth_scan_duckdb_v2_file", r3["scan_seconds"])

sizes = {"plinth": os.path.getsize(pfile), "duckdb": os.path.getsize(dfile), "duckdb_v2": os.path.getsize(d2file)}
# Every engine read the same data from every file.
def same(p, d, what):
    for k in ("count", "max_id", "max_account", "sum_account", "max_category"):
        assert str(p[k]) == str(d[k]), (what, k, p[k], d[k])
    for k in ("sum_amount", "sum_score"):
        assert abs(float(p[k]) - float(d[k])) <= 1e-6 * abs(float(d[k])), (what, k, p[k], d[k])
same(plinth_check, duck_check, "plinth file by plinth vs duckdb file by duckdb")
same(plinth_check, res2[0], "plinth file by duckdb")
same(r2["check"], duck_check, "duckdb file by plinth")
same(r3["check"], res3[0], "duckdb v2 file by plinth")
assert plinth_check["count"] == rows
result = {
    "rows": rows, "codec": codec, "runs": runs,
    "seconds": best,
    "rows_per_second": {k: rows / v for k, v in best.items()},
    "file_bytes": sizes,
    "ratios": {
        "write_throughput_plinth_over_duckdb": best["duckdb_write"] / best["plinth_write"],
        "scan_throughput_plinth_over_duckdb": best["duckdb_scan"] / best["plinth_scan"],
        "file_size_plinth_over_duckdb": sizes["plinth"] / sizes["duckdb"],
        "write_throughput_plinth_over_duckdb_v2": best["duckdb_v2_write"] / best["plinth_write"],
        "scan_throughput_plinth_over_duckdb_v2": best["duckdb_v2_scan"] / best["plinth_scan"],
        "file_size_plinth_over_duckdb_v2": sizes["plinth"] / sizes["duckdb_v2"],
    },
    "notes": "Plinth: writes on 1 thread, scans on 2 (columns in parallel), in process; its write time "
             "includes generating the rows. DuckDB: 2 threads via @duckdb/node-api; COPY includes "
             "generating the rows. Every scan computes the same aggregates.",
}
json.dump(result, open(out_path, "w"), indent=2)
print(f"rows {rows:,}  codec {codec}  best of {runs}")
for k in ["plinth_write", "duckdb_write", "duckdb_v2_write", "plinth_scan", "duckdb_scan", "duckdb_v2_scan",
          "plinth_scan_duckdb_file", "plinth_scan_duckdb_v2_file", "duckdb_scan_plinth_file"]:
    print(f"  {k:26s} {best[k]:7.3f} s  {rows / best[k] / 1e6:7.2f} M rows/s")
print(f"  file bytes: plinth {sizes['plinth']:,}  duckdb {sizes['duckdb']:,}  duckdb v2 {sizes['duckdb_v2']:,}")
for k, v in result["ratios"].items():
    print(f"  {k:40s} {v:.2f}")
PY
rm -rf "$TMP"
