"""Orchestrates the HTTP serving benchmark (see scripts/run-serving-bench.sh)."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import requests
import xgboost as xgb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train(path, features=32, trees=100, depth=6):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20000, features)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1] + np.sin(3 * x[:, 2]) + x[:, 3]) > 0).astype(np.float32)
    names = [f"f{i}" for i in range(features)]
    booster = xgb.train({"objective": "binary:logistic", "max_depth": depth, "eta": 0.1, "tree_method": "hist",
                         "nthread": 2}, xgb.DMatrix(x, label=y, feature_names=names), num_boost_round=trees)
    booster.save_model(path)
    return names, x[:1000]


def wait_http(url, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


WARMUP_SECONDS = 2


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks():
    """(steal, total) CPU ticks of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[7], sum(v)


def pinned(cpu):
    """A preexec_fn that confines a child process (and the threads it starts) to one CPU; None
    leaves it free to run anywhere."""
    return None if cpu is None else (lambda: os.sched_setaffinity(0, {cpu}))


def load(args, port, path, body_file, rate=0.0, server_pids=(), cpu=None):
    """Runs bench/http_load (on CPU `cpu` if given); with server_pids, also the CPU time the
    servers and the generator spent per request during the measured window (after the warm-up)."""
    cmd = [args.load, "--port", str(port), "--path", path, "--body-file", body_file, "--connections",
           str(args.connections), "--duration", str(args.seconds), "--warmup", str(WARMUP_SECONDS), "--rate", str(rate)]
    gen = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=pinned(cpu))
    spent = None
    time.sleep(WARMUP_SECONDS + 0.05)
    before = [cpu_seconds(p) for p in server_pids], cpu_seconds(gen.pid), machine_ticks()
    time.sleep(args.seconds - 0.1)
    after = [cpu_seconds(p) for p in server_pids], cpu_seconds(gen.pid), machine_ticks()
    if server_pids:
        spent = (sum(after[0]) - sum(before[0]), after[1] - before[1], args.seconds - 0.1)
    out, _ = gen.communicate()
    result = json.loads(out)
    # Time the hypervisor gave this VM's CPUs to others during the window: it shows up as
    # stalls in the tail latencies, whatever the server does.
    result["steal_percent"] = 100.0 * (after[2][0] - before[2][0]) / max(1, after[2][1] - before[2][1])
    if spent is not None:
        requests_in_window = result["rps"] * spent[2]
        result["server_cpu_us_per_request"] = spent[0] / max(1.0, requests_in_window) * 1e6
        result["generator_cpu_us_per_request"] = spent[1] / max(1.0, requests_in_window) * 1e6
        result["server_cores_busy"] = spent[0] / spent[2]
    print(f"  {'closed loop' if rate == 0 else f'open loop at {rate:.0f}/s'}: {result['rps']:.0f} req/s, "
          f"p50 {result['p50_us']:.0f} us, p99 {result['p99_us']:.0f} us, errors {result['errors']}, "
          f"non-2xx {result['non_2xx']}, CPU steal {result['steal_percent']:.1f}%" +
          (f"; server CPU {result['server_cpu_us_per_request']:.1f} us/request ({result['server_cores_busy']:.2f} cores), "
           f"generator {result['generator_cpu_us_per_request']:.1f} us/request" if spent is not None else ""), flush=True)
    return result


def machine_stalls(args, seconds=5):
    """bench/cpu_stalls on the idle machine: the time its CPUs are taken from a running thread.
    Run right before a latency measurement, it is the floor under that run's tail: a request
    that arrives while the CPU of its server thread (or of the generator) is stalled waits the
    stall out. None without --stalls."""
    if not args.stalls:
        return None
    out = json.loads(subprocess.run([args.stalls, "--seconds", str(seconds)], capture_output=True, text=True,
                                    check=True).stdout)
    w = out["worst"]
    print(f"  machine stalls ({seconds:.0f} s idle, worst CPU): {w['gaps_per_second']:.0f}/s over 20 us "
          f"({w['lost_percent']:.1f}% of the time), {w['gaps_over_1ms']} over 1 ms, longest {w['longest_us'] / 1000:.1f} ms, "
          f"{w['beyond_1ms_percent']:.2f}% of the time more than 1 ms into a stall", flush=True)
    return out


def start_server(plinth, data, threads=2, cpu=None):
    """`plinth server` on a fresh data dir, any free loopback port (on CPU `cpu` if given);
    returns (process, base URL)."""
    log = open(os.path.join(data, "server.log"), "w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLINTH_")}
    proc = subprocess.Popen([plinth, "server", "--data-dir", data, "--listen", "127.0.0.1:0", "--access-log", "off",
                             "--log-level", "warn", "--threads", str(threads)], stdout=log, stderr=subprocess.STDOUT,
                            cwd=data, env=env, preexec_fn=pinned(cpu))
    for _ in range(300):
        for line in open(os.path.join(data, "server.log")).read().splitlines():
            if line.startswith("plinth server listening on "):
                return proc, line.split()[-1]
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("plinth server did not start: " + open(os.path.join(data, "server.log")).read())


def start_plinth(args, data, model_path, threads=2, cpu=None):
    proc, url = start_server(args.plinth, data, threads, cpu)
    data_bytes = open(model_path, "rb").read()
    import hashlib
    digest = hashlib.sha256(data_bytes).hexdigest()
    requests.post(f"{url}/api/v1/artifacts", data=data_bytes, headers={"X-Plinth-Sha256": digest}).raise_for_status()
    requests.post(f"{url}/api/v1/models/bench-model/versions",
                  json={"artifact_sha256": digest, "format": "xgboost-json", "create_model": True}).raise_for_status()
    requests.put(f"{url}/api/v1/models/bench-model/aliases/champion", json={"version": 1}).raise_for_status()
    requests.put(f"{url}/api/v1/deployments/bench", json={"model": "bench-model@champion"}).raise_for_status()
    return proc, url


def start_baselines(model_path, ports, cpu=None):
    """One single-worker uvicorn serving bench/fastapi_baseline.py per port (on CPU `cpu` if
    given), one OpenMP thread each, as a tuned deployment runs it. (uvicorn's own --workers 2
    mode answers every keep-alive request 40 ms late on this system: measured 182 req/s at p50
    44 ms, against ~1,800 req/s for one plain worker.)"""
    env = dict(os.environ, PLINTH_BASELINE_MODEL=model_path, OMP_NUM_THREADS="1")
    bases = [subprocess.Popen(["/usr/bin/python3", "-m", "uvicorn", "fastapi_baseline:app", "--app-dir",
                               os.path.join(ROOT, "bench"), "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=pinned(cpu))
             for port in ports]
    try:
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/docs")
    except Exception:
        stop_all(bases)  # none left running when one does not come up
        raise
    return bases


def raw_response(port, path, body):
    """The exact bytes of one response of the server on `port` to `body` POSTed to `path`."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        data = body.encode()
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, rest = buf.split(b"\r\n\r\n", 1)
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(rest) < length:
            rest += s.recv(65536)
    return head + b"\r\n\r\n" + rest[:length]


PREDICT_ROUTE = "/api/v1/deployments/{name}/predict"


def server_durations(url):
    """Plinth's own histogram of its predict route so far (plinth_http_request_duration_seconds:
    from a request's first byte read to the end of its response written), as {bound in seconds:
    requests answered within it}."""
    counts = {}
    for line in requests.get(f"{url}/metrics", timeout=10).text.splitlines():
        if (line.startswith("plinth_http_request_duration_seconds_bucket{") and f'route="{PREDICT_ROUTE}"' in line
                and 'code="200"' in line):
            bound = float(line.split('le="', 1)[1].split('"', 1)[0])
            counts[bound] = counts.get(bound, 0) + float(line.rsplit(" ", 1)[1])
    return counts


def inside_server(before, after):
    """Of the requests answered between two server_durations snapshots, the shares the server
    itself took at most 100 us and at most 1 ms over."""
    total = after[float("inf")] - before.get(float("inf"), 0)
    share = {b: (after[b] - before.get(b, 0)) / max(1.0, total) for b in (1e-4, 1e-3)}
    print(f"  inside Plinth (first byte read to response written): {100 * share[1e-4]:.3f}% within 100 us, "
          f"{100 * share[1e-3]:.4f}% within 1 ms", flush=True)
    return {"within_100us": share[1e-4], "within_1ms": share[1e-3]}


def start_floor(args, response_file, threads=2, cpu=None):
    """bench/http_floor (an HTTP server that does no work and answers fixed bytes) on any free
    loopback port, with `threads` event loops (on CPU `cpu` if given); returns (process, port)."""
    proc = subprocess.Popen([args.floor, "--response-file", response_file, "--threads", str(threads)],
                            stdout=subprocess.PIPE, text=True, preexec_fn=pinned(cpu))
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"http_floor did not start: {line!r}")
    return proc, int(line.split()[-1])


def stop_all(procs):
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(timeout=30)


# Closed-loop connection counts tried for each server's saturation: a fast server is not
# saturated by 8 connections that each wait for their answer (on this machine Plinth answered
# 48k req/s with 8, 55k with 16 and 58-60k with 32 or 64), a slow one is by any of them.
SATURATION_CONNECTIONS = (8, 32, 64)
SWEEP_SECONDS = 5


def with_connections(args, connections, seconds=None):
    """A copy of args with another connection count (and run length)."""
    return argparse.Namespace(**dict(vars(args), connections=connections, seconds=seconds or args.seconds))


def saturating_connections(args, port, path, body_file, server_pids, cpu):
    """The connection count, of SATURATION_CONNECTIONS, at which the server answered the most
    requests per second (SWEEP_SECONDS each); and the throughput at each."""
    sweep = {}
    for c in SATURATION_CONNECTIONS:
        print(f"  {c} connections:", flush=True)
        sweep[c] = load(with_connections(args, c, SWEEP_SECONDS), port, path, body_file, server_pids=server_pids,
                        cpu=cpu)["rps"]
    return max(sweep, key=sweep.get), sweep


def median(values):
    return sorted(values)[len(values) // 2]


def layout(args, name, tmp, model_path, body_file, oip_file=None, gen_cpu=None, server_cpu=None, threads=2,
           base_ports=(7391, 7392)):
    """Measures Plinth and the baseline in one layout of the machine's CPUs. Both servers run at
    once (the idle one takes no CPU) and their saturation throughputs are measured in
    alternation, --rounds times: this machine's speed drifts by tens of percent within minutes,
    so each round's ratio compares runs seconds apart, and the median round is reported. Then
    each server at half of its median saturation rate, for latency: Plinth in --rounds runs
    (after bench/cpu_stalls), each followed by bench/http_floor at the same rate; and Plinth's
    Open Inference Protocol route if oip_file is given.

    http_floor, placed and threaded as Plinth, answers Plinth's own response bytes without doing
    any work: its throughput in each round (at Plinth's connection count) and its latency at
    Plinth's half-load rate are what this machine's loopback, scheduler and hypervisor, and the
    generator, leave to any server."""
    data = os.path.join(tmp, f"data-{name}")
    os.makedirs(data)
    proc, url = start_plinth(args, data, model_path, threads=threads, cpu=server_cpu)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    bases, floor = [], None
    out = {"generator_cpu": gen_cpu, "server_cpu": server_cpu, "plinth_threads": threads,
           "baseline_workers": len(base_ports), "rounds": []}
    try:
        bases = start_baselines(model_path, list(base_ports), cpu=server_cpu)
        ports = ",".join(str(p) for p in base_ports)
        body = open(body_file).read()
        predict = "/api/v1/deployments/bench/predict"
        got = requests.post(f"{url}{predict}", data=body).json()["predictions"]
        want = requests.post(f"http://127.0.0.1:{base_ports[0]}/predict", data=body).json()["predictions"]
        if abs(got[0] - want[0]) > 1e-6 * max(1.0, abs(want[0])):
            raise RuntimeError(f"the servers disagree: Plinth {got}, baseline {want}")
        base_pids = [b.pid for b in bases]
        response_file = os.path.join(tmp, f"response-{name}.bin")
        with open(response_file, "wb") as f:
            f.write(raw_response(port, predict, body))
        floor, floor_port = start_floor(args, response_file, threads=threads, cpu=server_cpu)
        # Each server's saturation is measured at the connection count that saturates it.
        conns = {}
        for key, p, path, pids in (("plinth", port, predict, [proc.pid]),
                                   ("baseline", ports, "/predict", base_pids), ("baseline_raw", ports, "/predict-raw", base_pids)):
            print(f"[{name}] {key}: closed-loop throughput by connection count", flush=True)
            conns[key], out[f"{key}_sweep"] = saturating_connections(args, p, path, body_file, pids, gen_cpu)
        out["saturation_connections"] = conns
        print(f"[{name}] saturation measured with {conns} connections", flush=True)
        for r in range(args.rounds):
            print(f"[{name}] round {r + 1}: Plinth; baseline /predict (pydantic-validated body, the usual FastAPI "
                  f"idiom); baseline /predict-raw (JSON read by hand); http_floor", flush=True)
            plinth = load(with_connections(args, conns["plinth"]), port, predict, body_file, server_pids=[proc.pid],
                          cpu=gen_cpu)
            base = load(with_connections(args, conns["baseline"]), ports, "/predict", body_file, server_pids=base_pids,
                        cpu=gen_cpu)
            raw = load(with_connections(args, conns["baseline_raw"]), ports, "/predict-raw", body_file,
                       server_pids=base_pids, cpu=gen_cpu)
            floor_sat = load(with_connections(args, conns["plinth"]), floor_port, predict, body_file,
                             server_pids=[floor.pid], cpu=gen_cpu)
            out["rounds"].append({
                "plinth_saturation": plinth, "baseline_saturation": base, "baseline_raw_saturation": raw,
                "floor_saturation": floor_sat,
                # How much of a do-nothing server's throughput Plinth reaches, seconds apart.
                "plinth_of_floor": plinth["rps"] / max(1.0, floor_sat["rps"]),
                "throughput_ratio": plinth["rps"] / max(1.0, base["rps"]),
                "throughput_ratio_raw": plinth["rps"] / max(1.0, raw["rps"]),
                # Server CPU per request: what the throughput ratio would be with each server
                # CPU-bound on cores of its own.
                "cpu_efficiency_ratio": base["server_cpu_us_per_request"] / plinth["server_cpu_us_per_request"],
                "cpu_efficiency_ratio_raw": raw["server_cpu_us_per_request"] / plinth["server_cpu_us_per_request"]})
        rounds = out["rounds"]
        for key in ("throughput_ratio", "throughput_ratio_raw", "cpu_efficiency_ratio", "cpu_efficiency_ratio_raw",
                    "plinth_of_floor"):
            out[key + "_by_round"] = [round(x[key], 2) for x in rounds]
            out[key] = median([x[key] for x in rounds])
        plinth_rps = median([x["plinth_saturation"]["rps"] for x in rounds])
        base_rps = median([x["baseline_saturation"]["rps"] for x in rounds])
        out["plinth_saturation_rps"], out["baseline_saturation_rps"] = plinth_rps, base_rps
        print(f"[{name}] half load: Plinth, then http_floor at the same rate, {args.rounds} rounds", flush=True)
        out["machine_stalls"] = machine_stalls(args)
        halves = []
        for r in range(args.rounds):
            print(f"[{name}] half-load round {r + 1}:", flush=True)
            before = server_durations(url)
            plinth = load(args, port, predict, body_file, rate=plinth_rps / 2, server_pids=[proc.pid], cpu=gen_cpu)
            # The server's own share of each request, from its histogram (the generator's run,
            # its warm-up included).
            plinth["inside_server"] = inside_server(before, server_durations(url))
            halves.append({"plinth": plinth,
                           "floor": load(args, floor_port, predict, body_file, rate=plinth_rps / 2,
                                         server_pids=[floor.pid], cpu=gen_cpu)})
        out["half_load_rounds"] = halves
        # The round with the median Plinth p99 stands for the layout (each round is kept).
        out["plinth_half_load"] = sorted((h["plinth"] for h in halves), key=lambda x: x["p99_us"])[len(halves) // 2]
        out["floor_half_load_p99_us"] = median([h["floor"]["p99_us"] for h in halves])
        out["baseline_half_load"] = load(args, ports, "/predict", body_file, rate=base_rps / 2, cpu=gen_cpu)
        if oip_file:
            print(f"[{name}] Plinth Open Inference Protocol infer:", flush=True)
            out["plinth_oip_saturation"] = load(with_connections(args, conns["plinth"]), port, "/v2/models/bench/infer",
                                                oip_file, server_pids=[proc.pid], cpu=gen_cpu)
    finally:
        stop_all(bases + [proc] + ([floor] if floor else []))
    print(f"[{name}] throughput ratio by round {out['throughput_ratio_by_round']} (pydantic), "
          f"{out['throughput_ratio_raw_by_round']} (raw); server CPU per request "
          f"{out['cpu_efficiency_ratio_by_round']}x less (pydantic); Plinth at {out['plinth_of_floor_by_round']} of "
          f"http_floor's throughput; p99 at half load by round: Plinth "
          f"{[round(h['plinth']['p99_us']) for h in out['half_load_rounds']]} us, http_floor "
          f"{[round(h['floor']['p99_us']) for h in out['half_load_rounds']]} us", flush=True)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--plinth", required=True)
    p.add_argument("--load", required=True)
    p.add_argument("--floor", required=True, help="bench/http_floor")
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--connections", type=int, default=8, help="open-loop (half load) connections")
    p.add_argument("--rounds", type=int, default=3, help="alternating saturation and half-load rounds per layout")
    p.add_argument("--stalls", help="bench/cpu_stalls, run before Plinth's half-load measurement")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="plinth-serving-bench-")
    results = {"cores": os.cpu_count(), "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds}
    try:
        model_path = os.path.join(tmp, "model.json")
        names, rows = train(model_path)
        body = {"instances": [{n: float(v) for n, v in zip(names, rows[0])}]}
        body_file = os.path.join(tmp, "body.json")
        with open(body_file, "w") as f:
            json.dump(body, f)
        # The same row as an Open Inference Protocol request: one [1, 32] tensor in model order.
        oip_body = {"inputs": [{"name": "input-0", "shape": [1, len(names)], "datatype": "FP64",
                                "data": [float(v) for v in rows[0]]}]}
        oip_file = os.path.join(tmp, "oip.json")
        with open(oip_file, "w") as f:
            json.dump(oip_body, f)
        # Shared: the servers and the generator on all CPUs (Plinth with 2 I/O threads, one
        # single-worker uvicorn per core with the connections spread over both).
        results["shared"] = layout(args, "shared", tmp, model_path, body_file, oip_file=oip_file)
        # Dedicated: the generator on the first CPU, each server alone on the last (Plinth with 1
        # I/O thread, one uvicorn worker): no client competes with the server for its CPU, as in
        # production.
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) >= 2:
            results["dedicated"] = layout(args, "dedicated", tmp, model_path, body_file, gen_cpu=cpus[0],
                                          server_cpu=cpus[-1], threads=1, base_ports=(7393,))
        else:
            print("dedicated layout skipped: fewer than 2 CPUs", flush=True)
        for name in ("shared", "dedicated"):
            if name in results:
                r = results[name]
                print(f"{name}: Plinth {r['plinth_saturation_rps']:.0f} req/s, baseline {r['baseline_saturation_rps']:.0f} "
                      f"req/s (medians); throughput ratio {r['throughput_ratio']:.1f}x (pydantic), "
                      f"{r['throughput_ratio_raw']:.1f}x (raw); server CPU per request {r['cpu_efficiency_ratio']:.1f}x "
                      f"less (pydantic); Plinth p99 at half load {r['plinth_half_load']['p99_us']:.0f} us (median round; "
                      f"http_floor at the same rate {r['floor_half_load_p99_us']:.0f} us)", flush=True)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
