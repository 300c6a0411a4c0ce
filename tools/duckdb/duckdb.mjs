#!/usr/bin/env node
// DuckDB as an independent oracle for Plinth's Parquet/Delta tests and benchmarks.
//
//   node tools/duckdb/duckdb.mjs [--db FILE] [--threads N] (--sql "..." | --file script.sql)
//                                [--format jsonl|none] [--time]
//
// Runs every statement in order. The rows of the LAST statement are printed as JSON lines in
// Plinth's `--format jsonl` conventions (see tests/lake_oracle.py), as far as DuckDB's types
// allow:
//   integers of every width -> exact JSON integers (BIGINT/HUGEINT/UBIGINT are never rounded);
//   DOUBLE -> shortest round-trip number; FLOAT -> shortest number that round-trips in 32 bits
//   (1.1f prints 1.1); NaN / +inf / -inf -> "NaN" / "Infinity" / "-Infinity"; -0.0 stays -0.0;
//   DECIMAL(p,s) -> string with exactly s fraction digits; BLOB -> base64; DATE -> YYYY-MM-DD;
//   TIMESTAMP[_S|_MS|_NS] -> YYYY-MM-DDTHH:MM:SS.ffffff (nanos floored), TIMESTAMPTZ -> same + Z;
//   years outside 0000..9999 -> +YYYYYY / -YYYYYY (ISO 8601 expanded, at least 6 digits);
//   TIME -> HH:MM:SS.ffffff; UUID -> lowercase 8-4-4-4-12; LIST/ARRAY -> JSON arrays; STRUCT ->
//   objects; MAP -> object keyed by the key's text; anything else -> its DuckDB text as a string.
// --time prints {"statements":[{"index":0,"seconds":S},...],"total_seconds":S} on stderr.
// Errors: message on stderr, exit status 1. TimeZone is set to UTC for determinism.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';

// @duckdb/node-api decodes VARCHARs with a default TextDecoder, which drops a leading U+FEFF
// (ignoreBOM=false): '\uFEFFbom' would print as 'bom'. Every reader goes through this export.
createRequire(import.meta.url)('@duckdb/node-api/lib/vectors/dataAccessors.js').textDecoder = new TextDecoder('utf-8', {
  ignoreBOM: true,
});

const USAGE =
  'usage: duckdb.mjs [--db FILE] [--threads N] (--sql "..." | --file script.sql) [--format jsonl|none] [--time]';

function parseArgs(argv) {
  const opts = { db: ':memory:', threads: null, sql: null, format: 'jsonl', time: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === '--db') opts.db = next();
    else if (a === '--threads') opts.threads = next();
    else if (a === '--sql') opts.sql = next();
    else if (a === '--file') opts.sql = readFileSync(next(), 'utf8');
    else if (a === '--format') opts.format = next();
    else if (a === '--time') opts.time = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (opts.sql === null) throw new Error(`one of --sql or --file is required\n${USAGE}`);
  if (opts.format !== 'jsonl' && opts.format !== 'none') throw new Error(`--format must be jsonl or none`);
  if (opts.threads !== null && !/^[1-9][0-9]*$/.test(opts.threads)) throw new Error(`--threads must be a positive integer`);
  return opts;
}

// ---- number formatting ---------------------------------------------------------------------

function fmtDouble(x) {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  if (Object.is(x, -0)) return '-0.0';
  const s = String(x); // shortest representation that round-trips (ECMAScript Number::toString)
  return /[.eE]/.test(s) ? s : s + '.0';
}

function fmtFloat32(x) {
  if (!Number.isFinite(x) || x === 0) return fmtDouble(x);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(x.toPrecision(p));
    if (Math.fround(candidate) === x) return fmtDouble(candidate);
  }
  return fmtDouble(x); // unreachable: 9 significant digits always round-trip a float32
}

function fmtDecimal(value, scale) {
  const neg = value < 0n;
  let digits = (neg ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (neg ? '-' : '') + digits;
}

// ---- dates and times -----------------------------------------------------------------------

const pad = (n, w) => String(n).padStart(w, '0');
const MICROS_PER_DAY = 86400000000n;

// Proleptic Gregorian civil date from days since 1970-01-01 (H. Hinnant's algorithm).
function civilFromDays(z) {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d];
}

function fmtYear(y) {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  return (y < 0 ? '-' : '+') + pad(Math.abs(y), 6);
}

function fmtDate(days) {
  const [y, m, d] = civilFromDays(days);
  return `${fmtYear(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const floorDiv = (a, b) => {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
};

function fmtTimeOfDay(micros) {
  const us = Number(micros); // < 86400e6, exact
  const secs = Math.floor(us / 1e6);
  return `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}.${pad(us % 1e6, 6)}`;
}

function fmtTimestampMicros(micros, utc) {
  const days = floorDiv(micros, MICROS_PER_DAY);
  const rest = micros - days * MICROS_PER_DAY;
  return `${fmtDate(Number(days))}T${fmtTimeOfDay(rest)}${utc ? 'Z' : ''}`;
}

// DuckDB keeps +/-infinity sentinels for dates and timestamps.
function infinite(v) {
  if (v.isFinite !== false) return null;
  const raw = v.days ?? v.micros ?? v.millis ?? v.seconds ?? v.nanos;
  return raw > 0 ? '"infinity"' : '"-infinity"';
}

// ---- value encoding ------------------------------------------------------------------------

function encode(v, type) {
  if (v === null || v === undefined) return 'null';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return v ? 'true' : 'false';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return v.toString();
    case DuckDBTypeId.FLOAT:
      return fmtFloat32(v);
    case DuckDBTypeId.DOUBLE:
      return fmtDouble(v);
    case DuckDBTypeId.DECIMAL:
      return JSON.stringify(fmtDecimal(v.value, v.scale));
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return JSON.stringify(String(v));
    case DuckDBTypeId.BLOB:
      return JSON.stringify(Buffer.from(v.bytes).toString('base64'));
    case DuckDBTypeId.DATE:
      return infinite(v) ?? JSON.stringify(fmtDate(v.days));
    case DuckDBTypeId.TIMESTAMP:
      return infinite(v) ?? JSON.stringify(fmtTimestampMicros(v.micros, false));
    case DuckDBTypeId.TIMESTAMP_TZ:
      return infinite(v) ?? JSON.stringify(fmtTimestampMicros(v.micros, true));
    case DuckDBTypeId.TIMESTAMP_S:
      return infinite(v) ?? JSON.stringify(fmtTimestampMicros(v.seconds * 1000000n, false));
    case DuckDBTypeId.TIMESTAMP_MS:
      return infinite(v) ?? JSON.stringify(fmtTimestampMicros(v.millis * 1000n, false));
    case DuckDBTypeId.TIMESTAMP_NS:
      return infinite(v) ?? JSON.stringify(fmtTimestampMicros(floorDiv(v.nanos, 1000n), false));
    case DuckDBTypeId.TIME:
      return JSON.stringify(fmtTimeOfDay(v.micros));
    case DuckDBTypeId.TIME_NS:
      return JSON.stringify(fmtTimeOfDay(floorDiv(v.nanos, 1000n)));
    case DuckDBTypeId.UUID:
      return JSON.stringify(String(v).toLowerCase());
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return '[' + v.items.map((x) => encode(x, type.valueType)).join(',') + ']';
    case DuckDBTypeId.STRUCT:
      return (
        '{' +
        type.entryNames.map((n, i) => JSON.stringify(n) + ':' + encode(v.entries[n], type.entryTypes[i])).join(',') +
        '}'
      );
    case DuckDBTypeId.MAP:
      return (
        '{' +
        v.entries
          .map(({ key, value }) => {
            const k = typeof key === 'string' ? key : encode(key, type.keyType).replace(/^"(.*)"$/, '$1');
            return JSON.stringify(k) + ':' + encode(value, type.valueType);
          })
          .join(',') +
        '}'
      );
    case DuckDBTypeId.UNION:
      return encode(v.value, type.memberTypes[type.memberTags.indexOf(v.tag)]);
    default:
      return JSON.stringify(String(v));
  }
}

// ---- main ----------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const config = {};
  if (opts.threads !== null) config.threads = opts.threads;
  const instance = await DuckDBInstance.create(opts.db, config);
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
  } catch {
    // ICU not available: TIMESTAMPTZ values are still exact instants, only casts would differ.
  }
  const extracted = await conn.extractStatements(opts.sql);
  const count = extracted.count;
  if (count === 0) throw new Error('no statement to run');
  const timings = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const prepared = await extracted.prepare(i);
    if (i < count - 1 || opts.format === 'none') {
      const result = await prepared.stream();
      // Drain the result so the statement fully executes.
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
      }
    } else {
      const result = await prepared.stream();
      const names = result.columnNames();
      const types = result.columnTypes();
      const keys = names.map((n) => JSON.stringify(n) + ':');
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.getRows();
        let out = '';
        for (const row of rows) {
          out += '{';
          for (let c = 0; c < row.length; c++) {
            if (c) out += ',';
            out += keys[c] + encode(row[c], types[c]);
          }
          out += '}\n';
        }
        process.stdout.write(out);
      }
    }
    prepared.destroySync?.();
    const t1 = process.hrtime.bigint();
    timings.push({ index: i, seconds: Number(t1 - t0) / 1e9 });
  }
  if (opts.time) {
    const total = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = { statements: timings, total_seconds: total };
    process.stderr.write(JSON.stringify(summary) + '\n');
  }
  conn.closeSync?.();
  instance.closeSync?.();
}

main().catch((err) => {
  process.stderr.write(`duckdb.mjs: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
