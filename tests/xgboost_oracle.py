"""XGBoost oracle: trains models with the installed libxgboost (Debian's 1.7.4) and records its predictions.

Usage: /usr/bin/python3 tests/xgboost_oracle.py OUT_DIR

For every objective Plinth supports (those libxgboost 1.7 has: not reg:quantileerror or
reg:expectileerror, which came later and are covered by the jpmml 3.4.1 testdata), on boosters
gbtree, dart and gblinear, with tree depths 1 to 12, with and without feature names, on sklearn's
bundled datasets (diabetes, breast_cancer, iris, wine; nothing downloaded) and on synthetic data
with NaNs and categorical columns (pandas category dtype, tree_method hist), it writes to
OUT_DIR/<case>/:

  model.json, model.ubj   Booster.save_model in both formats
  rows.csv                the rows to predict: header = the model's feature names (f0.. when it
                          has none), empty cell = missing, categorical columns as integer codes
                          (including codes the model never saw, negative and fractional ones)
  margin.json             XGBoost's predict(output_margin=True): one list per row
  transformed.json        XGBoost's predict(): one list per row ([class] for multi:softmax);
                          non-finite values as null

and OUT_DIR/manifest.json: {"xgboost": version, "cases": [{name, booster, objective, depth,
feature_names, categorical, iterations (null or N = iteration_range (0, N)), expect_error (null, or
a phrase of the error Plinth must refuse the model with: XGBoost itself predicts NaN), files...}]}.
Numbers are written with 17 significant digits, so every value round-trips exactly.
Runs in a few seconds (one OpenMP thread).
"""
import json
import math
import os
import sys
from pathlib import Path

# One OpenMP thread: the models are small, and idle OpenMP workers spin on a shared machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402
from sklearn import datasets  # noqa: E402

SEED = 7
ROUNDS = 8


def _split(X, y, n_test=60):
    rng = np.random.default_rng(SEED)
    idx = rng.permutation(len(X))
    return X[idx[n_test:]], y[idx[n_test:]], X[idx[:n_test]]


def _with_nans(X, fraction, rng):
    X = X.astype(np.float64).copy()
    X[rng.random(X.shape) < fraction] = np.nan
    return X


def load_datasets():
    rng = np.random.default_rng(SEED)
    d = {}
    for name, loader in [("diabetes", datasets.load_diabetes), ("breast_cancer", datasets.load_breast_cancer),
                         ("iris", datasets.load_iris), ("wine", datasets.load_wine)]:
        b = loader()
        X, y, X_test = _split(b.data.astype(np.float64), b.target.astype(np.float64))
        # Some missing values in the rows to predict exercise every default direction.
        d[name] = dict(X=X, y=y, X_test=_with_nans(X_test, 0.1, rng), names=[str(n) for n in b.feature_names])
    # Synthetic: 6 numeric features with 15% NaN, 2 categorical columns (5 and 12 categories).
    n = 500
    num = _with_nans(rng.normal(size=(n, 6)), 0.15, rng)
    cat_a = rng.integers(0, 5, n)
    cat_b = rng.integers(0, 12, n)
    signal = np.nan_to_num(num[:, 0]) * 2 + np.nan_to_num(num[:, 1]) - np.isin(cat_a, [1, 3]) * 3 + (cat_b % 4)
    X = np.column_stack([num, cat_a, cat_b]).astype(np.float64)
    d["synthetic"] = dict(X=X[:400], y=signal[:400], X_test=X[400:], names=[f"x{i}" for i in range(6)] + ["color", "shape"],
                          categorical=[6, 7])
    return d


def _labels(objective, ds):
    """Labels (and DMatrix extras) that suit `objective`, derived from the dataset's target."""
    y = ds["y"]
    if objective in ("binary:logistic", "binary:logitraw", "binary:hinge", "reg:logistic", "rank:map"):
        return (y > np.median(y)).astype(np.float64)
    if objective.startswith("multi:"):
        return y if y.max() <= 3 else np.digitize(y, np.quantile(y, [0.33, 0.66])).astype(np.float64)
    if objective == "rank:ndcg":
        return np.digitize(y, np.quantile(y, [0.25, 0.5, 0.75])).astype(np.float64)
    if objective in ("count:poisson", "reg:gamma", "reg:tweedie", "survival:aft"):
        return np.abs(y) + 1.0
    if objective == "survival:cox":
        t = np.abs(y) + 1.0
        return np.where(np.arange(len(y)) % 4 == 0, -t, t)  # every 4th row censored
    return y


# objective -> (dataset, base_score to set or None for XGBoost's default)
OBJECTIVES = {
    "reg:squarederror": ("diabetes", 150.0),
    "reg:squaredlogerror": ("diabetes", None),
    "reg:pseudohubererror": ("synthetic", 0.7),
    "reg:absoluteerror": ("diabetes", 140.0),
    "reg:logistic": ("breast_cancer", 0.3),
    "binary:logistic": ("breast_cancer", 0.65),
    "binary:logitraw": ("breast_cancer", 0.2),
    "binary:hinge": ("synthetic", None),
    "count:poisson": ("diabetes", 1.7),
    "reg:gamma": ("synthetic", 2.5),
    "reg:tweedie": ("diabetes", None),
    "survival:aft": ("synthetic", 2.0),
    "survival:cox": ("diabetes", None),
    "multi:softmax": ("iris", None),
    "multi:softprob": ("wine", 0.4),
    "rank:pairwise": ("breast_cancer", None),
    "rank:ndcg": ("diabetes", None),
    "rank:map": ("breast_cancer", None),
}


def _dmatrix(X, ds, names, label=None, categorical=False):
    types = None
    if categorical:
        types = ["c" if i in ds.get("categorical", []) else "q" for i in range(X.shape[1])]
    if names and categorical:
        frame = pd.DataFrame(X, columns=ds["names"])
        for i in ds["categorical"]:
            col = ds["names"][i]
            frame[col] = pd.Categorical(frame[col], categories=sorted(set(ds["X"][:, i])))
        return xgb.DMatrix(frame, label=label, enable_categorical=True)
    return xgb.DMatrix(X, label=label, feature_names=ds["names"] if names else None, feature_types=types,
                       enable_categorical=categorical)


def _test_rows(ds, categorical):
    X = ds["X_test"].copy()
    if categorical:  # codes never seen in training, negative, fractional and missing
        for i in ds["categorical"]:
            X[0:8, i] = [np.nan, -1.0, 99.0, 2.5, 0.999, -0.5, 1e9, float(int(ds["X"][:, i].max()) + 1)]
    return X


def plan():
    """The models to train: dicts of name, booster, objective, depth, dataset, names (feature
    names or not), categorical, base_score, extra (XGBoost parameters; "targets" = number of
    regression targets) and iterations (the iteration_range prefixes to predict besides all)."""
    specs = []
    tree_models = 0
    for objective, (dataset, base_score) in OBJECTIVES.items():
        for booster in ("gbtree", "dart", "gblinear"):
            linear = booster == "gblinear"
            depth = 0 if linear else tree_models % 12 + 1  # tree depths cycle through 1..12
            tree_models += 0 if linear else 1
            specs.append(dict(name=f"{booster}-{objective.replace(':', '-')}" + ("" if linear else f"-d{depth}"),
                              booster=booster, objective=objective, depth=depth, dataset=dataset,
                              names=len(specs) % 2 == 0, categorical=False, base_score=base_score, extra={},
                              iterations=[3] if not linear and tree_models % 3 == 0 else []))
    # Categorical partitions (pandas category dtype with names; feature_types 'c' without).
    for booster, objective, depth, names in [("gbtree", "reg:squarederror", 4, True), ("gbtree", "binary:logistic", 6, False),
                                             ("dart", "reg:squarederror", 5, True), ("gbtree", "multi:softprob", 3, False),
                                             ("gbtree", "count:poisson", 12, True), ("dart", "multi:softmax", 8, False)]:
        specs.append(dict(name=f"cat-{booster}-{objective.replace(':', '-')}-d{depth}", booster=booster,
                          objective=objective, depth=depth, dataset="synthetic", names=names, categorical=True,
                          base_score=None, extra={}, iterations=[2]))
    # Random forests (num_parallel_tree: summed) and multi-target regression (one tree per target).
    for label, booster, objective, dataset, extra in [
            ("forest", "gbtree", "reg:squarederror", "diabetes", {"num_parallel_tree": 4, "subsample": 0.7, "colsample_bynode": 0.7}),
            ("forest", "gbtree", "multi:softprob", "iris", {"num_parallel_tree": 3, "subsample": 0.8}),
            ("multitarget", "gbtree", "reg:squarederror", "synthetic", {"targets": 2}),
            ("multitarget", "dart", "reg:squarederror", "diabetes", {"targets": 2})]:
        specs.append(dict(name=f"{label}-{booster}-{objective.replace(':', '-')}", booster=booster, objective=objective,
                          depth=5, dataset=dataset, names=True, categorical=False, base_score=None, extra=extra,
                          iterations=[2]))
    return specs


def case_names():
    """Names of the cases generate() writes, without training anything."""
    return [n for s in plan() for n in [s["name"]] + [f"{s['name']}-iter{i}" for i in s["iterations"]]]


def train(spec, ds):
    objective, booster = spec["objective"], spec["booster"]
    params = {"booster": booster, "objective": objective, "max_depth": spec["depth"], "eta": 0.3, "seed": SEED,
              "nthread": 1, "tree_method": "hist", "max_cat_to_onehot": 1, "max_bin": 64}
    if spec["base_score"] is not None:
        params["base_score"] = spec["base_score"]
    if booster == "dart":
        params.update(rate_drop=0.3, skip_drop=0.0)
    if booster == "gblinear":
        params = {k: v for k, v in params.items() if k not in ("max_depth", "tree_method", "max_cat_to_onehot", "max_bin")}
        params.update(updater="coord_descent" if objective.startswith(("multi", "rank")) else "shotgun")
    y = _labels(objective, ds)
    if objective.startswith("multi:"):
        params["num_class"] = int(y.max()) + 1
    if objective == "survival:aft":
        params.update(aft_loss_distribution="normal", aft_loss_distribution_scale=1.0)
    extra = dict(spec["extra"])
    targets = extra.pop("targets", 1)
    params.update(extra)
    label = None if objective == "survival:aft" else y
    if targets > 1:
        label = np.column_stack([y] + [y * 0.5 + np.arange(len(y)) % (5 + t) for t in range(1, targets)])
    dtrain = _dmatrix(ds["X"], ds, spec["names"], label=label, categorical=spec["categorical"])
    if objective == "survival:aft":
        dtrain.set_float_info("label_lower_bound", y)
        dtrain.set_float_info("label_upper_bound", np.where(np.arange(len(y)) % 5 == 0, np.inf, y))
    if objective.startswith("rank:"):
        dtrain.set_group([len(y) // 4] * 3 + [len(y) - 3 * (len(y) // 4)])
    return xgb.train(params, dtrain, num_boost_round=ROUNDS)


def write_case(out, name, bst, ds, spec, iterations=None):
    case_dir = out / name
    case_dir.mkdir(parents=True, exist_ok=True)
    bst.save_model(str(case_dir / "model.json"))
    bst.save_model(str(case_dir / "model.ubj"))
    categorical = spec["categorical"]
    X = _test_rows(ds, categorical)
    header = ds["names"] if spec["names"] else [f"f{i}" for i in range(X.shape[1])]
    with open(case_dir / "rows.csv", "w") as f:
        f.write(",".join(header) + "\n")
        for row in X:
            f.write(",".join("" if math.isnan(v) else format(v, ".17g") for v in row) + "\n")
    test = xgb.DMatrix(X, feature_names=bst.feature_names, feature_types=bst.feature_types,
                       enable_categorical=categorical)
    kwargs = {"iteration_range": (0, iterations)} if iterations else {}
    finite = True
    for kind, margin in (("margin", True), ("transformed", False)):
        p = np.asarray(bst.predict(test, output_margin=margin, **kwargs), dtype=np.float64)
        finite = finite and bool(np.isfinite(p).all())
        rows = [[v if math.isfinite(v) else None for v in r] for r in p.reshape(len(X), -1).tolist()]
        (case_dir / f"{kind}.json").write_text(json.dumps(rows))
    # A model whose parameters are not finite (gblinear + rank:map diverges to a NaN bias in
    # 1.7.4) predicts NaN in XGBoost; Plinth must refuse to load it instead.
    return dict(name=name, booster=spec["booster"], objective=spec["objective"], depth=spec["depth"],
                dataset=spec["dataset"], feature_names=spec["names"], categorical=categorical, iterations=iterations,
                expect_error=None if finite else "not finite", model_json=f"{name}/model.json",
                model_ubj=f"{name}/model.ubj", input=f"{name}/rows.csv", margin=f"{name}/margin.json",
                transformed=f"{name}/transformed.json")


def generate(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = load_datasets()
    cases = []
    for spec in plan():
        ds = data[spec["dataset"]]
        if spec["objective"].startswith("multi:") and spec["dataset"] == "synthetic":
            ds = dict(ds, y=np.digitize(ds["y"], np.quantile(ds["y"], [0.33, 0.66])).astype(np.float64))
        bst = train(spec, ds)
        cases.append(write_case(out, spec["name"], bst, ds, spec))
        for n in spec["iterations"]:
            cases.append(write_case(out, f"{spec['name']}-iter{n}", bst, ds, spec, iterations=n))
    manifest = {"xgboost": xgb.__version__, "cases": cases}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    m = generate(sys.argv[1])
    print(f"{len(m['cases'])} cases from xgboost {m['xgboost']} in {sys.argv[1]}")
