"""Bad input: malformed and unknown bodies, invalid names, path escapes, size limits, broken uploads."""
import socket
import urllib.parse

import pytest

from conftest import error_of, raw_body_json, raw_status, sha256, tree

ORIGINAL_DATA_ENTRIES = {"meta.db", "meta.db-wal", "meta.db-shm", "objects", "objects/sha256", "objects/tmp",
                         # the model metrics Delta table, created empty at start
                         "lake", "lake/registry", "lake/registry/model_metrics",
                         "lake/registry/model_metrics/_delta_log",
                         "lake/registry/model_metrics/_delta_log/00000000000000000000.json",
                         # the online feature store (RocksDB's own files inside are not listed)
                         "online"}


def expect_error(resp, status, code, fragment=None):
    assert resp.status_code == status, resp.text
    got_code, message = error_of(resp)
    assert got_code == code, message
    if fragment is not None:
        assert fragment in message
    return message


def assert_registry_empty(server):
    assert server.ok("GET", "/api/v1/models") == {"models": [], "next_page_token": None}
    assert server.ok("GET", "/api/v1/model-versions")["versions"] == []


def test_malformed_and_wrong_json_bodies(server):
    expect_error(server.http("POST", "/api/v1/models", data="{bad", headers={"Content-Type": "application/json"}),
                 400, "INVALID_ARGUMENT", "malformed JSON")
    expect_error(server.http("POST", "/api/v1/models", json=[{"name": "x"}]), 400, "INVALID_ARGUMENT",
                 "request body must be a JSON object")
    expect_error(server.http("POST", "/api/v1/models", data='{"name": "x"}', headers={"Content-Type": "text/plain"}),
                 400, "INVALID_ARGUMENT", "expected a JSON body")
    expect_error(server.http("POST", "/api/v1/models", json={"name": 5}), 400, "INVALID_ARGUMENT")
    expect_error(server.http("POST", "/api/v1/models", json={}), 400, "INVALID_ARGUMENT", "'name' is required")
    expect_error(server.http("POST", "/api/v1/models", json={"name": "x", "colour": "red"}), 400, "INVALID_ARGUMENT",
                 "unknown field 'colour' in model")
    expect_error(server.http("POST", "/api/v1/models", json={"name": "x", "tags": {"k": [1]}}), 400, "INVALID_ARGUMENT",
                 "'tags.k' must be a string, number or boolean")
    expect_error(server.http("PATCH", "/api/v1/models/x", json={"remove_tags": "a"}), 400, "INVALID_ARGUMENT",
                 "'remove_tags' must be an array of strings")
    expect_error(server.http("PUT", "/api/v1/models/x/aliases/prod", json={"version": "one"}), 400, "INVALID_ARGUMENT")
    assert_registry_empty(server)


def test_unknown_things_are_404(server):
    assert expect_error(server.http("GET", "/api/v1/models/ghost"), 404, "NOT_FOUND") == "model 'ghost' not found"
    expect_error(server.http("GET", "/api/v1/models/ghost/versions"), 404, "NOT_FOUND", "model 'ghost' not found")
    expect_error(server.http("GET", "/api/v1/models/ghost/versions/1"), 404, "NOT_FOUND", "model 'ghost' not found")
    expect_error(server.http("PATCH", "/api/v1/models/ghost", json={"description": "x"}), 404, "NOT_FOUND")
    expect_error(server.http("DELETE", "/api/v1/models/ghost"), 404, "NOT_FOUND")
    expect_error(server.http("GET", "/api/v1/models/ghost/aliases"), 404, "NOT_FOUND")
    expect_error(server.http("GET", "/api/v1/models/ghost/versions/@latest/artifact"), 404, "NOT_FOUND")
    data = b"orphan"
    assert server.upload(data).status_code == 201
    expect_error(server.http("POST", "/api/v1/models/ghost/versions", json={"artifact_sha256": sha256(data), "format": "other"}),
                 404, "NOT_FOUND", "model 'ghost' not found")
    server.ok("POST", "/api/v1/models", expect=201, json={"name": "empty"})
    expect_error(server.http("GET", "/api/v1/models/empty/versions/@latest"), 404, "NOT_FOUND", "model 'empty' has no versions")
    expect_error(server.http("GET", "/api/v1/nope"), 404, "NOT_FOUND", "no route for GET /api/v1/nope")
    expect_error(server.http("PUT", "/api/v1/models"), 405, "INVALID_ARGUMENT", "method PUT not allowed on /api/v1/models")
    rc, _, err = server.cli("models", "show", "ghost", check=False)
    assert rc == 1 and "model 'ghost' not found (HTTP 404 NOT_FOUND)" in err
    assert [m["name"] for m in server.ok("GET", "/api/v1/models")["models"]] == ["empty"]


BAD_NAMES = ["Upper", "a b", "../x", "..", "a/b", "x" * 129, "-lead", ".hidden", "a..b", "caf\u00e9", "a\\b"]


def test_invalid_names_are_400_and_create_nothing(server, tmp_path):
    data = b"artifact for bad names"
    assert server.upload(data).status_code == 201
    before_outside = tree(server.workdir) - {p for p in tree(server.workdir) if p.startswith("data/")}
    for name in BAD_NAMES:
        expect_error(server.http("POST", "/api/v1/models", json={"name": name}), 400, "INVALID_ARGUMENT", "invalid model name")
        path_name = urllib.parse.quote(name, safe="").replace(".", "%2E")  # keep clients from folding '..'
        resp = server.http("POST", f"/api/v1/models/{path_name}/versions",
                           json={"artifact_sha256": sha256(data), "format": "other", "create_model": True})
        expect_error(resp, 400, "INVALID_ARGUMENT", "invalid model name")
        expect_error(server.http("GET", f"/api/v1/models/{path_name}"), 400, "INVALID_ARGUMENT", "invalid model name")
    for encoded in ["..%2Fx", "%2E%2E%2Fescape", "..%2F..%2F..%2Fetc", "%2e%2e"]:
        resp = server.http("POST", f"/api/v1/models/{encoded}/versions",
                           json={"artifact_sha256": sha256(data), "format": "other", "create_model": True})
        expect_error(resp, 400, "INVALID_ARGUMENT", "invalid model name")
    longest = server.ok("POST", "/api/v1/models", expect=201, json={"name": "x" * 128})
    assert longest["name"] == "x" * 128
    server.ok("DELETE", f"/api/v1/models/{'x' * 128}")

    rc, _, err = server.cli("models", "create", "Upper", check=False)
    assert rc == 2 and "invalid model name 'Upper'" in err
    artifact = tmp_path / "a.bin"
    artifact.write_bytes(data)
    rc, _, err = server.cli("models", "register", "../x", str(artifact), "--format", "other", "--create", check=False)
    assert rc == 2 and "invalid model name '../x'" in err
    rc, _, err = server.cli("models", "download", "../x/1", check=False)
    assert rc == 2

    assert_registry_empty(server)
    after = tree(server.workdir)
    assert after - {p for p in after if p.startswith("data/")} == before_outside
    assert {p[len("data/"):] for p in after if p.startswith("data/") and not p.startswith("data/online/")} == ORIGINAL_DATA_ENTRIES | {
        f"objects/sha256/{sha256(data)[:2]}", f"objects/sha256/{sha256(data)[:2]}/{sha256(data)}"}


def test_dot_dot_never_escapes(server):
    """`..` in every name and path position: refused, and nothing lands outside (or oddly inside) the data dir."""
    data = b"escape test"
    server.register("safe", data)
    before = tree(server.workdir.parent)
    data_before = tree(server.data_dir)
    raw_paths = [
        "/api/v1/models/../../../../tmp/pwned/versions",
        "/api/v1/models/safe/../../../x",
        "/api/v1/models/%2e%2e%2f%2e%2e%2fpwned",
        "/api/v1/models/safe/aliases/..%2F..%2Fpwned",
        "/api/v1/models/safe/versions/..%2F..%2Fmeta.db/artifact",
        "/api/v1/models/safe/versions/1/metrics/..%2F..%2Fpwned",
        "/api/v1/resolve/..%2F..%2Fpwned",
        "/api/v1/tokens/..%2Fpwned",
    ]
    for method in ("GET", "PUT", "POST", "DELETE"):
        for path in raw_paths:
            body = b'{"version": 1, "metrics": [{"key": "k", "value": 1}]}'
            reply, _ = server.raw(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            assert raw_status(reply) in (400, 404, 405), (method, path, reply[:300])
    for body, fragment in [
        ({"artifact_sha256": "../../meta.db", "format": "other"}, "artifact sha256 must be 64 lowercase hex"),
        ({"artifact_sha256": sha256(data), "format": "other", "tags": {"../x": "1"}}, "invalid tag key '../x'"),
        ({"artifact_sha256": sha256(data), "format": "other", "params": {"a/../b": "1"}}, "contains '..'"),
        ({"artifact_sha256": sha256(data), "format": "other", "metrics": {"..": 1}}, "invalid metric key"),
    ]:
        expect_error(server.http("POST", "/api/v1/models/safe/versions", json=body), 400, "INVALID_ARGUMENT", fragment)
    expect_error(server.http("POST", "/api/v1/tokens", json={"name": "../pwned"}), 400, "INVALID_ARGUMENT", "invalid token name")
    up = server.upload(b"other bytes", digest="../../../../pwned")
    expect_error(up, 400, "INVALID_ARGUMENT", "upload digest mismatch")

    assert tree(server.workdir.parent) - before == set()
    assert tree(server.data_dir) == data_before
    assert server.ok("GET", "/api/v1/models/safe")["latest_version"] == 1
    assert [m["name"] for m in server.ok("GET", "/api/v1/models")["models"]] == ["safe"]
    assert server.tmp_files() == []


def post_chunked(srv, path, content_type, pieces):
    """POSTs `pieces` with chunked transfer encoding in one write; returns the raw reply."""
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()
    return srv.raw(head + body)[0]


@pytest.fixture
def small_limits(start_server):
    return start_server("--max-body-bytes", "1024", "--max-upload-bytes", "4096")


def test_oversized_json_body_is_413(small_limits):
    srv = small_limits
    fits = {"name": "fits", "description": "d" * 900}
    srv.ok("POST", "/api/v1/models", expect=201, json=fits)
    big = {"name": "too-big", "description": "d" * 2000}
    expect_error(srv.http("POST", "/api/v1/models", json=big), 413, "RESOURCE_EXHAUSTED", "request body larger than 1024 bytes")

    reply = post_chunked(srv, "/api/v1/models", "application/json", [b'{"name": ', b'"chunked-fits"}'])
    assert raw_status(reply) == 201 and raw_body_json(reply)["name"] == "chunked-fits"
    pieces = [b'{"name": "chunked-big", "description": "'] + [b"d" * 200] * 10 + [b'"}']
    reply = post_chunked(srv, "/api/v1/models", "application/json", pieces)
    assert raw_status(reply) == 413
    assert raw_body_json(reply)["error"] == {"code": "RESOURCE_EXHAUSTED", "message": "request body larger than 1024 bytes"}
    assert [m["name"] for m in srv.ok("GET", "/api/v1/models")["models"]] == ["chunked-fits", "fits"]


def test_oversized_upload_is_413_and_stores_nothing(small_limits):
    srv = small_limits
    ok = srv.upload(b"u" * 4096)
    assert ok.status_code == 201 and ok.json()["size"] == 4096
    stored = srv.object_files()
    expect_error(srv.upload(b"v" * 8000), 413, "RESOURCE_EXHAUSTED", "upload larger than 4096 bytes")

    reply = post_chunked(srv, "/api/v1/artifacts", "application/octet-stream", [b"w" * 1000] * 8)
    assert raw_status(reply) == 413
    assert raw_body_json(reply)["error"] == {"code": "RESOURCE_EXHAUSTED", "message": "upload larger than 4096 bytes"}
    # A client that asks first (Expect: 100-continue) is refused before it sends a byte of the body.
    reply, _ = srv.raw(b"POST /api/v1/artifacts HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n"
                       b"Expect: 100-continue\r\n\r\n")
    assert raw_status(reply) == 413 and b"100 Continue" not in reply
    assert srv.object_files() == stored
    srv.wait_for(lambda: srv.tmp_files() == [], what="objects/tmp to be empty")
    assert srv.ok("GET", "/healthz") == {"status": "ok"}


def test_oversized_upload_reports_413_to_clients(small_limits, tmp_path):
    srv = small_limits
    big = tmp_path / "big.bin"
    big.write_bytes(b"z" * (5 << 20))
    # The CLI asks first (Expect: 100-continue), so it reads the refusal instead of a broken pipe.
    rc, _, err = srv.cli("models", "register", "big", str(big), "--format", "other", "--create", check=False)
    assert rc == 1 and "upload larger than 4096 bytes (HTTP 413 RESOURCE_EXHAUSTED)" in err
    # A client that sends the whole body at once still gets the answer: the server drains
    # (lingering close) instead of resetting the connection mid-send.
    resp = srv.upload(b"z" * (2 << 20))
    assert resp.status_code == 413
    assert srv.http("GET", "/api/v1/models/big").status_code == 404


def test_truncated_upload_stores_nothing(server):
    head = (f"POST /api/v1/artifacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: 100000\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(head + b"t" * 30000)
        server.wait_for(lambda: len(server.tmp_files()) == 1, what="the upload's temp file")
    # The client went away mid-body: the partial file is dropped and nothing is committed.
    server.wait_for(lambda: server.tmp_files() == [], what="objects/tmp to be empty")
    assert server.object_files() == []
    assert server.ok("GET", "/api/v1/model-versions")["versions"] == []
    expect_error(server.http("POST", "/api/v1/models/t/versions",
                             json={"artifact_sha256": sha256(b"t" * 30000), "format": "other", "create_model": True}),
                 409, "FAILED_PRECONDITION", "has not been uploaded")
    assert_registry_empty(server)


def test_upload_with_wrong_digest_is_400_and_stores_nothing(server):
    data = b"the real bytes"
    wrong = sha256(b"other bytes")
    msg = expect_error(server.upload(data, digest=wrong), 400, "INVALID_ARGUMENT")
    assert msg == f"upload digest mismatch: expected {wrong}, received bytes hash to {sha256(data)}"
    expect_error(server.upload(data, digest="not-a-digest"), 400, "INVALID_ARGUMENT", "upload digest mismatch")
    assert server.object_files() == []
    assert server.tmp_files() == []
    right = server.upload(data, digest=sha256(data).upper())  # hex case does not matter
    assert right.status_code == 201 and right.json() == {"sha256": sha256(data), "size": len(data)}
    assert server.object_files() == [sha256(data)]


def test_registration_body_errors(server):
    data = b"good artifact"
    server.upload(data)
    server.ok("POST", "/api/v1/models", expect=201, json={"name": "m"})
    base = {"artifact_sha256": sha256(data), "format": "other"}
    unknown_digest = sha256(b"never uploaded")
    expect_error(server.http("POST", "/api/v1/models/m/versions", json={**base, "artifact_sha256": unknown_digest}),
                 409, "FAILED_PRECONDITION", f"artifact {unknown_digest} has not been uploaded")
    cases = [
        ({**base, "format": "onnx"}, "unknown format 'onnx'"),
        ({**base, "colour": "red"}, "unknown field 'colour' in version registration"),
        ({**base, "lineage": {"source_run": "r", "branch": "main"}}, "unknown field 'branch' in lineage"),
        ({**base, "lineage": {"training_dataset": "no-version"}}, "must be TABLE@VERSION"),
        ({"format": "other"}, "'artifact_sha256' is required"),
        ({"artifact_sha256": sha256(data)}, "'format' is required"),
        ({**base, "artifact_sha256": sha256(data).upper()}, "64 lowercase hex"),
        ({**base, "metrics": {"auc": "high"}}, "metric 'auc' must be a number"),
        ({**base, "metrics": [1]}, "'metrics' must be an object of numbers"),
        ({**base, "signature": {"inputs": [{"name": "a", "type": "complex"}]}}, "signature.inputs[0] ('a') needs 'type'"),
        ({**base, "signature": {"inputs": [{"name": "a", "type": "float"}, {"name": "a", "type": "int32"}]}}, "duplicate name 'a'"),
        ({**base, "signature": {"extras": []}}, "signature: unknown field 'extras'"),
        ({**base, "create_model": "yes"}, None),
    ]
    for body, fragment in cases:
        expect_error(server.http("POST", "/api/v1/models/m/versions", json=body), 400, "INVALID_ARGUMENT", fragment)
    for selector in ["0", "-1", "@", "Bad"]:
        expect_error(server.http("GET", f"/api/v1/models/m/versions/{selector}"), 400, "INVALID_ARGUMENT")
    assert server.ok("GET", "/api/v1/models/m")["latest_version"] == 0
    assert server.ok("POST", "/api/v1/models/m/versions", expect=201, json=base)["version"] == 1


def test_huge_header_is_431(server):
    reply, _ = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert raw_status(reply) == 431
    assert raw_body_json(reply)["error"]["message"] == "request header larger than 16384 bytes"
    resp = server.http("GET", "/healthz", headers={"X-Big": "b" * 20000})
    assert resp.status_code == 431
    # Below the 16 KiB limit a large header is fine.
    assert server.ok("GET", "/healthz", headers={"X-Fine": "c" * 12000}) == {"status": "ok"}


def test_malformed_http_is_400(server):
    reply, _ = server.raw(b"THIS IS NOT HTTP\r\n\r\n")
    assert raw_status(reply) == 400
    assert "malformed HTTP request" in raw_body_json(reply)["error"]["message"]
    reply, _ = server.raw(b"GET /api/v1/models/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert raw_status(reply) == 400
    assert raw_body_json(reply)["error"] == {"code": "INVALID_ARGUMENT", "message": "malformed request path"}
    assert server.ok("GET", "/healthz") == {"status": "ok"}
