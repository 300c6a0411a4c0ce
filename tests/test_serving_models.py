"""Real tree models through the serving APIs (shared corpus): a LightGBM model with pandas
categorical features queried with category names over the row API and with BYTES/BOOL tensors
over the Open Inference Protocol (answers equal LightGBM's to 1e-12 relative), and XGBoost 3.4
models with string categories, missing values and three classes (answers within the issue's
1e-6 relative / 1e-7 absolute of XGBoost's)."""
import csv
import json

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


XGB = ROOT / "models" / "jpmml-xgboost"


def _xgb_case(model, inputs, expected_columns):
    learner = json.loads((XGB / "xgboost" / f"{model}.json").read_text())["learner"]
    names, types = learner["feature_names"], learner["feature_types"]
    with open(XGB / "csv" / inputs, newline="") as f:
        rows = list(csv.DictReader(f))[:ROWS]
    with open(XGB / "csv" / f"{model}.csv", newline="") as f:
        expected = [[float(r[c]) for c in expected_columns] for r in list(csv.DictReader(f))[:ROWS]]

    def value(kind, text):
        if text == "NA":
            return None
        return text if kind == "c" else float(text)

    instances = [{n: value(t, r[n]) for n, t in zip(names, types)} for r in rows]
    return instances, expected


def _xgb_close(got, want):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == pytest.approx(w, rel=1e-6, abs=1e-7), (i, g, w)


def test_xgboost_categories_missing_values_and_classes(server):
    for model in ("BinomialClassificationAuditNA", "MultinomialClassificationIrisNA"):
        server.register(model.lower(), (XGB / "xgboost" / f"{model}.json").read_bytes(), fmt="xgboost-json")
        deploy(server, model.lower(), model=f"{model.lower()}/1")

    instances, expected = _xgb_case("BinomialClassificationAuditNA", "AuditNA.csv", ["probability(1)"])
    assert any(None in i.values() for i in instances)
    body = server.ok("POST", "/api/v1/deployments/binomialclassificationauditna/predict", json={"instances": instances})
    _xgb_close(body["predictions"], [e[0] for e in expected])

    instances, expected = _xgb_case("MultinomialClassificationIrisNA", "IrisNA.csv",
                                    ["probability(0)", "probability(1)", "probability(2)"])
    body = server.ok("POST", "/api/v1/deployments/multinomialclassificationirisna/predict", json={"instances": instances})
    assert len(body["outputs"]) == 3
    _xgb_close([p for row in body["predictions"] for p in row], [p for row in expected for p in row])
    # The same rows as one FP32 [rows, 4] tensor over the Open Inference Protocol.
    data = [list(i.values()) for i in instances]
    out = server.ok("POST", "/v2/models/multinomialclassificationirisna/infer", json={"inputs": [
        {"name": "input", "shape": [len(data), 4], "datatype": "FP32", "data": data}]})
    assert out["outputs"][0]["shape"] == [len(data), 3]
    _xgb_close(out["outputs"][0]["data"], [p for row in expected for p in row])
