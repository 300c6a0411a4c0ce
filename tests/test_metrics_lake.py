"""Registry metrics to the lake: every metric logged on a model version also lands, exactly
once, in the Delta table <data-dir>/lake/registry/model_metrics (issue: lakehouse, point 5)."""
import json
import subprocess
import time

import lake_oracle as lo
from conftest import run_binary


def lake_rows(server):
    table = server.data_dir / "lake" / "registry" / "model_metrics"
    rc, out, err = run_binary(["table", "scan", str(table), "--format", "jsonl"], cwd=server.cwd)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def wait_rows(server, n, timeout=10.0):
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        rows = lake_rows(server)
        if len(rows) >= n:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"expected {n} metric rows in the lake, found {len(rows)}: {rows[:5]}")


def test_logged_metrics_reach_the_lake_exactly_once(start_server):
    server = start_server()
    server.register("churn-acme", b"model-a", metrics={"auc": 0.81}, tags={"customer": "acme"})
    server.register("churn-beta", b"model-b")
    server.ok("POST", "/api/v1/models/churn-acme/versions/1/metrics",
              json={"metrics": [{"key": "loss", "value": 0.5, "step": 1, "timestamp": "2024-03-01T00:00:00Z"},
                                {"key": "loss", "value": 0.25, "step": 2, "timestamp": "2024-03-02T00:00:00Z"}]})
    server.cli("models", "metrics", "log", "churn-beta/1", "auc=0.7", "--step", "5")
    rows = wait_rows(server, 4)
    assert len(rows) == 4
    by_key = sorted((r["model"], r["version"], r["key"], r["value"], r["step"]) for r in rows)
    assert by_key == [("churn-acme", 1, "auc", 0.81, 0), ("churn-acme", 1, "loss", 0.25, 2),
                      ("churn-acme", 1, "loss", 0.5, 1), ("churn-beta", 1, "auc", 0.7, 5)]
    loss1 = next(r for r in rows if r["key"] == "loss" and r["step"] == 1)
    assert loss1["timestamp"] == "2024-03-01T00:00:00.000000Z"
    assert json.loads(loss1["tags"]) == {"customer": "acme"}

    # A restart neither loses nor repeats rows; later metrics keep arriving.
    server.restart()
    server.cli("models", "metrics", "log", "churn-acme/1", "loss=0.125", "--step", "3")
    rows = wait_rows(server, 5)
    time.sleep(1.5)  # another poll round must not duplicate anything
    rows = lake_rows(server)
    assert len(rows) == 5
    assert sorted(r["step"] for r in rows if r["key"] == "loss") == [1, 2, 3]


def test_metrics_exported_before_a_crash_are_not_repeated(start_server):
    server = start_server()
    server.register("m", b"w")
    server.cli("models", "metrics", "log", "m/1", "a=1", "b=2")
    wait_rows(server, 2)
    server.kill9()
    server.start()
    server.cli("models", "metrics", "log", "m/1", "c=3")
    rows = wait_rows(server, 3)
    time.sleep(1.5)
    rows = lake_rows(server)
    assert sorted(r["key"] for r in rows) == ["a", "b", "c"]


def test_duckdb_reads_the_metrics_table(start_server):
    if not lo.duckdb_available():
        import pytest
        pytest.skip("DuckDB oracle not installed (scripts/install-deps.sh)")
    server = start_server()
    server.register("m", b"w")
    server.cli("models", "metrics", "log", "m/1", "x=1.5", "y=2.5")
    wait_rows(server, 2)
    table = server.data_dir / "lake" / "registry" / "model_metrics"
    got = lo.duckdb_query(f"SELECT model, version, key, value FROM read_parquet('{table}/*.parquet') ORDER BY key")
    assert [(r["model"], r["version"], r["key"], r["value"]) for r in got] == [("m", 1, "x", 1.5), ("m", 1, "y", 2.5)]
