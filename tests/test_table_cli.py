"""`plinth table ...` end to end: create, append (CSV, JSON lines, Parquet), scan with filters,
versions and time travel, delete, overwrite, idempotent appends, schema evolution, history,
show, vacuum, and clear errors for bad input. DuckDB reads what Plinth writes."""
import json
import time
from pathlib import Path

import pytest

import lake_oracle as lo
from conftest import run_binary


def run(cwd, *args, ok=True):
    rc, out, err = run_binary([str(a) for a in args], cwd=cwd)
    if ok:
        assert rc == 0, f"plinth {' '.join(map(str, args))}: {err}"
    return rc, out, err


def rows(cwd, table, *extra):
    _, out, _ = run(cwd, "table", "scan", table, "--format", "jsonl", *extra)
    return [json.loads(l) for l in out.splitlines() if l.strip()]


@pytest.fixture
def table(tmp_path):
    t = tmp_path / "events"
    run(tmp_path, "table", "create", t, "--schema",
        "id int64 not null, user string, amount decimal(10,2), ts timestamp, day date", "--partition-by", "day")
    return t


def write(path, text):
    Path(path).write_text(text)
    return path


def test_append_scan_filter_and_time_travel(tmp_path, table):
    csv = write(tmp_path / "a.csv", "id,user,amount,ts,day\n1,ann,10.50,2024-05-01T10:00:00Z,2024-05-01\n"
                                    "2,bob,,2024-05-01T11:00:00Z,2024-05-01\n3,,3.00,2024-05-02T09:30:00.5Z,2024-05-02\n")
    _, out, _ = run(tmp_path, "table", "append", table, csv)
    assert "committed version 1: 3 rows" in out
    before_second = time.time()
    time.sleep(0.05)
    jl = write(tmp_path / "b.jsonl", '{"id": 4, "user": "cy", "amount": "7.25", "ts": "2024-05-03T00:00:00Z", "day": "2024-05-03"}\n')
    run(tmp_path, "table", "append", table, jl)
    got = sorted(rows(tmp_path, table), key=lambda r: r["id"])
    assert got[0] == {"id": 1, "user": "ann", "amount": "10.50", "ts": "2024-05-01T10:00:00.000000Z", "day": "2024-05-01"}
    assert got[1]["amount"] is None and got[2]["user"] is None
    assert got[2]["ts"] == "2024-05-02T09:30:00.500000Z"
    assert [r["id"] for r in rows(tmp_path, table, "--where", "day >= '2024-05-02' AND amount > 5")] == [4]
    assert [r["id"] for r in rows(tmp_path, table, "--where", "user IS NULL")] == [3]
    assert sorted(r["id"] for r in rows(tmp_path, table, "--version", "1")) == [1, 2, 3]
    as_of = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(before_second)) + f".{int(before_second % 1 * 1e6):06d}Z"
    assert sorted(r["id"] for r in rows(tmp_path, table, "--as-of", as_of)) == [1, 2, 3]
    only = rows(tmp_path, table, "--columns", "user,id", "--where", "id = 1")
    assert only == [{"user": "ann", "id": 1}]
    _, out, _ = run(tmp_path, "table", "scan", table, "--format", "csv", "--where", "id = 1")
    assert out.splitlines() == ["id,user,amount,ts,day", "1,ann,10.50,2024-05-01T10:00:00.000000Z,2024-05-01"]
    _, out, _ = run(tmp_path, "table", "scan", table, "--format", "table", "--limit", "2")
    assert out.strip().endswith("(2 rows)")


def test_delete_overwrite_history_and_show(tmp_path, table):
    run(tmp_path, "table", "append", table,
        write(tmp_path / "a.csv", "id,day\n" + "".join(f"{i},2024-05-0{1 + i % 3}\n" for i in range(30))))
    _, out, _ = run(tmp_path, "table", "delete", table, "--where", "id >= 20 OR day = '2024-05-01'")
    assert "deleted 17 rows" in out  # ids 20..29 (10) + ids < 20 on 05-01 (7)
    assert len(rows(tmp_path, table)) == 13
    _, out, _ = run(tmp_path, "table", "delete", table, "--where", "id = 999")
    assert "no rows matched" in out
    run(tmp_path, "table", "append", table, write(tmp_path / "o.csv", "id,day\n100,2024-06-01\n"), "--mode", "overwrite")
    assert rows(tmp_path, table) == [{"id": 100, "user": None, "amount": None, "ts": None, "day": "2024-06-01"}]
    _, out, _ = run(tmp_path, "table", "history", table, "--format", "jsonl")
    hist = [json.loads(l) for l in out.splitlines()]
    assert [h["version"] for h in hist] == [3, 2, 1, 0]
    assert [h["operation"] for h in hist] == ["WRITE", "DELETE", "WRITE", "CREATE TABLE"]
    assert hist[0]["operationParameters"]["mode"] == "Overwrite"
    assert hist[1]["operationMetrics"]["numDeletedRows"] == "17"
    _, out, _ = run(tmp_path, "table", "show", table, "--json")
    show = json.loads(out)
    assert show["version"] == 3 and show["rows"] == 1 and show["partition_columns"] == ["day"]
    assert show["schema"] == "id int64 not null, user string, amount decimal(10,2), ts timestamp, day date"


def test_idempotent_appends_and_schema_evolution(tmp_path, table):
    f = write(tmp_path / "a.csv", "id,day\n1,2024-05-01\n")
    run(tmp_path, "table", "append", table, f, "--app-id", "nightly", "--app-version", "20240501")
    _, out, _ = run(tmp_path, "table", "append", table, f, "--app-id", "nightly", "--app-version", "20240501")
    assert "already committed" in out
    assert len(rows(tmp_path, table)) == 1
    run(tmp_path, "table", "add-columns", table, "country string, score double")
    run(tmp_path, "table", "append", table, write(tmp_path / "b.csv", "id,day,country\n2,2024-05-01,nl\n"))
    got = sorted(rows(tmp_path, table), key=lambda r: r["id"])
    assert got[0]["country"] is None and got[1]["country"] == "nl"
    # --merge-schema takes new columns from Parquet input
    src = tmp_path / "src.parquet"
    run(tmp_path, "parquet", "write", src, "--input", write(tmp_path / "c.jsonl", '{"id": 3, "day": "2024-05-02", "channel": "web"}\n'),
        "--schema", "id int64 not null, day date, channel string")
    rc, _, err = run(tmp_path, "table", "append", table, src, ok=False)
    assert rc != 0 and "channel" in err
    run(tmp_path, "table", "append", table, src, "--merge-schema")
    assert [r["channel"] for r in sorted(rows(tmp_path, table), key=lambda r: r["id"])] == [None, None, "web"]


def test_vacuum_cli(tmp_path, table):
    for i in range(3):
        run(tmp_path, "table", "append", table, write(tmp_path / f"{i}.csv", f"id,day\n{i},2024-05-01\n"), "--mode", "overwrite")
    rc, _, err = run(tmp_path, "table", "vacuum", table, "--retain", "1h", ok=False)
    assert rc != 0 and "--force" in err
    _, out, _ = run(tmp_path, "table", "vacuum", table, "--retain", "0s", "--force", "--dry-run")
    assert "would delete 2 file(s)" in out
    _, out, _ = run(tmp_path, "table", "vacuum", table, "--retain", "0s", "--force")
    assert "deleted 2 file(s)" in out
    assert rows(tmp_path, table) == [{"id": 2, "user": None, "amount": None, "ts": None, "day": "2024-05-01"}]
    rc, _, err = run(tmp_path, "table", "scan", table, "--version", "1", ok=False)
    assert rc != 0 and "vacuumed" in err


def test_optimize_compacts_small_files(tmp_path, table):
    for i in range(6):
        run(tmp_path, "table", "append", table, write(tmp_path / f"{i}.csv", f"id,user,day\n{i},u{i},2024-05-0{1 + i % 2}\n"))
    before = sorted(rows(tmp_path, table), key=lambda r: r["id"])
    _, out, _ = run(tmp_path, "table", "optimize", table, "--min-files", "4")
    assert out.strip() == "nothing to compact"  # 3 small files per day
    _, out, _ = run(tmp_path, "table", "optimize", table, "--json")
    r = json.loads(out)
    assert (r["version"], r["files_removed"], r["files_added"], r["rows"], r["partitions"]) == (7, 6, 2, 6, 2)
    assert sorted(rows(tmp_path, table), key=lambda r: r["id"]) == before
    assert sorted(r["id"] for r in rows(tmp_path, table, "--version", "6")) == list(range(6))
    _, out, _ = run(tmp_path, "table", "history", table)
    assert "OPTIMIZE" in out
    active = [p for p in table.rglob("*.parquet")]
    assert len(active) == 8  # old files stay for time travel until vacuum
    rc, _, err = run(tmp_path, "table", "optimize", table, "--target-size", "lots", ok=False)
    assert rc != 0 and "lots" in err
    commit = [json.loads(l) for l in (table / "_delta_log" / f"{7:020d}.json").read_text().splitlines()]
    changes = [a.get("add") or a.get("remove") for a in commit if "add" in a or "remove" in a]
    assert len(changes) == 8 and all(c["dataChange"] is False for c in changes)
    if lo.duckdb_available():
        files = {}
        for f in sorted((table / "_delta_log").glob("*.json")):
            for a in map(json.loads, f.read_text().splitlines()):
                if "add" in a:
                    files[a["add"]["path"]] = True
                elif "remove" in a:
                    files.pop(a["remove"]["path"], None)
        assert len(files) == 2
        paths = ", ".join(f"'{table / p}'" for p in files)
        got = lo.duckdb_query(f"SELECT id FROM read_parquet([{paths}], hive_partitioning=true) ORDER BY id")
        assert [g["id"] for g in got] == list(range(6))


@pytest.mark.parametrize("args,fragment", [
    (("table", "create", "{t}", "--schema", "id int64, id string"), "duplicate column"),
    (("table", "create", "{t}", "--schema", "id uint32"), "cannot be stored in a Delta table"),
    (("table", "create", "{t}", "--schema", "id int64", "--partition-by", "nope"), "not in the schema"),
    (("table", "scan", "{missing}"), "no Delta table"),
    (("table", "scan", "{t}", "--where", "nope = 1"), "unknown column 'nope'"),
    (("table", "scan", "{t}", "--where", "id = "), "invalid filter"),
    (("table", "scan", "{t}", "--version", "9"), "9"),
    (("table", "scan", "{t}", "--as-of", "2000-01-01"), "before"),
    (("table", "scan", "{t}", "--format", "xml"), "unknown format"),
    (("table", "append", "{t}", "{bad_csv}"), "line 2"),
    (("table", "append", "{t}", "{missing}.csv"), "cannot open"),
    (("table", "append", "{t}", "{null_id}"), "not nullable"),
    (("table", "delete", "{t}", "--where", "day > 3"), "cannot compare column 'day' (date) with 3"),
    (("table", "add-columns", "{t}", "x int64 not null"), "must be nullable"),
])
def test_bad_input_is_refused_clearly(tmp_path, table, args, fragment):
    bad_csv = write(tmp_path / "bad.csv", "id,day\nx,2024-01-01\n")
    null_id = write(tmp_path / "null.csv", "id,day\n,2024-01-01\n")
    subst = {"t": table, "missing": tmp_path / "missing", "bad_csv": bad_csv, "null_id": null_id}
    if args[1] == "create":
        subst["t"] = tmp_path / "new"
    argv = [a.format(**{k: str(v) for k, v in subst.items()}) for a in args]
    before = sorted(p.name for p in (table / "_delta_log").iterdir())
    rc, out, err = run(tmp_path, *argv, ok=False)
    assert rc in (1, 2), (rc, err)
    assert fragment in err, err
    assert sorted(p.name for p in (table / "_delta_log").iterdir()) == before  # nothing committed


def test_duckdb_reads_plinth_tables(tmp_path, table):
    if not lo.duckdb_available():
        pytest.skip("DuckDB oracle not installed (scripts/install-deps.sh)")
    run(tmp_path, "table", "append", table,
        write(tmp_path / "a.csv", "id,user,amount,ts,day\n1,ann,10.50,2024-05-01T10:00:00Z,2024-05-01\n2,bob,-3.25,,2024-05-02\n"))
    got = lo.duckdb_query(f"SELECT id, user, amount, ts, day FROM read_parquet('{table}/*/*.parquet', hive_partitioning=true) ORDER BY id")
    assert [(r["id"], r["user"], r["amount"], r["ts"], str(r["day"])) for r in got] == [
        (1, "ann", "10.50", "2024-05-01T10:00:00.000000Z", "2024-05-01"), (2, "bob", "-3.25", None, "2024-05-02")]


def test_checkpoints_every_interval_and_on_demand(tmp_path):
    t = tmp_path / "ck"
    run(tmp_path, "table", "create", t, "--schema", "id int64", "--property", "delta.checkpointInterval=3")
    for i in range(7):
        run(tmp_path, "table", "append", t, write(tmp_path / f"{i}.csv", f"id\n{i}\n"))
    log = t / "_delta_log"
    assert sorted(p.name for p in log.glob("*.checkpoint.parquet")) == [
        "00000000000000000003.checkpoint.parquet", "00000000000000000006.checkpoint.parquet"]
    assert json.loads((log / "_last_checkpoint").read_text())["version"] == 6
    _, out, _ = run(tmp_path, "table", "checkpoint", t)
    assert "version 7" in out
    # Replay now starts at the checkpoint: the JSON commits before it are no longer needed.
    for v in range(0, 7):
        (log / f"{v:020d}.json").unlink()
    assert sorted(r["id"] for r in rows(tmp_path, t)) == list(range(7))
    _, out, _ = run(tmp_path, "table", "show", t, "--json")
    assert json.loads(out)["version"] == 7


def test_compat_encodings_for_old_readers(tmp_path):
    data = write(tmp_path / "seq.csv", "id,x\n" + "".join(f"{i},{i * 0.25}\n" for i in range(5000)))
    def encodings(parquet_file):
        _, out, _ = run(tmp_path, "parquet", "inspect", parquet_file, "--json")
        return {c["path"]: c["encodings"] for c in json.loads(out)["row_groups"][0]["columns"]}
    run(tmp_path, "parquet", "write", tmp_path / "modern.parquet", "--input", data, "--schema", "id int64, x double")
    assert "DELTA_BINARY_PACKED" in encodings(tmp_path / "modern.parquet")["id"]
    run(tmp_path, "parquet", "write", tmp_path / "old.parquet", "--input", data, "--schema", "id int64, x double", "--compat")
    assert not any("DELTA" in e or "BYTE_STREAM" in e for enc in encodings(tmp_path / "old.parquet").values() for e in enc)
    t = tmp_path / "compat"
    run(tmp_path, "table", "create", t, "--schema", "id int64, x double", "--property", "plinth.parquet.compat=true")
    run(tmp_path, "table", "append", t, data)
    files = list(t.glob("*.parquet"))
    assert len(files) == 1
    assert not any("DELTA" in e for enc in encodings(files[0]).values() for e in enc)
    assert len(rows(tmp_path, t)) == 5000


def test_expired_log_files_are_cleaned_at_checkpoints(tmp_path):
    t = tmp_path / "logs"
    run(tmp_path, "table", "create", t, "--schema", "id int64", "--property", "delta.checkpointInterval=2",
        "--property", "delta.logRetentionDuration=interval 0 seconds")
    for i in range(4):
        run(tmp_path, "table", "append", t, write(tmp_path / f"{i}.csv", f"id\n{i}\n"))
    names = sorted(p.name for p in (t / "_delta_log").iterdir() if p.is_file())
    # Version 4's checkpoint replaces everything before it.
    assert names == ["00000000000000000004.checkpoint.parquet", "00000000000000000004.json", "_last_checkpoint"], names
    assert sorted(r["id"] for r in rows(tmp_path, t)) == [0, 1, 2, 3]
    rc, _, err = run(tmp_path, "table", "scan", t, "--version", "1", ok=False)
    assert rc != 0 and err.strip()
    _, out, _ = run(tmp_path, "table", "vacuum", t, "--retain", "0s", "--force")
    assert "deleted 0 file(s)" in out
    assert sorted(r["id"] for r in rows(tmp_path, t)) == [0, 1, 2, 3]
