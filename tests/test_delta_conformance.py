"""Black-box Delta Lake conformance: `plinth table scan ROOT --format jsonl` on the shared tables.

Expected rows: derived/delta/<name>.expected.jsonl (Spark's expected/ result, or the active files
for tables without one), normalized by tests/lake_oracle.py; for the two tables without any dump
(basic_partitioned, app-txn-checkpoint) DuckDB's read_parquet over the active files plus the
partition values of the log (lake_oracle.duckdb_read_delta_active_files; it is checked against the
dumps and the MANIFEST in test_lake_oracle.py). Rows are compared as multisets (sorted by all
flat columns); nested columns are not compared yet.
"""
import json
import re
import subprocess

import pytest

import lake_oracle as lo
from conftest import PLINTH_BIN, clean_env

ROOT = lo.testdata_root()
if ROOT is None:
    pytest.skip("test_delta_conformance: shared testdata not found (set PLINTH_TESTDATA)", allow_module_level=True)

pytestmark = pytest.mark.lake

INDEX = lo.load_index(ROOT)
TIMEOUT = 120
LOG_ONLY = {"checkpoint"}  # the data file is not shipped: a log-replay test only (MANIFEST 2)


def table_config(e):
    """Merged metaData.configuration over the table's JSON commits (later wins)."""
    conf = {}
    log = lo.delta_table_root(e, ROOT) / "_delta_log"
    for f in sorted(log.glob("*.json")):
        for line in f.read_text().splitlines():
            if line.strip():
                action = json.loads(line)
                if "metaData" in action:
                    conf.update(action["metaData"].get("configuration") or {})
    return conf


def unsupported_feature(e):
    """The reader feature Plinth refuses for now, or None.
    When Plinth learns one, move its tables to the scan group."""
    features = set((e.get("protocol") or {}).get("readerFeatures") or [])
    if "deletionVectors" in features:
        return "deletionVectors"
    if "columnMapping" in features or table_config(e).get("delta.columnMapping.mode", "none") != "none":
        return "columnMapping"
    return None


def scan_group():
    out = []
    for e in INDEX["delta"]:
        if e["must_fail"] or e["name"] in LOG_ONLY or unsupported_feature(e):
            continue
        if lo.level_word(e["level"]) in ("basic", "intermediate"):
            out.append(e)
    return out


SCAN = scan_group()
MUST_FAIL = [e for e in INDEX["delta"] if e["must_fail"]]
REFUSED = [e for e in INDEX["delta"] if not e["must_fail"] and unsupported_feature(e)]
ADVANCED_OTHER = [e for e in INDEX["delta"] if not e["must_fail"] and not unsupported_feature(e)
                  and lo.level_word(e["level"]) == "advanced"]

# What a clear message for each must-fail table mentions (case-insensitive regexes, all must match).
MUST_FAIL_MESSAGES = {
    "versions-not-contiguous": [r"version", r"\b1\b|contiguous|missing|gap"],
    "deltalog-state-reconstruction-without-metadata": [r"meta ?data"],
    "deltalog-invalid-protocol-version": [r"protocol|reader ?version", r"\b99\b"],
}


def plinth(*args, timeout=TIMEOUT):
    args = [str(a) for a in args]
    proc = subprocess.run([PLINTH_BIN, *args], env=clean_env(), capture_output=True, timeout=timeout, cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def describe(args, rc, err):
    return f"plinth {' '.join(map(str, args))} exited {rc}; stderr: {err.strip()[:2000]!r}"


def scan(e, columns=None):
    args = ("table", "scan", lo.delta_table_root(e, ROOT), "--format", "jsonl")
    if columns:
        args = (*args, "--columns", ",".join(columns))
    rc, out, err = plinth(*args)
    return args, rc, out, err


def parse_jsonl(args, rc, out, err):
    rows = []
    for n, line in enumerate(out.decode("utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as ex:
                raise AssertionError(f"{describe(args, rc, err)}: stdout line {n} is not JSON ({ex}): {line[:300]!r}")
    return rows


def assert_clean_failure(args, rc, err):
    assert rc != 0, f"expected a failure: {describe(args, rc, err)}"
    assert 0 < rc < 128, f"crashed or killed by a signal: {describe(args, rc, err)}"
    assert err.strip(), f"failed without a message: {describe(args, rc, err)}"


def expected_rows(e):
    hint = lo.delta_schema_hint(e)
    if e.get("derived_expected_jsonl"):
        return lo.normalize_duckdb_dump_rows(ROOT / e["derived_expected_jsonl"], hint), hint
    if not lo.duckdb_available():
        pytest.skip(f"{e['name']}: no derived dump and the DuckDB oracle is not installed (scripts/install-deps.sh)")
    return lo.duckdb_read_delta_active_files(e, ROOT), hint


def check_scan(e):
    expected, hint = expected_rows(e)
    cols = lo.flat_columns(hint)
    # Nested columns are not read yet: project the flat ones.
    args, rc, out, err = scan(e, cols if len(cols) != len(hint) else None)
    assert rc == 0, describe(args, rc, err)
    actual = parse_jsonl(args, rc, out, err)
    if e["name"] == "data-reader-partition-values":
        # Open point (MANIFEST): Spark's expected/ read the zone-less partition value
        # '2021-09-08 11:11:11' in America/Los_Angeles (18:11:11Z); delta-kernel-rs reads it as UTC
        # (11:11:11Z). Either reading passes; everything else must match exactly.
        alt = [dict(r, as_timestamp="2021-09-08T11:11:11.000000Z" if r["as_timestamp"] else None) for r in expected]
        diffs = lo.rows_diff(actual, expected, hint, columns=cols, sort=True, check_key_order=True)
        if diffs and not lo.rows_diff(actual, alt, hint, columns=cols, sort=True, check_key_order=True):
            return
    lo.assert_rows_equal(actual, expected, hint, columns=cols, sort=True, check_key_order=True, context=e["name"])


@pytest.mark.parametrize("e", SCAN, ids=lambda e: e["name"])
def test_scan(e):
    check_scan(e)


@pytest.mark.parametrize("e", MUST_FAIL, ids=lambda e: e["name"])
def test_scan_must_fail(e):
    args, rc, out, err = scan(e)
    assert_clean_failure(args, rc, err)
    for pattern in MUST_FAIL_MESSAGES.get(e["name"], []):
        assert re.search(pattern, err, re.I), f"message should match /{pattern}/: {describe(args, rc, err)}"


@pytest.mark.parametrize("e", REFUSED, ids=lambda e: e["name"])
def test_scan_refuses_unsupported_reader_feature(e):
    feature = unsupported_feature(e)
    args, rc, out, err = scan(e)
    assert_clean_failure(args, rc, err)
    assert feature.lower() in err.lower(), f"message should name {feature}: {describe(args, rc, err)}"


@pytest.mark.parametrize("e", ADVANCED_OTHER, ids=lambda e: e["name"])
def test_scan_advanced_rows_or_clean_refusal(e):
    """v2 checkpoints and the like: either the right rows or a refusal naming the reader feature."""
    args, rc, out, err = scan(e)
    if rc == 0:
        check_scan(e)
        return
    assert_clean_failure(args, rc, err)
    features = (e.get("protocol") or {}).get("readerFeatures") or []
    assert any(f.lower() in err.lower() for f in features), f"message should name one of {features}: {describe(args, rc, err)}"


@pytest.mark.parametrize("e", [e for e in INDEX["delta"] if e["name"] in LOG_ONLY], ids=lambda e: e["name"])
def test_scan_of_log_only_table_names_the_missing_file(e):
    """Its one active data file is not shipped: scanning must fail cleanly and say which file."""
    args, rc, out, err = scan(e)
    assert_clean_failure(args, rc, err)
    missing = [p.partition(" ")[0].rsplit("/", 1)[-1] for p in e["active_paths"]]  # the file is named "15"
    named = [m for m in missing if re.search(rf"(^|[/\s'\"`]){re.escape(m)}($|[\s'\"`:,;.)])", err)]
    assert named, f"message should name the missing file {missing}: {describe(args, rc, err)}"
