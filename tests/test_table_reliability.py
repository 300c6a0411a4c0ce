"""Delta table reliability: concurrent writer processes, writers killed with SIGKILL at random
points, and readers scanning while writers commit (issue: lakehouse tables, point 6)."""
import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import PLINTH_BIN, clean_env, run_binary

SCHEMA = "writer int32 not null, seq int32 not null, id int64 not null, payload string"


def plinth(*args, cwd, timeout=120):
    return run_binary([str(a) for a in args], cwd=cwd, timeout=timeout)


def create_table(tmp_path, name="t"):
    root = tmp_path / name
    rc, out, err = plinth("table", "create", root, "--schema", SCHEMA, cwd=tmp_path)
    assert rc == 0, err
    return root


def write_csv(path, writer, seq, rows):
    with open(path, "w") as f:
        f.write("writer,seq,id,payload\n")
        for i in range(rows):
            f.write(f"{writer},{seq},{writer * 1_000_000 + seq * 10_000 + i},w{writer}-s{seq}-{i}\n")


def scan_rows(root, cwd, *extra):
    rc, out, err = plinth("table", "scan", root, "--format", "jsonl", *extra, cwd=cwd)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def commit_files(root):
    return sorted(p for p in (Path(root) / "_delta_log").iterdir() if p.suffix == ".json")


def test_eight_writers_fifty_appends_each(tmp_path):
    root = create_table(tmp_path)
    writers, appends, rows = 8, 50, 5
    inputs = {}
    for w in range(writers):
        for s in range(appends):
            p = tmp_path / f"in-{w}-{s}.csv"
            write_csv(p, w, s, rows)
            inputs[(w, s)] = p
    failures = []

    def run_writer(w):
        for s in range(appends):
            rc, out, err = plinth("table", "append", root, inputs[(w, s)], cwd=tmp_path)
            if rc != 0:
                failures.append((w, s, err))

    threads = [threading.Thread(target=run_writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]
    commits = commit_files(root)
    assert len(commits) == 1 + writers * appends  # create + 400 appends
    assert [int(p.stem) for p in commits] == list(range(len(commits)))
    got = scan_rows(root, tmp_path)
    ids = [r["id"] for r in got]
    assert len(ids) == writers * appends * rows
    assert len(set(ids)) == len(ids), "a row is present twice"
    expected = {w * 1_000_000 + s * 10_000 + i for w in range(writers) for s in range(appends) for i in range(rows)}
    assert set(ids) == expected


def test_sigkilled_writers_never_leave_a_partial_commit(tmp_path):
    root = create_table(tmp_path)
    rows = 40_000
    big = tmp_path / "big.csv"
    write_csv(big, 1, 0, rows)
    rng = random.Random(42)
    # Calibrate: how long does one append take?
    start = time.monotonic()
    rc, _, err = plinth("table", "append", root, big, cwd=tmp_path)
    assert rc == 0, err
    duration = time.monotonic() - start
    committed = 1
    for trial in range(20):
        proc = subprocess.Popen([PLINTH_BIN, "table", "append", str(root), str(big)], cwd=tmp_path, env=clean_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0, duration * 1.2))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        if proc.returncode == 0:
            committed += 1
        # Every visible commit file is whole JSON; the table opens and scans.
        for p in commit_files(root):
            for line in p.read_text().splitlines():
                json.loads(line)
        got = scan_rows(root, tmp_path)
        assert len(got) % rows == 0, f"trial {trial}: {len(got)} rows is not a whole number of appends"
        versions = len(commit_files(root)) - 1
        assert len(got) == versions * rows
    # Killed writers leave no commit; the table still accepts writes afterwards.
    rc, _, err = plinth("table", "append", root, big, cwd=tmp_path)
    assert rc == 0, err
    assert len(scan_rows(root, tmp_path)) == (len(commit_files(root)) - 1) * rows


def test_readers_always_see_whole_snapshots(tmp_path):
    root = create_table(tmp_path)
    inputs = []
    for s in range(30):
        p = tmp_path / f"in-{s}.csv"
        write_csv(p, 0, s, 1000 + s)
        inputs.append(p)
    done = threading.Event()
    errors = []

    def writer(offset):
        for p in inputs[offset::2]:
            rc, _, err = plinth("table", "append", root, p, cwd=tmp_path)
            if rc != 0:
                errors.append(err)
        done.set()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    checks = 0
    while not done.is_set() or checks < 5:
        proc = subprocess.run([PLINTH_BIN, "table", "scan", str(root), "--format", "jsonl", "--stats"], cwd=tmp_path,
                              env=clean_env(), capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        stats = json.loads(proc.stderr.strip().splitlines()[-1])
        printed = sum(1 for line in proc.stdout.splitlines() if line.strip())
        assert printed == stats["snapshot_num_records"], stats
        checks += 1
        if done.is_set() and checks >= 5:
            break
    for t in threads:
        t.join()
    assert not errors, errors[:2]
    assert checks >= 5
