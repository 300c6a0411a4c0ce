"""Parity: `plinth features parity` replays sampled rows through the offline path (the
point-in-time join of training sets) and the online path (online store writes and reads at the
same time) and must find zero mismatches: ties, TTL edges, nulls, late rows, transforms."""
import json
import textwrap

from conftest import run_binary
from test_training_sets import feature_lake  # noqa: F401  (fixture)


def parity(server, *args, check=True):
    return server.local("features", "parity", *args, "-o", "json", check=check)


def test_parity_over_a_label_table_finds_no_mismatch(feature_lake):  # noqa: F811
    server, lake, labels, labels_csv = feature_lake
    _, out, _ = parity(server, "--service", "train_svc", "--labels", str(labels_csv), "--sample", "3000")
    result = json.loads(out)
    assert result["mismatches"] == [] and result["mismatch_count"] == 0
    assert result["samples"] == 3000
    assert result["values_compared"] == 3000 * 8
    _, text, _ = server.local("features", "parity", "--service", "train_svc", "--labels", str(labels_csv), "--sample", "50",
                              "--seed", "3")
    assert text.strip() == "parity train_svc: 50 samples, 400 values compared, 0 mismatches"


SINGLE = """
entities:
  - name: user
    join_keys: [{name: user_id, type: int64}]
sources:
  - name: events
    table: features/events
    created_timestamp_column: created
feature_views:
  - name: events
    entities: [user]
    source: events
    ttl: 2h
    features:
      - {name: n, type: int64}
      - {name: x, type: double}
    transforms:
      - {name: x2, expr: "coalesce(x, -1.0) * 2"}
feature_services:
  - name: svc
    features: ["events:*"]
"""


def test_parity_sampling_source_rows_with_ties_and_ttl(server):
    path = server.workdir / "defs.yaml"
    path.write_text(textwrap.dedent(SINGLE))
    server.cli("features", "apply", "-f", str(path))
    rows = []
    for u in range(40):
        for k in range(6):
            # Repeated event times (ties broken by created, some full ties), nulls, gaps past the TTL.
            rows.append({"user_id": u, "event_timestamp": f"2026-01-01T{(k // 2) * 3:02d}:00:00Z",
                         "created": None if k == 5 else f"2026-01-01T12:00:0{k % 3}Z",
                         "n": k, "x": None if k % 4 == 0 else u + k / 10})
    for start in range(0, len(rows), 60):
        server.ok("POST", "/api/v1/features/push", json={"view": "events", "rows": rows[start:start + 60]})
    _, out, _ = parity(server, "--service", "svc", "--sample", "500", "--seed", "11")
    result = json.loads(out)
    assert result["samples"] == 500 and result["mismatch_count"] == 0, result["mismatches"][:5]


def test_parity_needs_labels_for_request_values(feature_lake):  # noqa: F811
    server = feature_lake[0]
    rc, _, err = parity(server, "--service", "train_svc", check=False)
    assert rc != 0 and "--labels" in err
    rc, _, err = parity(server, "--service", "nope", check=False)
    assert rc != 0 and "feature service 'nope' not found" in err
