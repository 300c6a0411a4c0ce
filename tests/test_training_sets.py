"""Training sets (`plinth features training-set`): point-in-time correct joins checked against
DuckDB as an independent oracle (ASOF LEFT JOIN, and a window query where ASOF cannot express
created-time tie-breaks), on seeded random data with nulls, duplicate event times, a composite
key, a TTL, late-arriving rows appended in later commits, labels as CSV and Parquet; the spill
path (tiny memory budget) gives the same rows; bad inputs fail cleanly; datasets record lineage."""
import csv
import json
import math
import random
import textwrap
from pathlib import Path

import pytest

from conftest import run_binary
from lake_oracle import duckdb_available, duckdb_query, sql_string

pytestmark = pytest.mark.skipif(not duckdb_available(), reason="DuckDB (tools/duckdb) is not installed")

BASE = 1_700_000_000_000_000  # micros, 2023-11-14
MINUTE = 60_000_000
DAY = 86_400_000_000
TTL_DAYS = 3

DEFINITIONS = f"""
entities:
  - name: user
    join_keys: [{{name: user_id, type: int64}}]
  - name: merchant
    join_keys: [{{name: merchant_id, type: int64}}, {{name: region, type: string}}]
sources:
  - name: user_stats
    table: features/user_stats
  - name: merchant_stats
    table: features/merchant_stats
  - name: user_profile
    table: features/user_profile
    created_timestamp_column: created_at
feature_views:
  - name: user_stats
    entities: [user]
    source: user_stats
    features:
      - {{name: clicks, type: int64}}
      - {{name: spend, type: double}}
  - name: merchant_stats
    entities: [merchant]
    source: merchant_stats
    ttl: {TTL_DAYS}d
    features:
      - {{name: risk, type: double}}
      - {{name: category, type: string}}
      - {{name: spend, type: double}}
  - name: user_profile
    entities: [user]
    source: user_profile
    features:
      - {{name: tier, type: string}}
      - {{name: score, type: double}}
    request:
      - {{name: amount, type: double}}
    transforms:
      - {{name: score_x_amount, type: double, expr: "score * request.amount"}}
feature_services:
  - name: train_svc
    features: ["user_stats:*", "merchant_stats:risk", "merchant_stats:category", "merchant_stats:spend", "user_profile:*"]
"""

SCHEMAS = {
    "user_stats": "user_id int64, event_timestamp timestamp, clicks int64, spend double",
    "merchant_stats": "merchant_id int64, region string, event_timestamp timestamp, risk double, category string, spend double",
    "user_profile": "user_id int64, event_timestamp timestamp, created_at timestamp, tier string, score double",
}
OUTPUT_COLUMNS = ["clicks", "user_stats__spend", "risk", "category", "merchant_stats__spend", "tier", "score",
                  "score_x_amount"]
REGIONS = ["eu", "us", "apac"]


def iso(micros):
    if micros is None:
        return ""
    secs, us = divmod(micros, 1_000_000)
    import datetime
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{us:06d}Z"


def maybe(rng, value, p=0.05):
    return None if rng.random() < p else value


def generate(seed=7, users=2000, merchants=300, labels=6000):
    rng = random.Random(seed)
    tables = {name: [] for name in SCHEMAS}
    # user_stats: distinct (user, event) pairs.
    for u in range(1, users + 1):
        for minute in rng.sample(range(60 * 24 * 60), rng.randint(0, 7)):
            tables["user_stats"].append({"user_id": u, "event_timestamp": BASE + minute * MINUTE,
                                         "clicks": maybe(rng, rng.randint(0, 50)), "spend": maybe(rng, round(rng.uniform(0, 500), 3))})
    # merchant_stats: composite key, distinct (merchant, region, event).
    merchant_keys = [(m, r) for m in range(1, merchants + 1) for r in REGIONS if rng.random() < 0.7]
    for m, r in merchant_keys:
        for minute in rng.sample(range(60 * 24 * 60), rng.randint(1, 10)):
            tables["merchant_stats"].append({"merchant_id": m, "region": r, "event_timestamp": BASE + minute * MINUTE,
                                             "risk": maybe(rng, rng.random()), "category": maybe(rng, rng.choice("abcdefg") * 2),
                                             "spend": maybe(rng, rng.uniform(0, 9))})
    # user_profile: duplicate event times told apart by created_at (at most one null per group).
    for u in range(1, users + 1):
        for minute in rng.sample(range(60 * 24 * 60), rng.randint(0, 4)):
            ev = BASE + minute * MINUTE
            copies = rng.choice([1, 1, 2, 3])
            created = rng.sample(range(1, 1000), copies)
            if copies > 1 and rng.random() < 0.3:
                created[0] = None
            for c in created:
                tables["user_profile"].append({"user_id": u, "event_timestamp": ev,
                                               "created_at": None if c is None else ev + c * MINUTE,
                                               "tier": maybe(rng, rng.choice(["gold", "silver", "bronze"])),
                                               "score": maybe(rng, round(rng.uniform(-5, 5), 4))})
    # Rows that must never match: null keys, null event times.
    for name, key in (("user_stats", "user_id"), ("user_profile", "user_id"), ("merchant_stats", "merchant_id")):
        for row in rng.sample(tables[name], len(tables[name]) // 50):
            bad = dict(row)
            if rng.random() < 0.5:
                bad[key] = None
            else:
                bad["event_timestamp"] = None
            tables[name].append(bad)
    # Commits: a shuffled split, so later commits hold earlier events (late arrivals).
    commits = {}
    for name, rows in tables.items():
        rng.shuffle(rows)
        a, b = int(len(rows) * 0.6), int(len(rows) * 0.85)
        commits[name] = [rows[:a], rows[a:b], rows[b:]]

    label_rows = []
    stats_rows = tables["user_stats"]
    for i in range(labels):
        u = rng.randint(1, users + 40)  # a few users without any feature row
        m, r = rng.choice(merchant_keys)
        ts = BASE + rng.randint(-DAY, 62 * DAY)
        pick = rng.random()
        if pick < 0.1:  # exactly a feature row's event time
            src = rng.choice(stats_rows)
            if src["user_id"] is not None and src["event_timestamp"] is not None:
                u, ts = src["user_id"], src["event_timestamp"]
        elif pick < 0.15:  # exactly at (and one micro past) the TTL boundary of a merchant row
            src = rng.choice(tables["merchant_stats"])
            if src["merchant_id"] is not None and src["event_timestamp"] is not None:
                m, r = src["merchant_id"], src["region"]
                ts = src["event_timestamp"] + TTL_DAYS * DAY + rng.choice([0, 1])
        label_rows.append({"label_id": i, "user_id": maybe(rng, u, 0.01), "merchant_id": m, "region": r,
                           "event_timestamp": maybe(rng, ts, 0.01), "amount": maybe(rng, round(rng.uniform(1, 100), 2), 0.02),
                           "label": rng.randint(0, 1)})
    return commits, label_rows


def write_csv(path, rows, columns, timestamp_columns=()):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([iso(r[c]) if c in timestamp_columns else ("" if r[c] is None else r[c]) for c in columns])


def active_files(table):
    """Data files of the latest version of a Delta table (replaying its JSON commits)."""
    files = {}
    for commit in sorted((Path(table) / "_delta_log").glob("*.json")):
        for line in commit.read_text().splitlines():
            action = json.loads(line)
            if "add" in action:
                files[action["add"]["path"]] = True
            elif "remove" in action:
                files.pop(action["remove"]["path"], None)
    return [str(Path(table) / p) for p in sorted(files)]


def parquet_list(table):
    return "[" + ", ".join(sql_string(p) for p in active_files(table)) + "]"


LABEL_COLUMNS = {"label_id": "BIGINT", "user_id": "BIGINT", "merchant_id": "BIGINT", "region": "VARCHAR",
                 "event_timestamp": "TIMESTAMPTZ", "amount": "DOUBLE", "label": "BIGINT"}


def expected_rows(lake, labels_csv):
    """The oracle: DuckDB ASOF LEFT JOINs (user_stats, merchant_stats + TTL) and a window query for
    user_profile (created-time tie-break), all in epoch microseconds."""
    cols = "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in LABEL_COLUMNS.items()) + "}"
    sql = f"""
    SET TimeZone = 'UTC';
    CREATE TEMP TABLE l AS SELECT label_id, user_id, merchant_id, region, epoch_us(event_timestamp) AS ts, amount
      FROM read_csv({sql_string(str(labels_csv))}, header = true, columns = {cols});
    CREATE TEMP TABLE us AS SELECT user_id, epoch_us(event_timestamp) AS ev, clicks, spend
      FROM read_parquet({parquet_list(lake / 'user_stats')}, union_by_name = true)
      WHERE user_id IS NOT NULL AND event_timestamp IS NOT NULL;
    CREATE TEMP TABLE ms AS SELECT merchant_id, region, epoch_us(event_timestamp) AS ev, risk, category, spend
      FROM read_parquet({parquet_list(lake / 'merchant_stats')}, union_by_name = true)
      WHERE merchant_id IS NOT NULL AND region IS NOT NULL AND event_timestamp IS NOT NULL;
    CREATE TEMP TABLE up AS SELECT user_id, epoch_us(event_timestamp) AS ev, epoch_us(created_at) AS cr, tier, score
      FROM read_parquet({parquet_list(lake / 'user_profile')}, union_by_name = true)
      WHERE user_id IS NOT NULL AND event_timestamp IS NOT NULL;
    -- DuckDB's ASOF join matches a NULL label time (as if it were +infinity): leave those out.
    WITH lt AS (SELECT * FROM l WHERE ts IS NOT NULL),
    a AS (
      SELECT l.label_id, us.clicks, us.spend AS user_stats__spend
      FROM lt AS l ASOF LEFT JOIN us ON l.user_id = us.user_id AND l.ts >= us.ev),
    b AS (
      SELECT l.label_id,
             CASE WHEN l.ts - ms.ev <= {TTL_DAYS * DAY} THEN ms.risk END AS risk,
             CASE WHEN l.ts - ms.ev <= {TTL_DAYS * DAY} THEN ms.category END AS category,
             CASE WHEN l.ts - ms.ev <= {TTL_DAYS * DAY} THEN ms.spend END AS merchant_stats__spend
      FROM lt AS l ASOF LEFT JOIN ms ON l.merchant_id = ms.merchant_id AND l.region = ms.region AND l.ts >= ms.ev),
    c AS (
      SELECT label_id, tier, score, score * amount AS score_x_amount FROM (
        SELECT l.label_id, l.amount, up.tier, up.score,
               row_number() OVER (PARTITION BY l.label_id ORDER BY up.ev DESC, up.cr DESC NULLS LAST) AS rn
        FROM l LEFT JOIN up ON l.user_id = up.user_id AND up.ev <= l.ts) WHERE rn = 1)
    SELECT l.label_id, a.clicks, a.user_stats__spend, b.risk, b.category, b.merchant_stats__spend, c.tier, c.score,
           c.score_x_amount
    FROM l LEFT JOIN a USING (label_id) LEFT JOIN b USING (label_id) JOIN c USING (label_id) ORDER BY l.label_id
    """
    return duckdb_query(sql, threads=2)


def actual_rows(table):
    sql = f"""SELECT label_id, {', '.join(OUTPUT_COLUMNS)} FROM read_parquet({parquet_list(table)})"""
    return duckdb_query(sql, threads=2)


def assert_same(actual, expected):
    assert [r["label_id"] for r in actual] == list(range(len(expected))), "output rows are not in label order"
    diffs = []
    for a, e in zip(actual, expected):
        for c in OUTPUT_COLUMNS:
            x, y = a[c], e[c]
            same = x == y or (isinstance(x, float) and isinstance(y, float) and math.isclose(x, y, rel_tol=1e-12))
            if not same:
                diffs.append((a["label_id"], c, x, y))
    assert not diffs, f"{len(diffs)} differences, first: {diffs[:10]}"


@pytest.fixture
def feature_lake(server):
    """Definitions applied and three source tables written in three commits each; returns
    (server, lake, label rows, labels csv path)."""
    lake = server.data_dir / "lake" / "features"
    commits, labels = generate()
    for name, schema in SCHEMAS.items():
        rc, _, err = run_binary(["table", "create", str(lake / name), "--schema", schema], server.cwd)
        assert rc == 0, err
    path = server.workdir / "defs.yaml"
    path.write_text(textwrap.dedent(DEFINITIONS))
    server.cli("features", "apply", "-f", str(path))
    for name, parts in commits.items():
        columns = [c.split()[0] for c in SCHEMAS[name].split(", ")]
        for i, rows in enumerate(parts):
            part = server.workdir / f"{name}-{i}.csv"
            write_csv(part, rows, columns, ("event_timestamp", "created_at"))
            rc, _, err = run_binary(["table", "append", str(lake / name), str(part)], server.cwd)
            assert rc == 0, err
    labels_csv = server.workdir / "labels.csv"
    write_csv(labels_csv, labels, list(LABEL_COLUMNS), ("event_timestamp",))
    return server, lake, labels, labels_csv


def training_set(server, *args, check=True):
    return server.local("features", "training-set", "--service", "train_svc", *args, check=check)


def test_matches_duckdb_asof_join_csv_parquet_and_spill(feature_lake):
    server, lake, labels, labels_csv = feature_lake
    expected = expected_rows(lake, labels_csv)
    assert len(expected) == len(labels)
    # Sanity of the data: every kind of outcome occurs.
    assert any(r["clicks"] is not None for r in expected) and any(r["risk"] is None for r in expected)

    # CSV labels, relative --out (resolved against the current directory).
    _, out, _ = training_set(server, "--labels", str(labels_csv), "--out", "ts_csv")
    assert out.startswith(f"training set {server.cwd / 'ts_csv'}: {len(labels)} rows, dataset ts-csv version 1"), out
    assert_same(actual_rows(server.cwd / "ts_csv"), expected)

    # Parquet labels (written by DuckDB), JSON output.
    labels_parquet = server.workdir / "labels.parquet"
    cols = "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in LABEL_COLUMNS.items()) + "}"
    duckdb_query(f"SET TimeZone = 'UTC'; COPY (SELECT * FROM read_csv({sql_string(str(labels_csv))}, header = true, columns = {cols}) "
                 f"ORDER BY label_id) TO {sql_string(str(labels_parquet))} (FORMAT parquet)")
    _, out, _ = training_set(server, "--labels", str(labels_parquet), "--out", str(server.workdir / "ts_parquet"),
                             "--name", "train", "-o", "json")
    result = json.loads(out)
    assert result["rows"] == len(labels) and result["dataset"] == {"name": "train", "version": 1}
    assert result["feature_columns"] == OUTPUT_COLUMNS
    assert all(v["partitions"] == 1 for v in result["views"]) and result["chunks"] == 1
    assert_same(actual_rows(server.workdir / "ts_parquet"), expected)

    # A tiny memory budget: labels joined in chunks, keys and times spill to partition files; same rows.
    _, out, _ = training_set(server, "--labels", str(labels_csv), "--out", str(server.workdir / "ts_spill"),
                             "--name", "train", "--memory-budget", "20000", "-o", "json")
    result = json.loads(out)
    assert result["dataset"] == {"name": "train", "version": 2}
    assert result["chunks"] == 2 and result["rows"] == len(labels), result
    assert all(v["partitions"] > 1 and v["spilled_bytes"] > 0 for v in result["views"]), result["views"]
    assert_same(actual_rows(server.workdir / "ts_spill"), expected)
    assert not list(server.workdir.glob(".plinth-spill-*")), "spill directory left behind"
    # Parquet labels read chunk by chunk (a row group split between chunks); same rows.
    _, out, _ = training_set(server, "--labels", str(labels_parquet), "--out", str(server.workdir / "ts_spill_parquet"),
                             "--memory-budget", "20000", "-o", "json")
    result = json.loads(out)
    assert result["chunks"] >= 2 and result["rows"] == len(labels), result
    assert_same(actual_rows(server.workdir / "ts_spill_parquet"), expected)
    # Delta labels, read chunk by chunk too; the lineage names the version read.
    labels_delta = server.workdir / "labels_delta"
    rc, _, err = run_binary(["table", "create", str(labels_delta), "--schema",
                             "label_id int64, user_id int64, merchant_id int64, region string, "
                             "event_timestamp timestamp, amount double, label int64"], server.cwd)
    assert rc == 0, err
    rc, _, err = run_binary(["table", "append", str(labels_delta), str(labels_csv)], server.cwd)
    assert rc == 0, err
    _, out, _ = training_set(server, "--labels", str(labels_delta), "--out", str(server.workdir / "ts_delta"),
                             "--memory-budget", "20000", "-o", "json")
    result = json.loads(out)
    assert result["chunks"] >= 2 and result["rows"] == len(labels), result
    assert result["lineage"]["labels"]["format"] == "delta" and result["lineage"]["labels"]["table_version"] == 1
    assert_same(actual_rows(server.workdir / "ts_delta"), expected)


def test_dataset_lineage_and_audit(feature_lake):
    server, lake, labels, labels_csv = feature_lake
    out_dir = server.workdir / "train_set"
    training_set(server, "--labels", str(labels_csv), "--out", str(out_dir))
    _, out, _ = server.local("features", "datasets", "show", "train-set")
    d = json.loads(out)
    assert d["name"] == "train-set" and d["version"] == 1 and d["row_count"] == len(labels)
    assert d["table_path"] == str(out_dir) and d["table_version"] == 1
    lineage = d["lineage"]
    assert lineage["service"] == "train_svc" and lineage["service_version"] == 1
    views = {v["view"]: v for v in lineage["views"]}
    assert set(views) == {"user_stats", "merchant_stats", "user_profile"}
    for name, v in views.items():
        # create (0) + three appends: the join read version 3 of each source table.
        assert v["table_version"] == 3 and v["view_version"] == 1 and v["table_path"] == str(lake / name)
    assert lineage["labels"] == {"path": str(labels_csv), "format": "csv", "timestamp_column": "event_timestamp"}
    _, out, _ = server.local("features", "datasets", "list", "-o", "json")
    assert [(x["name"], x["version"]) for x in json.loads(out)["datasets"]] == [("train-set", 1)]
    entries = server.ok("GET", "/api/v1/audit", params={"action": "dataset.create"})["entries"]
    assert [e["resource"] for e in entries] == ["datasets/train-set/versions/1"]
    # A later append is seen by the next build, and its lineage says so.
    rc, _, err = run_binary(["table", "append", str(lake / "user_stats"), str(server.workdir / "user_stats-2.csv")], server.cwd)
    assert rc == 0, err
    training_set(server, "--labels", str(labels_csv), "--out", str(server.workdir / "train_set2"), "--name", "train-set")
    d2 = json.loads(server.local("features", "datasets", "show", "train-set")[1])
    assert d2["version"] == 2
    assert {v["view"]: v["table_version"] for v in d2["lineage"]["views"]}["user_stats"] == 4
    d1 = json.loads(server.local("features", "datasets", "show", "train-set", "--version", "1")[1])
    assert d1["version"] == 1
    # Model versions name the dataset they were trained on; the dataset lists them.
    assert d1["model_versions"] == [] and d2["model_versions"] == []
    server.register("fraud", b"model-a", lineage={"training_dataset": "train-set@1"})
    server.register("fraud", b"model-b", lineage={"training_dataset": "train-set@2"})
    server.register("churn", b"model-c", lineage={"training_dataset": "train-set@1"})
    d1 = json.loads(server.local("features", "datasets", "show", "train-set", "--version", "1")[1])
    assert d1["model_versions"] == [{"model": "fraud", "version": 1}, {"model": "churn", "version": 1}]
    d2 = json.loads(server.local("features", "datasets", "show", "train-set")[1])
    assert d2["model_versions"] == [{"model": "fraud", "version": 2}]
    found = server.ok("GET", "/api/v1/model-versions", params={"filter": "training_dataset = 'train-set@1'"})
    assert sorted((v["model"], v["version"]) for v in found["versions"]) == [("churn", 1), ("fraud", 1)]
    # The server's read routes see what the local command registered.
    assert server.ok("GET", "/api/v1/datasets/train-set") == d2
    assert server.ok("GET", "/api/v1/datasets/train-set/versions/1") == d1
    assert [x["version"] for x in server.ok("GET", "/api/v1/datasets", params={"name": "train-set"})["datasets"]] == [2, 1]
    assert [x["name"] for x in server.ok("GET", "/api/v1/datasets")["datasets"]] == ["train-set"]
    assert server.http("GET", "/api/v1/datasets/train-set/versions/9").status_code == 404
    assert server.http("GET", "/api/v1/datasets/nope").status_code == 404


def test_bad_inputs_fail_cleanly(feature_lake):
    server, lake, labels, labels_csv = feature_lake
    work = server.workdir

    def fails(*args, message):
        before = set(p.name for p in work.iterdir())
        rc, out, err = training_set(server, *args, check=False)
        assert rc != 0, out
        assert message in err, err
        assert set(p.name for p in work.iterdir()) == before, "a failed build left files behind"

    out = str(work / "bad_out")
    rc, _, err = server.local("features", "training-set", "--service", "nope", "--labels", str(labels_csv), "--out", out,
                              check=False)
    assert rc != 0 and "feature service 'nope' not found" in err
    no_key = work / "no_key.csv"
    no_key.write_text("label_id,user_id,event_timestamp,amount\n1,1,2023-11-20T00:00:00Z,1.0\n")
    fails("--labels", str(no_key), "--out", out, message="labels have no column 'merchant_id'")
    fails("--labels", str(labels_csv), "--out", out, "--label-timestamp", "ts",
          message="labels have no column 'ts' (the label timestamp)")
    no_amount = work / "no_amount.csv"
    no_amount.write_text("label_id,user_id,merchant_id,region,event_timestamp\n1,1,1,eu,2023-11-20T00:00:00Z\n")
    fails("--labels", str(no_amount), "--out", out, message="labels have no column 'amount' (request value of feature view 'user_profile')")
    fails("--labels", str(work / "missing.csv"), "--out", out, message="do not exist")
    (work / "exists").mkdir()
    fails("--labels", str(labels_csv), "--out", str(work / "exists"), message="already exists")
    assert server.local("features", "datasets", "list", "-o", "json")[1].strip() == json.dumps({"datasets": []}, indent=2)
    assert server.ok("GET", "/api/v1/audit", params={"action": "dataset.create"})["entries"] == []
