"""Hot swaps under continuous load: moving the alias a deployment follows, and updating the
deployment itself, swap versions within 1 s with zero failed requests, and every answer is
attributable to exactly one version (its prediction matches the version the response names)."""
import threading
import time

import requests

from serving_util import deploy, register_linear, set_alias

CLIENTS = 4
# Version v of model m answers bias + 0.5a - b with a distinct bias per (model, version).
BIAS = {("m", 1): 1000.0, ("m", 2): 2000.0, ("other", 1): 3000.0}


def _load(server, deployment, stop, results, errors):
    """Sends single-row predictions until `stop`; records (sent, received, model, prediction)."""
    def client(k):
        with requests.Session() as s:
            i = 0
            while not stop.is_set():
                a, b = float(k), float(i % 7)
                sent = time.monotonic()
                try:
                    r = s.post(f"{server.url}/api/v1/deployments/{deployment}/predict",
                               json={"instances": [{"a": a, "b": b}]}, timeout=10)
                except requests.RequestException as e:  # a dropped connection is a failed request
                    errors.append(repr(e))
                    continue
                got = time.monotonic()
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text}")
                    continue
                body = r.json()
                results.append((sent, got, body["model"], body["predictions"][0], a, b))
                i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    return threads


def _check_attribution(results):
    """Every answer equals what the version it names computes."""
    for _, _, model, pred, a, b in results:
        name, version = model.split("/")
        expected = BIAS[(name, int(version))] + 0.5 * a - b
        assert abs(pred - expected) < 1e-9, (model, pred, expected)


def _run_swap(server, deployment, swap, old, new):
    stop, results, errors = threading.Event(), [], []
    threads = _load(server, deployment, stop, results, errors)
    try:
        time.sleep(0.6)
        swapped_at = time.monotonic()
        swap()
        time.sleep(1.6)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == [], errors[:5]
    _check_attribution(results)
    before = [r for r in results if r[1] < swapped_at]
    assert before and all(r[2] == old for r in before), "requests answered before the swap must come from the old version"
    first_new = min((r[1] for r in results if r[2] == new), default=None)
    assert first_new is not None, "the new version never answered"
    assert first_new - swapped_at < 1.0, f"the swap took {first_new - swapped_at:.3f}s"
    # Once the new version answers, requests sent later never go back to the old one.
    late = [r for r in results if r[0] > first_new]
    assert late and all(r[2] == new for r in late)
    assert {r[2] for r in results} == {old, new}
    return results


def test_alias_move_swaps_under_load(server):
    for v in (1, 2):
        register_linear(server, "m", bias=BIAS[("m", v)])
    set_alias(server, "m", "champion", 1)
    deploy(server, "live", model="m@champion")
    results = _run_swap(server, "live", lambda: set_alias(server, "m", "champion", 2), "m/1", "m/2")
    assert len(results) > 100
    shown = server.ok("GET", "/api/v1/deployments/live")
    assert (shown["model"], shown["generation"]) == ("m/2", 1)  # the deployment itself did not change


def test_deployment_update_swaps_under_load(server):
    register_linear(server, "m", bias=BIAS[("m", 1)])
    register_linear(server, "other", bias=BIAS[("other", 1)])
    deploy(server, "live", model="m/1")
    _run_swap(server, "live", lambda: deploy(server, "live", expect=200, model="other/1"), "m/1", "other/1")
    assert server.ok("GET", "/api/v1/deployments/live")["generation"] == 2
