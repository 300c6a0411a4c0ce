"""Durability: state survives restarts; kill -9 mid-upload or mid-burst leaves a clean, consistent registry."""
import socket
import threading

import requests

from conftest import sha256


def _snapshot(srv, token):
    get = lambda path, **kw: srv.ok("GET", path, token=token, **kw)  # noqa: E731
    tokens = [{k: t[k] for k in ("name", "scopes", "created_at", "revoked_at")} for t in get("/api/v1/tokens")["tokens"]]
    return {
        "models": get("/api/v1/models"),
        "versions": get("/api/v1/models/durable/versions"),
        "aliases": get("/api/v1/models/durable/aliases"),
        "history": get("/api/v1/models/durable/alias-history"),
        "metric": get("/api/v1/models/durable/versions/1/metrics/loss"),
        "audit": get("/api/v1/audit", params={"limit": 1000}),
        "tokens": tokens,
    }


def test_restart_keeps_models_versions_aliases_tokens_audit(start_server):
    srv = start_server("--auth", "required")
    admin = srv.create_token("admin", "admin")
    gone = srv.create_token("gone", "read")
    srv.local("tokens", "revoke", "gone")
    payloads = [b"durable one", b"durable two" * 1000]
    for p in payloads:
        srv.register("durable", p, token=admin, metrics={"auc": 0.9}, tags={"stage": "dev"})
    srv.ok("PATCH", "/api/v1/models/durable", json={"description": "kept", "tags": {"team": "risk"}}, token=admin)
    srv.ok("PUT", "/api/v1/models/durable/aliases/prod", json={"version": 1}, token=admin)
    srv.ok("PUT", "/api/v1/models/durable/aliases/prod", json={"version": 2}, token=admin)
    srv.ok("POST", "/api/v1/models/durable/versions/1/metrics", json={"metrics": [{"key": "loss", "value": 0.3, "step": 7}]},
           token=admin)
    before = _snapshot(srv, admin)
    # 3 token events, 2x(create/upload/register), update, 2 alias moves, metrics
    assert len(before["audit"]["entries"]) == 12

    srv.restart()
    after = _snapshot(srv, admin)
    assert after == before
    assert after["models"]["models"][0]["description"] == "kept"
    assert after["aliases"]["aliases"][0]["version"] == 2
    assert srv.http("GET", "/api/v1/models", token=gone).status_code == 401
    for i, p in enumerate(payloads, start=1):
        resp = srv.http("GET", f"/api/v1/models/durable/versions/{i}/artifact", token=admin)
        assert resp.content == p and resp.headers["X-Plinth-Sha256"] == sha256(p)
    assert srv.register("durable", b"after restart", token=admin)["version"] == 3
    assert srv.tmp_files() == []


def _start_slow_upload(srv, total, sent):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall((f"POST /api/v1/artifacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                  f"Content-Length: {total}\r\n\r\n").encode() + b"k" * sent)
    return sock


def test_kill9_during_upload_leaves_no_version_and_clean_tmp(server):
    server.register("crashy", b"committed before the crash")
    objects_before = server.object_files()
    sock = _start_slow_upload(server, 10_000_000, 200_000)
    try:
        server.wait_for(lambda: len(server.tmp_files()) == 1, what="the upload's temp file")
        server.wait_for(lambda: (server.data_dir / "objects" / "tmp" / server.tmp_files()[0]).stat().st_size > 0,
                        what="upload bytes on disk")
        assert server.kill9() == -9
    finally:
        sock.close()
    assert len(server.tmp_files()) == 1  # the crash left the partial file behind...

    server.start()
    assert server.tmp_files() == []  # ...and the restart dropped it
    assert server.object_files() == objects_before
    assert server.ok("GET", "/readyz") == {"status": "ready"}
    versions = server.ok("GET", "/api/v1/model-versions")["versions"]
    assert [(v["model"], v["version"]) for v in versions] == [("crashy", 1)]
    resp = server.http("GET", "/api/v1/models/crashy/versions/1/artifact")
    assert resp.status_code == 200 and resp.content == b"committed before the crash"
    assert server.register("crashy", b"after the crash")["version"] == 2


def test_kill9_during_registration_burst_keeps_registry_consistent(server):
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(w):
        session = requests.Session()
        i = 0
        while not stop.is_set():
            data = f"burst {w} {i}".encode()
            i += 1
            try:
                v = server.register("burst", data, session=session)
            except (requests.RequestException, AssertionError):
                return  # the server died under us
            with lock:
                acknowledged.append((v["version"], sha256(data)))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    try:
        server.wait_for(lambda: len(acknowledged) >= 12, timeout=20, what="some registrations")
        server.kill9()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)

    server.start()
    assert server.tmp_files() == []
    listed = server.ok("GET", "/api/v1/models/burst/versions", params={"page_size": 1000})["versions"]
    numbers = sorted(v["version"] for v in listed)
    assert numbers == list(range(1, len(numbers) + 1))  # no gaps, no duplicates
    assert server.ok("GET", "/api/v1/models/burst")["latest_version"] == len(numbers)
    recorded = {v["version"]: v["artifact"]["sha256"] for v in listed}
    for version, digest in acknowledged:  # every acknowledged registration survived
        assert recorded[version] == digest
    for version, digest in recorded.items():  # and every version's bytes are there
        assert digest in server.object_files()
    sample = listed[0]
    resp = server.http("GET", f"/api/v1/models/burst/versions/{sample['version']}/artifact")
    assert resp.status_code == 200 and sha256(resp.content) == sample["artifact"]["sha256"]
