"""Feature store HTTP benchmark: online reads of 1 entity x 50 features over loopback.

Starts `plinth server` on a fresh data dir, applies a view of 50 double features over 100k
entities, pushes one row per entity (10k rows per push), then measures POST /api/v1/features/online
for one entity: saturation (closed loop), then open loop at --rate (default 10,000/s) for p50/p99.
The generator (bench/http_load) and the server share this machine's cores; then the server is
restarted on the same data with one I/O thread on a CPU of its own, the generator on another,
and the two runs are repeated. Each request names a
fixed entity (http_load sends one body), so reads hit RocksDB's block cache.
Target (issue 5): p99 <= 1 ms at 10,000 requests/s. Prints a summary; writes --out as JSON.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(__file__))
from serving_bench import load, machine_stalls, start_server, wait_http  # noqa: E402


def push_throughput(args, url, data):
    """One-row pushes to the 50-feature view from 1, 8 and 32 connections (closed loop, 5 s
    each, bench/http_load): pushes/s, latency, and the Delta commits they took (concurrent
    pushes share commits)."""
    body = os.path.join(data, "push.json")
    with open(body, "w") as f:
        json.dump({"view": "wide", "rows": [{"user_id": 20_000_000, "event_timestamp": "2030-01-01T00:00:00Z",
                                             **{f"f{i}": 0.5 for i in range(50)}}]}, f)
    port = int(url.rsplit(":", 1)[1])
    out = []
    for connections in (1, 8, 32):
        def version():
            resp = requests.post(url + "/api/v1/features/push", data=open(body).read())
            resp.raise_for_status()
            return resp.json()["table_version"]

        def pushes_served():
            metrics = requests.get(url + "/metrics").text
            return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                       if line.startswith('plinth_http_requests_total{method="POST",route="/api/v1/features/push",code="200"'))
        before = version()
        served = pushes_served()
        run = subprocess.run([args.load, "--port", str(port), "--path", "/api/v1/features/push", "--body-file", body,
                              "--connections", str(connections), "--duration", "5", "--warmup", "1", "--rate", "0"],
                             capture_output=True, text=True, check=True)
        r = json.loads(run.stdout)
        pushes = pushes_served() - served  # warm-up included, like the commits
        commits = version() - before - 1
        r.update({"connections": connections, "commits": commits, "pushes_per_commit": pushes / max(1, commits)})
        print(f"one-row pushes, {connections} connections: {r['rps']:.0f} pushes/s, p50 {r['p50_us'] / 1000:.2f} ms, "
              f"p99 {r['p99_us'] / 1000:.2f} ms, errors {r['errors']}, non-2xx {r['non_2xx']}, "
              f"{commits} commits (~{r['pushes_per_commit']:.1f} pushes each)", flush=True)
        out.append(r)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plinth", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--rate", type=float, default=10000)
    ap.add_argument("--entities", type=int, default=100000)
    ap.add_argument("--stalls", help="bench/cpu_stalls, run before the open-loop measurement")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="plinth-features-bench-")
    proc, url = start_server(args.plinth, data)
    try:
        wait_http(url + "/healthz")
        features = "\n".join(f"      - {{name: f{i}, type: double}}" for i in range(50))
        yaml = f"""
entities: [{{name: user, join_keys: [{{name: user_id, type: int64}}]}}]
sources: [{{name: wide}}]
feature_views:
  - name: wide
    entities: [user]
    source: wide
    ttl: 30d
    features:
{features}
feature_services: [{{name: svc50, features: ["wide:*"]}}]
"""
        requests.post(url + "/api/v1/features/apply", json={"yaml": yaml}).raise_for_status()
        rng = random.Random(7)
        start_t = time.time()
        for base in range(0, args.entities, 10000):
            rows = [{"user_id": u, "event_timestamp": "2030-01-01T00:00:00Z", **{f"f{i}": rng.random() for i in range(50)}}
                    for u in range(base, min(args.entities, base + 10000))]
            requests.post(url + "/api/v1/features/push", json={"view": "wide", "rows": rows}).raise_for_status()
        push_s = time.time() - start_t
        print(f"pushed {args.entities} rows x 50 features in {push_s:.1f} s", flush=True)
        # Push-to-online latency: one-row pushes, each followed by an online read that must see it.
        session = requests.Session()
        lat = []
        for n in range(300):
            row = {"user_id": 10_000_000 + n, "event_timestamp": "2030-01-01T00:00:00Z", "f0": float(n)}
            t0 = time.perf_counter()
            session.post(url + "/api/v1/features/push", json={"view": "wide", "rows": [row]}).raise_for_status()
            got = session.post(url + "/api/v1/features/online",
                               json={"service": "svc50", "entities": {"user_id": [row["user_id"]]},
                                     "as_of": "2030-01-01T00:00:01Z"}).json()
            lat.append((time.perf_counter() - t0) * 1000)
            assert got["results"][0]["values"][0] == float(n), got
        lat.sort()
        push = {"p50_ms": lat[len(lat) // 2], "p99_ms": lat[int(len(lat) * 0.99)], "max_ms": lat[-1]}
        print(f"push one row -> readable online: p50 {push['p50_ms']:.2f} ms, p99 {push['p99_ms']:.2f} ms, "
              f"max {push['max_ms']:.2f} ms (300 pushes, each a Delta commit)", flush=True)
        body = os.path.join(data, "online.json")
        with open(body, "w") as f:
            json.dump({"service": "svc50", "entities": {"user_id": [args.entities // 2]}, "as_of": "2030-01-02T00:00:00Z"}, f)
        check = requests.post(url + "/api/v1/features/online", data=open(body).read()).json()
        assert check["results"][0]["statuses"] == ["present"] * 50, check
        port = int(url.rsplit(":", 1)[1])
        print("Plinth POST /api/v1/features/online, 1 entity x 50 features", flush=True)
        saturation = load(args, port, "/api/v1/features/online", body, server_pids=[proc.pid])
        stalls = machine_stalls(args)
        open_loop = load(args, port, "/api/v1/features/online", body, rate=args.rate)
        open_loop["machine_stalls"] = stalls
        # After the reads: thousands of small commits leave the table's upkeep (checkpoints,
        # compactions) running for a while.
        concurrent_pushes = push_throughput(args, url, data)
        result = {"entities": args.entities, "push_seconds": push_s, "push_to_online": push,
                  "concurrent_pushes": concurrent_pushes, "saturation": saturation,
                  "open_loop": open_loop, "rate": args.rate}
        # The same store served with a CPU of its own: the server restarted on the same data dir
        # with one I/O thread on the last CPU, the generator on the first (as in the serving
        # bench's dedicated layout: no client on the server's CPU).
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) >= 2:
            proc.terminate()
            proc.wait(timeout=30)
            proc, url = start_server(args.plinth, data, threads=1, cpu=cpus[-1])
            wait_http(url + "/healthz")
            port = int(url.rsplit(":", 1)[1])
            check = requests.post(url + "/api/v1/features/online", data=open(body).read()).json()
            assert check["results"][0]["statuses"] == ["present"] * 50, check
            print(f"the same, server alone on CPU {cpus[-1]} (1 I/O thread), generator on CPU {cpus[0]}", flush=True)
            dedicated = {"saturation": load(args, port, "/api/v1/features/online", body, server_pids=[proc.pid], cpu=cpus[0])}
            stalls = machine_stalls(args)
            dedicated["open_loop"] = load(args, port, "/api/v1/features/online", body, rate=args.rate, cpu=cpus[0])
            dedicated["open_loop"]["machine_stalls"] = stalls
            result["dedicated"] = dedicated
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
