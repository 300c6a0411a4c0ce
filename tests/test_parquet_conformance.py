"""Black-box Parquet conformance: `plinth parquet cat|inspect` on the shared test files.

Expected rows come from tests/lake_oracle.py: the normalized derived DuckDB/hyparquet dumps, the
upstream *_expect.csv files and the upstream int96_from_spark microsecond list. Output conventions
(`--format jsonl`) are described in lake_oracle's module docstring.

Groups:
  core      - index level basic/intermediate, flat: rows must equal the expectation in file order
  advanced  - index level advanced, flat (legacy LZ4, BYTE_STREAM_SPLIT on all types, ...)
  checksum  - the two files with wrong page CRCs: fail by default, read with --no-verify-checksums
  bad_data  - corrupt files: clean non-zero exit with a message, no signal, no hang (20 s)
  inspect   - footer metadata, text and --json
"""
import json
import re
import subprocess

import pytest

import lake_oracle as lo
from conftest import PLINTH_BIN, clean_env

ROOT = lo.testdata_root()
if ROOT is None:
    pytest.skip("test_parquet_conformance: shared testdata not found (set PLINTH_TESTDATA)", allow_module_level=True)

pytestmark = pytest.mark.lake

INDEX = lo.load_index(ROOT)
SUMMARY = lo.load_metadata_summary(ROOT)
CAT_TIMEOUT = 120
BAD_DATA_TIMEOUT = 20

CORRUPT_CHECKSUM = {"parquet/datapage_v1-corrupt-checksum.parquet", "parquet/rle-dict-uncompressed-corrupt-checksum.parquet"}
MAY_DECODE = {
    # PARQUET-816: Arrow C++ and DuckDB decode the 25 rows optimistically, parquet-java fails.
    "parquet/nation.dict-malformed.parquet",
}
# bad_data files whose reading differs between implementations (MANIFEST 1.3): success is allowed
# as long as the output is well-formed with the footer's row count; otherwise a clean error.
BAD_DATA_MAY_DECODE = {"parquet/bad_data/ARROW-GH-43605.parquet"}


def flat(e):
    return not e.get("nested")


def group(levels):
    return [e for e in INDEX["parquet"]
            if flat(e) and lo.level_word(e["level"]) in levels and e["path"] not in CORRUPT_CHECKSUM | MAY_DECODE]


CORE = group({"basic", "intermediate"})
ADVANCED = group({"advanced"})


def file_id(e):
    return e["path"].rsplit("/", 1)[-1]


# ---- running the CLI ----------------------------------------------------------------------------

class Run:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.stdout_bytes = proc.stdout
        self.stderr = proc.stderr.decode("utf-8", "replace")

    def describe(self):
        return f"plinth {' '.join(self.args)} exited {self.rc}; stderr: {self.stderr.strip()[:2000]!r}"

    def jsonl(self):
        try:
            text = self.stdout_bytes.decode("utf-8")
        except UnicodeDecodeError as err:
            raise AssertionError(f"{self.describe()}: stdout is not UTF-8: {err}")
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as err:
                raise AssertionError(f"{self.describe()}: stdout line {n} is not JSON ({err}): {line[:300]!r}")
        return rows

    def json(self):
        try:
            return json.loads(self.stdout_bytes.decode("utf-8"))
        except ValueError as err:
            raise AssertionError(f"{self.describe()}: stdout is not one JSON document ({err}): {self.stdout_bytes[:300]!r}")


def plinth(*args, timeout=CAT_TIMEOUT):
    args = [str(a) for a in args]
    proc = subprocess.run([PLINTH_BIN, *args], env=clean_env(), capture_output=True, timeout=timeout, cwd=ROOT)
    return Run(args, proc)


def assert_clean_failure(run, what=""):
    """Non-zero exit that is not a signal (negative rc, or 128+N from a shell/sanitizer) and a message."""
    assert run.rc != 0, f"{what}: expected a failure, but {run.describe()}"
    assert 0 < run.rc < 128, f"{what}: crashed or killed by a signal: {run.describe()}"
    assert run.stderr.strip(), f"{what}: failed without a message on stderr: {run.describe()}"


def cat_rows(e, *extra):
    run = plinth("parquet", "cat", ROOT / e["path"], "--format", "jsonl", *extra)
    assert run.rc == 0, run.describe()
    return run.jsonl()


# ---- expectations -------------------------------------------------------------------------------

def expected_for(e):
    """(rows, hint, flat columns) for a flat file, in file order."""
    hint = lo.parquet_schema_hint(e["path"], SUMMARY)
    if e["path"] == "parquet/int96_from_spark.parquet":
        rows = lo.int96_from_spark_rows(next(iter(hint)))  # DuckDB's row 6 is wrong (MANIFEST)
    else:
        rows = lo.normalize_duckdb_dump_rows(ROOT / e["derived_rows_jsonl"], hint)
    return rows, hint, lo.flat_columns(hint)


def check_cat(e, *extra):
    rows, hint, cols = expected_for(e)
    if len(cols) != len(hint):  # nested columns are not read yet: project the flat ones
        extra = (*extra, "--columns", ",".join(cols))
    actual = cat_rows(e, *extra)
    lo.assert_rows_equal(actual, rows, hint, columns=cols, check_key_order=True, context=e["path"])


# ---- cat ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("e", CORE, ids=file_id)
def test_cat_core(e):
    check_cat(e)


@pytest.mark.parametrize("e", ADVANCED, ids=file_id)
def test_cat_advanced_flat(e):
    check_cat(e)


@pytest.mark.parametrize("e", [e for e in INDEX["parquet"] if e.get("upstream_expected_csv")], ids=file_id)
def test_cat_equals_upstream_csv(e):
    hint = lo.parquet_schema_hint(e["path"], SUMMARY)
    expected = lo.load_expect_csv(ROOT / e["upstream_expected_csv"], hint)
    lo.assert_rows_equal(cat_rows(e), expected, hint, check_key_order=True, context=e["upstream_expected_csv"])


def test_cat_int96_from_spark_far_future():
    """Row 6 is year 290000: a reader going through int64 nanoseconds overflows (DuckDB does)."""
    e = next(e for e in INDEX["parquet"] if e["path"] == "parquet/int96_from_spark.parquet")
    rows = cat_rows(e)
    assert [r.get("a") for r in rows] == [r["a"] for r in lo.int96_from_spark_rows()]


# ---- page checksums -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(CORRUPT_CHECKSUM), ids=lambda p: p.rsplit("/", 1)[-1])
def test_corrupt_checksum_fails_by_default(path):
    run = plinth("parquet", "cat", ROOT / path, "--format", "jsonl")
    assert_clean_failure(run, path)
    assert re.search(r"checksum|crc", run.stderr, re.I), f"message should name the checksum/CRC: {run.describe()}"


@pytest.mark.parametrize("path", sorted(CORRUPT_CHECKSUM), ids=lambda p: p.rsplit("/", 1)[-1])
def test_corrupt_checksum_reads_without_verification(path):
    e = next(e for e in INDEX["parquet"] if e["path"] == path)
    check_cat(e, "--no-verify-checksums")


# ---- robustness ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(MAY_DECODE), ids=lambda p: p.rsplit("/", 1)[-1])
def test_malformed_but_decodable(path):
    e = next(e for e in INDEX["parquet"] if e["path"] == path)
    try:
        run = plinth("parquet", "cat", ROOT / path, "--format", "jsonl", timeout=BAD_DATA_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"plinth parquet cat {path} hung for {BAD_DATA_TIMEOUT}s")
    if run.rc == 0:
        rows, hint, cols = expected_for(e)
        assert len(rows) == 25
        lo.assert_rows_equal(run.jsonl(), rows, hint, columns=cols, check_key_order=True, context=path)
    else:
        assert_clean_failure(run, path)


@pytest.mark.parametrize("e", INDEX["parquet_bad_data"], ids=file_id)
def test_bad_data_fails_cleanly(e):
    for args in (("parquet", "cat", ROOT / e["path"], "--format", "jsonl"), ("parquet", "inspect", ROOT / e["path"])):
        try:
            run = plinth(*args, timeout=BAD_DATA_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"plinth {' '.join(map(str, args[:2]))} {e['path']} hung for {BAD_DATA_TIMEOUT}s")
        if args[1] == "inspect" and run.rc == 0:
            continue  # a footer may be intact although the pages are not
        if e["path"] in BAD_DATA_MAY_DECODE and run.rc == 0:
            rows = run.jsonl()
            assert len(rows) == int(SUMMARY[e["path"][len("parquet/"):]]["file"]["num_rows"]), run.describe()
            continue
        assert_clean_failure(run, f"{args[1]} {e['path']}")


# ---- inspect ------------------------------------------------------------------------------------

def summary_of(path):
    return SUMMARY[path]


def summary_encodings(column):
    out = set()
    for item in column["encodings"]:
        out |= {x.strip() for x in item.split(",") if x.strip()}
    return out


INSPECT_TEXT_FILES = [
    "parquet/alltypes_plain.parquet",
    "parquet/rle-dict-snappy-checksum.parquet",
    "parquet/delta_length_byte_array.parquet",
    "parquet/datapage_v2.snappy.parquet",
    "parquet/lz4_raw_compressed.parquet",
    "parquet/data_index_bloom_encoding_stats.parquet",
    "parquet/sort_columns.parquet",
]


@pytest.mark.parametrize("path", INSPECT_TEXT_FILES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_inspect_text(path):
    run = plinth("parquet", "inspect", ROOT / path)
    assert run.rc == 0, run.describe()
    text = run.stdout_bytes.decode("utf-8")
    s = summary_of(path)
    created_by = s["file"]["created_by"]  # None for delta_length_byte_array: the footer has none
    if created_by is not None:
        assert created_by in text, f"created_by {created_by!r} not in output:\n{text}"
    assert re.search(rf"\b{s['file']['num_rows']}\b", text), f"num_rows {s['file']['num_rows']} not in output:\n{text}"
    for col in s["columns"]:
        for codec in col["codecs"]:
            assert codec in text, f"codec {codec} of {col['path_in_schema']} not in output:\n{text}"
        for enc in summary_encodings(col):
            assert enc in text, f"encoding {enc} of {col['path_in_schema']} not in output:\n{text}"


INSPECT_JSON_FILES = [e["path"] for e in INDEX["parquet"]
                      if lo.level_word(e["level"]) in ("basic", "intermediate", "advanced", "robustness")]


def path_text(path):
    return ".".join(path) if isinstance(path, list) else path


@pytest.mark.parametrize("path", INSPECT_JSON_FILES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_inspect_json(path):
    run = plinth("parquet", "inspect", ROOT / path, "--json")
    assert run.rc == 0, run.describe()
    doc = run.json()
    s = summary_of(path)
    assert isinstance(doc, dict), doc
    assert doc.get("num_rows") == int(s["file"]["num_rows"]), f"num_rows: {doc.get('num_rows')!r}"
    assert doc.get("created_by") == s["file"]["created_by"]
    assert isinstance(doc.get("schema"), list) and doc["schema"], "schema must be a non-empty list"
    groups = doc.get("row_groups")
    assert isinstance(groups, list) and len(groups) == int(s["file"]["num_row_groups"]), groups
    assert sum(g["num_rows"] for g in groups) == doc["num_rows"]
    # DuckDB joins nested path parts with ", " ("e, list, element"); Plinth may give a list or "e.list.element".
    expected_cols = {".".join(c["path_in_schema"].split(", ")): c for c in s["columns"]}
    seen_codecs = {p: set() for p in expected_cols}
    seen_encodings = {p: set() for p in expected_cols}
    for g in groups:
        paths = [path_text(c["path"]) for c in g["columns"]]
        assert sorted(paths) == sorted(expected_cols), f"column paths {paths} vs {sorted(expected_cols)}"
        for c in g["columns"]:
            p = path_text(c["path"])
            seen_codecs[p].add(str(c["codec"]).upper())
            seen_encodings[p] |= {str(x).upper() for x in c["encodings"]}
            assert isinstance(c.get("statistics"), dict), f"column {p}: statistics must be an object ({{}} when absent): {c}"
    for p, col in expected_cols.items():
        assert seen_codecs[p] == set(col["codecs"]), f"{p}: codecs {seen_codecs[p]} vs {col['codecs']}"
        assert seen_encodings[p] == summary_encodings(col), f"{p}: encodings {seen_encodings[p]} vs {col['encodings']}"
