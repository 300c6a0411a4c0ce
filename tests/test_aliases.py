"""Aliases: set, move, delete, list, history, delete-model protection and bulk moves by filter."""
from conftest import error_of


def _versions(server, model, n, metrics=None):
    for i in range(n):
        server.register(model, f"{model} v{i + 1}".encode(), metrics=(metrics[i] if metrics else {}))


def _aliases(server, model):
    return server.ok("GET", f"/api/v1/models/{model}")["aliases"]


def test_alias_set_move_delete_list_history(server):
    _versions(server, "alias-model", 3)
    _, out, _ = server.cli("models", "alias", "set", "alias-model", "champion", "1")
    assert out == "alias-model@champion -> 1\n"
    put = server.ok("PUT", "/api/v1/models/alias-model/aliases/challenger", json={"version": 2})
    assert {k: put[k] for k in ("model", "alias", "version", "updated_by")} == {
        "model": "alias-model", "alias": "challenger", "version": 2, "updated_by": "anonymous"}
    moved = server.cli_json("models", "alias", "set", "alias-model", "champion", "3")
    assert (moved["alias"], moved["version"]) == ("champion", 3)

    listed = server.cli_json("models", "alias", "list", "alias-model")
    assert [(a["alias"], a["version"]) for a in listed["aliases"]] == [("challenger", 2), ("champion", 3)]
    assert _aliases(server, "alias-model") == {"challenger": 2, "champion": 3}
    assert server.ok("GET", "/api/v1/models/alias-model/versions/3")["aliases"] == ["champion"]
    assert server.ok("GET", "/api/v1/models/alias-model/versions/1")["aliases"] == []
    assert server.ok("GET", "/api/v1/models/alias-model/versions/@champion")["version"] == 3

    # Setting an alias to where it already points records nothing.
    server.cli("models", "alias", "set", "alias-model", "champion", "3")
    _, out, _ = server.cli("models", "alias", "delete", "alias-model", "challenger")
    assert out == "deleted alias alias-model@challenger\n"
    again = server.http("DELETE", "/api/v1/models/alias-model/aliases/challenger")
    assert again.status_code == 404
    assert error_of(again) == ("NOT_FOUND", "alias 'challenger' not found on model 'alias-model'")
    assert server.http("GET", "/api/v1/models/alias-model/versions/@challenger").status_code == 404

    history = server.cli_json("models", "alias", "list", "alias-model", "--history")
    assert [(e["alias"], e["old_version"], e["new_version"]) for e in history["events"]] == [
        ("challenger", 2, None), ("champion", 1, 3), ("challenger", None, 2), ("champion", None, 1)]
    assert all(e["actor"] == "anonymous" for e in history["events"])
    only = server.ok("GET", "/api/v1/models/alias-model/alias-history", params={"alias": "champion"})
    assert [(e["old_version"], e["new_version"]) for e in only["events"]] == [(1, 3), (None, 1)]
    _, table, _ = server.cli("models", "alias", "list", "alias-model")
    assert table.splitlines()[0].split() == ["ALIAS", "VERSION", "UPDATED", "BY"]
    assert table.splitlines()[1].split()[:2] == ["champion", "3"]


def test_alias_errors(server):
    _versions(server, "strict", 1)
    for alias, fragment in [("latest", "alias 'latest' is reserved"), ("42", "would read as a version number"),
                            ("Prod", "invalid alias 'Prod'")]:
        resp = server.http("PUT", f"/api/v1/models/strict/aliases/{alias}", json={"version": 1})
        assert resp.status_code == 400, alias
        assert fragment in error_of(resp)[1]
    missing = server.http("PUT", "/api/v1/models/strict/aliases/prod", json={"version": 9})
    assert missing.status_code == 404
    assert error_of(missing)[1] == "version 9 of model 'strict' not found"
    no_model = server.http("PUT", "/api/v1/models/nobody/aliases/prod", json={"version": 1})
    assert no_model.status_code == 404
    rc, _, err = server.cli("models", "alias", "set", "strict", "prod", "one", check=False)
    assert rc == 2
    assert "VERSION must be a number, got 'one'" in err
    assert _aliases(server, "strict") == {}


def test_delete_model_refused_while_alias_exists(server, tmp_path):
    _versions(server, "guarded", 2)
    server.cli("models", "alias", "set", "guarded", "prod", "1")
    server.cli("models", "alias", "set", "guarded", "canary", "2")
    refused = server.http("DELETE", "/api/v1/models/guarded")
    assert refused.status_code == 409
    assert error_of(refused) == ("FAILED_PRECONDITION",
                                 "model 'guarded' has aliases (canary->2, prod->1); delete them first or pass force")
    rc, _, err = server.cli("models", "delete", "guarded", check=False)
    assert rc == 1
    assert "has aliases" in err and "(HTTP 409 FAILED_PRECONDITION)" in err
    assert server.ok("GET", "/api/v1/models/guarded")["latest_version"] == 2

    _, out, _ = server.cli("models", "delete", "guarded", "--force")
    assert out == "deleted model guarded\n"
    assert server.http("GET", "/api/v1/models/guarded").status_code == 404
    assert server.http("GET", "/api/v1/models/guarded/alias-history").status_code == 404
    found = server.ok("POST", "/api/v1/model-versions/search", json={"filter": "name = 'guarded'"})
    assert found["versions"] == []

    # The name is free again and numbering restarts.
    again = server.register("guarded", b"fresh")
    assert again["version"] == 1
    assert again["aliases"] == []
    assert server.ok("GET", "/api/v1/models/guarded/alias-history")["events"] == []

    # Deleting a model without aliases needs no force.
    server.register("plain", b"p")
    assert server.ok("DELETE", "/api/v1/models/plain") == {"deleted": "plain"}


def test_bulk_alias_move_by_filter(server):
    _versions(server, "fraud-a", 3, [{"auc": 0.95}, {"auc": 0.97}, {"auc": 0.80}])
    _versions(server, "fraud-b", 2, [{"auc": 0.91}, {"auc": 0.50}])
    _versions(server, "fraud-c", 1, [{"auc": 0.50}])
    _versions(server, "other-d", 1, [{"auc": 0.99}])
    server.cli("models", "alias", "set", "fraud-a", "champion", "1")
    server.cli("models", "alias", "set", "fraud-b", "champion", "1")
    flt = "name like 'fraud-%' and metrics.auc >= 0.9"
    audit_before = server.ok("GET", "/api/v1/audit", params={"limit": 1000})["entries"]

    dry = server.cli_json("models", "alias", "set", "champion", "--filter", flt, "--dry-run")
    assert dry == {"alias": "champion", "dry_run": True, "moved": [{"model": "fraud-a", "version": 2}],
                   "moved_count": 1, "unchanged_count": 1}
    assert _aliases(server, "fraud-a") == {"champion": 1}
    assert server.ok("GET", "/api/v1/audit", params={"limit": 1000})["entries"] == audit_before
    _, out, _ = server.cli("models", "alias", "set", "champion", "--filter", flt, "--dry-run")
    assert out == "would move 1 alias(es) 'champion', 1 already in place\n"

    real = server.ok("POST", "/api/v1/aliases/bulk-set", json={"alias": "champion", "filter": flt})
    assert real == {"alias": "champion", "dry_run": False, "moved": [{"model": "fraud-a", "version": 2}],
                    "moved_count": 1, "unchanged_count": 1}
    assert _aliases(server, "fraud-a") == {"champion": 2}
    assert _aliases(server, "fraud-b") == {"champion": 1}
    assert _aliases(server, "fraud-c") == {}
    assert _aliases(server, "other-d") == {}
    hist = server.ok("GET", "/api/v1/models/fraud-a/alias-history")["events"]
    assert [(e["old_version"], e["new_version"]) for e in hist] == [(1, 2), (None, 1)]

    # A new alias name lands on every matching model at once.
    both = server.ok("POST", "/api/v1/aliases/bulk-set", json={"alias": "reviewed", "filter": "metrics.auc > 0.9"})
    assert both["moved"] == [{"model": "fraud-a", "version": 2}, {"model": "fraud-b", "version": 1},
                             {"model": "other-d", "version": 1}]
    _, out, _ = server.cli("models", "alias", "set", "champion", "--filter", flt)
    assert out == "moved 0 alias(es) 'champion', 2 already in place\n"

    for body, fragment in [({"alias": "latest", "filter": flt}, "reserved"),
                           ({"alias": "champion", "filter": "  "}, "needs a filter"),
                           ({"alias": "champion", "filter": "metrics.auc >"}, "filter: expected"),
                           ({"alias": "champion"}, "'alias' and 'filter' are required")]:
        resp = server.http("POST", "/api/v1/aliases/bulk-set", json=body)
        assert resp.status_code == 400, body
        assert fragment in error_of(resp)[1]
    assert _aliases(server, "fraud-a") == {"champion": 2, "reviewed": 2}
