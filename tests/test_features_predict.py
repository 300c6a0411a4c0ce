"""Features inside the prediction call: a deployment names a feature service, predict requests
send entity keys (and request values); the server fetches the features, applies transforms,
predicts, and can return the feature vector it used."""
import pytest

from conftest import error_of
from serving_util import deploy, register_linear, set_alias
from test_features_online import DEFS, apply, push


def prepare(server):
    apply(server)
    push(server, "clicks", [{"user_id": 1, "event_timestamp": "2030-01-01T00:00:00Z", "n": 3, "spend": 2.0}])
    push(server, "shops", [{"shop": "s", "event_timestamp": "2030-01-01T00:00:00Z", "rating": 4.0}])
    # n + 10 * boosted + 100 * amount + 1000 * rating (amount comes from the request).
    register_linear(server, "risk", features=("n", "boosted", "amount", "shops__rating"), weights=(1, 10, 100, 1000), bias=0)
    set_alias(server, "risk", "champion", 1)


def predict(server, body, expect=200):
    resp = server.http("POST", "/api/v1/deployments/risk-api/predict", json=body)
    assert resp.status_code == expect, resp.text
    return resp.json()


def test_predict_fetches_features_and_returns_them(server):
    prepare(server)
    _, out, _ = server.cli("deploy", "risk-api", "--model", "risk@champion", "--feature-service", "svc")
    assert server.ok("GET", "/api/v1/deployments/risk-api")["spec"]["feature_service"] == "svc"
    got = predict(server, {"entities": [{"user_id": 1, "shop": "s"}, {"user_id": 2, "shop": "s"}],
                           "request": {"boost": 2, "amount": 0.5}, "return_features": True})
    # user 1: 3 + 10*(2*2) + 100*0.5 + 1000*4 ; user 2 has no row: n missing (0), boosted 0.
    assert got["model"] == "risk/1"
    assert got["predictions"] == [pytest.approx(3 + 40 + 50 + 4000), pytest.approx(0 + 0 + 50 + 4000)]
    assert got["features"][0]["values"] == {"n": 3, "boosted": 4.0, "amount": 0.5, "shops__rating": 4.0}
    assert got["features"][1]["values"]["n"] is None
    assert got["features"][1]["statuses"]["clicks:n"] == "missing"
    assert got["features"][0]["statuses"]["shops:rating"] == "present"
    # Without return_features there is no "features" key; instances still work beside entities.
    plain = predict(server, {"entities": [{"user_id": 1, "shop": "s"}], "request": {"boost": 1, "amount": 0}})
    assert set(plain) == {"model", "predictions"}
    raw = predict(server, {"instances": [{"n": 1, "boosted": 0, "amount": 0, "shops__rating": 0}]})
    assert raw["predictions"] == [pytest.approx(1)]


def test_entity_predict_errors(server):
    prepare(server)
    deploy(server, "risk-api", model="risk@champion", feature_service="svc")
    for body, message in [
        ({"entities": [{"user_id": 1}], "request": {"boost": 1, "amount": 1}}, "missing join key 'shop'"),
        ({"entities": [{"user_id": 1, "shop": "s"}], "request": {"boost": 1}}, "model input 'amount'"),
        ({"entities": [{"user_id": 1, "shop": "s"}], "request": {"amount": 1}}, "missing request value 'boost'"),
        ({"entities": [], "request": {}}, "non-empty"),
        ({"entities": [{"user_id": 1, "shop": "s"}], "instances": [{}]}, "not both"),
        ({"entities": [{"user_id": 1, "shop": "s", "tenant": "a"}, {"user_id": 1, "shop": "s", "tenant": "b"}]}, "same tenant"),
    ]:
        resp = server.http("POST", "/api/v1/deployments/risk-api/predict", json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert message in error_of(resp)[1], (body, resp.text)
    # A deployment without a feature service refuses entities; an unknown service is refused at deploy time.
    deploy(server, "plain", model="risk@champion")
    resp = server.http("POST", "/api/v1/deployments/plain/predict", json={"entities": [{"user_id": 1}]})
    assert resp.status_code == 400 and "names no feature service" in error_of(resp)[1]
    resp = server.http("PUT", "/api/v1/deployments/x", json={"model": "risk@champion", "feature_service": "nope"})
    assert resp.status_code == 400 and "feature service 'nope' not found" in error_of(resp)[1]


def test_per_tenant_models_with_features(server):
    prepare(server)
    register_linear(server, "risk-acme", features=("n",), weights=(100,), bias=0)
    set_alias(server, "risk-acme", "champion", 1)
    deploy(server, "risk-api", model_template="risk-{tenant}@champion", fallback="risk@champion", feature_service="svc")
    got = predict(server, {"entities": [{"user_id": 1, "shop": "s", "tenant": "acme"}], "request": {"boost": 1}})
    assert got == {"model": "risk-acme/1", "predictions": [300.0]}
    other = predict(server, {"entities": [{"user_id": 1, "shop": "s", "tenant": "other"}], "request": {"boost": 1, "amount": 0}})
    assert other["model"] == "risk/1"
