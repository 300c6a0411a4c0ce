"""Real tree models through the serving APIs: a LightGBM model with pandas categorical features
(shared corpus, jpmml-lightgbm ClassificationAudit) deployed and queried with category names over
the row API and with BYTES/BOOL tensors over the Open Inference Protocol; answers must equal the
probabilities LightGBM wrote (1e-12 relative)."""
import csv

import pytest

import lake_oracle as lo
from serving_util import deploy

ROOT = lo.testdata_root()
if ROOT is None:
    pytest.skip("test_serving_models: shared testdata not found (set PLINTH_TESTDATA)", allow_module_level=True)

JPMML = ROOT / "models" / "jpmml-lightgbm"
FEATURES = ["Age", "Employment", "Education", "Marital", "Occupation", "Income", "Gender", "Deductions", "Hours"]
CATEGORICAL = {"Employment", "Education", "Marital", "Occupation", "Gender"}
ROWS = 300


def _rows():
    with open(JPMML / "csv" / "Audit.csv", newline="") as f:
        rows = list(csv.DictReader(f))[:ROWS]
    with open(JPMML / "csv" / "ClassificationAudit.csv", newline="") as f:
        expected = [float(r["probability(1)"]) for r in list(csv.DictReader(f))[:ROWS]]
    return rows, expected


def _value(name, text):
    if name in CATEGORICAL:
        return text
    if name == "Deductions":
        return text == "TRUE"  # the model's categories are [false, true]
    return float(text)


def _close(got, want):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == pytest.approx(w, rel=1e-12, abs=1e-15), (i, g, w)


def test_lightgbm_with_category_names_over_both_protocols(server):
    model = (JPMML / "lgbm" / "ClassificationAudit.txt").read_bytes()
    server.register("audit", model, fmt="lightgbm-text")
    deploy(server, "audit", model="audit/1")
    rows, expected = _rows()

    instances = [{f: _value(f, r[f]) for f in FEATURES} for r in rows]
    body = server.ok("POST", "/api/v1/deployments/audit/predict", json={"instances": instances})
    assert body["model"] == "audit/1"
    _close(body["predictions"], expected)

    meta = server.ok("GET", "/v2/models/audit")
    types = {i["name"]: i["datatype"] for i in meta["inputs"]}
    assert types["Employment"] == "BYTES" and types["Age"] == "FP64"
    inputs = []
    for f in FEATURES:
        values = [_value(f, r[f]) for r in rows]
        datatype = "BYTES" if f in CATEGORICAL else "BOOL" if f == "Deductions" else "FP64"
        inputs.append({"name": f, "shape": [len(rows)], "datatype": datatype, "data": values})
    out = server.ok("POST", "/v2/models/audit/infer", json={"inputs": inputs})
    assert out["outputs"][0]["shape"] == [ROWS]
    _close(out["outputs"][0]["data"], expected)

    # An unseen category is a missing value (LightGBM sends NaN right), not an error.
    odd = dict(instances[0], Employment="Astronaut")
    assert server.ok("POST", "/api/v1/deployments/audit/predict", json={"instances": [odd]})["model"] == "audit/1"
