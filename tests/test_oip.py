"""Open Inference Protocol V2 over REST: health, server and model metadata, readiness, inference
with a [rows, features] tensor or one tensor per feature, tenants, version pins and the
protocol's {"error": "..."} errors."""
import json
import math
import struct

import pytest

from serving_util import deploy, register_linear, set_alias


def _infer(server, name, body, version=None, expect=200):
    path = f"/v2/models/{name}" + (f"/versions/{version}" if version else "") + "/infer"
    resp = server.http("POST", path, json=body)
    assert resp.status_code == expect, resp.text
    return resp.json()


def _oip_error(resp, status):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and isinstance(body["error"], str), body
    return body["error"]


def test_health_and_metadata(server):
    assert server.ok("GET", "/v2") == {"name": "plinth", "version": "0.1.0", "extensions": ["binary_tensor_data"]}
    assert server.ok("GET", "/v2/health/live") == {"live": True}
    assert server.ok("GET", "/v2/health/ready") == {"ready": True}
    register_linear(server, "risk", features=["age", "income"], weights=[0.5, -1.0], bias=0.1)
    register_linear(server, "risk", features=["age", "income"], weights=[1.0, 1.0], bias=0.0)
    set_alias(server, "risk", "champion", 2)
    deploy(server, "risk", model="risk@champion")
    meta = server.ok("GET", "/v2/models/risk")
    assert meta == {"name": "risk", "versions": ["2"], "platform": meta["platform"],
                    "inputs": [{"name": "age", "datatype": "FP64", "shape": [-1]},
                               {"name": "income", "datatype": "FP64", "shape": [-1]}],
                    "outputs": [{"name": "predict", "datatype": "FP64", "shape": [-1]}],
                    "parameters": {"model": "risk/2"}}
    assert meta["platform"].startswith("plinth_")
    assert server.ok("GET", "/v2/models/risk/versions/1")["versions"] == ["1"]
    assert server.ok("GET", "/v2/models/risk/ready") == {"name": "risk", "ready": True}
    assert server.ok("GET", "/v2/models/risk/versions/1/ready") == {"name": "risk", "ready": True}
    assert "not found" in _oip_error(server.http("GET", "/v2/models/nope"), 404)
    assert "not found" in _oip_error(server.http("GET", "/v2/models/nope/ready"), 404)
    assert "version 7" in _oip_error(server.http("GET", "/v2/models/risk/versions/7"), 404)
    assert "versions are numbers" in _oip_error(server.http("GET", "/v2/models/risk/versions/x"), 400)


def test_infer_tensor_forms(server):
    register_linear(server, "risk", features=["age", "income"], weights=[0.5, -1.0], bias=0.1)
    deploy(server, "risk", model="risk/1")
    # One [rows, features] tensor, nested or flat data.
    for data in ([[1, 2], [3, 4]], [1, 2, 3, 4]):
        out = _infer(server, "risk", {"id": "req-1", "inputs": [
            {"name": "input-0", "shape": [2, 2], "datatype": "FP64", "data": data}]})
        assert out == {"id": "req-1", "model_name": "risk", "model_version": "1", "parameters": {"model": "risk/1"},
                       "outputs": [{"name": "predict", "datatype": "FP64", "shape": [2],
                                    "data": [pytest.approx(-1.4), pytest.approx(-2.4)]}]}
    # One tensor per feature, [rows] or [rows, 1]; INT and FP32 datatypes; null is missing.
    out = _infer(server, "risk", {"inputs": [
        {"name": "income", "shape": [3, 1], "datatype": "INT64", "data": [2, 4, None]},
        {"name": "age", "shape": [3], "datatype": "FP32", "data": [1, 3, 0.1]}],
        "outputs": [{"name": "predict"}]})
    assert "id" not in out
    expected_age = float(__import__("numpy").float32(0.1))  # FP32 values are taken as float32
    assert out["outputs"][0]["data"] == [pytest.approx(-1.4), pytest.approx(-2.4), pytest.approx(0.1 + 0.5 * expected_age, rel=0, abs=1e-12)]
    # BOOL as 1/0.
    out = _infer(server, "risk", {"inputs": [
        {"name": "age", "shape": [1], "datatype": "BOOL", "data": [True]},
        {"name": "income", "shape": [1], "datatype": "BOOL", "data": [False]}]})
    assert out["outputs"][0]["data"] == [pytest.approx(0.6)]


def _binary_infer(server, name, header, payload, expect=200):
    """An infer request in the binary tensor data extension (what tritonclient sends)."""
    head = json.dumps(header).encode()
    return server.http("POST", f"/v2/models/{name}/infer", data=head + payload,
                       headers={"Content-Type": "application/octet-stream",
                                "Inference-Header-Content-Length": str(len(head))})


def test_binary_tensor_data_extension(server):
    register_linear(server, "risk", features=["age", "income"], weights=[0.5, -1.0], bias=0.1)
    deploy(server, "risk", model="risk/1")
    # One [2, 2] FP32 tensor as raw little-endian bytes, the answer asked for as binary too.
    header = {"id": "b1", "inputs": [{"name": "input-0", "shape": [2, 2], "datatype": "FP32",
                                      "parameters": {"binary_data_size": 16}}],
              "outputs": [{"name": "predict", "parameters": {"binary_data": True}}]}
    resp = _binary_infer(server, "risk", header, struct.pack("<4f", 1, 2, 3, 4))
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/octet-stream"
    n = int(resp.headers["Inference-Header-Content-Length"])
    head = json.loads(resp.content[:n])
    assert head == {"id": "b1", "model_name": "risk", "model_version": "1", "parameters": {"model": "risk/1"},
                    "outputs": [{"name": "predict", "datatype": "FP64", "shape": [2],
                                 "parameters": {"binary_data_size": 16}}]}
    assert struct.unpack("<2d", resp.content[n:]) == (pytest.approx(-1.4), pytest.approx(-2.4))
    # One tensor per feature, INT32 and FP64 binary, BOOL in JSON beside them: a JSON answer.
    header = {"inputs": [{"name": "income", "shape": [3], "datatype": "INT32", "parameters": {"binary_data_size": 12}},
                         {"name": "age", "shape": [3, 1], "datatype": "FP64", "parameters": {"binary_data_size": 24}}]}
    resp = _binary_infer(server, "risk", header, struct.pack("<3i", 2, -4, 0) + struct.pack("<3d", 1, 3, float("nan")))
    assert resp.status_code == 200, resp.text
    assert resp.json()["outputs"][0]["data"] == [pytest.approx(-1.4), pytest.approx(5.6), pytest.approx(0.1)]
    # The same answers as the JSON form.
    same = _infer(server, "risk", {"inputs": [{"name": "income", "shape": [3], "datatype": "INT32", "data": [2, -4, 0]},
                                              {"name": "age", "shape": [3], "datatype": "FP64", "data": [1, 3, None]}]})
    assert same["outputs"] == resp.json()["outputs"]
    # Sizes that do not add up are named.
    one = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP64", "parameters": {"binary_data_size": 16}}]}
    cases = [
        (one, b"\0" * 8, "'binary_data_size' is 16 bytes; only 8 are left in the body"),
        (one, b"\0" * 24, "8 bytes after the inference header are not claimed by any input's 'binary_data_size'"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]},
         b"\0" * 16, "inputs[0]: 'binary_data_size' is 16 bytes; shape and FP32 need 8"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1, 2],
                      "parameters": {"binary_data_size": 16}}]}, b"\0" * 16, "give 'data' or 'binary_data_size', not both"),
    ]
    for header, payload, fragment in cases:
        assert fragment in _oip_error(_binary_infer(server, "risk", header, payload), 400), fragment
    bad = server.http("POST", "/v2/models/risk/infer", data=b'{"inputs": []}',
                      headers={"Inference-Header-Content-Length": "99"})
    assert "Inference-Header-Content-Length '99' must be a byte count within the body (14 bytes)" in _oip_error(bad, 400)


def test_multi_output_model(server):
    model = {"features": ["x"], "weights": [[1.0], [-1.0]], "bias": [0.0, 0.0], "link": "softmax",
             "outputs": ["yes", "no"]}
    register_linear(server, "cls", **model)
    deploy(server, "cls", model="cls/1")
    assert server.ok("GET", "/v2/models/cls")["outputs"] == [{"name": "predict", "datatype": "FP64", "shape": [-1, 2]}]
    out = _infer(server, "cls", {"inputs": [{"name": "x", "shape": [2], "datatype": "FP64", "data": [0, 1]}]})
    assert out["outputs"][0]["shape"] == [2, 2]
    p = 1 / (1 + math.exp(-2))
    assert out["outputs"][0]["data"] == [pytest.approx(0.5), pytest.approx(0.5), pytest.approx(p), pytest.approx(1 - p)]
    row = server.ok("POST", "/api/v1/deployments/cls/predict", json={"instances": [{"x": 1}]})
    assert row == {"model": "cls/1", "outputs": ["yes", "no"], "predictions": [[pytest.approx(p), pytest.approx(1 - p)]]}


def test_tenant_parameter_and_version_pin(server):
    register_linear(server, "risk-acme", bias=100)
    register_linear(server, "risk-acme", bias=200)
    register_linear(server, "risk-global", bias=1)
    deploy(server, "risk", model_template="risk-{tenant}@latest", fallback="risk-global@latest")
    body = {"inputs": [{"name": "in", "shape": [1, 2], "datatype": "FP64", "data": [0, 0]}]}
    acme = _infer(server, "risk", {**body, "parameters": {"tenant": "acme"}})
    assert (acme["model_version"], acme["parameters"], acme["outputs"][0]["data"]) == ("2", {"model": "risk-acme/2"}, [200.0])
    other = _infer(server, "risk", {**body, "parameters": {"tenant": "initech"}})
    assert (other["parameters"], other["outputs"][0]["data"]) == ({"model": "risk-global/1"}, [1.0])
    no_tenant = _infer(server, "risk", body)
    assert no_tenant["parameters"] == {"model": "risk-global/1"}
    pinned = _infer(server, "risk", {**body, "parameters": {"tenant": "acme"}}, version=1)
    assert (pinned["model_version"], pinned["outputs"][0]["data"]) == ("1", [100.0])
    meta = server.ok("GET", "/v2/models/risk", params={"tenant": "acme"})
    assert meta["parameters"] == {"model": "risk-acme/2"}


def test_infer_errors_are_strings_naming_the_input(server):
    register_linear(server, "risk", features=["age", "income"], weights=[0.5, -1.0], bias=0.1)
    deploy(server, "risk", model="risk/1", max_batch_rows=2)
    cases = [
        ({}, "'inputs' is required"),
        ({"inputs": []}, "'inputs' must be a non-empty array"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64"}]}, "inputs[0] 'age': 'data' must be an array"),
        ({"inputs": [{"name": "age", "shape": [2], "datatype": "FP64", "data": [1]}]},
         "inputs[0] 'age': shape [2] needs 2 values; 'data' has 1"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "COMPLEX", "data": [1]}]}, "unsupported datatype 'COMPLEX'"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "INT32", "data": [1.5]}]}, "inputs[0] 'age': element 0 must be an integer"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": ["x"]}]}, "element 0 must be a number"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}]}, "feature 'income' has no tensor"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]},
                     {"name": "zip", "shape": [1], "datatype": "FP64", "data": [1]}]}, "inputs[1] 'zip': unknown feature 'zip'"),
        ({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]},
         "send one tensor of shape [rows, 2] or one tensor per feature (age, income)"),
        ({"inputs": [{"name": "x", "shape": [3, 2], "datatype": "FP64", "data": [1, 2, 3, 4, 5, 6]}]}, "at most 2 per request"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "BYTES", "data": ["old"]},
                     {"name": "income", "shape": [1], "datatype": "FP64", "data": [1]}]}, "feature 'age' is numeric, got a string"),
        ({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}], "outputs": [{"name": "proba"}]},
         "unknown output 'proba'"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1, 2]}], "parameters": {"tenant": 3}},
         "'parameters.tenant' must be a string"),
        ({"inputs": [], "extra": 1}, "extra"),
        # Nested data must nest as the shape says: 8 values in rows of 3 and 5 are not [2, 2].
        ({"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [[1], [2, 3, 4]]}]},
         "inputs[0] 'x': nested 'data' does not follow shape [2,2]"),
        ({"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [[1, 2], 3, 4]}]},
         "nested 'data' does not follow shape [2,2]"),
        # Values the declared datatype cannot hold.
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "INT8", "data": [300, 1]}]},
         "inputs[0] 'x': element 0 (300) is out of range for INT8"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "UINT8", "data": [1, -1]}]}, "(-1) is out of range for UINT8"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP16", "data": [100000, 1]}]}, "out of range for FP16"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1e300, 1]}]}, "out of range for FP32"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "INT64", "data": [9223372036854775808, 1]}]},
         "(9223372036854775808) is out of range for INT64"),
    ]
    for body, fragment in cases:
        message = _oip_error(server.http("POST", "/v2/models/risk/infer", json=body), 400)
        assert fragment in message, (body, message)
    # At the edges of their ranges, and nested as the shape says, the same kinds are accepted.
    for datatype, values in (("INT8", [-128, 127]), ("UINT8", [0, 255]), ("FP16", [65504, -65504]),
                             ("FP32", [3.4028235e38, 1.5]), ("FP16", [65519, 0]),
                             ("INT64", [9223372036854775807, -9223372036854775808])):
        body = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": datatype, "data": [values]}]}
        assert server.http("POST", "/v2/models/risk/infer", json=body).status_code == 200, (datatype, values)
    missing = server.http("POST", "/v2/models/nope/infer", json={"inputs": []})
    assert _oip_error(missing, 404) == "deployment 'nope' not found"
    assert "no route" in _oip_error(server.http("POST", "/v2/models/risk/versions/1/oops", json={}), 404)
    assert "not allowed" in _oip_error(server.http("DELETE", "/v2/models/risk"), 405)
