"""Deployments: create/update/show/list/delete over HTTP and the CLI, the row predict API, its
400/404/503 errors naming the field, restart persistence, auth scopes, admission control and metrics."""
import gzip
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import PLINTH_BIN, error_of, raw_body_json, raw_status
from serving_util import deploy, linear_model, metric, metrics, predict, register_linear, set_alias


def test_deploy_predict_show_list_update(server):
    register_linear(server, "risk", bias=0.1)                  # v1: 0.1 + 0.5a - b
    register_linear(server, "risk", bias=10.0)                 # v2
    set_alias(server, "risk", "champion", 1)
    _, out, _ = server.cli("deploy", "risk-api", "--model", "risk@champion")
    assert out == "deployment risk-api (generation 1) serves risk/1\n"

    resp = predict(server, "risk-api", [{"a": 1, "b": 2}, {"a": None, "b": 1}, [4, 0]])
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"model": "risk/1", "predictions": [pytest.approx(-1.4), pytest.approx(-0.9), pytest.approx(2.1)]}

    _, out, _ = server.cli("predict", "risk-api", "--json", '{"instances": [{"a": 2, "b": 0}]}')
    assert json.loads(out) == {"model": "risk/1", "predictions": [pytest.approx(1.1)]}
    req = server.workdir / "req.json"
    req.write_text('{"instances": [{"a": 0, "b": 0}]}')
    _, out, _ = server.cli("predict", "risk-api", "--file", str(req))
    assert json.loads(out)["predictions"] == [pytest.approx(0.1)]

    shown = server.cli_json("deployments", "show", "risk-api")
    assert shown["spec"] == {"model": "risk@champion", "max_batch_rows": 10000}
    assert (shown["model"], shown["ready"], shown["generation"], shown["error"]) == ("risk/1", True, 1, None)
    assert shown["loaded"] == ["risk/1"]
    listed = server.cli_json("deployments", "list")["deployments"]
    assert [d["name"] for d in listed] == ["risk-api"]
    _, table, _ = server.cli("deployments", "list")
    assert table.splitlines()[0].split()[:4] == ["NAME", "MODEL", "TEMPLATE", "SERVING"]

    # PUT again with another model: same deployment, next generation, the new model answers.
    updated = deploy(server, "risk-api", expect=200, model="risk/2", description="pinned v2")
    assert (updated["generation"], updated["model"], updated["spec"]["description"]) == (2, "risk/2", "pinned v2")
    assert predict(server, "risk-api", [{"a": 0, "b": 0}]).json() == {"model": "risk/2", "predictions": [10.0]}
    actions = [e["action"] for e in server.ok("GET", "/api/v1/audit", params={"resource": "deployments/risk-api"})["entries"]]
    assert actions == ["deployment.update", "deployment.create"]


def test_delete_and_restart_persistence(server):
    register_linear(server, "keep", bias=1)
    register_linear(server, "gone", bias=2)
    server.cli("deploy", "keep", "--model", "keep/1", "--max-batch-rows", "7")
    server.cli("deploy", "gone", "--model", "gone@latest")
    _, out, _ = server.cli("deployments", "delete", "gone")
    assert out == "deleted deployment gone\n"
    resp = predict(server, "gone", [{"a": 1, "b": 1}])
    assert resp.status_code == 404
    assert error_of(resp) == ("NOT_FOUND", "deployment 'gone' not found")
    rc, _, err = server.cli("deployments", "delete", "gone", check=False)
    assert rc != 0 and "not found" in err

    server.restart()
    shown = server.ok("GET", "/api/v1/deployments/keep")
    assert (shown["model"], shown["ready"], shown["spec"]["max_batch_rows"]) == ("keep/1", True, 7)
    assert predict(server, "keep", [{"a": 0, "b": 0}]).json() == {"model": "keep/1", "predictions": [1.0]}
    assert [d["name"] for d in server.ok("GET", "/api/v1/deployments")["deployments"]] == ["keep"]


def test_a_model_registered_again_is_not_served_from_memory(server):
    # Deleting a model and registering it again reuses its name and version numbers: "churn/1"
    # must then be the new file, in a deployment made afterwards and in a per-tenant one.
    register_linear(server, "churn", bias=1.0)
    register_linear(server, "churn-acme", bias=2.0)
    set_alias(server, "churn", "champion", 1)
    set_alias(server, "churn-acme", "champion", 1)
    server.cli("deploy", "first", "--model", "churn@champion")
    server.cli("deploy", "tenants", "--model-template", "churn-{tenant}@champion")
    assert predict(server, "first", [{"a": 0, "b": 0}]).json()["predictions"] == [1.0]
    assert predict(server, "tenants", [{"a": 0, "b": 0}], tenant="acme").json()["predictions"] == [2.0]

    server.cli("deployments", "delete", "first")
    for model, bias in (("churn", 10.0), ("churn-acme", 20.0)):
        server.cli("models", "delete", model, "--force")
        register_linear(server, model, bias=bias)
        set_alias(server, model, "champion", 1)
    server.cli("deploy", "second", "--model", "churn@champion")
    assert predict(server, "second", [{"a": 0, "b": 0}]).json() == {"model": "churn/1", "predictions": [10.0]}
    deadline = time.time() + 5
    while predict(server, "tenants", [{"a": 0, "b": 0}], tenant="acme").json()["predictions"] != [20.0]:
        assert time.time() < deadline, "the tenant's new churn-acme/1 was never served"
        time.sleep(0.05)


def test_what_a_deployment_serves_cannot_be_deleted_from_under_it(server):
    register_linear(server, "gone", bias=1.0)
    register_linear(server, "gone", bias=2.0)
    register_linear(server, "other", bias=3.0)
    set_alias(server, "gone", "champion", 1)
    set_alias(server, "gone", "spare", 1)
    server.cli("deploy", "by-alias", "--model", "gone@champion")
    server.cli("deploy", "by-version", "--model", "other/1", "--fallback", "gone/2")

    resp = server.http("DELETE", "/api/v1/models/gone/aliases/champion")
    assert resp.status_code == 409
    assert error_of(resp) == ("FAILED_PRECONDITION", "alias gone@champion is served by deployment by-alias "
                              "(gone@champion); update or delete the deployment first")
    rc, _, err = server.cli("models", "alias", "delete", "gone", "champion", check=False)
    assert rc != 0 and "served by deployment by-alias" in err
    resp = server.http("DELETE", "/api/v1/models/gone/versions/2")
    assert resp.status_code == 409 and "version gone/2 is served by deployment by-version (gone/2)" in error_of(resp)[1]
    # Named through "latest" (version 2 here), the same version is still the one checked.
    resp = server.http("DELETE", "/api/v1/models/gone/versions/latest")
    assert resp.status_code == 409 and "version gone/2 is served by deployment by-version" in error_of(resp)[1]
    # NAME@latest needs a version: the model's last one cannot go while a deployment names it.
    register_linear(server, "solo", bias=4.0)
    server.cli("deploy", "by-latest", "--model", "solo@latest")
    resp = server.http("DELETE", "/api/v1/models/solo/versions/1")
    assert resp.status_code == 409 and "alias solo@latest is served by deployment by-latest" in error_of(resp)[1]
    resp = server.http("DELETE", "/api/v1/models/gone", params={"force": "true"})
    assert resp.status_code == 409
    assert "model gone is served by deployments by-alias (gone@champion), by-version (gone/2)" in error_of(resp)[1]
    # Nothing was deleted, and both still serve.
    assert server.ok("GET", "/api/v1/models/gone/aliases/champion")["version"] == 1
    assert predict(server, "by-alias", [{"a": 0, "b": 0}]).json()["predictions"] == [1.0]
    # What no deployment names can go; once the deployments are gone, so can the rest.
    server.ok("DELETE", "/api/v1/models/gone/aliases/spare")
    server.cli("deployments", "delete", "by-alias")
    server.ok("DELETE", "/api/v1/models/gone/aliases/champion")
    server.cli("deployments", "delete", "by-version")
    server.ok("DELETE", "/api/v1/models/gone", params={"force": "true"})


def test_compressed_bodies_zero_batch_rows_and_predict_tables(server):
    register_linear(server, "m", bias=1.0)                     # 1 + 0.5a - b
    rc, _, err = server.cli("deploy", "d", "--model", "m/1", "--max-batch-rows", "0", check=False)
    assert rc != 0 and "max_batch_rows" in err, err          # refused, not taken as "the default"
    server.cli("deploy", "d", "--model", "m/1")
    resp = server.http("POST", "/api/v1/deployments/d/predict", data=gzip.compress(b'{"instances": [{"a": 0, "b": 0}]}'),
                       headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert resp.status_code == 400
    assert error_of(resp)[1] == "Content-Encoding 'gzip' is not supported: send the body uncompressed"
    _, out, _ = server.cli("predict", "d", "--json", '{"instances": [{"a": 0, "b": 0}, {"a": 2, "b": 0}]}', "-o", "table")
    lines = out.splitlines()
    assert lines[0].split() == ["ROW", "MODEL", "PREDICTION"]
    assert [(x.split()[0], x.split()[1], float(x.split()[2])) for x in lines[1:]] == [("0", "m/1", 1.0), ("1", "m/1", 2.0)]


def test_spec_errors_name_the_field(server):
    register_linear(server, "m")
    server.register("opaque", b"not a model", fmt="other")
    cases = [
        ({}, 400, "exactly one of 'model'"),
        ({"model": "m"}, 400, "'model' must name a version"),
        ({"model": "m/1", "model_template": "m-{tenant}/1"}, 400, "exactly one"),
        ({"model_template": "m@champion"}, 400, "'model_template' must contain {tenant}"),
        ({"model": "m/1", "max_batch_rows": 0}, 400, "'max_batch_rows'"),
        ({"model": "m/1", "replicas": 2}, 400, "replicas"),
        ({"model": "m/1", "pinned_tenants": ["x"]}, 400, "'pinned_tenants' needs"),
        ({"model": "m@champion"}, 404, "model m@champion does not exist"),
        ({"model": "nope/1"}, 404, "nope"),
        ({"model": "opaque/1"}, 409, "format 'other'"),
    ]
    for spec, status, fragment in cases:
        resp = server.http("PUT", "/api/v1/deployments/d", json=spec)
        assert resp.status_code == status, (spec, resp.text)
        assert fragment in error_of(resp)[1], (spec, resp.text)
    assert server.http("GET", "/api/v1/deployments/d").status_code == 404  # nothing was stored
    assert server.http("PUT", "/api/v1/deployments/Bad_Name", json={"model": "m/1"}).status_code == 400

    rc, _, err = server.cli("deploy", "d", "--model", "m", check=False)
    assert rc == 2 and "'model' must name a version" in err
    rc, _, err = server.cli("deploy", "d", check=False)
    assert rc == 2 and "exactly one of 'model'" in err


def test_predict_errors_name_the_field(server):
    register_linear(server, "m")
    deploy(server, "d", model="m/1", max_batch_rows=3)
    cases = [
        ({"instances": [{"a": 1, "b": 2, "c": 3}]}, "instances[0].c: the model has no feature 'c'"),
        ({"instances": [{"a": 1, "b": 2}, {"a": 1}]}, "instances[1]: feature 'b' is missing"),
        ({"instances": [{"a": "x", "b": 1}]}, "instances[0].a: feature 'a' is numeric, got a string"),
        ({"instances": [{"a": [1], "b": 1}]}, "instances[0].a"),
        ({"instances": [[1, 2, 3]]}, "instances[0] has 3 values; the model takes 2 (a, b)"),
        ({"instances": [{"a": 1, "b": 1}] * 4}, "'instances' has 4 rows; this deployment takes at most 3"),
        ({"instances": []}, "'instances' is empty"),
        ({"rows": []}, "rows"),
        ({}, "'instances' is required"),
        ({"instances": [{"a": 1, "b": 1}], "tenant": 5}, "tenant"),
        ({"instances": [{"a": 1, "b": 1}], "version": -1}, "'version' must be a version number (1 or more)"),
        ({"instances": [{"a": 1, "b": 1}], "version": 0}, "'version' must be a version number"),
    ]
    for body, fragment in cases:
        resp = server.http("POST", "/api/v1/deployments/d/predict", json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert fragment in error_of(resp)[1], (body, resp.text)
    bad_json = server.http("POST", "/api/v1/deployments/d/predict", data=b"{not json",
                           headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400
    assert predict(server, "nope", [{"a": 1, "b": 1}]).status_code == 404
    big = server.http("POST", "/api/v1/deployments/d/predict", data=b"x" * (17 << 20),
                      headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    rc, _, err = server.cli("predict", "d", "--json", '{"instances": [{"a": 1}]}', check=False)
    assert rc == 2 and "feature 'b' is missing" in err
    rc, _, err = server.cli("predict", "d", "--json", "[1, 2]", check=False)
    assert rc == 2 and "not a JSON object" in err

    text = metrics(server)
    # Requests that reached the model: 8 bad bodies above plus the CLI's; all refused for their
    # input (4xx), none a failure of the server (5xx: what alerts watch).
    assert metric(text, "plinth_predict_invalid_total", deployment="d", model="m", version="1") == 9
    assert metric(text, "plinth_predict_errors_total", deployment="d", model="m", version="1") == 0

    # A name given twice, in an instance (two values for one feature) or at the top, is refused
    # rather than resolved by keeping one of them; on the Open Inference Protocol route too.
    for path, raw, name in (("/api/v1/deployments/d/predict", b'{"instances": [{"a": 1, "b": 2, "a": -5}]}', "a"),
                            ("/api/v1/deployments/d/predict", b'{"instances": [{"a": 1, "b": 2}], "instances": []}',
                             "instances"),
                            ("/v2/models/d/infer", b'{"inputs": [{"name": "a", "shape": [1], "datatype": "FP64", '
                                                   b'"data": [1], "data": [2]}]}', "data")):
        resp = server.http("POST", path, data=raw, headers={"Content-Type": "application/json"})
        assert resp.status_code == 400, resp.text
        assert f"the name '{name}' appears twice in one object" in resp.text, resp.text
    assert metric(text, "plinth_predict_requests_total", deployment="d", model="m", version="1") == 9


def test_metrics_count_requests_rows_and_cache(server):
    register_linear(server, "m", bias=1)
    deploy(server, "d", model="m/1")
    for n in (1, 2, 3):
        assert predict(server, "d", [{"a": 0, "b": 0}] * n).status_code == 200
    text = metrics(server)
    labels = {"deployment": "d", "model": "m", "version": "1"}
    assert metric(text, "plinth_predict_requests_total", **labels) == 3
    assert metric(text, "plinth_predict_rows_total", **labels) == 6
    assert metric(text, "plinth_predict_errors_total", **labels) == 0
    assert metric(text, "plinth_predict_invalid_total", **labels) == 0
    assert metric(text, "plinth_predict_duration_seconds_count", **labels) == 3
    assert metric(text, "plinth_model_cache_loads_total") == 1
    assert metric(text, "plinth_model_cache_hits_total") >= 3
    assert metric(text, "plinth_model_cache_entries") == 1
    assert metric(text, "plinth_model_cache_bytes") > 0
    assert metric(text, "plinth_model_cache_load_duration_seconds_count") == 1
    assert metric(text, "plinth_predict_workers") >= 1
    # The first load wrote the compiled form into the data directory's cache.
    compiled = list((server.data_dir / "cache" / "compiled").glob("*.pf"))
    assert len(compiled) == 1


def test_auth_scopes(start_server):
    server = start_server("--auth", "required")
    read = server.create_token("reader", "read")
    write = server.create_token("writer", "write")
    register_linear_with = lambda: server.register("m", linear_model(), fmt="linear-json", token=write)  # noqa: E731
    register_linear_with()
    assert server.http("PUT", "/api/v1/deployments/d", json={"model": "m/1"}, token=read).status_code == 403
    assert server.http("PUT", "/api/v1/deployments/d", json={"model": "m/1"}, token=write).status_code == 201
    assert predict(server, "d", [{"a": 1, "b": 1}]).status_code == 401
    ok = predict(server, "d", [{"a": 1, "b": 1}], headers={"Authorization": f"Bearer {read}"})
    assert ok.status_code == 200, ok.text
    assert server.http("GET", "/v2/health/live").status_code == 200  # health is public
    assert server.http("GET", "/v2/models/d").status_code == 401
    assert server.http("DELETE", "/api/v1/deployments/d", token=read).status_code == 403


def test_admission_control_answers_503_with_retry_after(start_server):
    server = start_server("--max-inflight-predictions", "1", "--max-queued-predictions", "0")
    register_linear(server, "m")
    deploy(server, "d", model="m/1", max_batch_rows=1000000)
    body = json.dumps({"instances": [{"a": 1.5, "b": 2.5}] * 150000}).encode()  # ~100 ms of decoding
    statuses, refused = [], []
    lock = threading.Lock()

    def client():
        import requests
        with requests.Session() as s:
            for _ in range(4):
                r = s.post(server.url + "/api/v1/deployments/d/predict", data=body,
                           headers={"Content-Type": "application/json"}, timeout=60)
                with lock:
                    statuses.append(r.status_code)
                    if r.status_code == 503:
                        refused.append(r)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 1 and refused, statuses
    assert refused[0].headers["Retry-After"] == "1"
    assert error_of(refused[0])[0] == "UNAVAILABLE"
    assert "limit of concurrent predictions" in error_of(refused[0])[1]
    assert metric(metrics(server), "plinth_predict_rejected_total") == len(refused)
    # Other routes are not affected by a full prediction queue.
    assert server.http("GET", "/healthz").status_code == 200


# The load generator of the benchmarks, built beside the plinth binary (build/bench/http_load).
HTTP_LOAD = Path(PLINTH_BIN).parents[2] / "bench" / "http_load"


def closed_loop_load(server, workdir, connections, seconds, rows, during=None):
    """`connections` keep-alive connections each sending its next inline-sized predict request as
    soon as the previous answer arrives (bench/http_load, closed loop): a backlog that lasts.
    during(body) runs while the load does. Returns http_load's summary."""
    body = json.dumps({"instances": [{"a": 1.5, "b": 2.5}] * rows})
    path = workdir / f"body-{rows}.json"
    path.write_text(body)
    proc = subprocess.Popen([str(HTTP_LOAD), "--port", str(server.port), "--path", "/api/v1/deployments/d/predict",
                             "--body-file", str(path), "--connections", str(connections), "--duration", str(seconds),
                             "--warmup", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if during is not None:
        during(body.encode(), proc)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


@pytest.mark.skipif(not HTTP_LOAD.exists(), reason="http_load not built (build/bench/http_load)")
def test_predictions_are_shed_while_the_io_thread_is_behind(start_server, tmp_path):
    """Inline predictions are refused with 503 + Retry-After while their I/O thread runs ready work
    later than max_io_lag_ms, so a backlog drains instead of growing; the rest are answered,
    health checks are not shed, and the default limit (50 ms) sheds nothing at this load."""
    server = start_server("--threads", "1", "--max-io-lag-ms", "1")
    register_linear(server, "m")
    deploy(server, "d", model="m/1")
    answers = []

    def probe(body, proc):  # our own requests among the load's, until one is shed
        request = (f"POST /api/v1/deployments/d/predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
        while proc.poll() is None and not any(raw_status(a) == 503 for a in answers):
            answers.append(server.raw(request, timeout=30)[0])

    load = closed_loop_load(server, tmp_path, connections=64, seconds=1.5, rows=1000, during=probe)
    assert load["errors"] == 0 and 0 < load["non_2xx"] < load["requests"], load
    shed = metric(metrics(server), "plinth_http_shed_total")
    probes_shed = [a for a in answers if raw_status(a) == 503]
    assert shed == load["non_2xx"] + len(probes_shed), (shed, load)
    assert metric(metrics(server), "plinth_http_requests_total", route="/api/v1/deployments/{name}/predict",
                  code="503") == shed
    assert probes_shed, [raw_status(a) for a in answers]
    assert b"\r\nRetry-After: 1\r\n" in probes_shed[0]
    assert raw_body_json(probes_shed[0])["error"]["code"] == "UNAVAILABLE"
    assert "overloaded" in raw_body_json(probes_shed[0])["error"]["message"]
    assert all(raw_body_json(a)["predictions"] == [0.1 + 0.75 - 2.5] * 1000 for a in answers if raw_status(a) == 200)
    assert server.http("GET", "/healthz").status_code == 200
    resp = predict(server, "d", [{"a": 1.5, "b": 2.5}])
    assert resp.status_code == 200 and resp.json()["predictions"] == [0.1 + 0.75 - 2.5], resp.text

    relaxed = start_server("--threads", "1")
    register_linear(relaxed, "m")
    deploy(relaxed, "d", model="m/1")
    load = closed_loop_load(relaxed, tmp_path, connections=8, seconds=1, rows=1000)
    assert load["non_2xx"] == 0 and load["requests"] > 0, load
    assert metric(metrics(relaxed), "plinth_http_shed_total") == 0
