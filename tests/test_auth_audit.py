"""Auth (--auth required): 401/403 by scope, revocation, public probes. Audit: who did what, from where."""
import getpass
import json
import re

import pytest

from conftest import error_of, raw_status, sha256, walk_pages, with_token

CLIENT_RE = re.compile(r"^127\.0\.0\.1:\d+$")


@pytest.fixture
def secured(start_server):
    srv = start_server("--auth", "required")
    srv.tokens = {  # created while the server runs: same data dir, shared SQLite WAL
        "reader": srv.create_token("reader", "read"),
        "ci": srv.create_token("ci", "read,write"),
        "admin": srv.create_token("admin", "admin"),
    }
    return srv


def test_missing_and_bad_tokens_are_401(secured):
    resp = secured.http("GET", "/api/v1/models")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(resp) == ("UNAUTHENTICATED", "missing API token: send 'Authorization: Bearer <token>'")
    resp = secured.http("GET", "/api/v1/models", headers={"Authorization": f"Basic {secured.tokens['admin']}"})
    assert resp.status_code == 401
    assert error_of(resp)[1] == "the Authorization header must be 'Bearer <token>'"
    for bad in ["plt_" + "0" * 64, secured.tokens["admin"] + "x", "x"]:
        resp = secured.http("GET", "/api/v1/models", token=bad)
        assert resp.status_code == 401
        assert error_of(resp) == ("UNAUTHENTICATED", "invalid or revoked API token")
    # An unauthenticated upload is refused before any byte is stored.
    resp = secured.upload(b"x" * 100000)
    assert resp.status_code == 401
    assert secured.object_files() == [] and secured.tmp_files() == []
    rc, _, err = secured.cli("models", "list", check=False)
    assert rc == 1
    assert "missing API token" in err and "(HTTP 401 UNAUTHENTICATED)" in err
    rc, _, err = secured.cli("models", "list", token="plt_nope", check=False)
    assert rc == 1 and "invalid or revoked API token" in err


def test_scopes_read_write_admin(secured):
    t = secured.tokens
    assert secured.ok("GET", "/api/v1/models", token=t["reader"]) == {"models": [], "next_page_token": None}
    denied = secured.http("POST", "/api/v1/models", json={"name": "nope"}, token=t["reader"])
    assert denied.status_code == 403
    assert error_of(denied) == ("PERMISSION_DENIED", "token 'reader' lacks the 'write' scope needed for POST /api/v1/models")
    up = secured.upload(b"reader bytes", token=t["reader"])
    assert up.status_code == 403
    assert secured.object_files() == []
    rc, _, err = secured.cli("models", "create", "nope", token=t["reader"], check=False)
    assert rc == 1 and "(HTTP 403 PERMISSION_DENIED)" in err
    assert secured.ok("GET", "/api/v1/models", token=t["admin"])["models"] == []

    secured.register("scoped", b"ci bytes", token=t["ci"])
    assert secured.cli_json("models", "show", "scoped/1", token=t["reader"])["created_by"] == "token:ci"
    for path in ["/api/v1/audit", "/api/v1/tokens"]:
        resp = secured.http("GET", path, token=t["ci"])
        assert resp.status_code == 403
        assert error_of(resp)[1] == f"token 'ci' lacks the 'admin' scope needed for GET {path}"
    rc, _, err = secured.cli("audit", "list", token=t["ci"], check=False)
    assert rc == 1 and "lacks the 'admin' scope" in err

    # admin implies write and read
    assert secured.ok("GET", "/api/v1/audit", token=t["admin"])["entries"]
    secured.ok("POST", "/api/v1/models", expect=201, json={"name": "by-admin"}, token=t["admin"])
    tokens = secured.ok("GET", "/api/v1/tokens", token=t["admin"])["tokens"]
    assert [(x["name"], x["scopes"]) for x in tokens] == [("reader", ["read"]), ("ci", ["read", "write"]), ("admin", ["admin"])]
    assert all(set(x) == {"name", "scopes", "created_at", "created_by", "revoked_at", "last_used_at"} for x in tokens)
    assert not any(secret in json.dumps(tokens) for secret in t.values())
    who = secured.ok("GET", "/api/v1/whoami", token=t["ci"])
    assert who["actor"] == "token:ci" and CLIENT_RE.match(who["client"])


def test_public_probes_and_metrics_auth(secured):
    assert secured.ok("GET", "/healthz") == {"status": "ok"}
    assert secured.ok("GET", "/readyz") == {"status": "ready"}
    assert secured.http("GET", "/metrics").status_code == 401
    resp = secured.http("GET", "/metrics", token=secured.tokens["reader"])
    assert resp.status_code == 200 and "plinth_http_requests_total" in resp.text


def test_revoked_tokens_are_401(secured):
    t = secured.tokens
    assert secured.http("GET", "/api/v1/models", token=t["ci"]).status_code == 200
    _, out, _ = secured.local("tokens", "revoke", "ci")
    assert out == "revoked token ci\n"
    resp = secured.http("GET", "/api/v1/models", token=t["ci"])
    assert resp.status_code == 401
    assert error_of(resp)[1] == "invalid or revoked API token"
    rc, _, err = secured.local("tokens", "revoke", "ci", check=False)
    assert rc == 1 and "token 'ci' is already revoked" in err

    created = secured.ok("POST", "/api/v1/tokens", expect=201, json={"name": "temp", "scopes": ["read"]}, token=t["admin"])
    assert created["name"] == "temp" and created["scopes"] == ["read"] and created["created_by"] == "token:admin"
    assert secured.http("GET", "/api/v1/models", token=created["secret"]).status_code == 200
    dup = secured.http("POST", "/api/v1/tokens", json={"name": "temp"}, token=t["admin"])
    assert dup.status_code == 409
    assert error_of(dup) == ("ALREADY_EXISTS", "token 'temp' already exists")
    assert secured.ok("DELETE", "/api/v1/tokens/temp", token=t["admin"]) == {"revoked": "temp"}
    assert secured.http("GET", "/api/v1/models", token=created["secret"]).status_code == 401
    again = secured.http("DELETE", "/api/v1/tokens/temp", token=t["admin"])
    assert again.status_code == 409
    listed = {x["name"]: x for x in secured.ok("GET", "/api/v1/tokens", token=t["admin"])["tokens"]}
    assert listed["temp"]["revoked_at"] is not None and listed["ci"]["revoked_at"] is not None
    assert listed["reader"]["revoked_at"] is None
    _, out, _ = secured.local("tokens", "list", "-o", "json")
    assert {x["name"]: x["revoked_at"] is not None for x in json.loads(out)["tokens"]} == {
        "reader": False, "ci": True, "admin": False, "temp": True}


def test_audit_records_every_mutation_and_download(secured, tmp_path):
    ci, admin = secured.tokens["ci"], secured.tokens["admin"]
    artifact = tmp_path / "m.bin"
    artifact.write_bytes(b"audited weights")
    digest = sha256(artifact.read_bytes())

    secured.cli("models", "create", "audited", "-d", "x", token=ci)
    secured.ok("PATCH", "/api/v1/models/audited", json={"tags": {"team": "risk"}}, token=ci)
    secured.cli("models", "register", "audited", str(artifact), "--format", "other", token=ci)
    secured.ok("PATCH", "/api/v1/models/audited/versions/1", json={"description": "v1"}, token=ci)
    secured.cli("models", "alias", "set", "audited", "prod", "1", token=ci)
    secured.cli("models", "metrics", "log", "audited/1", "loss=0.1", token=ci)
    secured.cli("models", "download", "audited@prod", "-O", str(tmp_path / "dl.bin"), token=ci)
    # A raw request, so the client address (our socket's) is known exactly.
    reply, local = secured.raw(
        f"GET /api/v1/models/audited/versions/1/artifact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ci}\r\n"
        "Connection: close\r\n\r\n".encode())
    assert raw_status(reply) == 200 and reply.endswith(b"audited weights")
    secured.ok("POST", "/api/v1/aliases/bulk-set", json={"alias": "champion", "filter": "name = 'audited'"}, token=ci)
    secured.ok("DELETE", "/api/v1/models/audited/aliases/prod", token=ci)
    assert secured.http("DELETE", "/api/v1/models/audited", token=ci).status_code == 409  # refused: not audited
    secured.ok("GET", "/api/v1/models/audited", token=ci)  # reads are not audited
    secured.ok("DELETE", "/api/v1/models/audited?force=true", token=ci)
    secured.ok("POST", "/api/v1/tokens", expect=201, json={"name": "temp", "scopes": "read"}, token=admin)
    secured.ok("DELETE", "/api/v1/tokens/temp", token=admin)

    entries = secured.ok("GET", "/api/v1/audit", params={"actor": "token:ci"}, token=admin)["entries"]
    got = [(e["action"], e["resource"]) for e in reversed(entries)]
    assert got == [
        ("model.create", "models/audited"),
        ("model.update", "models/audited"),
        ("artifact.upload", f"artifacts/{digest}"),
        ("version.register", "models/audited/versions/1"),
        ("version.update", "models/audited/versions/1"),
        ("alias.set", "models/audited/aliases/prod"),
        ("metrics.log", "models/audited/versions/1"),
        ("artifact.download", "models/audited/versions/1"),
        ("artifact.download", "models/audited/versions/1"),
        ("alias.set", "models/audited/aliases/champion"),
        ("alias.bulk_set", "aliases/champion"),
        ("alias.delete", "models/audited/aliases/prod"),
        ("model.delete", "models/audited"),
    ]
    assert all(e["actor"] == "token:ci" and CLIENT_RE.match(e["client"]) for e in entries)
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)
    by_action = {}
    for e in reversed(entries):
        by_action.setdefault(e["action"], []).append(e)
    assert by_action["version.register"][0]["details"] == {"format": "other", "sha256": digest, "size": 15}
    downloads = by_action["artifact.download"]
    assert [d["details"]["requested"] for d in downloads] == ["audited@prod", "audited/1"]
    assert downloads[1]["client"] == local
    assert by_action["model.delete"][0]["details"] == {"force": True, "versions": 1, "aliases_removed": 1}
    assert by_action["alias.bulk_set"][0]["details"] == {"alias": "champion", "filter": "name = 'audited'", "moved": 1,
                                                         "unchanged": 0}

    admin_entries = secured.ok("GET", "/api/v1/audit", params={"actor": "token:admin"}, token=admin)["entries"]
    assert [(e["action"], e["resource"]) for e in admin_entries] == [("token.revoke", "tokens/temp"), ("token.create", "tokens/temp")]
    local_entries = secured.ok("GET", "/api/v1/audit", params={"actor": f"local:{getpass.getuser()}"}, token=admin)["entries"]
    assert [(e["action"], e["resource"], e["client"]) for e in local_entries] == [
        ("token.create", f"tokens/{n}", "local") for n in ("admin", "ci", "reader")]

    aliases = secured.ok("GET", "/api/v1/audit", params={"action": "alias.*"}, token=admin)["entries"]
    assert [e["action"] for e in aliases] == ["alias.delete", "alias.bulk_set", "alias.set", "alias.set"]
    on_v1 = secured.ok("GET", "/api/v1/audit", params={"resource": "models/audited/versions/1"}, token=admin)["entries"]
    assert len(on_v1) == 5

    out = secured.cli_json("audit", "list", "--actor", "token:ci", "--action", "artifact.download", token=admin)
    assert [(e["actor"], e["action"], e["resource"]) for e in out["entries"]] == [
        ("token:ci", "artifact.download", "models/audited/versions/1")] * 2
    assert out["entries"][0]["client"] == local
    assert out["next_page_token"] is None
    _, table, _ = secured.cli("audit", "list", "--action", "model.delete", token=admin)
    assert table.splitlines()[0].split() == ["ID", "WHEN", "ACTOR", "ACTION", "RESOURCE", "CLIENT"]
    assert table.splitlines()[1].split()[2:5] == ["token:ci", "model.delete", "models/audited"]

    # Paging walks the same entries, newest first, without overlap.
    pages = walk_pages(lambda tok: secured.ok("GET", "/api/v1/audit", token=admin,
                                              params=with_token({"actor": "token:ci", "limit": 5}, tok)), "entries")
    assert [len(p) for p in pages] == [5, 5, 3]
    walked = [e["id"] for p in pages for e in p]
    assert walked == ids
    # since is inclusive, until exclusive.
    register_ts = by_action["version.register"][0]["timestamp"]
    window = secured.ok("GET", "/api/v1/audit", params={"actor": "token:ci", "since": register_ts,
                                                          "until": by_action["alias.set"][0]["timestamp"]}, token=admin)
    assert [e["action"] for e in window["entries"]] == ["version.update", "version.register"]
    bad = secured.http("GET", "/api/v1/audit", params={"since": "last tuesday"}, token=admin)
    assert bad.status_code == 400
    assert "query parameter 'since'" in error_of(bad)[1]
