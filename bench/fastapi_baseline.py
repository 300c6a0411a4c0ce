"""The serving stack many teams would otherwise use: FastAPI + uvicorn + xgboost, serving one
XGBoost JSON model with the same request body as Plinth's row API.

    PLINTH_BASELINE_MODEL=model.json /usr/bin/python3 -m uvicorn fastapi_baseline:app \
        --app-dir bench --port 7071 --workers 2 --log-level warning

POST /predict {"instances": [{"f0": 1.0, ...}, ...]} -> {"model": "baseline", "predictions": [...]}

Two endpoints: /predict validates the body with a pydantic model, as FastAPI applications
usually do (and as Plinth validates every request); /predict-raw reads the JSON by hand, the
fastest this stack gets.
"""
import os

import numpy as np
import xgboost as xgb
from typing import Dict, List, Optional

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

booster = xgb.Booster()
booster.load_model(os.environ["PLINTH_BASELINE_MODEL"])
booster.set_param({"nthread": 1})
FEATURES = booster.feature_names or [f"f{i}" for i in range(booster.num_features())]

app = FastAPI()


class PredictRequest(BaseModel):
    instances: List[Dict[str, Optional[float]]]


def _rows(instances):
    try:
        return np.array([[np.nan if inst.get(f) is None else float(inst[f]) for f in FEATURES] for inst in instances],
                        dtype=np.float32)
    except (KeyError, TypeError, ValueError) as e:
        raise HTTPException(status_code=400, detail=f"bad instance: {e}")


@app.post("/predict")
def predict(body: PredictRequest):
    if not body.instances:
        raise HTTPException(status_code=400, detail="instances must be a non-empty list")
    preds = booster.inplace_predict(_rows(body.instances))
    return {"model": "baseline", "predictions": preds.tolist()}


@app.post("/predict-raw")
async def predict_raw(request: Request):
    body = await request.json()
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise HTTPException(status_code=400, detail="instances must be a non-empty list")
    preds = booster.inplace_predict(_rows(instances))
    return {"model": "baseline", "predictions": preds.tolist()}
