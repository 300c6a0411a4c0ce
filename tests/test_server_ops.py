"""Operations: Prometheus metrics, probes, graceful shutdown, keep-alive, access logs, rate and connection limits."""
import json
import re
import socket
import threading
import time

import pytest
import requests

from conftest import error_of, raw_status, sha256

LABELS = r'\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\}'  # values may hold any text, e.g. {name}
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(' + LABELS + r')? (-?[0-9.e+-]+|\+Inf|NaN)$')


def parse_metrics(text):
    """{(name, labels-text): value}, asserting every line is valid Prometheus text."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a Prometheus sample: {line!r}"
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or family in typed, f"sample without # TYPE: {line!r}"
        samples[(name, labels)] = float(value)
    return samples


def test_metrics_are_prometheus_text(server):
    for _ in range(3):
        server.ok("GET", "/healthz")
    assert server.http("GET", "/api/v1/models/nope").status_code == 404
    assert server.http("GET", "/no/such/route").status_code == 404
    server.register("metered", b"m")
    resp = server.http("GET", "/metrics")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = parse_metrics(resp.text)
    assert samples[("plinth_http_requests_total", '{method="GET",route="/healthz",code="200"}')] == 3
    assert samples[("plinth_http_requests_total", '{method="GET",route="/api/v1/models/{name}",code="404"}')] == 1
    assert samples[("plinth_http_requests_total", '{method="GET",route="unmatched",code="404"}')] == 1
    assert samples[("plinth_http_requests_total", '{method="POST",route="/api/v1/artifacts",code="201"}')] == 1
    assert samples[("plinth_http_requests_total", '{method="POST",route="/api/v1/models/{name}/versions",code="201"}')] == 1
    healthz = '{method="GET",route="/healthz",code="200"'
    assert samples[("plinth_http_request_duration_seconds_bucket", healthz + ',le="+Inf"}')] == 3
    assert samples[("plinth_http_request_duration_seconds_count", healthz + "}")] == 3
    buckets = sorted((float(re.search(r'le="([^"]+)"', labels).group(1)), v) for (name, labels), v in samples.items()
                     if name == "plinth_http_request_duration_seconds_bucket" and labels.startswith(healthz))
    assert len(buckets) >= 5
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)  # cumulative
    assert samples[("process_cpu_seconds_total", "")] > 0
    assert samples[("process_resident_memory_bytes", "")] > 1_000_000
    assert samples[("plinth_http_requests_in_flight", "")] == 1  # this very request
    assert samples[("plinth_http_received_bytes_total", "")] >= 1
    assert ("plinth_build_info", next(labels for (n, labels) in samples if n == "plinth_build_info")) in samples


def test_probes(server):
    assert server.ok("GET", "/healthz") == {"status": "ok"}
    assert server.ok("GET", "/readyz") == {"status": "ready"}


def test_graceful_shutdown_finishes_in_flight_upload(server):
    total = 3_000_000
    payload = bytes(range(256)) * (total // 256) + b"x" * (total % 256)
    result = {}
    sent_first = threading.Event()
    go_on = threading.Event()

    def slow_upload():
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
            s.sendall((f"POST /api/v1/artifacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                       f"X-Plinth-Sha256: {sha256(payload)}\r\nContent-Length: {total}\r\n\r\n").encode())
            s.sendall(payload[:100_000])
            sent_first.set()
            go_on.wait(10)
            for i in range(100_000, total, 200_000):
                s.sendall(payload[i:i + 200_000])
                time.sleep(0.02)
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
            result["reply"] = b"".join(chunks)

    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)  # an idle keep-alive connection
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert idle.recv(4096).startswith(b"HTTP/1.1 200 OK")
    t = threading.Thread(target=slow_upload)
    t.start()
    try:
        assert sent_first.wait(10)
        server.wait_for(lambda: len(server.tmp_files()) == 1, what="the upload to start")
        server.send_signal()  # SIGTERM mid-body
        server.wait_for(lambda: "shutting down gracefully" in server.stderr_text(), what="the shutdown to begin")
        assert idle.recv(4096) == b"", "the idle connection should be closed at once"
        # No new connections once shutdown began.
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
            refused = False
        except OSError:
            refused = True
        assert refused, "the listener should be closed during shutdown"
        go_on.set()
    finally:
        go_on.set()
        t.join(30)
        idle.close()
    reply = result["reply"]
    assert raw_status(reply) == 201, reply[:500]
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Connection: close" in head
    assert json.loads(body) == {"sha256": sha256(payload), "size": total}
    assert server.wait() == 0
    assert "server stopped" in server.stderr_text()
    assert server.object_files() == [sha256(payload)]
    assert server.tmp_files() == []


def test_keep_alive_reuses_one_connection(server):
    with requests.Session() as session:
        clients = {server.ok("GET", "/api/v1/whoami", session=session)["client"] for _ in range(5)}
        server.ok("POST", "/api/v1/models", expect=201, json={"name": "kept"}, session=session)
        up = server.upload(b"over keep-alive", session=session)
        assert up.status_code == 201
        server.ok("POST", "/api/v1/models/kept/versions", expect=201, session=session,
                  json={"artifact_sha256": sha256(b"over keep-alive"), "format": "other"})
        resp = server.http("GET", "/api/v1/models/kept/versions/1/artifact", session=session)
        assert resp.content == b"over keep-alive"
        clients.add(server.ok("GET", "/api/v1/whoami", session=session)["client"])
    assert len(clients) == 1, f"expected one connection, saw {clients}"
    entries = server.ok("GET", "/api/v1/audit")["entries"]
    assert {e["client"] for e in entries} == clients

    # Two pipelined requests on one raw connection.
    reply, local = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                              b"GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert reply.count(b"HTTP/1.1 200 OK") == 2
    assert f'"client":"{local}"'.encode() in reply


def test_access_log_lines_are_json(start_server, tmp_path):
    log = tmp_path / "access.log"
    srv = start_server("--access-log", str(log))
    srv.ok("GET", "/healthz")
    srv.http("GET", "/api/v1/models/nope?x=1")
    srv.register("logged", b"L")
    srv.wait_for(lambda: log.exists() and len(log.read_text().splitlines()) >= 4, what="access log lines")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert all(set(line) == {"ts", "client", "actor", "method", "target", "route", "status", "bytes", "ms"} for line in lines)
    assert [(x["method"], x["target"], x["route"], x["status"]) for x in lines] == [
        ("GET", "/healthz", "/healthz", 200),
        ("GET", "/api/v1/models/nope?x=1", "/api/v1/models/{name}", 404),
        ("POST", "/api/v1/artifacts", "/api/v1/artifacts", 201),
        ("POST", "/api/v1/models/logged/versions", "/api/v1/models/{name}/versions", 201),
    ]
    assert {x["actor"] for x in lines} == {"anonymous"}
    assert all(re.match(r"^127\.0\.0\.1:\d+$", x["client"]) and x["ms"] >= 0 for x in lines)
    assert lines[0]["bytes"] == len(b'{"status":"ok"}\n')

    # By default the access log goes to stderr, one JSON object a line among the server's own log lines.
    default = start_server()
    default.ok("GET", "/readyz")
    default.wait_for(lambda: '"target":"/readyz"' in default.stderr_text(), what="access line on stderr")
    access = [json.loads(line) for line in default.stderr_text().splitlines() if line.startswith("{")]
    assert [(x["target"], x["status"]) for x in access] == [("/readyz", 200)]


def test_rate_limit_is_429(start_server):
    srv = start_server("--rate-limit", "1")
    codes = [srv.http("GET", "/api/v1/models").status_code for _ in range(4)]
    assert codes[:2] == [200, 200] and codes[-1] == 429
    resp = srv.http("GET", "/api/v1/models")
    assert resp.status_code == 429
    assert error_of(resp)[0] == "RESOURCE_EXHAUSTED"
    assert srv.ok("GET", "/healthz") == {"status": "ok"}  # public probes are not limited


def test_connection_limit_is_503(start_server):
    srv = start_server("--max-connections", "1")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as held:
        time.sleep(0.2)
        reply, _ = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw_status(reply) == 503
        assert b"Retry-After: 1" in reply
        assert b"too many connections" in reply
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert held.recv(4096).startswith(b"HTTP/1.1 200 OK")


def test_stalled_upload_is_dropped_after_idle_timeout(start_server):
    srv = start_server("--idle-timeout", "1s")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"POST /api/v1/artifacts HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"s" * 1000)
        srv.wait_for(lambda: len(srv.tmp_files()) == 1, what="the upload's temp file")
        started = time.monotonic()
        assert s.recv(4096) == b""  # the server gives up on the stalled body and closes
        assert 0.5 < time.monotonic() - started < 5
    srv.wait_for(lambda: srv.tmp_files() == [], what="objects/tmp to be empty")
    assert srv.object_files() == []


def test_slow_json_body_gets_408(start_server):
    srv = start_server("--request-timeout", "1s")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b'POST /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name"')
        reply = s.recv(4096)
    assert raw_status(reply) == 408
    assert json.loads(reply.partition(b"\r\n\r\n")[2])["error"]["message"] == "request body not received in time"
