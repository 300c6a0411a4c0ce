"""Expected values for the Parquet / Delta conformance tests, and a comparator with clear diffs.

Everything here turns some source of truth into rows in Plinth's `--format jsonl` conventions:

  null -> None; boolean -> bool; every integer type -> int (exact);
  float/double/FLOAT16 -> number, NaN / +inf / -inf -> "NaN" / "Infinity" / "-Infinity";
  string (UTF8/ENUM/JSON) -> str; binary (BYTE_ARRAY/FLBA without a string/decimal/uuid/float16
  annotation) -> base64 str; decimal -> str with exactly `scale` fraction digits;
  date -> "YYYY-MM-DD"; timestamp adjusted to UTC (incl. INT96) -> "YYYY-MM-DDTHH:MM:SS.ffffffZ",
  timestamp_ntz -> the same without "Z"; years outside 0000..9999 -> "+YYYYYY"/"-YYYYYY";
  time -> "HH:MM:SS.ffffff"; uuid -> lowercase 8-4-4-4-12.

Sources of truth:
  * DuckDB itself, through tools/duckdb/duckdb.mjs (duckdb_query) - already in the conventions;
  * the derived DuckDB/hyparquet dumps in <testdata>/derived (normalize_duckdb_dump_rows);
  * the upstream *_expect.csv files (load_expect_csv);
  * the upstream int96_from_spark microsecond list (INT96_FROM_SPARK_MICROS).

A column "kind" (a schema hint) says how to read and compare each column:
  bool, int, float16, float32, float64, string, binary, decimal:<scale>, date, timestamp
  (UTC-adjusted), timestamp_ntz, time, uuid, nested (compared as plain JSON), any (no hint).
"""
import base64
import csv
import ctypes
import decimal
import json
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DUCKDB_DIR = REPO_ROOT / "tools" / "duckdb"
DUCKDB_SCRIPT = DUCKDB_DIR / "duckdb.mjs"

# Upstream apache/parquet-testing int96_from_spark.md, as microseconds since the epoch (None = null).
# DuckDB's and hyparquet's readings of the last row are wrong (year 290000 overflows int64 nanos).
INT96_FROM_SPARK_MICROS = [
    1704141296123456,
    1704070800000000,
    253402225200000000,
    1735599600000000,
    None,
    9089380393200000000,
]

FLOAT_KINDS = ("float16", "float32", "float64")


# ---- locating things ------------------------------------------------------------------------

def testdata_root():
    """$PLINTH_TESTDATA when set, else <repo>/../shared/testdata; None when it holds no index.json."""
    env = os.environ.get("PLINTH_TESTDATA")
    c = Path(env) if env else REPO_ROOT.parent / "shared" / "testdata"
    return c.resolve() if (c / "index.json").is_file() else None


def load_index(root=None):
    root = root or testdata_root()
    return json.loads((root / "index.json").read_text())


def load_metadata_summary(root=None):
    root = root or testdata_root()
    return json.loads((root / "derived" / "parquet" / "_metadata_summary.duckdb.json").read_text())


def level_word(level):
    """'intermediate (edge case)' -> 'intermediate'; 'NESTED (legacy)' -> 'nested'."""
    return (level or "").split(" ", 1)[0].split("(", 1)[0].strip().lower()


# ---- DuckDB oracle ----------------------------------------------------------------------------

class DuckDBError(RuntimeError):
    pass


def duckdb_available():
    """True when node and the pinned @duckdb/node-api (scripts/install-deps.sh) are installed."""
    return shutil.which("node") is not None and (DUCKDB_DIR / "node_modules" / "@duckdb" / "node-api").is_dir()


def duckdb_run(sql, threads=None, fmt="jsonl", timeout=300, db=None, time=False):
    """Runs tools/duckdb/duckdb.mjs; returns the CompletedProcess (text). Raises DuckDBError on failure.

    Long SQL (over the kernel's 128 KiB limit for one argument) goes through a temporary --file."""
    if len(sql.encode("utf-8")) > _MAX_SQL_ARG:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8", delete=False) as f:
            f.write(sql)
        try:
            return _duckdb_exec(["--file", f.name], threads, fmt, timeout, db, time)
        finally:
            os.unlink(f.name)
    return _duckdb_exec(["--sql", sql], threads, fmt, timeout, db, time)


_MAX_SQL_ARG = 100_000


def _duckdb_exec(source_args, threads, fmt, timeout, db, time):
    cmd = [shutil.which("node") or "node", str(DUCKDB_SCRIPT), *source_args, "--format", fmt]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    if db is not None:
        cmd += ["--db", str(db)]
    if time:
        cmd.append("--time")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise DuckDBError(f"duckdb.mjs exited {proc.returncode}: {proc.stderr.strip()}")
    return proc


def duckdb_query(sql, threads=None, timeout=300):
    """Rows of the last statement of `sql`, as dicts in Plinth's JSON conventions."""
    return parse_jsonl(duckdb_run(sql, threads=threads, timeout=timeout).stdout)


def sql_string(s):
    """A SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def parse_jsonl(text):
    """One JSON object per non-empty line (key order kept; NaN/Infinity tokens accepted)."""
    # split on "\n" only: str.splitlines() also splits inside values holding U+2028, U+0085, \x1c...
    return [json.loads(line) for line in text.split("\n") if line.strip()]


# ---- schema hints -----------------------------------------------------------------------------

def _parquet_leaf_kind(el, int96_utc):
    ptype = el.get("type")
    conv = el.get("converted_type") or ""
    logical = el.get("logical_type") or ""
    if conv == "DECIMAL" or logical.startswith("DecimalType"):
        return f"decimal:{int(el.get('scale') or 0)}"
    if ptype == "BOOLEAN":
        return "bool"
    if ptype in ("INT32", "INT64"):
        if conv == "DATE" or logical.startswith("DateType"):
            return "date"
        if conv.startswith("TIME_") or logical.startswith("TimeType"):
            return "time"
        if logical.startswith("TimestampType"):
            return "timestamp" if re.search(r"isAdjustedToUTC=(1|true)", logical) else "timestamp_ntz"
        if conv.startswith("TIMESTAMP_"):
            return "timestamp"  # legacy converted types are UTC-adjusted by definition
        return "int"
    if ptype == "INT96":
        return "timestamp" if int96_utc else "timestamp_ntz"
    if ptype == "FLOAT":
        return "float32"
    if ptype == "DOUBLE":
        return "float64"
    if ptype in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
        if conv in ("UTF8", "ENUM", "JSON") or logical.split("(")[0] in ("StringType", "EnumType", "JsonType"):
            return "string"
        if logical.startswith("Float16Type"):
            return "float16"
        if logical.startswith("UUIDType"):
            return "uuid"
        return "binary"
    return "any"


def parquet_schema_hint(rel_path, summary=None, int96_utc=True):
    """{top-level column: kind} in schema order, from derived/parquet/_metadata_summary.duckdb.json.

    `rel_path` is the index path ("parquet/x.parquet" or "parquet/bad_data/x.parquet").
    INT96 is a UTC instant in Plinth's conventions; DuckDB reads it as a plain TIMESTAMP, so the
    self-check against DuckDB passes int96_utc=False."""
    summary = summary or load_metadata_summary()
    key = rel_path[len("parquet/"):] if rel_path.startswith("parquet/bad_data/") else rel_path
    schema = summary[key]["schema"]
    hint = {}
    pos = 1  # schema[0] is the root

    def skip(i):
        n = int(schema[i].get("num_children") or 0)
        i += 1
        for _ in range(n):
            i = skip(i)
        return i

    root_children = int(schema[0].get("num_children") or 0)
    for _ in range(root_children):
        el = schema[pos]
        if el.get("num_children") not in (None, "0", 0) or el.get("repetition_type") == "REPEATED":
            hint[el["name"]] = "nested"
        else:
            hint[el["name"]] = _parquet_leaf_kind(el, int96_utc)
        pos = skip(pos)
    return hint


_DELTA_KINDS = {
    "byte": "int", "short": "int", "integer": "int", "long": "int",
    "float": "float32", "double": "float64", "boolean": "bool", "string": "string",
    "binary": "binary", "date": "date", "timestamp": "timestamp", "timestamp_ntz": "timestamp_ntz",
    "array": "nested", "struct": "nested", "map": "nested",
}


def delta_schema_hint(entry):
    """{column: kind} from an index.json delta entry's 'schema' list ("name: type")."""
    hint = {}
    for item in entry.get("schema") or []:
        name, _, typ = item.rpartition(": ")
        typ = typ.strip()
        m = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", typ)
        hint[name] = f"decimal:{m.group(2)}" if m else _DELTA_KINDS.get(typ, "any")
    return hint


def flat_columns(hint):
    return [c for c, k in hint.items() if k != "nested"]


# ---- formatting helpers -----------------------------------------------------------------------

def _fmt_year(y):
    if 0 <= y <= 9999:
        return f"{y:04d}"
    return f"{'-' if y < 0 else '+'}{abs(y):06d}"


def _civil_from_days(z):
    """Proleptic Gregorian (y, m, d) from days since 1970-01-01, for any year (H. Hinnant)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def format_date_days(days):
    y, m, d = _civil_from_days(days)
    return f"{_fmt_year(y)}-{m:02d}-{d:02d}"


def format_time_micros(micros):
    s, us = divmod(micros, 1_000_000)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{us:06d}"


def format_timestamp_micros(micros, utc=True):
    """Microseconds since the epoch -> 'YYYY-MM-DDTHH:MM:SS.ffffff[Z]' (expanded years beyond 9999)."""
    days, rest = divmod(micros, 86_400_000_000)
    return f"{format_date_days(days)}T{format_time_micros(rest)}{'Z' if utc else ''}"


def format_timestamp_nanos(nanos, utc=True):
    return format_timestamp_micros(nanos // 1000, utc)  # floor, also for negative values


def format_decimal(value, scale):
    """Decimal/int/float/str -> string with exactly `scale` fraction digits (half-even)."""
    d = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    q = decimal.Decimal(1).scaleb(-scale)
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        out = d.quantize(q, rounding=decimal.ROUND_HALF_EVEN)
    text = f"{out:f}"
    if text.startswith("-") and decimal.Decimal(text) == 0:
        text = text[1:]  # no "-0.00"
    return text


def base64_of(data):
    return base64.b64encode(bytes(data)).decode("ascii")


_BLOB_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")


def duckdb_blob_text_to_bytes(text):
    r"""DuckDB's BLOB-to-VARCHAR text -> bytes: '\xNN' is one byte (DuckDB also writes '\' and '"'
    that way), every other character is its own single byte. hyparquet's 'bytes:<hex>' too."""
    if text.startswith("bytes:"):
        return bytes.fromhex(text[len("bytes:"):])
    out = bytearray()
    pos = 0
    for m in _BLOB_ESCAPE.finditer(text):
        out += text[pos:m.start()].encode("latin-1")
        out.append(int(m.group(1), 16))
        pos = m.end()
    out += text[pos:].encode("latin-1")
    return bytes(out)


_DUCK_TS = re.compile(
    r"^(?P<date>-?\d{4,}-\d{2}-\d{2})(?P<bc0> \(BC\))?[ T](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:\.(?P<f>\d+))?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?(?P<bc> \(BC\))?$"
)
_DUCK_DATE = re.compile(r"^(?P<y>-?\d{4,})-(?P<m>\d{2})-(?P<d>\d{2})(?P<bc> \(BC\))?$")


def _norm_date_text(text):
    m = _DUCK_DATE.match(text)
    if not m:
        raise ValueError(f"not a date: {text!r}")
    y = int(m.group("y"))
    if m.group("bc"):
        y = 1 - y  # DuckDB prints year -N as "N+1 (BC)"
    return f"{_fmt_year(y)}-{m.group('m')}-{m.group('d')}"


def normalize_timestamp_text(text, utc):
    """'YYYY-MM-DD HH:MM:SS[.f][+00]' (DuckDB/Spark text) -> Plinth's form; fractions floored to micros."""
    m = _DUCK_TS.match(text)
    if not m:
        raise ValueError(f"not a timestamp: {text!r}")
    tz = m.group("tz")
    if tz and tz not in ("Z", "+00", "+0000", "+00:00", "-00", "-00:00"):
        raise ValueError(f"timestamp with a non-UTC offset: {text!r}")
    date = m.group("date")
    if m.group("bc") or m.group("bc0"):
        date += " (BC)"
    frac = (m.group("f") or "")[:6].ljust(6, "0")
    return f"{_norm_date_text(date)}T{m.group('h')}:{m.group('mi')}:{m.group('s')}.{frac}{'Z' if utc else ''}"


def normalize_time_text(text):
    m = re.fullmatch(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?", text)
    if not m:
        raise ValueError(f"not a time: {text!r}")
    return f"{m.group(1)}:{m.group(2)}:{m.group(3)}.{(m.group(4) or '')[:6].ljust(6, '0')}"


# ---- reading the derived dumps ----------------------------------------------------------------

def load_dump_rows(path):
    """Rows of a derived *.jsonl dump. Numbers with a fraction or exponent stay decimal.Decimal (so
    decimal columns keep their digits); bare NaN / Infinity tokens are accepted."""
    rows = []
    for line in Path(path).read_text().splitlines():
        if line.strip():
            rows.append(json.loads(line, parse_float=decimal.Decimal))
    return rows


def _special_float_text(x):
    if math.isnan(x):
        return "NaN"
    return "Infinity" if x > 0 else "-Infinity"


def normalize_value(value, kind):
    """One value from a derived DuckDB/hyparquet dump (or DuckDB text) -> Plinth's form for `kind`."""
    if value is None:
        return None
    if kind in FLOAT_KINDS:
        if isinstance(value, str):
            return value  # already "NaN"/"Infinity"/"-Infinity"
        x = float(value)
        return _special_float_text(x) if not math.isfinite(x) else x
    if kind == "int":
        if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
            return int(value)
        return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else value
    if kind.startswith("decimal:"):
        return format_decimal(value, int(kind.split(":", 1)[1]))
    if kind == "binary":
        if isinstance(value, str):
            return base64_of(duckdb_blob_text_to_bytes(value))
        return value
    if kind in ("timestamp", "timestamp_ntz"):
        return normalize_timestamp_text(value, kind == "timestamp") if isinstance(value, str) else value
    if kind == "date":
        return _norm_date_text(value) if isinstance(value, str) else value
    if kind == "time":
        return normalize_time_text(value) if isinstance(value, str) else value
    if kind == "uuid":
        return value.lower() if isinstance(value, str) else value
    if kind in ("nested", "any"):
        return _plain_json(value)
    return value


def _plain_json(value):
    """Decimals from the dump parser back to floats/ints inside nested values."""
    if isinstance(value, decimal.Decimal):
        x = float(value)
        return _special_float_text(x) if not math.isfinite(x) else x
    if isinstance(value, float) and not math.isfinite(value):
        return _special_float_text(value)
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_json(v) for k, v in value.items()}
    return value


def normalize_rows(rows, hint):
    """Applies normalize_value per column (columns without a hint: kind 'any')."""
    return [{c: normalize_value(v, hint.get(c, "any")) for c, v in row.items()} for row in rows]


def normalize_duckdb_dump_rows(path, hint):
    return normalize_rows(load_dump_rows(path), hint)


def load_expect_csv(csv_path, hint):
    """Upstream *_expect.csv -> rows keyed by the Parquet column names.

    Quirks handled: an empty field is null; header names may carry a leading space
    (' c_customer_id') and lack the ':' that the Parquet names of delta_encoding_required_column
    end with. Headers are matched to the schema by position and checked by name."""
    with open(csv_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = list(hint)
        assert len(header) == len(columns), f"{csv_path}: {len(header)} CSV columns, {len(columns)} in the schema"
        for h, c in zip(header, columns):
            assert h.strip() == c.rstrip(":").strip(), f"{csv_path}: CSV column {h!r} vs Parquet column {c!r}"
        rows = []
        for rec in reader:
            row = {}
            for c, v in zip(columns, rec):
                kind = hint[c]
                if v == "":
                    row[c] = None
                elif kind == "int":
                    row[c] = int(v)
                elif kind in FLOAT_KINDS:
                    row[c] = normalize_value(decimal.Decimal(v) if v not in ("NaN", "Infinity", "-Infinity") else v, kind)
                else:
                    row[c] = normalize_value(v, kind)
            rows.append(row)
        return rows


def int96_from_spark_rows(column="a"):
    """The upstream expectation for parquet/int96_from_spark.parquet in Plinth's form."""
    return [{column: None if us is None else format_timestamp_micros(us, utc=True)} for us in INT96_FROM_SPARK_MICROS]


# ---- comparing ----------------------------------------------------------------------------------

def _round_to(kind, x):
    if kind == "float32":
        return ctypes.c_float(x).value
    if kind == "float16":
        try:
            return struct.unpack("<e", struct.pack("<e", x))[0]
        except OverflowError:
            return math.copysign(math.inf, x)
    return x


def canonical(value, kind):
    """A hashable token; two values are equal for `kind` exactly when their tokens are equal.

    Floats: both sides are rounded to the column's precision (float16/float32/float64), NaN equals
    NaN, -0.0 differs from 0.0. Integers must be JSON integers (never bool, never 5.0). Everything
    else compares as exact JSON (type included)."""
    if value is None:
        return ("null",)
    if kind in FLOAT_KINDS:
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            x = float(value.replace("Infinity", "inf"))
        elif isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            x = float(value)
            if not math.isfinite(x):
                return ("bad-float-token", repr(value))  # printed as a number: not our convention
        else:
            return ("other", json.dumps(value, sort_keys=True, default=str))
        x = _round_to(kind, x)
        return ("float", "nan" if math.isnan(x) else repr(x))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, str):
        return ("str", value)
    return ("json", json.dumps(_plain_json(value), sort_keys=True, default=str))


def _sort_key(row, columns, hint):
    return tuple(repr(canonical(row.get(c), hint.get(c, "any"))) for c in columns)


def rows_diff(actual_rows, expected_rows, schema_hint=None, columns=None, sort=False, check_key_order=False,
              max_diffs=20):
    """Human-readable differences (empty list when equal). See assert_rows_equal."""
    hint = dict(schema_hint or {})
    if columns is None:
        columns = list(hint) if hint else (list(expected_rows[0]) if expected_rows else [])
    columns = list(columns)
    diffs = []
    if sort:
        actual_rows = sorted(actual_rows, key=lambda r: _sort_key(r, columns, hint))
        expected_rows = sorted(expected_rows, key=lambda r: _sort_key(r, columns, hint))
    if len(actual_rows) != len(expected_rows):
        diffs.append(f"row count: actual {len(actual_rows)}, expected {len(expected_rows)}")
    for i, (a, e) in enumerate(zip(actual_rows, expected_rows)):
        if not isinstance(a, dict):
            diffs.append(f"row {i}: actual is not a JSON object: {a!r}")
            continue
        missing = [c for c in columns if c not in a]
        if missing:
            diffs.append(f"row {i}: missing columns {missing} (has {list(a)})")
        elif check_key_order:
            wanted = set(columns)
            order = [k for k in a if k in wanted]
            extra = [k for k in a if k not in e]
            if order != columns or extra:
                diffs.append(f"row {i}: keys {list(a)}, expected {list(e)} (schema order; extra {extra})")
        for c in columns:
            if c not in a:
                continue
            kind = hint.get(c, "any")
            if canonical(a[c], kind) != canonical(e.get(c), kind):
                diffs.append(f"row {i}, column {c!r} ({kind}): actual {a[c]!r}, expected {e.get(c)!r}")
        if len(diffs) >= max_diffs:
            diffs.append("... (more differences not shown)")
            break
    return diffs


def assert_rows_equal(actual_rows, expected_rows, schema_hint=None, columns=None, sort=False,
                      check_key_order=False, context=""):
    """Asserts equal rows; the message names row index, column, kind and both values.

    schema_hint: {column: kind} (see module doc); columns: which to compare (default: the hint's,
    else the expected rows' keys); sort: compare as multisets (both sides sorted by all compared
    columns); check_key_order: the compared columns appear in this order in every actual row, and the
    actual row has no key the expected row lacks (columns left out of the comparison, e.g. nested
    ones, may be present or absent)."""
    diffs = rows_diff(actual_rows, expected_rows, schema_hint, columns, sort, check_key_order)
    if diffs:
        raise AssertionError((context + ": " if context else "") + f"{len(diffs)} difference(s):\n  " + "\n  ".join(diffs))


# ---- Delta helpers ------------------------------------------------------------------------------

def delta_table_root(entry, root=None):
    root = root or testdata_root()
    return root / entry["table_root"]


def delta_active_files(entry):
    """[(relative path as in the log (URL-encoded), {partition column: string or None})] for an index
    entry. The index writes partitioned entries as 'PATH {partitionValues JSON}'."""
    out = []
    for item in entry.get("active_paths") or []:
        path, _, pv = item.partition(" ")
        out.append((path, json.loads(pv) if pv else {}))
    return out


def partition_value(text, kind):
    """A Delta partition value string (None = null) -> Plinth's form for `kind`. Timestamps without
    a zone are read as UTC (delta-kernel-rs's reading; see MANIFEST on data-reader-partition-values)."""
    if text is None:
        return None
    if kind == "int":
        return int(text)
    if kind == "bool":
        return text.lower() == "true"
    if kind in FLOAT_KINDS:
        return normalize_value(decimal.Decimal(text) if text not in ("NaN", "Infinity", "-Infinity") else text, kind)
    if kind in ("timestamp", "timestamp_ntz"):
        if "T" in text and text.endswith("Z"):
            text = text[:-1]
        return normalize_timestamp_text(text.replace("T", " "), kind == "timestamp")
    if kind == "binary":
        return base64_of(text.encode("utf-8"))
    return normalize_value(text, kind)


def duckdb_read_delta_active_files(entry, root=None, threads=None):
    """Rows of a Delta table's active files read with DuckDB's read_parquet (no delta extension):
    data columns from the files, partition columns from partitionValues. No deletion vectors, no
    column mapping. Rows in schema order of delta_schema_hint(entry); files missing a column give null."""
    table_root = delta_table_root(entry, root)
    hint = delta_schema_hint(entry)
    parts = set(entry.get("partition_columns") or [])
    files = delta_active_files(entry)
    if not files:
        return []
    selects = [
        f"SELECT *, {i} AS __plinth_file FROM read_parquet({sql_string(table_root / urllib.parse.unquote(rel))})"
        for i, (rel, _) in enumerate(files)
    ]
    rows = []
    for r in duckdb_query("\nUNION ALL BY NAME\n".join(selects), threads=threads):
        pvalues = files[r["__plinth_file"]][1]
        row = {}
        for c, kind in hint.items():
            if c in parts:
                row[c] = partition_value(pvalues.get(c), kind)
            else:
                v = r.get(c)
                if kind == "timestamp" and isinstance(v, str) and not v.endswith("Z"):
                    v += "Z"  # INT96 columns: DuckDB reads a plain TIMESTAMP, Delta's is UTC
                row[c] = v
        rows.append(row)
    return rows
