"""Feature store definitions: apply/diff/list/show/history over the CLI and HTTP, versioning,
source tables created or checked, and bad definitions refused with nothing applied."""
import json
import textwrap
from pathlib import Path

import pytest

from conftest import REPO_ROOT, error_of, run_binary

EXAMPLE = REPO_ROOT / "examples" / "features" / "features.yaml"


def write(server, name, text):
    path = server.workdir / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def live(server):
    return [(o["kind"], o["name"], o["version"]) for o in server.ok("GET", "/api/v1/features")["objects"]]


def apply_yaml(server, text, **flags):
    return server.http("POST", "/api/v1/features/apply", json={"yaml": textwrap.dedent(text), **flags})


BASE = """
entities:
  - name: user
    join_keys: [{name: user_id, type: int64}]
sources:
  - name: stats
    table: features/stats
feature_views:
  - name: stats
    entities: [user]
    source: stats
    ttl: 2d
    features:
      - {name: clicks, type: int64}
      - {name: spend, type: double}
"""


def test_apply_example_creates_table_and_versions(server):
    _, out, _ = server.cli("features", "apply", "-f", str(EXAMPLE))
    assert "+ entity user v1" in out and "+ feature_view user_activity v1" in out
    assert "created table " + str(server.data_dir / "lake" / "features" / "user_activity") in out
    assert out.strip().endswith("applied: 4 added, 0 updated, 0 removed, 0 unchanged")
    assert live(server) == [("entity", "user", 1), ("source", "user_activity", 1), ("feature_view", "user_activity", 1),
                            ("feature_service", "login_risk", 1)]
    # The created source table holds the join key, both timestamps and every feature column.
    rc, shown, err = run_binary(["table", "show", str(server.data_dir / "lake" / "features" / "user_activity")], server.cwd)
    assert rc == 0, err
    assert ("schema: user_id int64, event_timestamp timestamp not null, created_at timestamp, logins_7d int64, "
            "failed_logins_7d int64, amount_sum_7d double, country string") in shown

    # Applying the same file again changes nothing.
    _, out, _ = server.cli("features", "apply", "-f", str(EXAMPLE))
    assert out.strip().endswith("applied: 0 added, 0 updated, 0 removed, 4 unchanged")

    view = server.cli_json("features", "show", "user_activity", "--kind", "feature_view")
    assert view["version"] == 1 and view["spec"]["ttl"] == "7d"
    assert [t["name"] for t in view["spec"]["transforms"]] == ["failure_ratio", "night_login", "risky_country"]
    # A unique name needs no --kind.
    assert server.cli_json("features", "show", "login_risk")["kind"] == "feature_service"
    rc, _, err = server.cli("features", "show", "user_activity", check=False)
    assert rc != 0 and "--kind" in err


def test_diff_update_history_and_audit(server):
    assert apply_yaml(server, BASE).status_code == 200
    changed = BASE.replace("ttl: 2d", "ttl: 48h").replace("{name: spend, type: double}", "{name: spend, type: double, description: euros}")
    # 48h is the same TTL as 2d: only the description differs.
    path = write(server, "v2.yaml", changed)
    _, out, _ = server.cli("features", "diff", "-f", path)
    assert "~ feature_view stats v1 -> v2 (features)" in out and out.strip().endswith("diff: 0 added, 1 updated, 0 removed, 2 unchanged")
    assert ("feature_view", "stats", 1) in live(server)  # diff applied nothing
    server.cli("features", "apply", "-f", path)
    assert ("feature_view", "stats", 2) in live(server)
    history = server.cli_json("features", "history", "stats", "--kind", "feature_view")["versions"]
    assert [v["version"] for v in history] == [2, 1]
    old = server.ok("GET", "/api/v1/features/feature_view/stats", params={"version": 1})
    assert old["spec"]["features"][1]["description"] == ""
    entries = server.ok("GET", "/api/v1/audit", params={"action": "features.apply"})["entries"]
    assert len(entries) == 2
    assert entries[0]["details"]["changes"] == [{"op": "update", "kind": "feature_view", "name": "stats",
                                                             "old_version": 1, "new_version": 2, "fields": ["features"]}]


def test_prune_removes_and_refuses_dangling_references(server):
    assert apply_yaml(server, BASE + """
feature_services:
  - name: svc
    features: ["stats:*"]
""").status_code == 200
    # Pruning with a file that drops the view but keeps the service: the service would dangle.
    resp = apply_yaml(server, """
entities:
  - name: user
    join_keys: [user_id]
feature_services:
  - name: svc
    features: ["stats:clicks"]
""", prune=True)
    assert resp.status_code == 400
    assert "unknown feature view 'stats'" in error_of(resp)[1]
    assert len(live(server)) == 4
    out = server.ok("POST", "/api/v1/features/apply", json={"yaml": "entities:\n  - {name: user, join_keys: [user_id]}\n",
                                                             "prune": True})
    assert out["summary"] == {"added": 0, "updated": 0, "removed": 3, "unchanged": 1}
    assert live(server) == [("entity", "user", 1)]
    # A removed object that comes back continues its version numbers.
    assert apply_yaml(server, BASE).status_code == 200
    assert ("feature_view", "stats", 2) in live(server)


def make_table(server, rel, schema):
    rc, _, err = run_binary(["table", "create", str(server.data_dir / "lake" / rel), "--schema", schema], server.cwd)
    assert rc == 0, err


@pytest.mark.parametrize("schema,message", [
    ("user_id int64, event_timestamp timestamp, clicks string, spend double",
     "type mismatch: column 'clicks' is string, feature 'clicks' is int64"),
    ("user_id int64, event_timestamp timestamp, clicks int64",
     "unknown source column 'spend'"),
    ("user_id string, event_timestamp timestamp, clicks int64, spend double",
     "column 'user_id' is string, join key 'user_id' is int64"),
    ("user_id int64, event_timestamp date, ts2 timestamp, clicks int32, spend float",
     None),  # compatible: date event time, int32 -> int64, float -> double
    ("user_id int64, clicks int64, spend double",
     "unknown source column 'event_timestamp' (the event timestamp)"),
])
def test_source_table_columns_are_checked(server, schema, message):
    make_table(server, "features/stats", schema)
    resp = apply_yaml(server, BASE)
    if message is None:
        assert resp.status_code == 200, resp.text
        return
    assert resp.status_code == 400, resp.text
    code, text = error_of(resp)
    assert code == "INVALID_ARGUMENT" and message in text and "feature view 'stats'" in text
    assert live(server) == []


@pytest.mark.parametrize("patch,message", [
    (("entities: [user]", "entities: [account]"), "unknown entity 'account'"),
    (("source: stats\n    ttl", "source: nope\n    ttl"), "unknown source 'nope'"),
    (("ttl: 2d", "ttl: soon"), "feature_views[0].ttl: invalid duration 'soon'"),
    (("type: int64}\n      - {name: spend", "type: integer64}\n      - {name: spend"), "unknown type 'integer64'"),
    (("features:", "colour: red\n    features:"), "unknown field 'colour'"),
    (("{name: clicks, type: int64}", "{name: clicks, type: int64}\n      - {name: clicks, type: double}"),
     "duplicate feature 'clicks'"),
    (("{name: clicks, type: int64}", "{name: user_id, type: int64}"), "feature 'user_id' has the name of a join key"),
])
def test_bad_definitions_are_refused_and_nothing_applied(server, patch, message):
    resp = apply_yaml(server, BASE.replace(*patch))
    assert resp.status_code == 400, resp.text
    assert message in error_of(resp)[1]
    assert live(server) == []


@pytest.mark.parametrize("transforms,message", [
    ("- {name: t, expr: 'clicks + nope'}", "nope"),
    ("- {name: a, expr: 'b + 1'}\n      - {name: b, expr: 'a + 1'}", "cycle"),
    ("- {name: t, expr: 'clicks +'}", "t"),
    ("- {name: t, expr: 'clicks * 2', type: string}", "t"),
    ("- {name: clicks, expr: '1'}", "clashes"),
])
def test_bad_transforms_are_refused(server, transforms, message):
    text = BASE + "    transforms:\n      " + transforms + "\n"
    resp = apply_yaml(server, text)
    assert resp.status_code == 400, resp.text
    assert message in error_of(resp)[1]
    assert live(server) == []


def test_transforms_see_request_values_and_each_other(server):
    text = BASE + """    request:
      - {name: now, type: timestamp}
    transforms:
      - {name: per_click, expr: 'spend / clicks', type: double}
      - {name: big, expr: 'per_click > 10 and hour(request.now) >= 18'}
"""
    assert apply_yaml(server, text).status_code == 200


def test_cli_reports_yaml_errors_locally_and_bad_requests(server):
    path = write(server, "broken.yaml", "entities:\n  - name: user\n    join_keys: [user_id\n")
    rc, _, err = server.cli("features", "apply", "-f", path, check=False)
    assert rc != 0 and "invalid YAML at line" in err
    rc, _, err = server.cli("features", "apply", "-f", str(server.workdir / "missing.yaml"), check=False)
    assert rc != 0 and "missing.yaml" in err
    empty = write(server, "empty.yaml", "# nothing\n")
    rc, _, err = server.cli("features", "apply", "-f", empty, check=False)
    assert rc != 0 and "no definitions" in err
    for body, message in [({"yaml": "a: 1", "definitions": {}}, "exactly one"), ({"yaml": 5}, "'yaml' must be a string"),
                          ({"definitions": {"entities": "x"}}, "entities: must be a list"),
                          ({"definitions": {}, "force": True}, "force")]:
        resp = server.http("POST", "/api/v1/features/apply", json=body)
        assert resp.status_code == 400 and message in error_of(resp)[1], (body, resp.text)
    resp = server.http("GET", "/api/v1/features", params={"kind": "widgets"})
    assert resp.status_code == 400 and "unknown kind 'widgets'" in error_of(resp)[1]
    resp = server.http("GET", "/api/v1/features/entity/nobody")
    assert resp.status_code == 404 and "entity 'nobody' not found" in error_of(resp)[1]


def test_source_tables_must_stay_in_the_lake(server):
    for table in ["/etc/x", "../outside", "a/../../b"]:
        resp = apply_yaml(server, BASE.replace("table: features/stats", f"table: '{table}'"))
        assert resp.status_code == 400 and "table" in error_of(resp)[1], table
    assert live(server) == []


def test_definitions_survive_restart_and_need_write_scope(start_server):
    secured = start_server("--auth", "required")
    reader = secured.create_token("reader", "read")
    writer = secured.create_token("writer", "write")
    resp = secured.http("POST", "/api/v1/features/apply", json={"yaml": BASE}, token=reader)
    assert resp.status_code == 403
    assert secured.http("POST", "/api/v1/features/apply", json={"yaml": BASE}, token=writer).status_code == 200
    secured.restart()
    objects = secured.http("GET", "/api/v1/features", token=reader).json()["objects"]
    assert [(o["kind"], o["name"]) for o in objects] == [("entity", "user"), ("source", "stats"), ("feature_view", "stats")]
