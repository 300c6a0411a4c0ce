"""Concurrent pushes to one feature view: they share Delta commits (group commit), every row
lands exactly once offline and online, each push names the version that holds its rows, and
feature-store writes run on their own bounded pool, apart from the prediction workers."""
import json
import threading
from collections import defaultdict

from conftest import run_binary
from test_features_online import apply, online, push, table


def scan_at(server, name, version):
    rc, out, err = run_binary(["table", "scan", table(server, name), "--version", str(version), "--format", "jsonl"],
                              server.cwd)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_concurrent_pushes_land_once_in_the_version_they_report(server):
    apply(server)
    threads, pushes_per_thread = 8, 12
    results = {}  # (thread, push) -> response
    errors = []

    def pusher(t):
        for p in range(pushes_per_thread):
            base = (t * pushes_per_thread + p) * 2
            rows = [{"user_id": base + i, "event_timestamp": "2026-01-01T00:00:00Z", "n": base + i} for i in range(2)]
            try:
                results[(t, p)] = push(server, "clicks", rows)
            except AssertionError as e:
                errors.append(str(e))

    workers = [threading.Thread(target=pusher, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors[:3]
    total = threads * pushes_per_thread * 2

    # Each push reports the commit holding its rows, and how many pushes shared it: the pushes
    # reporting one version are exactly that many.
    by_version = defaultdict(list)
    for (t, p), r in results.items():
        assert r["rows"] == 2 and r["online_written"] == 2
        by_version[r["table_version"]].append((t, p, r["commit_pushes"]))
    for version, members in by_version.items():
        assert {m[2] for m in members} == {len(members)}, (version, members)
    assert sum(len(m) for m in by_version.values()) == threads * pushes_per_thread

    # Offline: every row exactly once, and each in the version its push reported (absent one
    # version before). Checked on the largest groups and a few others.
    latest = scan_at(server, "clicks", max(by_version))
    assert sorted(r["n"] for r in latest) == list(range(total))
    checked = sorted(by_version, key=lambda v: (-len(by_version[v]), v))[:4]
    for version in checked:
        expect = {(t * pushes_per_thread + p) * 2 + i for t, p, _ in by_version[version] for i in range(2)}
        at = {r["n"] for r in scan_at(server, "clicks", version)}
        before = {r["n"] for r in scan_at(server, "clicks", version - 1)}
        assert expect <= at and not (expect & before), version
        assert len(at) - len(before) == len(expect), version  # the commit holds its pushes only

    # Online: every entity readable with its value.
    users = list(range(total))
    got = online(server, {"user_id": users, "shop": ["x"] * total}, request={"boost": 1}, as_of="2026-01-01T01:00:00Z")
    assert [r["values"][0] for r in got["results"]] == users


def test_feature_writes_have_their_own_pool(start_server):
    server = start_server("--max-inflight-writes", "3", "--max-queued-writes", "5", "--max-inflight-predictions", "1")
    apply(server)
    push(server, "clicks", [{"user_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "n": 1}])
    metrics = server.http("GET", "/metrics").text
    assert "plinth_write_workers 3\n" in metrics
    assert "plinth_predict_workers 1\n" in metrics
    assert "plinth_write_rejected_total 0\n" in metrics


def test_bad_write_pool_settings_are_refused(tmp_path):
    for flags, message in [(["--max-inflight-writes", "0"], "max_inflight_writes"),
                           (["--max-queued-writes", "-1"], "max_queued_writes")]:
        rc, out, err = run_binary(["server", "--data-dir", str(tmp_path / "d"), "--listen", "127.0.0.1:0", *flags], tmp_path)
        assert rc != 0 and message in err, (flags, rc, err)


def test_cli_pushes_a_large_file_in_several_pushes(server, tmp_path):
    apply(server)
    path = tmp_path / "rows.jsonl"
    n = 23_456
    path.write_text("".join(json.dumps({"user_id": i, "event_timestamp": "2026-01-01T00:00:00Z", "n": i}) + "\n"
                            for i in range(n)))
    _, out, _ = server.cli("features", "push", "clicks", "--file", str(path))
    assert out.startswith(f"pushed {n} rows to clicks in 3 pushes (table versions 1-3)"), out
    assert sorted(r["n"] for r in scan_at(server, "clicks", 3)) == list(range(n))
    got = online(server, {"user_id": [0, 12_345, n - 1], "shop": ["x"] * 3}, request={"boost": 1},
                 as_of="2026-01-01T01:00:00Z")
    assert [r["values"][0] for r in got["results"]] == [0, 12_345, n - 1]

    # A bad row in the second push: the first push stays, the error says which rows made it.
    lines = [json.dumps({"user_id": i, "event_timestamp": "2026-01-01T00:00:00Z", "n": i}) for i in range(15_000)]
    lines[12_000] = json.dumps({"user_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "nope": 1})
    path.write_text("\n".join(lines) + "\n")
    rc, out, err = server.cli("features", "push", "clicks", "--file", str(path), check=False)
    assert rc != 0
    assert "rows 0-9999 were pushed (table versions 4-4); rows 10000-14999 failed" in err, err
    assert "unknown field 'nope'" in err, err
