"""Online feature store: push, materialize (incremental, full, windowed), online reads with
present/missing/expired statuses, transforms at read time, layout changes and bad requests."""
import json
import random
import textwrap
import threading
import time

import pytest

from conftest import error_of, run_binary

DEFS = """
entities:
  - name: user
    join_keys: [{name: user_id, type: int64}]
  - name: shop
    join_keys: [{name: shop, type: string}]
sources:
  - name: clicks
    table: features/clicks
    created_timestamp_column: created
  - name: shops
    table: features/shops
feature_views:
  - name: clicks
    entities: [user]
    source: clicks
    ttl: 1d
    features:
      - {name: n, type: int64}
      - {name: spend, type: double}
    request:
      - {name: boost, type: double}
    transforms:
      - {name: boosted, expr: 'coalesce(spend, 0.0) * request.boost'}
  - name: shops
    entities: [shop]
    source: shops
    features:
      - {name: rating, type: double}
      - {name: country, type: string}
feature_services:
  - name: svc
    features: ["clicks:*", "shops:rating"]
"""


def apply(server, text=DEFS):
    resp = server.http("POST", "/api/v1/features/apply", json={"yaml": textwrap.dedent(text)})
    assert resp.status_code == 200, resp.text


def push(server, view, rows, expect=200):
    resp = server.http("POST", "/api/v1/features/push", json={"view": view, "rows": rows})
    assert resp.status_code == expect, resp.text
    return resp.json()


def online(server, entities, request=None, as_of=None, service="svc", expect=200):
    body = {"service": service, "entities": entities}
    if request is not None:
        body["request"] = request
    if as_of is not None:
        body["as_of"] = as_of
    resp = server.http("POST", "/api/v1/features/online", json=body)
    assert resp.status_code == expect, resp.text
    return resp.json()


def table(server, name):
    return str(server.data_dir / "lake" / "features" / name)


def scan(server, name):
    rc, out, err = run_binary(["table", "scan", table(server, name), "--format", "jsonl"], server.cwd)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines()]


def append_rows(server, root, lines):
    """Appends JSON rows to the table at `root` with `plinth table append` (one commit)."""
    rows = server.workdir / "rows.jsonl"
    rows.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    rc, _, err = run_binary(["table", "append", root, str(rows)], server.cwd)
    assert rc == 0, err


def test_push_is_readable_online_and_recorded_offline(server):
    apply(server)
    out = push(server, "clicks", [{"user_id": 7, "event_timestamp": "2026-01-01T10:00:00Z", "n": 3, "spend": 2.5},
                                  {"user_id": 8, "event_timestamp": "2026-01-01T09:00:00Z", "n": 1}])
    timings = out.pop("timings_ms")
    assert set(timings) == {"snapshot", "offline", "online"} and all(v >= 0 for v in timings.values())
    assert out == {"view": "clicks", "rows": 2, "table_version": 1, "online_written": 2, "commit_attempts": 1,
                   "commit_pushes": 1}
    push(server, "shops", [{"shop": "s1", "event_timestamp": "2026-01-01T00:00:00Z", "rating": 4.5, "country": "FR"}])
    got = online(server, [{"user_id": 7, "shop": "s1"}, {"user_id": 9, "shop": "s2"}], request={"boost": 2},
                 as_of="2026-01-01T12:00:00Z")
    assert got["features"] == ["clicks:n", "clicks:spend", "clicks:boosted", "shops:rating"]
    first, second = got["results"]
    assert first["entity"] == {"user_id": 7, "shop": "s1"}
    assert first["values"] == [3, 2.5, 5.0, 4.5]
    assert first["statuses"] == ["present"] * 4
    assert first["event_timestamps"][0] == "2026-01-01T10:00:00.000000Z"
    assert second["values"] == [None, None, 0.0, None] and second["statuses"] == ["missing"] * 4
    # Offline: the same rows, the created timestamp filled in by the server.
    rows = scan(server, "clicks")
    assert sorted(r["user_id"] for r in rows) == [7, 8]
    assert all(r["created"] is not None for r in rows)


def test_columnar_entities_cli_and_ttl(server):
    apply(server)
    push(server, "clicks", [{"user_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "n": 5, "spend": 1.0}])
    cols = online(server, {"user_id": [1, 1], "shop": ["a", "b"]}, request={"boost": 1}, as_of="2026-01-01T23:59:59Z")
    assert [r["values"][0] for r in cols["results"]] == [5, 5]
    # Exactly one day old is still fresh; a microsecond later it has expired (values become null).
    fresh = online(server, [{"user_id": 1, "shop": "a"}], request={"boost": 1}, as_of="2026-01-02T00:00:00Z")
    assert fresh["results"][0]["statuses"][0] == "present"
    stale = online(server, [{"user_id": 1, "shop": "a"}], request={"boost": 1}, as_of="2026-01-02T00:00:00.000001Z")
    assert stale["results"][0]["statuses"][:3] == ["expired"] * 3
    assert stale["results"][0]["values"][:3] == [None, None, 0.0]
    _, out, _ = server.cli("features", "get-online", "-s", "svc", "-e", "user_id=1,shop=a", "-r", "boost=3", output="json")
    assert json.loads(out)["features"][0] == "clicks:n"
    _, out, _ = server.cli("features", "get-online", "-s", "svc", "-e", "user_id=1,shop=a", "-r", "boost=3")
    assert out.splitlines()[0].split() == ["ENTITY", "FEATURE", "VALUE", "STATUS", "EVENT_TIME"]


def test_newest_row_wins_in_any_order(server):
    apply(server)
    t = "2026-01-01T10:00:00Z"
    push(server, "clicks", [{"user_id": 1, "event_timestamp": t, "created": "2026-01-01T10:00:05Z", "n": 2}])
    # An older event, pushed later, never replaces the newer row.
    out = push(server, "clicks", [{"user_id": 1, "event_timestamp": "2026-01-01T09:00:00Z", "n": 1}])
    assert out["online_written"] == 0
    # Same event time: the later created time wins, an earlier one does not.
    push(server, "clicks", [{"user_id": 1, "event_timestamp": t, "created": "2026-01-01T10:00:01Z", "n": 3}])
    push(server, "clicks", [{"user_id": 1, "event_timestamp": t, "created": "2026-01-01T10:00:09Z", "n": 4}])
    # Within one push, the newest row of an entity wins whatever its position.
    push(server, "clicks", [{"user_id": 2, "event_timestamp": "2026-01-01T11:00:00Z", "n": 20},
                            {"user_id": 2, "event_timestamp": "2026-01-01T10:00:00Z", "n": 10}])
    got = online(server, {"user_id": [1, 2], "shop": ["x", "x"]}, request={"boost": 1}, as_of="2026-01-01T12:00:00Z")
    assert [r["values"][0] for r in got["results"]] == [4, 20]


def test_materialize_incremental_full_and_window(server):
    apply(server)
    root = table(server, "clicks")

    def append(lines):
        append_rows(server, root, lines)

    append([{"user_id": u, "event_timestamp": "2026-01-01T00:00:00Z", "n": u, "spend": None} for u in range(100)])
    first = server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})["views"][0]
    assert (first["mode"], first["from_table_version"], first["rows_scanned"], first["rows_written"]) == ("incremental", None, 100, 100)
    # Only the new file is read next time; an older event for user 5 does not replace the newer one.
    append([{"user_id": 5, "event_timestamp": "2025-12-31T00:00:00Z", "n": -5},
            {"user_id": 6, "event_timestamp": "2026-01-01T06:00:00Z", "n": 600}])
    second = server.ok("POST", "/api/v1/features/materialize", json={})["views"]
    by_view = {v["view"]: v for v in second}
    assert (by_view["clicks"]["from_table_version"], by_view["clicks"]["rows_scanned"], by_view["clicks"]["rows_written"]) == (1, 2, 1)
    assert by_view["shops"]["rows_scanned"] == 0
    got = online(server, {"user_id": [5, 6, 99], "shop": ["a"] * 3}, request={"boost": 1}, as_of="2026-01-01T07:00:00Z")
    assert [r["values"][0] for r in got["results"]] == [5, 600, 99]
    # Nothing new: nothing read.
    again = server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})["views"][0]
    assert again["rows_scanned"] == 0 and again["files"] == 0
    # A compaction of loaded files adds no rows: nothing is read again.
    rc, _, err = run_binary(["table", "optimize", root, "--min-files", "2"], server.cwd)
    assert rc == 0, err
    compacted = server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})["views"][0]
    assert (compacted["files"], compacted["rows_scanned"]) == (0, 0), compacted
    # One that also took in a file appended since is read, and its new row lands.
    append([{"user_id": 7, "event_timestamp": "2026-01-01T06:30:00Z", "n": 700}])
    rc, _, err = run_binary(["table", "optimize", root, "--min-files", "2"], server.cwd)
    assert rc == 0, err
    mixed = server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})["views"][0]
    assert (mixed["files"], mixed["rows_scanned"]) == (1, 103), mixed
    got = online(server, {"user_id": [7], "shop": ["a"]}, request={"boost": 1}, as_of="2026-01-01T07:00:00Z")
    assert got["results"][0]["values"][0] == 700
    full = server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"], "full": True})["views"][0]
    assert full["rows_scanned"] == 103 and full["mode"] == "full"
    # A window loads only rows whose event time falls inside it.
    window = server.ok("POST", "/api/v1/features/materialize",
                       json={"views": ["clicks"], "start": "2026-01-01T05:00:00Z", "end": "2026-01-01T07:00:00Z"})["views"][0]
    assert (window["mode"], window["rows_scanned"]) == ("window", 2)
    _, out, _ = server.cli("features", "materialize", "--view", "clicks")
    assert out.splitlines()[0].split()[:3] == ["VIEW", "MODE", "FROM"]


def test_deleted_rows_leave_the_online_store(server):
    """Rows deleted from a source table (DELETE, or a push deleted again) leave the online store
    at the next incremental materialization: the entity falls back to its newest surviving row,
    or loses its record; rows pushed since stay. A removed file already vacuumed makes the run
    reconcile every entity; a full run rebuilds and changes nothing when nothing changed."""
    apply(server)
    root = table(server, "clicks")

    def append(lines):
        append_rows(server, root, lines)

    def delete(where):
        rc, _, err = run_binary(["table", "delete", root, "--where", where], server.cwd)
        assert rc == 0, err

    def materialize(**body):
        return server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"], **body})["views"][0]

    def values(users):
        got = online(server, {"user_id": users, "shop": ["a"] * len(users)}, request={"boost": 1},
                     as_of="2026-01-01T12:00:00Z")
        return [r["values"][0] if r["statuses"][0] == "present" else r["statuses"][0] for r in got["results"]]

    append([{"user_id": u, "event_timestamp": "2026-01-01T01:00:00Z", "n": u * 10} for u in range(1, 7)] +
           [{"user_id": u, "event_timestamp": "2026-01-01T02:00:00Z", "n": u * 100} for u in range(1, 7)])
    append([{"user_id": 7, "event_timestamp": "2026-01-01T01:00:00Z", "n": 70},
            {"user_id": 7, "event_timestamp": "2026-01-01T02:00:00Z", "n": 700}])
    materialize()
    assert values([1, 2, 3, 4, 5, 6, 7]) == [100, 200, 300, 400, 500, 600, 700]

    delete("user_id = 1 AND n = 100")   # user 1's newest row: back to its older one
    delete("user_id = 2")               # every row of user 2: no record left
    push(server, "clicks", [{"user_id": 3, "event_timestamp": "2026-01-01T03:00:00Z", "n": 3000}])
    push(server, "clicks", [{"user_id": 4, "event_timestamp": "2026-01-01T03:00:00Z", "n": 4000}])
    delete("user_id = 4 AND n = 4000")  # a pushed row deleted before any materialization saw it
    delete("user_id = 5 AND n = 50")    # an older row: user 5's record stays as it is
    assert values([1, 2, 3, 4, 5, 6, 7]) == [100, 200, 3000, 4000, 500, 600, 700]
    out = materialize()
    # The deletes rewrote the first file: its 6 users are compared (user 7's file was not touched).
    assert (out["rows_deleted"], out["reconciled"]["entities"]) == (1, 6), out
    assert values([1, 2, 3, 4, 5, 6, 7]) == [10, "missing", 3000, 400, 500, 600, 700]
    # Nothing changed: nothing reconciled.
    out = materialize()
    assert (out["rows_scanned"], out["rows_deleted"], out["reconciled"]) == (0, 0, None), out
    # Only the entities of the rewritten file are compared.
    delete("user_id = 7 AND n = 700")
    out = materialize()
    assert out["reconciled"]["entities"] == 1, out
    assert values([7]) == [70]

    # The removed file is gone (vacuumed) before the run: every entity is reconciled.
    delete("user_id = 6 AND n = 600")
    rc, _, err = run_binary(["table", "vacuum", root, "--retain", "0h", "--force"], server.cwd)
    assert rc == 0, err
    out = materialize()
    assert (out["rows_written"], out["rows_deleted"], out["reconciled"]["entities"]) == (1, 0, 6), out
    assert values([1, 2, 3, 4, 5, 6, 7]) == [10, "missing", 3000, 400, 500, 60, 70]

    # A full run rebuilds: nothing differs, so nothing is written.
    out = materialize(full=True)
    assert (out["mode"], out["rows_written"], out["rows_deleted"], out["reconciled"]["entities"]) == ("full", 0, 0, 6), out
    _, text, _ = server.cli("features", "materialize", "--view", "clicks", "--full")
    assert "DELETED" in text.splitlines()[0]


def test_deletes_reconcile_while_rows_are_pushed(server):
    """Materializations that reconcile deletes while another client pushes: afterwards every
    entity's online record is its newest row in the table (none lost, none resurrected)."""
    apply(server)
    root = table(server, "clicks")
    users = list(range(40))
    stop = threading.Event()
    errors = []

    def pusher():
        t = 0
        while not stop.is_set():
            t += 1
            batch = [{"user_id": u, "event_timestamp": f"2026-01-01T00:{t // 60 % 60:02d}:{t % 60:02d}Z", "n": t * 100 + u}
                     for u in random.Random(t).sample(users, 3)]
            resp = server.http("POST", "/api/v1/features/push", json={"view": "clicks", "rows": batch})
            if resp.status_code != 200:
                errors.append(resp.text)
                return

    thread = threading.Thread(target=pusher)
    thread.start()
    try:
        for i in range(6):
            time.sleep(0.2)
            where = " OR ".join(f"user_id = {u}" for u in users if u % 7 == i)
            rc, _, err = run_binary(["table", "delete", root, "--where", where], server.cwd)
            assert rc == 0, err
            server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})
    finally:
        stop.set()
        thread.join()
    assert not errors, errors[:1]

    def check():
        newest = {}
        for r in scan(server, "clicks"):
            u = r["user_id"]
            if u not in newest or r["event_timestamp"] > newest[u]["event_timestamp"]:
                newest[u] = r
        got = online(server, {"user_id": users, "shop": ["a"] * len(users)}, request={"boost": 1},
                     as_of="2026-01-01T23:00:00Z")
        for u, r in zip(users, got["results"]):
            want = newest[u]["n"] if u in newest else None
            have = r["values"][0] if r["statuses"][0] == "present" else None
            assert have == want, (u, have, want)

    # Every delete was reconciled by the run after it, and rows pushed during a run were caught
    # up with (not replaced by the older rows the run had read): the store matches the table
    # already, before another run.
    check()
    server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})
    check()


def test_materialized_rows_survive_restart_and_layout_changes(server):
    apply(server)
    push(server, "clicks", [{"user_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "n": 1, "spend": 9.0}])
    server.restart()
    got = online(server, [{"user_id": 1, "shop": "a"}], request={"boost": 1}, as_of="2026-01-01T01:00:00Z")
    assert got["results"][0]["values"][:2] == [1, 9.0]
    # Add a feature (and its column): old records still read, the new feature is missing until written.
    rc, _, err = run_binary(["table", "add-columns", table(server, "clicks"), "views int64"], server.cwd)
    assert rc == 0, err
    apply(server, DEFS.replace("      - {name: spend, type: double}\n",
                               "      - {name: spend, type: double}\n      - {name: views, type: int64}\n"))
    got = online(server, [{"user_id": 1, "shop": "a"}], request={"boost": 1}, as_of="2026-01-01T01:00:00Z")
    assert got["features"][:4] == ["clicks:n", "clicks:spend", "clicks:views", "clicks:boosted"]
    assert got["results"][0]["values"][:3] == [1, 9.0, None]
    assert got["results"][0]["statuses"][:3] == ["present", "present", "missing"]
    # Removing the view drops its online rows.
    server.ok("POST", "/api/v1/features/apply", json={"yaml": "entities:\n  - {name: user, join_keys: [user_id]}\n", "prune": True})
    assert [o["name"] for o in server.ok("GET", "/api/v1/features")["objects"]] == ["user"]
    apply(server)  # the view comes back empty
    got = online(server, [{"user_id": 1, "shop": "a"}], request={"boost": 1}, as_of="2026-01-01T01:00:00Z")
    assert got["results"][0]["statuses"] == ["missing"] * 4


@pytest.mark.parametrize("body,message", [
    ({"view": "nope", "rows": [{}]}, "feature view 'nope' not found"),
    ({"view": "clicks", "rows": []}, "'rows' is empty"),
    ({"view": "clicks", "rows": {}}, "'rows' must be a list"),
    ({"view": "clicks", "rows": [{"user_id": 1}]}, "'event_timestamp' is required"),
    ({"view": "clicks", "rows": [{"event_timestamp": "2026-01-01", "n": 1}]}, "'user_id' is required"),
    ({"view": "clicks", "rows": [{"user_id": "x", "event_timestamp": "2026-01-01"}]}, "rows[0].user_id: expected int64"),
    ({"view": "clicks", "rows": [{"user_id": 1, "event_timestamp": "yesterday"}]}, "rows[0].event_timestamp"),
    ({"view": "clicks", "rows": [{"user_id": 1, "event_timestamp": "2026-01-01", "colour": 1}]}, "unknown field 'colour'"),
    ({"view": "clicks", "rows": [{"user_id": 1, "event_timestamp": "2026-01-01"}, 5]}, "rows[1] must be an object"),
    ({"rows": []}, "'view' is required"),
])
def test_bad_pushes_are_refused_whole(server, body, message):
    apply(server)
    resp = server.http("POST", "/api/v1/features/push", json=body)
    assert resp.status_code in (400, 404), resp.text
    assert message in error_of(resp)[1]
    assert scan(server, "clicks") == []


@pytest.mark.parametrize("body,message", [
    ({"service": "nope", "entities": []}, "feature service 'nope' not found"),
    ({"service": "svc", "entities": [{"user_id": 1}], "request": {"boost": 1}}, "missing join key 'shop'"),
    ({"service": "svc", "entities": [{"user_id": 1, "shop": "a"}]}, "missing request value 'boost'"),
    ({"service": "svc", "entities": {"user_id": [1, 2], "shop": ["a"]}, "request": {"boost": 1}}, "same number"),
    ({"service": "svc", "entities": {"user_id": [1], "colour": [1]}}, "unknown join key 'colour'"),
    ({"service": "svc", "entities": [{"user_id": 1.5, "shop": "a"}], "request": {"boost": 1}}, "expected int64"),
    ({"service": "svc", "entities": [{"user_id": 1, "shop": "a"}], "request": {"boost": "high"}}, "request.boost"),
    ({"service": "svc", "entities": [{"user_id": 1, "shop": "a"}], "request": {"boost": 1, "x": 2}}, "unknown value 'x'"),
    ({"service": "svc"}, "'entities' is required"),
    ({"entities": []}, "'service' is required"),
])
def test_bad_online_reads(server, body, message):
    apply(server)
    resp = server.http("POST", "/api/v1/features/online", json=body)
    assert resp.status_code in (400, 404), resp.text
    assert message in error_of(resp)[1]


def test_push_and_materialize_need_write_scope(start_server):
    secured = start_server("--auth", "required")
    reader = secured.create_token("reader", "read")
    writer = secured.create_token("writer", "write")
    assert secured.http("POST", "/api/v1/features/apply", json={"yaml": DEFS}, token=writer).status_code == 200
    row = {"view": "clicks", "rows": [{"user_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "n": 1}]}
    assert secured.http("POST", "/api/v1/features/push", json=row, token=reader).status_code == 403
    assert secured.http("POST", "/api/v1/features/materialize", json={}, token=reader).status_code == 403
    assert secured.http("POST", "/api/v1/features/push", json=row, token=writer).status_code == 200
    read = {"service": "svc", "entities": [{"user_id": 1, "shop": "a"}], "request": {"boost": 1}}
    assert secured.http("POST", "/api/v1/features/online", json=read, token=reader).status_code == 200


def test_offline_only_views_are_not_loaded_online(server):
    apply(server, DEFS.replace("    ttl: 1d\n", "    ttl: 1d\n    online: false\n"))
    out = push(server, "clicks", [{"user_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "n": 1}])
    assert (out["table_version"], out["online_written"]) == (1, 0)
    assert len(scan(server, "clicks")) == 1
    got = online(server, [{"user_id": 1, "shop": "a"}], request={"boost": 1}, as_of="2026-01-01T01:00:00Z")
    assert got["results"][0]["statuses"][0] == "missing"
    resp = server.http("POST", "/api/v1/features/materialize", json={"views": ["clicks"]})
    assert resp.status_code == 400 and "not online" in error_of(resp)[1]
    views = server.ok("POST", "/api/v1/features/materialize", json={})["views"]
    assert [v["view"] for v in views] == ["shops"]


def test_materialize_many_files_ties_go_to_the_last_row_in_scan_order(server):
    """Row groups of many files are reduced on several threads; the result is the sequential
    one: newest by (event, created), and on a full tie the row scanned last."""
    apply(server)
    root = table(server, "clicks")
    rows = server.workdir / "rows.jsonl"
    t = "2026-01-01T00:00:00Z"
    for f in range(6):
        lines = []
        for u in range(300):
            # Users < 100: a full tie in every file; 100..199: newest in file 3; >= 200: the
            # created time breaks the tie, newest in file 1.
            event = "2026-01-01T01:00:00Z" if (100 <= u < 200 and f == 3) else t
            created = "2026-01-01T00:00:09Z" if (u >= 200 and f == 1) else "2026-01-01T00:00:01Z"
            lines.append({"user_id": u, "event_timestamp": event, "created": created, "n": f * 1000 + u})
        rows.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
        rc, _, err = run_binary(["table", "append", root, str(rows)], server.cwd)
        assert rc == 0, err
    # What a sequential scan gives: the last row in scan order among each user's newest.
    newest = {}
    for r in scan(server, "clicks"):
        key = (r["event_timestamp"], r["created"])
        if r["user_id"] not in newest or key >= newest[r["user_id"]][0]:
            newest[r["user_id"]] = (key, r["n"])
    out = server.ok("POST", "/api/v1/features/materialize", json={"views": ["clicks"], "full": True})["views"][0]
    assert (out["files"], out["rows_scanned"], out["rows_written"]) == (6, 1800, 300)
    users = list(range(300))
    got = online(server, {"user_id": users, "shop": ["x"] * 300}, request={"boost": 1}, as_of="2026-01-01T02:00:00Z")
    assert [r["values"][0] for r in got["results"]] == [newest[u][1] for u in users]
    assert {newest[u][1] // 1000 for u in range(100, 200)} == {3}
    assert {newest[u][1] // 1000 for u in range(200, 300)} == {1}


def test_pushes_checkpoint_their_table_in_the_background(server):
    """Every 10th commit of a view's table is checkpointed, off the push's path; the table reads
    the same through the checkpoint."""
    import time
    apply(server)
    for i in range(10):
        out = push(server, "clicks", [{"user_id": i, "event_timestamp": "2026-01-01T00:00:00Z", "n": i}])
    assert out["table_version"] == 10
    checkpoint = server.data_dir / "lake" / "features" / "clicks" / "_delta_log" / "00000000000000000010.checkpoint.parquet"
    last = checkpoint.parent / "_last_checkpoint"  # written after the checkpoint file
    deadline = time.time() + 20
    while not last.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert checkpoint.exists() and json.loads(last.read_text())["version"] == 10
    assert sorted(r["n"] for r in scan(server, "clicks")) == list(range(10))


def test_pushed_small_files_are_compacted_in_the_background(server):
    """Each push writes one small file; once a table holds 100 of them, the maintenance thread
    compacts them (an OPTIMIZE commit) while pushes go on, and nothing read changes."""
    import time
    apply(server)
    for i in range(105):
        out = push(server, "clicks", [{"user_id": i % 7, "event_timestamp": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z", "n": i}])
    log = server.data_dir / "lake" / "features" / "clicks" / "_delta_log"
    deadline = time.time() + 30
    optimized = []
    while not optimized and time.time() < deadline:
        for f in sorted(log.glob("*.json")):
            if '"operation":"OPTIMIZE"' in f.read_text():
                optimized.append(f.name)
        time.sleep(0.1)
    assert optimized, "no compaction commit"
    # More pushes after the compaction land on top of it.
    for i in range(105, 110):
        out = push(server, "clicks", [{"user_id": i % 7, "event_timestamp": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z", "n": i}])
    assert out["table_version"] == 111  # 110 pushes + the compaction
    assert sorted(r["n"] for r in scan(server, "clicks")) == list(range(110))
    rc, shown, err = run_binary(["table", "show", table(server, "clicks"), "--json"], server.cwd)
    assert rc == 0, err
    assert json.loads(shown)["files"] < 20
    got = online(server, [{"user_id": 3, "shop": "x"}], request={"boost": 1}, as_of="2026-01-01T12:00:00Z")
    assert got["results"][0]["values"][0] == 108  # the newest push for user 3


def test_online_response_text_escapes_strings_and_keeps_doubles(server):
    """The online response is written without a JSON DOM: strings are escaped, integral doubles
    stay doubles, string keys and missing entities come back intact."""
    apply(server, DEFS.replace('features: ["clicks:*", "shops:rating"]', 'features: ["clicks:*", "shops:*"]'))
    country = 'Côte "d\'Ivoire"\n\ttab \\ € \u0001'
    push(server, "shops", [{"shop": 'sh"op\u00e9', "event_timestamp": "2026-01-01T00:00:00Z", "rating": 4.0, "country": country}])
    resp = server.http("POST", "/api/v1/features/online",
                       json={"service": "svc", "entities": {"user_id": [1, 2], "shop": ['sh"op\u00e9', "none"]},
                             "request": {"boost": 2}, "as_of": "2026-01-01T01:00:00Z"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    got = resp.json()
    assert got["service"] == "svc"
    assert got["features"] == ["clicks:n", "clicks:spend", "clicks:boosted", "shops:rating", "shops:country"]
    first, second = got["results"]
    assert first["entity"] == {"shop": 'sh"op\u00e9', "user_id": 1}
    assert first["values"][3:] == [4.0, country] and isinstance(first["values"][3], float)
    assert first["statuses"][:2] == ["missing", "missing"] and first["statuses"][3:] == ["present", "present"]
    assert first["event_timestamps"][3:] == ["2026-01-01T00:00:00.000000Z"] * 2 and first["event_timestamps"][0] is None
    assert second["values"][3:] == [None, None] and second["statuses"][3:] == ["missing", "missing"]


def test_a_feature_named_twice_in_a_service_is_read_twice(server):
    """A service may name one feature twice (alone and through "view:*"): every position gets
    the value, strings included (the reader moves a value only into its last position)."""
    apply(server, DEFS.replace('features: ["clicks:*", "shops:rating"]',
                               'features: ["shops:country", "clicks:boosted", "shops:*", "clicks:*"]'))
    push(server, "shops", [{"shop": "s1", "event_timestamp": "2026-01-01T00:00:00Z", "rating": 4.5, "country": "FR"}])
    push(server, "clicks", [{"user_id": 7, "event_timestamp": "2026-01-01T10:00:00Z", "n": 3, "spend": 2.5}])
    got = online(server, [{"user_id": 7, "shop": "s1"}, {"user_id": 7, "shop": "s1"}], request={"boost": 2},
                 as_of="2026-01-01T12:00:00Z")
    assert got["features"] == ["shops:country", "clicks:boosted", "shops:rating", "shops:country", "clicks:n",
                               "clicks:spend", "clicks:boosted"]
    for result in got["results"]:
        assert result["values"] == ["FR", 5.0, 4.5, "FR", 3, 2.5, 5.0]
        assert result["statuses"] == ["present"] * 7
