"""libxgboost as the oracle for Plinth's XGBoost loader, end to end through `plinth model predict`.

tests/xgboost_oracle.py trains, with the installed XGBoost (Debian's 1.7.4), a model for every
objective Plinth supports on gbtree, dart and gblinear, categorical and multi-target ones, and
records XGBoost's margins and transformed predictions. Each case here scores the same rows with
the CLI, from the .json and the .ubj file, margins and transformed, with the reference and the
compiled engine, and requires rel <= 1e-6 or abs <= 1e-7 (in practice the values are bit-exact).
A model XGBoost itself predicts NaN for (non-finite parameters) must be refused with a clear error.
"""
import json
import math
import sys
from pathlib import Path

import pytest

from conftest import run_binary

pytest.importorskip("xgboost", reason="python3-xgboost is not installed (scripts/install-deps.sh)")
pytest.importorskip("sklearn", reason="python3-sklearn is not installed (scripts/install-deps.sh)")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import xgboost_oracle as oracle  # noqa: E402

REL, ABS = 1e-6, 1e-7


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    out = tmp_path_factory.mktemp("xgboost-oracle")
    manifest = oracle.generate(out)
    return out, {c["name"]: c for c in manifest["cases"]}


def predict(cwd, model, fmt, rows, margin, iterations, engine):
    args = ["model", "predict", str(model), "--format", fmt, "--input", str(rows), "--engine", engine]
    if margin:
        args.append("--output-margin")
    if iterations:
        args += ["--iterations", str(iterations)]
    return run_binary(args, cwd=cwd)


def close(got, want):
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    return abs(got - want) <= ABS or abs(got - want) <= REL * abs(want)


@pytest.mark.parametrize("name", oracle.case_names())
def test_plinth_predicts_what_xgboost_predicts(cases, name, tmp_path):
    out, by_name = cases
    case = by_name[name]
    rows = out / case["input"]
    for fmt, model in (("xgboost-json", out / case["model_json"]), ("xgboost-ubj", out / case["model_ubj"])):
        for engine in ("reference", "compiled"):
            for kind in ("margin", "transformed"):
                rc, stdout, stderr = predict(tmp_path, model, fmt, rows, kind == "margin", case["iterations"], engine)
                where = f"{name} {fmt} {engine} {kind}"
                if case["expect_error"]:
                    assert rc != 0, f"{where}: XGBoost predicts NaN, Plinth must refuse the model"
                    assert case["expect_error"] in stderr, f"{where}: {stderr}"
                    continue
                assert rc == 0, f"{where}: {stderr}"
                got = [json.loads(line) for line in stdout.splitlines() if line.strip()]
                want = json.loads((out / case[kind]).read_text())
                assert len(got) == len(want), where
                for r, (g, w) in enumerate(zip(got, want)):
                    assert len(g) == len(w), f"{where} row {r}: {g} vs {w}"
                    assert all(close(a, b) for a, b in zip(g, w)), f"{where} row {r}: Plinth {g}, XGBoost {w}"


def test_oracle_covers_every_objective_and_booster(cases):
    _, by_name = cases
    combos = {(c["objective"], c["booster"]) for c in by_name.values()}
    for objective in oracle.OBJECTIVES:
        for booster in ("gbtree", "dart", "gblinear"):
            assert (objective, booster) in combos
    depths = {c["depth"] for c in by_name.values() if c["booster"] != "gblinear"}
    assert depths >= set(range(1, 13))
    assert any(c["categorical"] for c in by_name.values())
    assert {True, False} <= {c["feature_names"] for c in by_name.values()}
