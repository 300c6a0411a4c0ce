"""Black-box Parquet interoperability between Plinth and DuckDB, both ways, on randomized data.

  plinth_writes  - `plinth parquet write` (every codec, with and without dictionary, tiny row
                   groups) of seeded random rows covering every Plinth type and its extremes;
                   DuckDB's read_parquet must return the same values, DuckDB's parquet_metadata()
                   statistics (min/max/null_count) must agree with the data of each row group,
                   and Plinth must read its own file back. Plus 200k rows with a string column
                   whose dictionary overflows mid-chunk (fallback to PLAIN).
  duckdb_writes  - DuckDB `COPY ... TO (FORMAT parquet, ...)` of the same kind of data for every
                   codec, PARQUET_VERSION V1 and V2 (DELTA_* / BYTE_STREAM_SPLIT encodings, data
                   page v2): `plinth parquet cat` must print DuckDB's rows.
  where          - `plinth parquet cat --where` selects the rows DuckDB's WHERE selects on a
                   multi-row-group file; `plinth parquet inspect --json` reports DuckDB's row groups.
  errors         - bad input to `plinth parquet write|cat`: a message, exit 1 or 2, no file left.

Values are compared in Plinth's `--format jsonl` conventions (tests/lake_oracle.py); DuckDB's
output is formatted that way by tools/duckdb/duckdb.mjs. DuckDB calls cost ~0.7 s each, so every
test batches its DuckDB work into one or two calls.
"""
import base64
import decimal
import json
import math
import os
import random
import re
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

import lake_oracle as lo
from conftest import PLINTH_BIN, clean_env

if not lo.duckdb_available():
    pytest.skip("test_parquet_interop: DuckDB oracle not installed (scripts/install-deps.sh)", allow_module_level=True)

pytestmark = pytest.mark.lake

SEED = int(os.environ.get("PLINTH_INTEROP_SEED", "20240611"))
PLINTH_CODECS = ["snappy", "zstd", "gzip", "lz4_raw", "uncompressed"]
DUCKDB_CODECS = ["snappy", "zstd", "gzip", "lz4_raw", "uncompressed"]


# ---- running plinth -----------------------------------------------------------------------------

class Run:
    def __init__(self, args, proc):
        self.args = [str(a) for a in args]
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def describe(self):
        return f"plinth {' '.join(self.args)[:400]} exited {self.rc}; stderr: {self.stderr.strip()[:2000]!r}"

    def ok(self):
        assert self.rc == 0, self.describe()
        return self

    def jsonl(self):
        self.ok()
        return lo.parse_jsonl(self.stdout)

    def json(self):
        self.ok()
        return json.loads(self.stdout)


def plinth(*args, cwd=None, timeout=120):
    args = [str(a) for a in args]
    proc = subprocess.run([PLINTH_BIN, *args], env=clean_env(), capture_output=True, text=True, timeout=timeout, cwd=cwd)
    return Run(args, proc)


def plinth_write(out, rows_path, schema, *extra):
    return plinth("parquet", "write", out, "--input", rows_path, "--schema", schema, *extra)


def plinth_cat(path, *extra):
    return plinth("parquet", "cat", path, "--format", "jsonl", *extra).jsonl()


# ---- column model -------------------------------------------------------------------------------
#
# A logical value per kind: bool -> bool; int -> int; float16/32/64 -> float (NaN/inf allowed, already
# representable in the column's precision); string -> str; binary/uuid -> bytes; decimal:S -> the
# unscaled int; date -> days since the epoch; timestamp/timestamp_ntz/time -> microseconds
# (timestamp_ns columns: nanoseconds, see Col.nanos).

def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f16(x):
    return struct.unpack("<e", struct.pack("<e", x))[0]


def unscaled_text(v, scale):
    """Unscaled integer -> decimal text with exactly `scale` fraction digits (no float/context rounding)."""
    digits = str(abs(v)).rjust(scale + 1, "0")
    text = digits[:len(digits) - scale] + ("." + digits[len(digits) - scale:] if scale else "")
    return ("-" if v < 0 else "") + text


def scale_of(kind):
    return int(kind.split(":", 1)[1])


@dataclass
class Col:
    name: str
    plinth_type: str | None     # --schema type (None: not writable by Plinth)
    duck_type: str              # DuckDB column type
    kind: str                   # lake_oracle comparison kind
    gen: Callable               # rng -> logical value
    extremes: list = field(default_factory=list)
    nullable: bool = True
    nanos: bool = False         # logical value is nanoseconds (TIMESTAMP_NS)

    def expected(self, v):
        """Logical value -> Plinth's jsonl form."""
        if v is None:
            return None
        k = self.kind
        if k in lo.FLOAT_KINDS:
            if math.isnan(v):
                return "NaN"
            if math.isinf(v):
                return "Infinity" if v > 0 else "-Infinity"
            return v
        if k in ("binary",):
            return lo.base64_of(v)
        if k == "uuid":
            h = v.hex()
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        if k.startswith("decimal:"):
            return unscaled_text(v, scale_of(k))
        if k == "date":
            return lo.format_date_days(v)
        if k in ("timestamp", "timestamp_ntz"):
            micros = v // 1000 if self.nanos else v
            return lo.format_timestamp_micros(micros, utc=k == "timestamp")
        if k == "time":
            return lo.format_time_micros(v)
        return v

    def plinth_input(self, v):
        """Logical value -> JSON input value for `plinth parquet write` (jsonl)."""
        return self.expected(v)

    def duck_text(self, v):
        """Logical value -> text that DuckDB casts from VARCHAR to duck_type (binary: base64)."""
        if v is None:
            return None
        k = self.kind
        if k == "bool":
            return "true" if v else "false"
        if k == "int":
            return str(v)
        if k in lo.FLOAT_KINDS:
            e = self.expected(v)
            return e if isinstance(e, str) else repr(e)
        if k == "string":
            return v
        if k == "binary":
            return lo.base64_of(v)
        if k in ("timestamp", "timestamp_ntz"):
            if self.nanos:
                days, rest = divmod(v, 86_400_000_000_000)
                secs, ns = divmod(rest, 1_000_000_000)
                text = f"{lo.format_date_days(days)} {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.{ns:09d}"
            else:
                text = lo.format_timestamp_micros(v, utc=False).replace("T", " ")
            return text + ("+00" if k == "timestamp" else "")
        return self.expected(v)  # uuid, decimal, date, time

    def duck_cast(self, name):
        """SQL expression turning the VARCHAR column `name` into duck_type."""
        if self.kind == "binary":
            return f'from_base64("{name}")'
        return f'CAST("{name}" AS {self.duck_type})'


# ---- generators ---------------------------------------------------------------------------------

UNICODE_SAMPLES = ["", " ", "a", "é", "Ünïcödé", "日本語テキスト", "😀🎉", "\U0001F9D1\u200D\U0001F4BB", "e\u0301",
                   "tab\tnew\nline", "quote'\"back\\slash", "\x01\x1f\x7f", "\u2028\u2029", "עברית", "ẞ", "\ufeffbom"]
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 _-éüß日本😀"


def gen_string(rng):
    r = rng.random()
    if r < 0.25:
        return rng.choice(UNICODE_SAMPLES)
    if r < 0.30:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(500, 5000)))  # long
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24)))


def gen_bytes(rng, lo_=0, hi=40):
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(lo_, hi)))


def int_gen(lo_, hi):
    def g(rng):
        r = rng.random()
        if r < 0.1:
            return rng.choice([lo_, hi, 0, lo_ + 1, hi - 1])
        if r < 0.5:
            return rng.randint(max(lo_, -100), min(hi, 100))
        return rng.randint(lo_, hi)
    return g


def float_gen(width):
    rnd = {16: f16, 32: f32, 64: float}[width]
    pack = {16: "<e", 32: "<f", 64: "<d"}[width]
    nbits = width

    def g(rng):
        r = rng.random()
        if r < 0.4:
            return rnd(rng.uniform(-1000, 1000))
        if r < 0.5:
            return rnd(float(rng.randint(-5, 5)))
        while True:  # any bit pattern: subnormals, huge, tiny
            x = struct.unpack(pack, rng.getrandbits(nbits).to_bytes(nbits // 8, "little"))[0]
            if not math.isnan(x):
                return x
    return g


def float_extremes(width):
    nan, inf = float("nan"), float("inf")
    common = [nan, inf, -inf, -0.0, 0.0, 1.0, -1.0]
    if width == 64:
        return common + [5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
                         -1.7976931348623157e308, 0.1, 1e16, 123456789.125]
    if width == 32:
        return common + [f32(1.401298464324817e-45), -f32(1.401298464324817e-45), f32(1.1754943508222875e-38),
                         f32(1.1754942106924411e-38), f32(3.4028234663852886e38), -f32(3.4028234663852886e38),
                         f32(0.1), f32(16777217.0)]
    return common + [f16(5.960464477539063e-08), -f16(5.960464477539063e-08), f16(6.103515625e-05), 65504.0, -65504.0,
                     f16(0.1), 2048.0]


def decimal_gen(p):
    top = 10 ** p - 1

    def g(rng):
        r = rng.random()
        if r < 0.15:
            return rng.choice([top, -top, 0, 1, -1])
        digits = rng.randint(1, p)
        v = rng.randint(0, 10 ** digits - 1)
        return -v if rng.random() < 0.5 else v
    return g


def decimal_extremes(p):
    top = 10 ** p - 1
    return [top, -top, 0, 1, -1, 10 ** (p - 1), -(10 ** (p - 1))]


def days(y, m, d):
    return lo_days_from_civil(y, m, d)


def lo_days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


DAY_US = 86_400_000_000
MIN_DATE, MAX_DATE = days(1, 1, 1), days(9999, 12, 31)
DATE_EXTREMES = [MIN_DATE, MAX_DATE, -1, 0, 1, days(1582, 10, 4), days(1582, 10, 15), days(1900, 2, 28), days(2000, 2, 29),
                 days(1600, 3, 1), days(1969, 12, 31)]
TS_MIN, TS_MAX = MIN_DATE * DAY_US, (MAX_DATE + 1) * DAY_US - 1
TS_EXTREMES = [TS_MIN, TS_MAX, 0, -1, 1, -999_999, -1_000_001, days(1900, 1, 1) * DAY_US - 1, days(2038, 1, 19) * DAY_US + 1]
# TIMESTAMP_NS covers 1677-09-21 .. 2262-04-11
NS_MIN, NS_MAX = days(1677, 9, 22) * DAY_US * 1000, days(2262, 4, 10) * DAY_US * 1000
NS_EXTREMES = [NS_MIN, NS_MAX, 0, -1, 1, -999, -1001, 1_123_456_789]


def ranged(lo_, hi, extremes=()):
    def g(rng):
        if rng.random() < 0.1 and extremes:
            return rng.choice(list(extremes))
        if rng.random() < 0.4:  # near the epoch: fractional seconds around zero
            return rng.randint(max(lo_, -10 ** 12), min(hi, 10 ** 12))
        return rng.randint(lo_, hi)
    return g


def gen_time(rng):
    return rng.choice([0, DAY_US - 1, 1, 43_200_000_000]) if rng.random() < 0.1 else rng.randint(0, DAY_US - 1)


INT_RANGES = {
    "int8": (-2 ** 7, 2 ** 7 - 1, "TINYINT"), "int16": (-2 ** 15, 2 ** 15 - 1, "SMALLINT"),
    "int32": (-2 ** 31, 2 ** 31 - 1, "INTEGER"), "int64": (-2 ** 63, 2 ** 63 - 1, "BIGINT"),
    "uint8": (0, 2 ** 8 - 1, "UTINYINT"), "uint16": (0, 2 ** 16 - 1, "USMALLINT"),
    "uint32": (0, 2 ** 32 - 1, "UINTEGER"), "uint64": (0, 2 ** 64 - 1, "UBIGINT"),
}


def int_col(name, t):
    lo_, hi, duck = INT_RANGES[t]
    return Col(name, t, duck, "int", int_gen(lo_, hi), [lo_, hi, 0])


def decimal_scale(p):
    return [0, p, p // 2, 1, p - 1][p % 5] if p > 1 else p % 2


def dec_col(p, s):
    return Col(f"dec{p}_{s}", f"decimal({p},{s})", f"DECIMAL({p},{s})", f"decimal:{s}", decimal_gen(p), decimal_extremes(p))


def decimal_cols(precisions, extra=((9, 0), (18, 18), (38, 0), (38, 38))):
    """One column per precision (scales vary), plus the given (precision, scale) pairs."""
    return [dec_col(p, decimal_scale(p)) for p in precisions] + [dec_col(p, s) for p, s in extra]


def plinth_columns():
    """Every Plinth type (all 38 decimal precisions)."""
    cols = [
        Col("id", "int64 not null", "BIGINT", "int", None, nullable=False),
        Col("b", "boolean", "BOOLEAN", "bool", lambda r: r.random() < 0.5, [True, False]),
        *[int_col(t, t) for t in INT_RANGES],
        Col("f32", "float", "FLOAT", "float32", float_gen(32), float_extremes(32)),
        Col("f64", "double", "DOUBLE", "float64", float_gen(64), float_extremes(64)),
        Col("f16", "float16", "FLOAT", "float16", float_gen(16), float_extremes(16)),
        Col("s", "string", "VARCHAR", "string", gen_string, UNICODE_SAMPLES),
        Col("bin", "binary", "BLOB", "binary", gen_bytes, [b"", b"\x00", b"\xff" * 3, bytes(range(256))]),
        Col("fb", "fixed_binary(5)", "BLOB", "binary", lambda r: gen_bytes(r, 5, 5), [b"\x00" * 5, b"\xff" * 5]),
        Col("uid", "uuid", "UUID", "uuid", lambda r: gen_bytes(r, 16, 16), [b"\x00" * 16, b"\xff" * 16, b"\x80" + b"\x00" * 15]),
        Col("d", "date", "DATE", "date", ranged(MIN_DATE, MAX_DATE, DATE_EXTREMES), DATE_EXTREMES),
        Col("ts", "timestamp", "TIMESTAMPTZ", "timestamp", ranged(TS_MIN, TS_MAX, TS_EXTREMES), TS_EXTREMES),
        Col("tsn", "timestamp_ntz", "TIMESTAMP", "timestamp_ntz", ranged(TS_MIN, TS_MAX, TS_EXTREMES), TS_EXTREMES),
        Col("t", "time", "TIME", "time", gen_time, [0, DAY_US - 1]),
        *decimal_cols(range(1, 39)),
    ]
    return cols


def make_rows(cols, n, rng, null_rate=0.12, id_order=True):
    """n rows {name: logical value}; every extreme of every column appears at least once."""
    rows = []
    for i in range(n):
        row = {}
        for c in cols:
            if c.name == "id":
                row["id"] = i if id_order else rng.randint(-2 ** 63, 2 ** 63 - 1)
                continue
            if c.nullable and rng.random() < null_rate:
                row[c.name] = None
            elif c.extremes and i < len(c.extremes) * 3 and i % 3 == 1:
                row[c.name] = c.extremes[i // 3]
            else:
                row[c.name] = c.gen(rng)
        rows.append(row)
    # a row of nulls and a row group that is all nulls for some columns
    if n > 2:
        for c in cols:
            if c.nullable:
                rows[2][c.name] = None
    return rows


def expected_rows(cols, rows):
    return [{c.name: c.expected(r[c.name]) for c in cols} for r in rows]


def hint_of(cols):
    return {c.name: c.kind for c in cols}


def schema_text(cols):
    return ", ".join(f"{c.name} {c.plinth_type}" for c in cols)


def write_jsonl(path, cols, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({c.name: c.plinth_input(r[c.name]) for c in cols}, ensure_ascii=False,
                               allow_nan=False) + "\n")


def create_table_sql(table, cols, rows, workdir):
    """SQL creating `table` from `rows` (through a jsonl file of VARCHARs: much faster than literals)."""
    src = Path(workdir) / f"{table}.duck.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({c.name: c.duck_text(r[c.name]) for c in cols}) + "\n")
    varchar = ", ".join(f"{lo.sql_string(c.name)}: 'VARCHAR'" for c in cols)
    return (f"CREATE TABLE {table} (" + ", ".join(f'"{c.name}" {c.duck_type}' for c in cols) + ");\n"
            f"INSERT INTO {table} SELECT " + ", ".join(c.duck_cast(c.name) for c in cols) +
            f" FROM read_json({sql_path(src)}, columns={{{varchar}}}, format='newline_delimited');")


def sql_path(p):
    return lo.sql_string(str(p))


def sql_list(paths):
    return "[" + ", ".join(sql_path(p) for p in paths) + "]"


# ---- statistics ---------------------------------------------------------------------------------

def order_key(kind, v):
    """Sort key of a logical value in Parquet's column order for `kind` (None for NaN: not ordered)."""
    if kind in lo.FLOAT_KINDS:
        return None if math.isnan(v) else (v + 0.0)  # -0.0 == 0.0
    if kind == "string":
        return v.encode("utf-8")
    if kind in ("bool",):
        return int(v)
    return v


def expected_chunk_stats(col, values):
    """(null_count, min, max) of one column chunk in logical values (min/max None when no value)."""
    nulls = sum(v is None for v in values)
    keyed = [(order_key(col.kind, v), v) for v in values if v is not None]
    keyed = [kv for kv in keyed if kv[0] is not None]
    if not keyed:
        return nulls, None, None
    return nulls, min(keyed, key=lambda kv: kv[0])[1], max(keyed, key=lambda kv: kv[0])[1]


def stat_equal(col, actual, expected):
    """Statistic from a reader (already in jsonl form) vs the expected logical value."""
    if col.kind in lo.FLOAT_KINDS and expected is not None and expected == 0.0:
        return actual in (0.0, -0.0) and not isinstance(actual, str)  # either zero may be written (spec: -0.0 / +0.0)
    return lo.canonical(actual, col.kind) == lo.canonical(col.expected(expected), col.kind)


def duckdb_stat_to_jsonl(col, text):
    """DuckDB parquet_metadata() stats_{min,max}_value text -> Plinth's jsonl form for the column."""
    if text is None:
        return None
    k = col.kind
    if k == "int":
        return int(text)
    if k == "bool":
        return {"true": True, "false": False}[text.lower()]
    if k in lo.FLOAT_KINDS:
        x = float(text)  # also "nan", "inf", "-inf", "Infinity"
        if math.isnan(x):
            return "NaN"
        return ("Infinity" if x > 0 else "-Infinity") if math.isinf(x) else x
    if k.startswith("decimal:"):
        return lo.format_decimal(decimal.Decimal(text), scale_of(k))
    if k == "binary":
        return lo.base64_of(lo.duckdb_blob_text_to_bytes(text))
    if k == "uuid":
        if re.fullmatch(r"[0-9a-fA-F-]{36}", text):
            return text.lower()
        b = lo.duckdb_blob_text_to_bytes(text)
        return Col("x", None, "", "uuid", None).expected(b)
    return lo.normalize_value(text, k)


# ---- shared fixtures ----------------------------------------------------------------------------

N_ROWS = 1200
RG_ROWS = 150  # 8 row groups


@pytest.fixture(scope="module")
def plinth_dataset(tmp_path_factory):
    """Random rows over every Plinth type, as jsonl input, written by Plinth in every codec x dictionary."""
    d = tmp_path_factory.mktemp("plinth_writes")
    cols = plinth_columns()
    rows = make_rows(cols, N_ROWS, random.Random(SEED))
    src = d / "rows.jsonl"
    write_jsonl(src, cols, rows)
    files = {}
    for codec in PLINTH_CODECS:
        for dictionary in (True, False):
            out = d / f"{codec}_{'dict' if dictionary else 'plain'}.parquet"
            extra = ["--codec", codec, "--row-group-rows", str(RG_ROWS)] + ([] if dictionary else ["--no-dictionary"])
            plinth_write(out, src, schema_text(cols), *extra).ok()
            files[(codec, dictionary)] = out
    return cols, rows, files


# ---- 1. Plinth writes, DuckDB reads -------------------------------------------------------------

def test_plinth_reads_back_its_own_files(plinth_dataset):
    cols, rows, files = plinth_dataset
    want = expected_rows(cols, rows)
    for (codec, dictionary), path in files.items():
        lo.assert_rows_equal(plinth_cat(path), want, hint_of(cols), check_key_order=True,
                             context=f"plinth cat of its own {path.name}")


def test_duckdb_reads_plinth_files(plinth_dataset):
    cols, rows, files = plinth_dataset
    want = expected_rows(cols, rows)
    paths = list(files.values())
    names = ", ".join(f'"{c.name}"' for c in cols)
    got = lo.duckdb_query(
        f"SELECT {names}, regexp_extract(filename, '[^/]*$') AS __file "
        f"FROM read_parquet({sql_list(paths)}, filename=true) ORDER BY __file, id")
    by_file = {}
    for r in got:
        by_file.setdefault(r.pop("__file"), []).append(r)
    failures = []
    for path in paths:
        try:
            lo.assert_rows_equal(by_file.get(path.name, []), want, hint_of(cols), context=f"DuckDB reading {path.name}")
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_duckdb_statistics_agree_with_data(plinth_dataset):
    """parquet_metadata(): per row group and column, null_count/min/max match the rows (DuckDB's
    reading of Plinth's statistics), and Plinth's own inspect --json says the same."""
    cols, rows, files = plinth_dataset
    paths = [files[("zstd", True)], files[("uncompressed", False)]]
    meta = lo.duckdb_query(
        "SELECT regexp_extract(file_name, '[^/]*$') AS file, row_group_id, row_group_num_rows, path_in_schema, "
        "stats_null_count, stats_min_value, stats_max_value, stats_min, stats_max "
        f"FROM parquet_metadata({sql_list(paths)}) ORDER BY file, row_group_id, column_id")
    by_name = {c.name: c for c in cols}
    problems = []
    n_groups = (len(rows) + RG_ROWS - 1) // RG_ROWS
    for path in paths:
        mrows = [m for m in meta if m["file"] == path.name]
        assert len(mrows) == n_groups * len(cols), f"{path.name}: {len(mrows)} column chunks"
        inspect = plinth("parquet", "inspect", path, "--json").json()
        assert len(inspect["row_groups"]) == n_groups
        for m in mrows:
            g = m["row_group_id"]
            col = by_name[m["path_in_schema"]]
            chunk = [r[col.name] for r in rows[g * RG_ROWS:(g + 1) * RG_ROWS]]
            assert m["row_group_num_rows"] == len(chunk)
            nulls, mn, mx = expected_chunk_stats(col, chunk)
            where = f"{path.name} row group {g} column {col.name}"
            if m["stats_null_count"] != nulls:
                problems.append(f"{where}: DuckDB null_count {m['stats_null_count']}, rows have {nulls}")
            for which, want in (("min", mn), ("max", mx)):
                text = m[f"stats_{which}_value"]
                if text is None and col.kind in lo.FLOAT_KINDS and want is not None and math.isinf(want):
                    continue  # DuckDB drops non-finite float bounds (treats them as unknown); plinth's checked below
                if want is None:
                    if text is not None:
                        problems.append(f"{where}: DuckDB {which} {text!r} for a chunk without (non-NaN) values")
                    continue
                try:
                    got = duckdb_stat_to_jsonl(col, text)
                except (ValueError, KeyError) as e:
                    problems.append(f"{where}: DuckDB {which} {text!r} unreadable ({e})")
                    continue
                if not stat_equal(col, got, want):
                    problems.append(f"{where}: DuckDB {which} {text!r}, rows have {col.expected(want)!r}")
            # Plinth's own view of the same statistics
            pc = next(c for c in inspect["row_groups"][g]["columns"] if c["path"] == col.name)
            st = pc["statistics"]
            if st.get("null_count") != nulls:
                problems.append(f"{where}: plinth inspect null_count {st.get('null_count')}, rows have {nulls}")
            for which, want in (("min", mn), ("max", mx)):
                if want is None:
                    continue
                if which not in st or not stat_equal(col, st[which], want):
                    problems.append(f"{where}: plinth inspect {which} {st.get(which)!r}, rows have {col.expected(want)!r}")
    assert not problems, f"{len(problems)} statistics problem(s):\n  " + "\n  ".join(problems[:60])


def test_dictionary_fallback_mid_chunk(tmp_path):
    """200k rows in one row group: a string column starts low-cardinality (dictionary pages), then
    turns unique and overflows the 1 MiB dictionary budget -> PLAIN pages in the same chunk."""
    n = 200_000
    rng = random.Random(SEED + 1)
    low = [f"category-{i:03d}" for i in range(50)]
    src = tmp_path / "big.jsonl"
    want = []
    with open(src, "w") as f:
        for i in range(n):
            if i % 97 == 0:
                s = None
            elif i < 40_000:
                s = rng.choice(low)
            else:
                s = f"unique-{i:07d}-{rng.getrandbits(64):016x}"
            want.append({"id": i, "s": s, "k": i % 7})
            f.write(json.dumps(want[-1]) + "\n")
    out = tmp_path / "big.parquet"
    plinth_write(out, src, "id int64 not null, s string, k int32").ok()
    inspect = plinth("parquet", "inspect", out, "--json").json()
    assert len(inspect["row_groups"]) == 1
    scol = next(c for c in inspect["row_groups"][0]["columns"] if c["path"] == "s")
    assert {"PLAIN", "RLE_DICTIONARY"} <= set(scol["encodings"]), f"no dictionary-then-PLAIN chunk: {scol}"
    hint = {"id": "int", "s": "string", "k": "int"}
    duck = lo.duckdb_query(f"SELECT id, s, k FROM read_parquet({sql_path(out)}) ORDER BY id")
    lo.assert_rows_equal(duck, want, hint, context="DuckDB reading the fallback file")
    lo.assert_rows_equal(plinth_cat(out), want, hint, check_key_order=True, context="plinth reading the fallback file")


# ---- 2. DuckDB writes, Plinth reads -------------------------------------------------------------

D_ROWS = 5000
D_RG_ROWS = 2048  # DuckDB cuts row groups at whole 2048-row vectors


def duckdb_columns():
    """DuckDB types and how they come out of Parquet for Plinth."""
    ms_extremes = [TS_MIN, TS_MAX - 999, 0, -1000, 1000, -999_000]
    cat_values = ["alpha", "beta", "", "γάμμα", "😀", "delta"]
    return [
        Col("id", None, "BIGINT", "int", None, nullable=False),
        Col("b", None, "BOOLEAN", "bool", lambda r: r.random() < 0.5, [True, False]),
        *[int_col(f"{INT_RANGES[t][2].lower()}_c", t) for t in INT_RANGES],
        Col("f", None, "FLOAT", "float32", float_gen(32), float_extremes(32)),
        Col("dbl", None, "DOUBLE", "float64", float_gen(64), float_extremes(64)),
        *decimal_cols([1, 4, 9, 10, 15, 18, 19, 28, 38]),
        Col("ts", None, "TIMESTAMP", "timestamp_ntz", ranged(TS_MIN, TS_MAX, TS_EXTREMES), TS_EXTREMES),
        Col("tstz", None, "TIMESTAMPTZ", "timestamp", ranged(TS_MIN, TS_MAX, TS_EXTREMES), TS_EXTREMES),
        Col("tsns", None, "TIMESTAMP_NS", "timestamp_ntz", ranged(NS_MIN, NS_MAX, NS_EXTREMES), NS_EXTREMES, nanos=True),
        Col("tsms", None, "TIMESTAMP_MS", "timestamp_ntz", lambda r: ranged(TS_MIN, TS_MAX - 999)(r) // 1000 * 1000,
            ms_extremes),
        Col("dt", None, "DATE", "date", ranged(MIN_DATE, MAX_DATE, DATE_EXTREMES), DATE_EXTREMES),
        Col("tm", None, "TIME", "time", gen_time, [0, DAY_US - 1]),
        Col("u", None, "UUID", "uuid", lambda r: gen_bytes(r, 16, 16), [b"\x00" * 16, b"\xff" * 16, b"\x80" + b"\x00" * 15]),
        Col("bl", None, "BLOB", "binary", gen_bytes, [b"", b"\x00", b"\xff" * 3, bytes(range(256))]),
        Col("s", None, "VARCHAR", "string", gen_string, UNICODE_SAMPLES),
        Col("cat", None, "VARCHAR", "string", lambda r: r.choice(cat_values), cat_values),  # dictionary-friendly
        Col("small", None, "INTEGER", "int", lambda r: r.randint(-3, 3), [-3, 3]),
    ]


@pytest.fixture(scope="module")
def duckdb_dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("duckdb_writes")
    cols = duckdb_columns()
    rows = make_rows(cols, D_ROWS, random.Random(SEED + 2))
    files = {}
    copies = []
    for version in ("V1", "V2"):
        for codec in DUCKDB_CODECS:
            path = d / f"duck_{codec}_{version}.parquet"
            files[(codec, version)] = path
            copies.append(f"COPY t TO {sql_path(path)} (FORMAT parquet, COMPRESSION {codec}, "
                          f"ROW_GROUP_SIZE {D_RG_ROWS}, PARQUET_VERSION {version});")
    sql = create_table_sql("t", cols, rows, d) + "\n" + "\n".join(copies) + "\nSELECT * FROM t ORDER BY id;"
    duck_rows = lo.duckdb_query(sql)
    return cols, rows, files, duck_rows


def test_duckdb_table_matches_generator(duckdb_dataset):
    """Self-check of the test data: DuckDB holds the values the generator meant."""
    cols, rows, _, duck_rows = duckdb_dataset
    lo.assert_rows_equal(duck_rows, expected_rows(cols, rows), hint_of(cols), context="DuckDB table vs generator")


@pytest.mark.parametrize("version", ["V1", "V2"])
def test_plinth_reads_duckdb_files(duckdb_dataset, version):
    cols, rows, files, duck_rows = duckdb_dataset
    failures = []
    for codec in DUCKDB_CODECS:
        path = files[(codec, version)]
        try:
            lo.assert_rows_equal(plinth_cat(path), duck_rows, hint_of(cols), check_key_order=True,
                                 context=f"plinth cat {path.name}")
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_duckdb_files_use_the_encodings_we_mean_to_cover(duckdb_dataset):
    """V2 files carry DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY/DELTA_BYTE_ARRAY and
    BYTE_STREAM_SPLIT (else the V2 read test proves less than it claims); several row groups;
    plinth inspect --json reports DuckDB's row groups, codecs and encodings."""
    cols, rows, files, _ = duckdb_dataset
    paths = list(files.values())
    meta = lo.duckdb_query(
        "SELECT regexp_extract(file_name, '[^/]*$') AS file, row_group_id, row_group_num_rows, path_in_schema, "
        "compression, encodings, num_values, total_compressed_size, total_uncompressed_size, data_page_offset, "
        "dictionary_page_offset, stats_null_count "
        f"FROM parquet_metadata({sql_list(paths)}) ORDER BY file, row_group_id, column_id")
    encodings = {"V1": set(), "V2": set()}
    for (codec, version), path in files.items():
        mrows = [m for m in meta if m["file"] == path.name]
        for m in mrows:
            encodings[version] |= {e.strip() for e in m["encodings"].split(",")}
        check_inspect_against_duckdb(path, mrows)
    assert {"DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"} <= encodings["V2"], encodings
    assert encodings["V2"] & {"DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"}, encodings
    assert encodings["V1"] & {"RLE_DICTIONARY", "PLAIN_DICTIONARY"}, encodings


def check_inspect_against_duckdb(path, mrows):
    doc = plinth("parquet", "inspect", path, "--json").json()
    groups = sorted({m["row_group_id"] for m in mrows})
    assert doc["num_row_groups"] == len(groups) == len(doc["row_groups"]), f"{path.name}: row groups"
    assert len(groups) > 1, f"{path.name}: DuckDB wrote a single row group; the test wants several"
    assert doc["num_rows"] == sum(next(m["row_group_num_rows"] for m in mrows if m["row_group_id"] == g) for g in groups)
    for m in mrows:
        g = doc["row_groups"][m["row_group_id"]]
        assert g["num_rows"] == m["row_group_num_rows"], f"{path.name} rg {m['row_group_id']}"
        c = next(c for c in g["columns"] if c["path"] == m["path_in_schema"])
        where = f"{path.name} rg {m['row_group_id']} {m['path_in_schema']}"
        assert str(c["codec"]).upper() == m["compression"].upper(), f"{where}: codec {c['codec']} vs {m['compression']}"
        assert set(c["encodings"]) == {e.strip() for e in m["encodings"].split(",")}, f"{where}: {c['encodings']} vs {m['encodings']}"
        for k_plinth, k_duck in (("num_values", "num_values"), ("compressed_bytes", "total_compressed_size"),
                                 ("uncompressed_bytes", "total_uncompressed_size"), ("data_page_offset", "data_page_offset")):
            assert c[k_plinth] == m[k_duck], f"{where}: {k_plinth} {c[k_plinth]} vs DuckDB {k_duck} {m[k_duck]}"
        assert c.get("dictionary_page_offset") == m["dictionary_page_offset"], f"{where}: dictionary_page_offset"
        assert c["statistics"].get("null_count") == m["stats_null_count"], f"{where}: null_count"


# ---- 3. --where agrees with DuckDB's WHERE ------------------------------------------------------

WHERE_PREDICATES = [
    "id < 100",
    "id >= 1100",
    "id BETWEEN 140 AND 160",
    "id IN (0, 5, 151, 1199, 5000)",
    "id <> 3 AND id < 10",
    "int32 > 0 AND int64 < 0",
    "int8 = -128 OR uint8 = 255",
    "NOT (int16 > 0)",
    "NOT (int32 IN (1, 2, 3)) AND id < 50",
    "int64 = -9223372036854775808 OR int64 = 9223372036854775807",
    "uint64 > 9223372036854775807",
    "uint64 = 18446744073709551615",
    "uint32 BETWEEN 100 AND 4000000000",
    "s = ''",
    "s > 'm' AND s < 'n'",
    "s IS NULL",
    "s IS NOT NULL AND id < 30",
    "s IN ('a', 'é', '日本語テキスト')",
    "s NOT IN ('a', '')",
    "s >= '日'",
    "d < '1970-01-01'",
    "d BETWEEN '1900-01-01' AND '2000-12-31'",
    "d = '2000-02-29' OR d = '0001-01-01' OR d = '9999-12-31'",
    "ts >= '2000-01-01T00:00:00Z' AND ts < '2100-01-01T00:00:00Z'",
    "tsn < '1970-01-01 00:00:00'",
    "tsn = '1969-12-31 23:59:59.999999'",
    "ts IS NULL OR tsn IS NULL",
    "t < '12:00:00'",
    "dec18_1 > 0.5",
    "dec38_38 < 0",
    "dec20_0 >= 1000000",
    "dec11_11 BETWEEN -0.25 AND 0.25",
    "f64 < 1.5",
    "f64 < -1e300 OR (f64 > 1e300 AND f64 < 1e308)",
    "f32 <= 0",
    "f32 <> 1.5 AND id < 40",
    "NOT (f64 <= 1.5) AND id < 40",
    "b = true",
    "b IS NULL",
    "NOT (b = false)",
    "NOT (s IS NULL)",
    "(id < 10 OR id > 1190) AND NOT (b = false)",
    "NOT (id < 600 OR int8 > 0)",
]


# DuckDB (like PostgreSQL and Spark SQL) orders NaN above every other float and NaN = NaN is true;
# Plinth's --where follows IEEE 754 (every comparison with NaN is false). See NAN_XFAIL.
NAN_PREDICATES = [
    "f64 > 1.5",
    "f32 >= 1e38",
    "f64 = 'NaN'",
    "f16 > 60000",
]
def where_file(plinth_dataset):
    _, _, files = plinth_dataset
    return files[("zstd", True)]


def test_where_matches_duckdb(plinth_dataset):
    check_where(plinth_dataset, WHERE_PREDICATES)


def test_where_nan_ordering_matches_duckdb(plinth_dataset):
    """NaN equals NaN and sorts above every number, as in DuckDB, PostgreSQL and Spark; row-group
    skipping must not drop NaN rows (writers leave NaN out of min/max)."""
    check_where(plinth_dataset, NAN_PREDICATES)


def check_where(plinth_dataset, predicates):
    cols, _, _ = plinth_dataset
    check_where_file(where_file(plinth_dataset), {c.name for c in cols}, predicates)


def check_where_file(path, names, predicates):
    for p in predicates:
        for ident in re.findall(r"\b([A-Za-z][A-Za-z0-9_]*)\b", re.sub(r"'[^']*'", "''", p)):
            if ident.upper() not in ("AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE"):
                assert ident in names, f"predicate {p!r} names unknown column {ident!r}"
    union = "\nUNION ALL\n".join(f"SELECT {i} AS q, id FROM read_parquet({sql_path(path)}) WHERE {p}"
                                 for i, p in enumerate(predicates))
    duck = lo.duckdb_query(f"SELECT q, id FROM ({union}) ORDER BY q, id")
    want = {i: [] for i in range(len(predicates))}
    for r in duck:
        want[r["q"]].append(r["id"])
    problems = []
    for i, p in enumerate(predicates):
        run = plinth("parquet", "cat", path, "--format", "jsonl", "--columns", "id", "--where", p)
        if run.rc != 0:
            problems.append(f"{p!r}: {run.describe()}")
            continue
        got = [r["id"] for r in lo.parse_jsonl(run.stdout)]
        if got != want[i]:
            extra = sorted(set(got) - set(want[i]))
            missing = sorted(set(want[i]) - set(got))
            problems.append(f"{p!r}: plinth {len(got)} rows, DuckDB {len(want[i])}; "
                            f"only plinth: {extra[:10]}, only DuckDB: {missing[:10]}")
    assert sum(bool(w) for w in want.values()) >= len(predicates) * 2 // 3, "most predicates should select rows"
    assert not problems, f"{len(problems)} predicate(s) disagree:\n  " + "\n  ".join(problems)


DUCKDB_FILE_PREDICATES = [
    "tsns < '1970-01-01 00:00:00'",
    "tsns >= '2262-01-01 00:00:00' OR tsns = '1677-09-22 00:00:00'",
    "tsms > '5000-01-01 00:00:00.5'",
    "ts BETWEEN '0001-01-01 00:00:00' AND '1000-01-01 00:00:00'",
    "tstz > '9000-01-01T00:00:00Z'",
    "dt >= '9999-01-01' OR dt <= '0001-12-31'",
    "tm > '23:00:00'",
    "ubigint_c > 18000000000000000000",
    "uinteger_c >= 4294967295 OR uinteger_c < 10",
    "usmallint_c = 65535",
    "bigint_c < -9000000000000000000",
    "dec38_1 > 1000000000000000000000000000000000.5",
    "dec38_38 < -0.99",
    "dec19_18 BETWEEN -1 AND 1",
    "u = 'ffffffff-ffff-ffff-ffff-ffffffffffff' OR u < '01000000-0000-0000-0000-000000000000'",
    "cat IN ('γάμμα', '') AND small > 0",
    "s >= '😀'",
    "id >= 2040 AND id < 2060",
]


def test_where_on_duckdb_file(duckdb_dataset):
    """--where on a DuckDB file: statistics in other units (TIMESTAMP_NS, unsigned, FLBA decimals,
    UUID) must not make Plinth skip row groups that hold matching rows."""
    cols, _, files, _ = duckdb_dataset
    for version in ("V1", "V2"):
        check_where_file(files[("snappy", version)], {c.name for c in cols}, DUCKDB_FILE_PREDICATES)


def test_where_with_projection_prints_whole_rows(plinth_dataset):
    """Filter columns that are not printed stay out of the output; the printed values are DuckDB's."""
    cols, rows, _ = plinth_dataset
    path = where_file(plinth_dataset)
    pred = "d < '1970-01-01' AND s IS NOT NULL"
    duck = lo.duckdb_query(f"SELECT id, s, dec38_38, ts FROM read_parquet({sql_path(path)}) WHERE {pred} ORDER BY id")
    assert duck, "predicate should select rows"
    got = plinth_cat(path, "--columns", "id,s,dec38_38,ts", "--where", pred)
    kinds = {c.name: c.kind for c in cols}
    hint = {name: kinds[name] for name in ("id", "s", "dec38_38", "ts")}
    lo.assert_rows_equal(got, duck, hint, check_key_order=True, context=pred)
    assert all(list(r) == ["id", "s", "dec38_38", "ts"] for r in got)
    limited = plinth_cat(path, "--columns", "id", "--where", pred, "--limit", "3")
    assert [r["id"] for r in limited] == [r["id"] for r in duck[:3]]


def test_inspect_matches_duckdb_metadata_for_plinth_file(plinth_dataset):
    path = where_file(plinth_dataset)
    meta = lo.duckdb_query(
        "SELECT row_group_id, row_group_num_rows, path_in_schema, compression, encodings, num_values, "
        "total_compressed_size, total_uncompressed_size, data_page_offset, dictionary_page_offset, stats_null_count "
        f"FROM parquet_metadata({sql_path(path)}) ORDER BY row_group_id, column_id")
    check_inspect_against_duckdb(path, meta)


# ---- 4. errors ----------------------------------------------------------------------------------

def assert_clean_error(run, *words):
    assert run.rc in (1, 2), f"expected exit 1 or 2: {run.describe()}"
    assert run.stderr.strip(), f"no message on stderr: {run.describe()}"
    assert not run.stdout.strip() or run.args[1] == "cat", f"unexpected stdout: {run.stdout[:300]!r}"
    text = run.stderr.lower()
    for w in words:
        assert w.lower() in text, f"message should mention {w!r}: {run.stderr.strip()!r}"


WRITE_ERRORS = [
    # (id, schema, jsonl lines (None: no input file), extra args, words in the message)
    ("unknown-type", "id int64 not null, x notatype", ['{"id": 1}'], [], ["notatype"]),
    ("no-type", "id", ['{"id": 1}'], [], ["id"]),
    ("decimal-precision", "id int64, x decimal(39,2)", ['{"id": 1}'], [], ["decimal"]),
    ("decimal-scale", "id int64, x decimal(5,6)", ['{"id": 1}'], [], ["decimal"]),
    ("duplicate-column", "a int32, A int32", ['{"a": 1}'], [], ["duplicate"]),
    ("empty-schema", "", ['{"id": 1}'], [], []),
    ("bad-name", "a-b int32", ['{"a-b": 1}'], [], ["a-b"]),
    ("unknown-codec", "id int64", ['{"id": 1}'], ["--codec", "foo"], ["codec", "foo"]),
    ("unsupported-codec", "id int64", ['{"id": 1}'], ["--codec", "brotli"], ["brotli"]),
    ("zero-row-groups", "id int64", ['{"id": 1}'], ["--row-group-rows", "0"], ["row-group"]),
    ("null-in-not-null", "id int64 not null, s string", ['{"id": 1, "s": "a"}', '{"id": null, "s": "b"}'], [], ["id", "null"]),
    ("missing-not-null", "id int64 not null, s string", ['{"s": "b"}'], [], ["id"]),
    ("bad-number", "id int64", ['{"id": "12x"}'], [], ["12x"]),
    ("fraction-for-int", "id int64", ['{"id": 1.5}'], [], ["id"]),
    ("int8-overflow", "x int8", ['{"x": 128}'], [], ["128"]),
    ("uint64-negative", "x uint64", ['{"x": -1}'], [], ["x"]),
    ("uint64-overflow", "x uint64", ['{"x": 18446744073709551616}'], [], ["x"]),
    ("int64-overflow", "x int64", ['{"x": 9223372036854775808}'], [], ["x"]),
    ("decimal-too-many-places", "x decimal(5,2)", ['{"x": "1.234"}'], [], ["x"]),
    ("decimal-too-many-digits", "x decimal(5,2)", ['{"x": "1234.5"}'], [], ["x"]),
    ("bad-date", "x date", ['{"x": "2021-02-30"}'], [], ["2021-02-30"]),
    ("bad-timestamp", "x timestamp", ['{"x": "yesterday"}'], [], ["yesterday"]),
    ("bad-bool", "x boolean", ['{"x": "maybe"}'], [], ["maybe"]),
    ("short-fixed", "x fixed_binary(5)", ['{"x": "AAAAAA=="}'], [], ["x"]),
    ("long-uuid", "x uuid", ['{"x": "00000000-0000-0000-0000-0000000000000"}'], [], ["x"]),
    ("bad-base64", "x binary", ['{"x": "***"}'], [], ["base64"]),
    ("unknown-input-column", "id int64", ['{"id": 1, "zz": 2}'], [], ["zz"]),
    ("not-json", "id int64", ['{"id": 1', ], [], ["line 1"]),
    ("missing-input", "id int64", None, [], ["missing.jsonl"]),
]


@pytest.mark.parametrize("case", WRITE_ERRORS, ids=[c[0] for c in WRITE_ERRORS])
def test_write_errors(tmp_path, case):
    _, schema, lines, extra, words = case
    src = tmp_path / ("missing.jsonl" if lines is None else "in.jsonl")
    if lines is not None:
        src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.parquet"
    before = sorted(p.name for p in tmp_path.iterdir())
    run = plinth_write(out, src, schema, *extra)
    assert_clean_error(run, *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "the failed write left files behind"


def test_failed_write_late_in_input_leaves_nothing(tmp_path):
    """The bad row comes after several row groups were flushed; an existing file is not touched."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "s": "x" * (i % 50)}) + "\n" for i in range(30_000))
                   + '{"id": null, "s": "late"}\n')
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous content")
    run = plinth_write(out, src, "id int64 not null, s string", "--row-group-rows", "1000")
    assert_clean_error(run, "id")
    assert out.read_bytes() == b"previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.parquet"]


def test_csv_input_errors(tmp_path):
    out = tmp_path / "out.parquet"
    cases = [("a,b\n1,2,3\n", "a int32, b int32", ["fields"]),
             ("a,zz\n1,2\n", "a int32", ["zz"]),
             ("a\n\"unterminated\n", "a string", ["unterminated"]),
             ("a\nx\n", "a int32", ["'x'"])]
    for text, schema, words in cases:
        src = tmp_path / "in.csv"
        src.write_text(text)
        run = plinth_write(out, src, schema)
        assert_clean_error(run, *words)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"], text


def test_cat_errors(plinth_dataset, tmp_path):
    path = where_file(plinth_dataset)
    assert_clean_error(plinth("parquet", "cat", path, "--columns", "id,nope"), "nope")
    assert_clean_error(plinth("parquet", "cat", path, "--where", "nope = 1"), "nope")
    assert_clean_error(plinth("parquet", "cat", path, "--where", "id = 'abc'"), "abc")
    assert_clean_error(plinth("parquet", "cat", path, "--where", "id >"))
    assert_clean_error(plinth("parquet", "cat", path, "--format", "xml"), "xml")
    assert_clean_error(plinth("parquet", "cat", tmp_path / "missing.parquet"), "missing.parquet")
    assert_clean_error(plinth("parquet", "inspect", tmp_path / "missing.parquet"), "missing.parquet")
    notpq = tmp_path / "x.parquet"
    notpq.write_text("hello, not parquet\n")
    assert_clean_error(plinth("parquet", "cat", notpq))
    for run in (plinth("parquet", "cat", path, "--columns", "id,nope"), plinth("parquet", "cat", path, "--where", "nope = 1")):
        assert run.stdout == "", f"rows printed before the error: {run.stdout[:200]!r}"
