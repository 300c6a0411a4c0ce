"""Self-checks of the DuckDB oracle (tools/duckdb/duckdb.mjs) and of tests/lake_oracle.py.

No Plinth binary is needed: DuckDB's own reading of every flat test file, printed in Plinth's
conventions, must equal the normalized derived DuckDB dump exactly (both come from DuckDB, so any
difference is a normalizer or formatter bug). Upstream CSV / int96 expectations and the
hyparquet dumps are cross-checked the same way.
"""
import decimal
import json
import math
import subprocess

import pytest

import lake_oracle as lo

ROOT = lo.testdata_root()
if ROOT is None:
    pytest.skip("test_lake_oracle: shared testdata not found (set PLINTH_TESTDATA)", allow_module_level=True)

INDEX = lo.load_index(ROOT)
SUMMARY = lo.load_metadata_summary(ROOT)
needs_duckdb = pytest.mark.skipif(not lo.duckdb_available(),
                                  reason="DuckDB oracle not installed (scripts/install-deps.sh runs npm ci in tools/duckdb)")

# Dumps written by hyparquet because DuckDB cannot read the file (MANIFEST section 3).
HYPARQUET_DUMPS = {
    "parquet/hadoop_lz4_compressed.parquet",
    "parquet/hadoop_lz4_compressed_larger.parquet",
    "parquet/non_hadoop_lz4_compressed.parquet",
    "parquet/byte_stream_split_extended.gzip.parquet",
}


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    """Overrides the conftest check: these tests never run the plinth binary."""


def flat_entries():
    return [e for e in INDEX["parquet"] if not e.get("nested") and e.get("derived_rows_jsonl")]


def duckdb_entries():
    return [e for e in flat_entries() if e["path"] not in HYPARQUET_DUMPS]


def entry(path):
    return next(e for e in INDEX["parquet"] if e["path"] == path)


# ---- formatting and comparison units ---------------------------------------------------------

def test_timestamp_formatting_covers_expanded_years_and_negative_micros():
    assert lo.format_timestamp_micros(0) == "1970-01-01T00:00:00.000000Z"
    assert lo.format_timestamp_micros(-1, utc=False) == "1969-12-31T23:59:59.999999"
    assert lo.format_timestamp_nanos(-1) == "1969-12-31T23:59:59.999999Z"  # floored, not truncated
    assert lo.format_timestamp_micros(253402300799999999) == "9999-12-31T23:59:59.999999Z"
    assert lo.format_timestamp_micros(253402300800000000) == "+010000-01-01T00:00:00.000000Z"
    assert lo.format_timestamp_micros(-62167219200000000) == "0000-01-01T00:00:00.000000Z"
    assert lo.format_timestamp_micros(-62167219200000001) == "-000001-12-31T23:59:59.999999Z"
    rows = lo.int96_from_spark_rows()
    assert [r["a"] for r in rows] == [
        "2024-01-01T20:34:56.123456Z",
        "2024-01-01T01:00:00.000000Z",
        "9999-12-31T03:00:00.000000Z",
        "2024-12-30T23:00:00.000000Z",
        None,
        "+290000-12-30T23:00:00.000000Z",
    ]


def test_value_normalizers():
    assert lo.format_decimal(decimal.Decimal("1.0"), 2) == "1.00"
    assert lo.format_decimal(decimal.Decimal("1003.8580000000001"), 3) == "1003.858"
    assert lo.format_decimal(decimal.Decimal("4E-5"), 5) == "0.00004"
    assert lo.format_decimal(decimal.Decimal("-0.0"), 2) == "0.00"
    assert lo.format_decimal(12, 0) == "12"
    assert lo.duckdb_blob_text_to_bytes("\\x00a\\x5C\\x22\\xFF") == b'\x00a\\"\xff'
    assert lo.duckdb_blob_text_to_bytes("bytes:00ff41") == b"\x00\xffA"
    assert lo.normalize_value("03/01/09", "binary") == "MDMvMDEvMDk="
    assert lo.normalize_value("2020-01-01 08:09:10.001+00", "timestamp") == "2020-01-01T08:09:10.001000Z"
    assert lo.normalize_value("2009-03-01 00:01:00", "timestamp_ntz") == "2009-03-01T00:01:00.000000"
    assert lo.normalize_value("2009-03-01 00:01:00.123456789", "timestamp") == "2009-03-01T00:01:00.123456Z"
    assert lo.normalize_value("0044-03-15 (BC)", "date") == "-000043-03-15"
    assert lo.normalize_value("52951-01-02 03:04:05", "timestamp") == "+052951-01-02T03:04:05.000000Z"
    assert lo.normalize_value("12:34:56.5", "time") == "12:34:56.500000"
    nan = lo.load_dump_rows(ROOT / "derived/parquet/nan_in_stats.parquet.jsonl")
    assert lo.normalize_rows(nan, {"x": "float64"}) == [{"x": 1.0}, {"x": "NaN"}]
    assert lo.normalize_value(float("inf"), "float32") == "Infinity"
    assert lo.partition_value("2021-09-08 11:11:11", "timestamp") == "2021-09-08T11:11:11.000000Z"
    assert lo.partition_value(None, "int") is None


def test_comparator_precision_and_diffs():
    hint = {"f": "float32", "d": "float64", "h": "float16", "i": "int", "s": "string"}
    lo.assert_rows_equal([{"f": 1.1, "d": 10.1, "h": 0.1, "i": 5, "s": "x"}],
                         [{"f": 1.100000023841858, "d": 10.1, "h": 0.0999755859375, "i": 5, "s": "x"}], hint)
    lo.assert_rows_equal([{"f": "NaN", "d": "-Infinity", "h": -0.0, "i": None, "s": None}],
                         [{"f": "NaN", "d": "-Infinity", "h": -0.0, "i": None, "s": None}], hint)
    bad = [
        ({"d": 1.1}, {"d": 1.100000023841858}),  # float64 column: no float32 rounding
        ({"f": 0.0}, {"f": -0.0}),                # the sign of zero counts
        ({"i": 5.0}, {"i": 5}),                   # integers must be JSON integers
        ({"i": True}, {"i": 1}),
        ({"f": float("nan")}, {"f": "NaN"}),      # NaN must be the string "NaN"
        ({"s": "1"}, {"s": 1}),
    ]
    for actual, expected in bad:
        col = next(iter(actual))
        with pytest.raises(AssertionError) as err:
            lo.assert_rows_equal([actual], [expected], {col: hint[col]})
        assert f"row 0, column {col!r}" in str(err.value) and "actual" in str(err.value)
    with pytest.raises(AssertionError, match="row count: actual 1, expected 2"):
        lo.assert_rows_equal([{"i": 1}], [{"i": 1}, {"i": 2}], {"i": "int"})
    with pytest.raises(AssertionError, match="schema order"):
        lo.assert_rows_equal([{"s": "a", "i": 1}], [{"i": 1, "s": "a"}], hint, columns=["i", "s"], check_key_order=True)
    lo.assert_rows_equal([{"i": 2}, {"i": None}, {"i": 1}], [{"i": 1}, {"i": 2}, {"i": None}], {"i": "int"}, sort=True)


def test_schema_hints():
    assert lo.parquet_schema_hint("parquet/alltypes_plain.parquet", SUMMARY) == {
        "id": "int", "bool_col": "bool", "tinyint_col": "int", "smallint_col": "int", "int_col": "int",
        "bigint_col": "int", "float_col": "float32", "double_col": "float64", "date_string_col": "binary",
        "string_col": "binary", "timestamp_col": "timestamp"}
    assert lo.parquet_schema_hint("parquet/datapage_v2.snappy.parquet", SUMMARY)["e"] == "nested"
    assert lo.parquet_schema_hint("parquet/fixed_length_decimal.parquet", SUMMARY) == {"value": "decimal:2"}
    assert lo.parquet_schema_hint("parquet/float16_nonzeros_and_nans.parquet", SUMMARY) == {"x": "float16"}
    assert lo.parquet_schema_hint("parquet/unknown-logical-type.parquet", SUMMARY) == {
        "column with known type": "string", "column with unknown type": "binary"}
    dec = next(e for e in INDEX["delta"] if e["name"] == "basic-decimal-table")
    assert lo.delta_schema_hint(dec) == {"part": "decimal:5", "col1": "decimal:2", "col2": "decimal:5", "col3": "decimal:10"}


# ---- DuckDB oracle conventions ---------------------------------------------------------------

@needs_duckdb
def test_duckdb_cli_prints_plinth_conventions():
    sql = """SELECT 1.1::FLOAT f, 10.1::DOUBLE d, -0.0::DOUBLE z, 'nan'::DOUBLE n, 'inf'::FLOAT i, '-inf'::DOUBLE ni,
        123.450::DECIMAL(10,3) dc, -0.05::DECIMAL(4,2) dc2, 12345678901234567890123::HUGEINT h,
        18446744073709551615::UBIGINT u, 9007199254740993::BIGINT b53, from_hex('ff0061')::BLOB bl,
        DATE '2021-09-08' dt, TIMESTAMP '2024-01-01 20:34:56.123456' ts, TIMESTAMPTZ '2020-01-01 08:09:10.001+00' tz,
        make_timestamp(9089380393200000000) far, TIMESTAMP_NS '1969-12-31 23:59:59.9999999' ns, TIME '12:34:56.5' tm,
        'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::UUID uu, 'x"y'::VARCHAR s, NULL::INTEGER nul, true bo, [1, 2] l"""
    proc = lo.duckdb_run(sql)
    assert proc.stdout == (
        '{"f":1.1,"d":10.1,"z":-0.0,"n":"NaN","i":"Infinity","ni":"-Infinity","dc":"123.450","dc2":"-0.05",'
        '"h":12345678901234567890123,"u":18446744073709551615,"b53":9007199254740993,"bl":"/wBh",'
        '"dt":"2021-09-08","ts":"2024-01-01T20:34:56.123456","tz":"2020-01-01T08:09:10.001000Z",'
        '"far":"+290000-12-30T23:00:00.000000","ns":"1969-12-31T23:59:59.999999","tm":"12:34:56.500000",'
        '"uu":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","s":"x\\"y","nul":null,"bo":true,"l":[1,2]}\n')


@needs_duckdb
def test_duckdb_cli_runs_scripts_threads_and_reports_errors(tmp_path):
    script = tmp_path / "s.sql"
    script.write_text("CREATE TABLE t AS SELECT range AS i FROM range(5);\nSELECT sum(i) AS s FROM t;\n")
    base = ["node", str(lo.DUCKDB_SCRIPT)]
    proc = subprocess.run(base + ["--file", str(script), "--threads", "1", "--time"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '{"s":10}\n'
    timing = json.loads(proc.stderr)
    assert [s["index"] for s in timing["statements"]] == [0, 1] and timing["total_seconds"] >= 0
    db = tmp_path / "x.duckdb"
    assert lo.duckdb_query("SELECT 42 AS v", threads=1) == [{"v": 42}]
    lo.duckdb_run("CREATE TABLE t AS SELECT 42 AS v", db=db)
    assert lo.duckdb_run("SELECT v FROM t", db=db).stdout == '{"v":42}\n'
    assert lo.duckdb_run("SELECT v FROM t", db=db, fmt="none").stdout == ""
    proc = subprocess.run(base + ["--sql", "SELECT * FROM no_such_table"], capture_output=True, text=True)
    assert proc.returncode == 1 and "no_such_table" in proc.stderr and proc.stdout == ""
    proc = subprocess.run(base + ["--bogus"], capture_output=True, text=True)
    assert proc.returncode == 1 and "usage" in proc.stderr


# ---- DuckDB's reading == normalized derived dump (proves the normalizer) ---------------------

@needs_duckdb
@pytest.mark.parametrize("e", duckdb_entries(), ids=lambda e: e["path"].split("/")[-1])
def test_duckdb_reading_equals_normalized_dump(e):
    f = ROOT / e["path"]
    hint = lo.parquet_schema_hint(e["path"], SUMMARY, int96_utc=False)  # DuckDB: INT96 -> TIMESTAMP
    actual = lo.duckdb_query(f"SELECT * FROM read_parquet({lo.sql_string(f)})")
    expected = lo.normalize_duckdb_dump_rows(ROOT / e["derived_rows_jsonl"], hint)
    assert len(expected) == int(e["rows_read_by_duckdb"])
    lo.assert_rows_equal(actual, expected, hint, check_key_order=True, context=e["path"])


@pytest.mark.parametrize("e", flat_entries(), ids=lambda e: e["path"].split("/")[-1])
def test_dump_row_count_matches_footer(e):
    rows = lo.load_dump_rows(ROOT / e["derived_rows_jsonl"])
    assert len(rows) == int(SUMMARY[e["path"]]["file"]["num_rows"]) == int(e["footer_num_rows"])
    if rows:
        assert list(rows[0]) == list(lo.parquet_schema_hint(e["path"], SUMMARY))


# ---- upstream expectations against the dumps --------------------------------------------------

@pytest.mark.parametrize("e", [e for e in INDEX["parquet"] if e.get("upstream_expected_csv")],
                         ids=lambda e: e["path"].split("/")[-1])
def test_upstream_csv_equals_normalized_dump(e):
    hint = lo.parquet_schema_hint(e["path"], SUMMARY)
    csv_rows = lo.load_expect_csv(ROOT / e["upstream_expected_csv"], hint)
    dump_rows = lo.normalize_duckdb_dump_rows(ROOT / e["derived_rows_jsonl"], hint)
    lo.assert_rows_equal(csv_rows, dump_rows, hint, check_key_order=True, context=e["upstream_expected_csv"])
    assert any(v is None for r in csv_rows for v in r.values()) == ("optional" in e["path"])


def test_int96_upstream_list_agrees_with_dump_except_row_6():
    e = entry("parquet/int96_from_spark.parquet")
    hint = lo.parquet_schema_hint(e["path"], SUMMARY)
    dump = lo.normalize_duckdb_dump_rows(ROOT / e["derived_rows_jsonl"], hint)
    upstream = lo.int96_from_spark_rows()
    lo.assert_rows_equal(dump[:5], upstream[:5], hint)
    assert dump[5] != upstream[5], "MANIFEST says the derived row 6 is wrong; if it now agrees, drop this note"


def test_hyparquet_dumps():
    # LZ4 variants: same 4 rows (MANIFEST/Arrow C++); lz4_raw's dump is DuckDB's, the others hyparquet's.
    def norm(path):
        e = entry(path)
        return lo.normalize_duckdb_dump_rows(ROOT / e["derived_rows_jsonl"], lo.parquet_schema_hint(path, SUMMARY))
    raw = norm("parquet/lz4_raw_compressed.parquet")
    hint = lo.parquet_schema_hint("parquet/lz4_raw_compressed.parquet", SUMMARY)
    assert [r["c0"] for r in raw] == [1593604800, 1593604800, 1593604801, 1593604801]
    assert [r["v11"] for r in raw] == [42.0, 7.7, 42.125, 7.7]
    for p in ("parquet/hadoop_lz4_compressed.parquet", "parquet/non_hadoop_lz4_compressed.parquet"):
        assert lo.parquet_schema_hint(p, SUMMARY) == hint
        lo.assert_rows_equal(norm(p), raw, hint, check_key_order=True, context=p)
    larger_raw = norm("parquet/lz4_raw_compressed_larger.parquet")
    lo.assert_rows_equal(norm("parquet/hadoop_lz4_compressed_larger.parquet"), larger_raw,
                         lo.parquet_schema_hint("parquet/lz4_raw_compressed_larger.parquet", SUMMARY))
    assert larger_raw[0]["a"] == "c7ce6bef-d5b0-4863-b199-8ea8c7fb117b"
    assert larger_raw[9999]["a"] == "85440778-460a-41ac-aa2e-ac3ee41696bf"
    # BYTE_STREAM_SPLIT: every *_byte_stream_split column equals its *_plain column.
    bss = "parquet/byte_stream_split_extended.gzip.parquet"
    bhint = lo.parquet_schema_hint(bss, SUMMARY)
    assert bhint["float16_plain"] == "float16" and bhint["decimal_plain"] == "decimal:3" and bhint["flba5_plain"] == "binary"
    rows = norm(bss)
    assert len(rows) == 200 and rows[0]["decimal_plain"] == "1003.858" and rows[0]["flba5_plain"] == "MDM3OTU="
    for c in [c for c in bhint if c.endswith("_plain")]:
        twin = c[: -len("_plain")] + "_byte_stream_split"
        lo.assert_rows_equal([{c: r[twin]} for r in rows], [{c: r[c]} for r in rows], {c: bhint[c]})


def test_float_quirks_in_dumps():
    e = entry("parquet/float16_nonzeros_and_nans.parquet")
    rows = lo.normalize_duckdb_dump_rows(ROOT / e["derived_rows_jsonl"], {"x": "float16"})
    values = [r["x"] for r in rows]
    assert values[0] is None and values[3] == "NaN" and math.copysign(1, values[6]) == -1
    assert [v for i, v in enumerate(values) if i not in (0, 3)] == [1.0, -2.0, 0.0, -1.0, -0.0, 2.0]
    alltypes = lo.normalize_duckdb_dump_rows(ROOT / "derived/parquet/alltypes_plain.parquet.jsonl",
                                             lo.parquet_schema_hint("parquet/alltypes_plain.parquet", SUMMARY))
    lo.assert_rows_equal([{"float_col": 1.1}], [alltypes[1]], {"float_col": "float32"}, columns=["float_col"])


# ---- Delta: DuckDB over the active files == normalized expected dump ---------------------------

def delta_cross_checkable():
    out = []
    for e in INDEX["delta"]:
        if e["must_fail"] or not e.get("derived_expected_jsonl") or e.get("dv_deleted_rows"):
            continue
        if "columnmapping" in e["name"]:
            continue  # Parquet files use physical names: not readable by name
        out.append(e)
    return out


@needs_duckdb
@pytest.mark.parametrize("e", delta_cross_checkable(), ids=lambda e: e["name"])
def test_duckdb_active_files_equal_delta_expected(e):
    hint = lo.delta_schema_hint(e)
    actual = lo.duckdb_read_delta_active_files(e, ROOT)
    expected = lo.normalize_duckdb_dump_rows(ROOT / e["derived_expected_jsonl"], hint)
    cols = lo.flat_columns(hint)
    if e["name"] == "data-reader-partition-values":
        # The one known disagreement (MANIFEST): Spark read the zone-less partition string
        # '2021-09-08 11:11:11' in America/Los_Angeles, so expected/ says 18:11:11Z.
        got = sorted({r["as_timestamp"] for r in actual} - {None})
        want = sorted({r["as_timestamp"] for r in expected} - {None})
        assert got == ["2021-09-08T11:11:11.000000Z"] and want == ["2021-09-08T18:11:11.000000Z"]
        cols = [c for c in cols if c != "as_timestamp"]
    lo.assert_rows_equal(actual, expected, hint, columns=cols, sort=True, context=e["name"])


@needs_duckdb
def test_duckdb_active_files_of_tables_without_dump():
    by_name = {e["name"]: e for e in INDEX["delta"]}
    rows = lo.duckdb_read_delta_active_files(by_name["basic_partitioned"], ROOT)
    hint = lo.delta_schema_hint(by_name["basic_partitioned"])
    expected = [
        {"letter": None, "number": 6, "a_float": 6.6}, {"letter": "a", "number": 1, "a_float": 1.1},
        {"letter": "a", "number": 4, "a_float": 4.4}, {"letter": "b", "number": 2, "a_float": 2.2},
        {"letter": "c", "number": 3, "a_float": 3.3}, {"letter": "e", "number": 5, "a_float": 5.5},
    ]
    lo.assert_rows_equal(rows, expected, hint, sort=True, check_key_order=True)
    app = by_name["app-txn-checkpoint"]
    assert len(lo.duckdb_read_delta_active_files(app, ROOT)) == app["rows_from_stats"] == 22
