"""The serving stack many teams would otherwise use: FastAPI + uvicorn + xgboost, serving one
XGBoost JSON model with the same request body as Plinth's row API.

    PLINTH_BASELINE_MODEL=model.json /usr/bin/python3 -m uvicorn fastapi_baseline:app \
        --app-dir bench --port 7071 --workers 2 --log-level warning

POST /predict {"instances": [{"f0": 1.0, ...}, ...]} -> {"model": "baseline", "predictions": [...]}
"""
import os

import numpy as np
import xgboost as xgb
from fastapi import FastAPI, HTTPException, Request

booster = xgb.Booster()
booster.load_model(os.environ["PLINTH_BASELINE_MODEL"])
booster.set_param({"nthread": 1})
FEATURES = booster.feature_names or [f"f{i}" for i in range(booster.num_features())]

app = FastAPI()


@app.post("/predict")
async def predict(request: Request):
    body = await request.json()
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise HTTPException(status_code=400, detail="instances must be a non-empty list")
    try:
        rows = np.array([[np.nan if inst.get(f) is None else float(inst[f]) for f in FEATURES] for inst in instances],
                        dtype=np.float32)
    except (KeyError, TypeError, ValueError) as e:
        raise HTTPException(status_code=400, detail=f"bad instance: {e}")
    preds = booster.inplace_predict(rows)
    return {"model": "baseline", "predictions": preds.tolist()}
