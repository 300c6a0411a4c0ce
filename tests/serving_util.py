"""Helpers for the serving tests: hand-written linear-json models, deployments, predictions."""
import json
import re


def linear_model(features=("a", "b"), weights=(0.5, -1.0), bias=0.1, link="identity", outputs=None):
    """A linear-json model file: bias + sum(w * x) (NaN inputs count as 0), then the link."""
    model = {"format": "plinth-linear", "features": list(features), "weights": list(weights), "bias": bias, "link": link}
    if outputs is not None:
        model["outputs"] = list(outputs)
    return json.dumps(model).encode()


def register_linear(server, model, session=None, **kw):
    """Registers a linear-json version of `model` (created if needed); returns the version number."""
    return server.register(model, linear_model(**kw), fmt="linear-json", session=session)["version"]


def set_alias(server, model, alias, version):
    server.ok("PUT", f"/api/v1/models/{model}/aliases/{alias}", json={"version": version})


def deploy(server, name, expect=(200, 201), **spec):
    resp = server.http("PUT", f"/api/v1/deployments/{name}", json=spec)
    assert resp.status_code in ((expect,) if isinstance(expect, int) else expect), resp.text
    return resp.json()


def predict(server, deployment, instances, tenant=None, session=None, **kw):
    body = {"instances": instances}
    if tenant is not None:
        body["tenant"] = tenant
    return server.http("POST", f"/api/v1/deployments/{deployment}/predict", json=body, session=session, **kw)


def metric(text, name, **labels):
    """The value of one sample of the Prometheus exposition `text` (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(got.get(k) == str(v) for k, v in labels.items()):
            total += float(m.group(4))
    return total


def metrics(server):
    return server.http("GET", "/metrics").text
