"""Black-box LightGBM text models through `plinth model predict|inspect --format lightgbm-text`.

The models, inputs and expected predictions are the shared corpus (../shared/testdata/models,
see its MANIFEST.md): jpmml-lightgbm (LightGBM 4.6.0 predictions written with 17 digits) and
boosters (JSON inputs with null = missing). Both engines must reproduce LightGBM exactly (up to
1e-12 relative, for exp/softmax rounding) and agree with each other bit for bit.
"""
import csv
import json
import math
import subprocess
from pathlib import Path

import pytest

import lake_oracle as lo
from conftest import PLINTH_BIN, clean_env

ROOT = lo.testdata_root()
if ROOT is None:
    pytest.skip("test_lightgbm_cli: shared testdata not found (set PLINTH_TESTDATA)", allow_module_level=True)

MODELS = ROOT / "models"
JPMML = MODELS / "jpmml-lightgbm"
BOOSTERS = MODELS / "boosters" / "lightgbm" / "inference"
ENGINES = ["compiled", "reference"]
REL_TOL = 1e-12


def plinth(*args, timeout=120):
    proc = subprocess.run([PLINTH_BIN, *map(str, args)], env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def predict(model, rows_csv, *flags, engine="compiled"):
    code, out, err = plinth("model", "predict", model, "--format", "lightgbm-text", "--input", rows_csv,
                            "--engine", engine, *flags)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def assert_close(got, want, where):
    assert len(got) == len(want), where
    worst = 0.0
    for i, (g, w) in enumerate(zip(got, want)):
        if g == w:
            continue
        rel = abs(g - w) / abs(w) if w else math.inf
        worst = max(worst, rel)
        assert rel <= REL_TOL, f"{where} value {i}: got {g!r}, want {w!r}"
    return worst


def lowercase_booleans(src, dst):
    """pandas saved the Deductions categories as JSON booleans ("false"/"true"); the CSV says FALSE/TRUE."""
    rows = read_csv(src)
    for r in rows:
        for k, v in r.items():
            if v in ("FALSE", "TRUE"):
                r[k] = v.lower()
    with open(dst, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    return dst


JPMML_CASES = [
    # model, input, expected, iterations
    ("ClassificationIris", "Iris", "ClassificationIris", 0),
    ("ClassificationIris", "Iris", "ClassificationIris@7", 7),
    ("ClassificationAudit", "Audit", "ClassificationAudit", 0),
    ("ClassificationAudit", "AuditInvalid", "ClassificationAuditInvalid", 0),
    ("RegressionAutoNA", "AutoNA", "RegressionAutoNA", 0),
    ("RegressionAutoNA", "AutoNA", "RegressionAutoNA@17", 17),
    ("RegressionVisitNA", "VisitNA", "RegressionVisitNA", 0),
    ("RFClassificationIris", "Iris", "RFClassificationIris", 0),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("model,rows,expected,iterations", JPMML_CASES,
                         ids=[c[2] for c in JPMML_CASES])
def test_jpmml_predictions_match_lightgbm(tmp_path, engine, model, rows, expected, iterations):
    rows_csv = lowercase_booleans(JPMML / "csv" / f"{rows}.csv", tmp_path / "rows.csv")
    flags = ["--iterations", iterations] if iterations else []
    got = predict(JPMML / "lgbm" / f"{model}.txt", rows_csv, *flags, engine=engine)
    want = read_csv(JPMML / "csv" / f"{expected}.csv")
    assert len(got) == len(want)
    if "probability(0)" not in want[0]:
        assert_close([g[0] for g in got], [float(w["_target"]) for w in want], expected)
    elif len(got[0]) == 1:  # binary: LightGBM's probability of class 1
        assert_close([g[0] for g in got], [float(w["probability(1)"]) for w in want], expected)
    else:
        k = len(got[0])
        assert_close([v for g in got for v in g],
                     [float(w[f"probability({c})"]) for w in want for c in range(k)], expected)


def test_engines_agree_bit_for_bit_with_margins(tmp_path):
    rows_csv = lowercase_booleans(JPMML / "csv" / "Audit.csv", tmp_path / "rows.csv")
    model = JPMML / "lgbm" / "ClassificationAudit.txt"
    for flags in ([], ["--output-margin"], ["--output-margin", "--iterations", "17"]):
        compiled = predict(model, rows_csv, *flags, engine="compiled")
        reference = predict(model, rows_csv, *flags, engine="reference")
        assert compiled == reference, flags


@pytest.mark.parametrize("case", ["regression_missing", "binary_classification", "multiclass"])
def test_boosters_raw_and_probabilities(tmp_path, case):
    model = BOOSTERS / case / "model.txt"
    code, out, err = plinth("model", "inspect", model, "--format", "lightgbm-text")
    assert code == 0, err
    names = [f["name"] for f in json.loads(out)["signature"]["inputs"]]
    data = json.loads((BOOSTERS / case / "input.json").read_text())["data"]
    rows_csv = tmp_path / "rows.csv"
    with open(rows_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for row in data:
            w.writerow(["" if v is None else repr(v) for v in row])
    expected = json.loads((BOOSTERS / case / "expected.json").read_text())

    def flat(values):
        return [x for v in values for x in (v if isinstance(v, list) else [v])]

    for engine in ENGINES:
        raw = predict(model, rows_csv, "--output-margin", engine=engine)
        assert_close(flat(raw), flat(expected["raw"]), f"{case} raw ({engine})")
        if "proba" in expected:
            proba = predict(model, rows_csv, engine=engine)
            assert_close(flat(proba), flat(expected["proba"]), f"{case} proba ({engine})")


def test_inspect_shows_the_signature_with_pandas_categories():
    code, out, err = plinth("model", "inspect", JPMML / "lgbm" / "ClassificationAudit.txt", "--format", "lightgbm-text")
    assert code == 0, err
    info = json.loads(out)
    assert info["format"] == "lightgbm-text"
    inputs = {f["name"]: f for f in info["signature"]["inputs"]}
    assert list(inputs) == ["Age", "Employment", "Education", "Marital", "Occupation", "Income", "Gender",
                            "Deductions", "Hours"]
    assert inputs["Age"]["type"] == "numeric"
    assert inputs["Employment"]["type"] == "categorical"
    assert inputs["Employment"]["categories"][0] == "Consultant"
    assert inputs["Deductions"]["categories"] == ["false", "true"]
    assert info["signature"]["outputs"] == ["prediction"]

    code, out, err = plinth("model", "inspect", JPMML / "lgbm" / "ClassificationIris.txt", "--format", "lightgbm-text")
    assert code == 0, err
    assert json.loads(out)["signature"]["outputs"] == ["class_0", "class_1", "class_2"]


@pytest.mark.parametrize("path", [JPMML / "lgbm" / "LinearTreeRegressionAuto.txt", BOOSTERS / "linear_tree" / "model.txt"],
                         ids=["jpmml", "boosters"])
def test_linear_trees_are_refused(path):
    code, out, err = plinth("model", "inspect", path, "--format", "lightgbm-text")
    assert code != 0
    assert "LightGBM linear trees (is_linear=1) are not supported" in err + out


def test_truncated_model_is_refused(tmp_path):
    text = (JPMML / "lgbm" / "ClassificationIris.txt").read_text()
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: len(text) // 2])
    code, out, err = plinth("model", "inspect", cut, "--format", "lightgbm-text")
    assert code != 0
    assert "LightGBM model" in err + out
