"""Registry round trips through the CLI and plain HTTP: models, versions, refs, downloads, metrics."""
import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import error_of, model_artifact, sha256, walk_pages, with_token

# The features of tests/fixtures/models/tiny-xgboost.* (registration checks a model's inputs).
SIGNATURE = {
    "inputs": [{"name": "amount", "type": "float64"}, {"name": "age", "type": "int64", "description": "years"},
               {"name": "score", "type": "float64"}],
    "outputs": [{"name": "probability", "type": "float", "shape": [1]}],
}


def test_model_create_get_list_update_delete(server):
    _, out, _ = server.cli("models", "create", "fraud-detector", "-d", "Card fraud", "--tag", "team=risk", "--tag", "tier=1")
    assert out == "created model fraud-detector\n"
    m = server.ok("GET", "/api/v1/models/fraud-detector")
    assert m["name"] == "fraud-detector"
    assert m["description"] == "Card fraud"
    assert m["tags"] == {"team": "risk", "tier": "1"}
    assert m["latest_version"] == 0
    assert m["aliases"] == {}
    assert m["created_by"] == "anonymous"
    assert m["created_at"] == m["updated_at"]

    created = server.ok("POST", "/api/v1/models", expect=201, json={"name": "churn", "description": "d", "tags": {"team": "growth"}})
    assert (created["name"], created["description"], created["tags"]) == ("churn", "d", {"team": "growth"})
    dup = server.http("POST", "/api/v1/models", json={"name": "churn"})
    assert dup.status_code == 409
    assert error_of(dup) == ("ALREADY_EXISTS", "model 'churn' already exists")

    page = server.cli_json("models", "list")
    assert [x["name"] for x in page["models"]] == ["churn", "fraud-detector"]
    assert page["next_page_token"] is None
    _, table, _ = server.cli("models", "list")
    assert table.splitlines()[0].split() == ["NAME", "LATEST", "ALIASES", "TAGS", "UPDATED", "DESCRIPTION"]
    assert table.splitlines()[1].startswith("churn ")

    first = server.ok("GET", "/api/v1/models?page_size=1")
    assert [x["name"] for x in first["models"]] == ["churn"]
    second = server.ok("GET", "/api/v1/models", params={"page_size": 1, "page_token": first["next_page_token"]})
    assert [x["name"] for x in second["models"]] == ["fraud-detector"]
    assert second["next_page_token"] is None

    updated = server.cli_json("models", "update", "fraud-detector", "--tag", "tier=2", "--tag", "owner=ana",
                              "--remove-tag", "team", "-d", "Card fraud, v2")
    assert updated["tags"] == {"tier": "2", "owner": "ana"}
    assert updated["description"] == "Card fraud, v2"
    patched = server.ok("PATCH", "/api/v1/models/churn", json={"tags": {"x": 1}, "remove_tags": ["team"]})
    assert patched["tags"] == {"x": "1"}
    assert patched["description"] == "d"  # untouched when absent
    assert server.ok("GET", "/api/v1/models/fraud-detector")["tags"] == {"tier": "2", "owner": "ana"}

    _, out, _ = server.cli("models", "delete", "fraud-detector")
    assert out == "deleted model fraud-detector\n"
    assert server.ok("DELETE", "/api/v1/models/churn") == {"deleted": "churn"}
    gone = server.http("GET", "/api/v1/models/churn")
    assert gone.status_code == 404
    assert error_of(gone) == ("NOT_FOUND", "model 'churn' not found")
    assert server.ok("GET", "/api/v1/models") == {"models": [], "next_page_token": None}


def test_register_version_with_signature_params_metrics_tags_lineage(server, tmp_path):
    artifact = tmp_path / "model.json"
    artifact.write_bytes(model_artifact("xgboost-json"))
    sig = tmp_path / "sig.json"
    sig.write_text(json.dumps(SIGNATURE))
    server.cli("models", "create", "fraud")
    v = server.cli_json("models", "register", "fraud", str(artifact), "--format", "xgboost-json", "--signature", f"@{sig}",
                        "--param", "max_depth=6", "--param", "eta=0.1", "--metric", "auc=0.91", "--metric", "logloss=0.25",
                        "--tag", "stage=dev", "--source-run", "run-42", "--training-dataset", "transactions@7",
                        "--git-commit", "abc123", "--parent", "fraud-old/3", "-d", "first cut")
    data = artifact.read_bytes()
    assert v["model"] == "fraud" and v["version"] == 1 and v["ref"] == "fraud/1"
    assert v["format"] == "xgboost-json"
    assert v["artifact"] == {"sha256": sha256(data), "size": len(data)}
    assert v["signature"] == SIGNATURE
    assert v["params"] == {"max_depth": "6", "eta": "0.1"}
    assert v["metrics"] == {"auc": 0.91, "logloss": 0.25}
    assert v["tags"] == {"stage": "dev"}
    assert v["lineage"] == {"source_run": "run-42", "training_dataset": "transactions@7", "git_commit": "abc123",
                            "parent": "fraud-old/3"}
    assert v["description"] == "first cut"
    assert v["aliases"] == []
    assert v["created_by"] == "anonymous"
    assert server.ok("GET", "/api/v1/models/fraud/versions/1") == v

    _, out, _ = server.cli("models", "register", "fraud", str(artifact), "--format", "xgboost-json")
    assert out == f"registered fraud/2 (sha256 {sha256(data)})\n"

    v3 = server.register("fraud", model_artifact("xgboost-ubj"), fmt="xgboost-ubj", signature=SIGNATURE, params={"depth": 4, "ok": True},
                         metrics={"auc": 0.5}, tags={"stage": "prod"}, description="http",
                         lineage={"source_run": "r", "training_dataset": "t@1", "git_commit": "c", "parent": "fraud/2"})
    assert (v3["version"], v3["format"], v3["params"], v3["metrics"]) == (3, "xgboost-ubj", {"depth": "4", "ok": "true"}, {"auc": 0.5})
    assert v3["lineage"] == {"source_run": "r", "training_dataset": "t@1", "git_commit": "c", "parent": "fraud/2"}
    assert server.ok("GET", "/api/v1/models/fraud")["latest_version"] == 3

    # A version's tags and description change; its artifact and metrics do not.
    upd = server.cli_json("models", "update", "fraud/1", "--tag", "stage=prod", "--tag", "reviewed=yes", "-d", "approved")
    assert (upd["tags"], upd["description"], upd["artifact"]) == ({"stage": "prod", "reviewed": "yes"}, "approved", v["artifact"])
    patched = server.ok("PATCH", "/api/v1/models/fraud/versions/1", json={"remove_tags": ["reviewed"]})
    assert patched["tags"] == {"stage": "prod"}
    assert patched["description"] == "approved"


@pytest.mark.parametrize("fmt", ["xgboost-json", "xgboost-ubj", "lightgbm-text", "linear-json"])
def test_registration_reads_model_files(server, fmt):
    """A model-format artifact is parsed at registration: its signature fills in when none is
    given, a declared signature must name the model's features, and a file the runtime cannot
    serve is refused with the reason (nothing is registered)."""
    v = server.register(f"m-{fmt}", model_artifact(fmt, "a"), fmt=fmt)
    names = [i["name"] for i in v["signature"]["inputs"]]
    assert names == (["amount", "age"] if fmt == "lightgbm-text" else ["amount", "age", "score"])
    assert [o["name"] for o in v["signature"]["outputs"]] == ["prediction"]

    wrong = {"inputs": [{"name": "amount", "type": "float64"}, {"name": "zzz", "type": "float64"}]}
    data = model_artifact(fmt, "b")
    server.upload(data, digest=sha256(data))
    r = server.http("POST", f"/api/v1/models/m-{fmt}/versions", json={"artifact_sha256": sha256(data), "format": fmt,
                                                                      "signature": wrong})
    assert r.status_code == 400, r.text
    assert "signature.inputs" in error_of(r)[1]

    junk = b"{\"not\": \"a model\"}" if fmt != "lightgbm-text" else b"tree\nversion=v4\n"
    server.upload(junk, digest=sha256(junk))
    r = server.http("POST", f"/api/v1/models/m-{fmt}/versions", json={"artifact_sha256": sha256(junk), "format": fmt})
    assert r.status_code == 400, r.text
    code, message = error_of(r)
    assert code == "INVALID_ARGUMENT" and f"not a model Plinth can serve as {fmt}" in message
    assert server.ok("GET", f"/api/v1/models/m-{fmt}")["latest_version"] == 1


def test_versions_list_page_tokens(server):
    for i in range(5):
        server.register("pager", f"artifact {i}".encode())
    pages = walk_pages(lambda tok: server.ok("GET", "/api/v1/models/pager/versions", params=with_token({"page_size": 2}, tok)),
                       "versions")
    seen = [[v["version"] for v in page] for page in pages]
    assert seen == [[5, 4], [3, 2], [1]]

    p1 = server.cli_json("models", "versions", "list", "pager", "--page-size", "3")
    assert [v["version"] for v in p1["versions"]] == [5, 4, 3]
    p2 = server.cli_json("models", "versions", "list", "pager", "--page-size", "3", "--page-token", p1["next_page_token"])
    assert [v["version"] for v in p2["versions"]] == [2, 1]
    assert p2["next_page_token"] is None
    _, _, err = server.cli("models", "versions", "list", "pager", "--page-size", "3")
    assert f"more results: --page-token {p1['next_page_token']}" in err

    server.register("other", b"other")
    foreign = server.http("GET", "/api/v1/models/other/versions", params={"page_token": p1["next_page_token"]})
    assert foreign.status_code == 400
    assert "different query" in error_of(foreign)[1]
    garbage = server.http("GET", "/api/v1/models/pager/versions", params={"page_token": "!!not-a-token"})
    assert garbage.status_code == 400
    assert error_of(garbage)[0] == "INVALID_ARGUMENT"


def test_refs_in_show_and_download(server, tmp_path):
    v1_bytes = b"version one bytes"
    v2_bytes = bytes(range(256)) * 300  # binary, 76800 bytes
    server.register("ref-model", v1_bytes)
    server.register("ref-model", v2_bytes)
    _, out, _ = server.cli("models", "alias", "set", "ref-model", "champion", "1")
    assert out == "ref-model@champion -> 1\n"

    assert server.cli_json("models", "show", "ref-model/2")["version"] == 2
    assert server.cli_json("models", "show", "ref-model@champion")["version"] == 1
    assert server.cli_json("models", "show", "ref-model@latest")["version"] == 2
    assert server.cli_json("models", "show", "ref-model")["latest_version"] == 2
    _, text, _ = server.cli("models", "show", "ref-model@champion")
    assert "ref: ref-model/1\n" in text

    assert server.ok("GET", "/api/v1/models/ref-model/versions/@champion")["version"] == 1
    assert server.ok("GET", "/api/v1/models/ref-model/versions/%40latest")["version"] == 2
    assert server.ok("GET", "/api/v1/models/ref-model/aliases/champion")["version"] == 1
    assert server.ok("GET", "/api/v1/resolve/ref-model@champion")["version"]["ref"] == "ref-model/1"
    assert server.ok("GET", "/api/v1/resolve/ref-model%2F2")["version"]["ref"] == "ref-model/2"
    assert server.ok("GET", "/api/v1/resolve/ref-model")["model"]["name"] == "ref-model"

    out_file = tmp_path / "latest.bin"
    res = server.cli_json("models", "download", "ref-model@latest", "-O", str(out_file))
    assert res == {"file": str(out_file), "sha256": sha256(v2_bytes), "version": "ref-model/2"}
    assert out_file.read_bytes() == v2_bytes
    _, out, _ = server.cli("models", "download", "ref-model@champion")  # default name, in the CLI's cwd
    assert out == "downloaded ref-model/1 to ref-model-1.bin (sha256 verified)\n"
    assert (server.cwd / "ref-model-1.bin").read_bytes() == v1_bytes
    server.cli("models", "download", "ref-model/2", "-O", str(tmp_path / "two.bin"))
    assert (tmp_path / "two.bin").read_bytes() == v2_bytes

    for path, data, ref in [("ref-model/versions/2", v2_bytes, "ref-model/2"), ("ref-model/versions/@champion", v1_bytes, "ref-model/1"),
                            ("ref-model/versions/@latest", v2_bytes, "ref-model/2")]:
        resp = server.http("GET", f"/api/v1/models/{path}/artifact")
        assert resp.status_code == 200
        assert resp.content == data
        assert resp.headers["X-Plinth-Sha256"] == sha256(data)
        assert resp.headers["X-Plinth-Model-Version"] == ref
        assert resp.headers["ETag"] == f'"{sha256(data)}"'
        assert resp.headers["Content-Type"] == "application/octet-stream"
        assert int(resp.headers["Content-Length"]) == len(data)

    rc, _, err = server.cli("models", "download", "ref-model@nope", check=False)
    assert rc == 1
    assert "alias 'nope' not found on model 'ref-model' (HTTP 404 NOT_FOUND)" in err
    rc, _, err = server.cli("models", "download", "ref-model", check=False)
    assert rc == 2
    assert "names a model" in err
    missing = server.http("GET", "/api/v1/models/ref-model/versions/9/artifact")
    assert missing.status_code == 404
    assert error_of(missing) == ("NOT_FOUND", "version 9 of model 'ref-model' not found")


def test_metric_series_log_and_history(server):
    server.register("metric-model", b"weights", metrics={"auc": 0.5})
    _, out, _ = server.cli("models", "metrics", "log", "metric-model/1", "loss=0.9", "acc=0.5", "--step", "1")
    assert out == "logged 2 metric value(s) on metric-model/1\n"
    server.cli("models", "metrics", "log", "metric-model@latest", "loss=0.7", "--step", "2", "--timestamp", "2024-01-01T00:00:00Z")
    logged = server.ok("POST", "/api/v1/models/metric-model/versions/1/metrics",
                       json={"metrics": [{"key": "loss", "value": 0.5, "step": 3, "timestamp": 1700000000},
                                         {"key": "loss", "value": 0.8, "step": 0, "timestamp": "2020-05-05T05:05:05.5Z"}]})
    assert logged == {"logged": 2}

    hist = server.cli_json("models", "metrics", "history", "metric-model/1", "loss")
    assert hist["key"] == "loss"
    assert [(p["step"], p["value"]) for p in hist["points"]] == [(0, 0.8), (1, 0.9), (2, 0.7), (3, 0.5)]
    assert hist["points"][0]["timestamp"] == "2020-05-05T05:05:05.500000Z"
    assert hist["points"][2]["timestamp"] == "2024-01-01T00:00:00.000000Z"
    assert hist["points"][3]["timestamp"] == "2023-11-14T22:13:20.000000Z"
    assert server.ok("GET", "/api/v1/models/metric-model/versions/1/metrics/loss") == hist
    auc = server.ok("GET", "/api/v1/models/metric-model/versions/@latest/metrics/auc")
    assert [(p["step"], p["value"]) for p in auc["points"]] == [(0, 0.5)]
    assert server.ok("GET", "/api/v1/models/metric-model/versions/1/metrics/none") == {"key": "none", "points": []}

    # Keys may hold '/' and ':'; the CLI and plain HTTP percent-encode them in the path.
    server.cli("models", "metrics", "log", "metric-model/1", "val/loss=0.25", "gpu:0=1")
    assert server.cli_json("models", "metrics", "history", "metric-model/1", "val/loss")["points"][0]["value"] == 0.25
    assert server.ok("GET", "/api/v1/models/metric-model/versions/1/metrics/val%2Floss")["key"] == "val/loss"
    assert server.ok("GET", "/api/v1/models/metric-model/versions/1/metrics/gpu:0")["points"][0]["value"] == 1

    # The version's searchable value is the one at the highest step.
    assert server.ok("GET", "/api/v1/models/metric-model/versions/1")["metrics"] == {
        "auc": 0.5, "acc": 0.5, "loss": 0.5, "val/loss": 0.25, "gpu:0": 1}
    bad = server.http("POST", "/api/v1/models/metric-model/versions/1/metrics", json={"metrics": [{"key": "x"}]})
    assert bad.status_code == 400
    assert error_of(bad)[1] == "each metric point needs 'key' and a numeric 'value'"


def _register_all_at_once(register_one, n):
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return register_one(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_twenty_parallel_http_registrations(server):
    n = 20
    payloads = [f"parallel artifact {i}".encode() * (i + 1) for i in range(n)]
    results = _register_all_at_once(lambda i: server.register("parallel", payloads[i], session=requests), n)
    assert sorted(v["version"] for v in results) == list(range(1, n + 1))
    by_version = {v["version"]: v["artifact"]["sha256"] for v in results}
    assert sorted(by_version.values()) == sorted(sha256(p) for p in payloads)
    listed = server.ok("GET", "/api/v1/models/parallel/versions")
    assert [v["version"] for v in listed["versions"]] == list(range(n, 0, -1))
    assert {v["version"]: v["artifact"]["sha256"] for v in listed["versions"]} == by_version
    assert server.ok("GET", "/api/v1/models/parallel")["latest_version"] == n
    assert len(server.object_files()) == n


def test_twenty_parallel_cli_registrations(server, tmp_path):
    n = 20
    files = []
    for i in range(n):
        f = tmp_path / f"a{i}.bin"
        f.write_bytes(b"cli artifact %d" % i)
        files.append(f)

    def one(i):
        return server.cli_json("models", "register", "cli-parallel", str(files[i]), "--format", "other", "--create")

    results = _register_all_at_once(one, n)
    assert sorted(v["version"] for v in results) == list(range(1, n + 1))
    assert {v["artifact"]["sha256"] for v in results} == {sha256(f.read_bytes()) for f in files}
    assert server.ok("GET", "/api/v1/models/cli-parallel")["latest_version"] == n


def test_large_artifact_round_trip_through_cli_and_http(server, tmp_path):
    # 24 MiB of non-repeating bytes: exercises the streamed upload and download paths
    # (many socket reads, bytes arriving with the header, digest checks at both ends).
    data = hashlib.sha256(b"seed").digest() * (24 * 1024 * 1024 // 32)
    data = bytes((b + i) & 0xFF for i, b in enumerate(data[:1 << 16])) + data[1 << 16:]
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    server.cli("models", "register", "big", str(src), "--format", "other", "--create")
    version = server.ok("GET", "/api/v1/models/big/versions/1")
    assert version["artifact"] == {"sha256": digest, "size": len(data)}
    out = tmp_path / "out.bin"
    server.cli("models", "download", "big/1", "-O", str(out))
    assert out.read_bytes() == data
    resp = server.http("GET", "/api/v1/models/big/versions/1/artifact")
    assert resp.status_code == 200 and resp.content == data and resp.headers["X-Plinth-Sha256"] == digest


def test_gc_deletes_only_unreferenced_artifacts(server):
    server.register("kept", b"registered bytes")
    orphan = server.upload(b"uploaded but never registered").json()["sha256"]
    assert len(server.object_files()) == 2
    # Default grace (24h): a fresh orphan is kept.
    rc, out, _ = server.cli("gc")
    assert rc == 0 and "deleted 0 unused artifact(s)" in out and "1 recent unused kept" in out
    dry = server.ok("POST", "/api/v1/admin/gc", json={"older_than": "0s", "dry_run": True})
    assert dry == {"dry_run": True, "objects": 2, "unreferenced": 1, "deleted": 0, "deleted_bytes": 29, "kept_recent": 0,
                   "compiled_removed": 0, "compiled_removed_bytes": 0}
    assert len(server.object_files()) == 2
    done = server.cli_json("gc", "--older-than", "0s")
    assert done["deleted"] == 1 and done["deleted_bytes"] == 29
    assert server.object_files() == [hashlib.sha256(b"registered bytes").hexdigest()] and orphan not in server.object_files()
    out_file = server.data_dir / "kept.bin"
    server.cli("models", "download", "kept/1", "-O", str(out_file))
    assert out_file.read_bytes() == b"registered bytes"
    actions = [e["action"] for e in server.ok("GET", "/api/v1/audit", params={"action": "artifact.gc"})["entries"]]
    assert actions == ["artifact.gc", "artifact.gc"]
    bad = server.http("POST", "/api/v1/admin/gc", json={"older_than": "soon"})
    assert bad.status_code == 400


def test_gc_removes_compiled_models_of_deleted_artifacts(server):
    """A deployed model leaves its compiled form in <data-dir>/cache/compiled; once no version
    uses the artifact, gc deletes both (a dry run only counts)."""
    from serving_util import deploy, register_linear
    register_linear(server, "keep", bias=1.0)
    register_linear(server, "drop", bias=2.0)
    deploy(server, "k", model="keep/1")
    deploy(server, "d", model="drop/1")
    compiled = server.data_dir / "cache" / "compiled"
    assert len(list(compiled.glob("*.pf"))) == 2
    server.ok("DELETE", "/api/v1/deployments/d")
    assert server.http("DELETE", "/api/v1/models/drop").status_code == 200
    dry = server.ok("POST", "/api/v1/admin/gc", json={"older_than": "0s", "dry_run": True})
    assert dry["compiled_removed"] == 1 and dry["compiled_removed_bytes"] > 0
    assert len(list(compiled.glob("*.pf"))) == 2
    done = server.ok("POST", "/api/v1/admin/gc", json={"older_than": "0s"})
    assert done["compiled_removed"] == 1 and len(server.object_files()) == 1
    left = list(compiled.glob("*.pf"))
    assert len(left) == 1 and left[0].name.startswith(server.ok("GET", "/api/v1/models/keep/versions/1")["artifact"]["sha256"])
    # Unrelated files in the cache directory are left alone; the kept model still serves.
    (compiled / "notes.txt").write_text("x")
    server.ok("POST", "/api/v1/admin/gc", json={"older_than": "0s"})
    assert (compiled / "notes.txt").exists()
    resp = server.http("POST", "/api/v1/deployments/k/predict", json={"instances": [{"a": 0, "b": 0}]})
    assert resp.status_code == 200 and resp.json()["predictions"] == [1.0]
