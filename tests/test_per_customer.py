"""One model per customer at scale: 2,000 per-tenant models behind one template deployment,
served through a model cache that holds only ~200 of them. Every answer must come from the
tenant's own model (or the fallback for tenants without one); evictions show in the metrics;
reloads after eviction map the compiled form written on first load."""
import random
import threading
import time

import requests

from serving_util import deploy, linear_model, metric, metrics

TENANTS = 2000
CACHED = 200
THREADS = 4


def _name(i):
    return f"t{i:04d}"


def _register_all(server):
    """Registers cust-tNNNN/1 with bias i for every tenant, in parallel over keep-alive sessions."""
    failures = []

    def worker(part):
        with requests.Session() as s:
            for i in range(part, TENANTS, THREADS):
                data = linear_model(bias=float(i))
                try:
                    server.register(f"cust-{_name(i)}", data, fmt="linear-json", session=s)
                except AssertionError as e:
                    failures.append(str(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [], failures[:3]


def _predict_all(server, tenants, errors, wrong):
    def worker(part):
        with requests.Session() as s:
            for tenant in tenants[part::THREADS]:
                a, b = 2.0, 1.0
                r = s.post(f"{server.url}/api/v1/deployments/cust/predict",
                           json={"tenant": tenant, "instances": [{"a": a, "b": b}]}, timeout=30)
                if r.status_code != 200:
                    errors.append(f"{tenant}: {r.status_code} {r.text}")
                    continue
                body = r.json()
                if tenant.startswith("t"):
                    i = int(tenant[1:])
                    want_model, bias = f"cust-{tenant}/1", float(i)
                else:
                    want_model, bias = "cust-global/1", -5.0
                if body["model"] != want_model or abs(body["predictions"][0] - (bias + 0.5 * a - b)) > 1e-9:
                    wrong.append((tenant, body))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_two_thousand_tenants_through_a_small_cache(start_server):
    server = start_server()
    server.register("cust-global", linear_model(bias=-5.0), fmt="linear-json")
    _register_all(server)
    deploy(server, "cust", model_template="cust-{tenant}@latest", fallback="cust-global@latest", pinned_tenants=["t0007"])

    # Size the budget from what one model really takes (global + t0007 are loaded: same shape).
    text = metrics(server)
    per_model = metric(text, "plinth_model_cache_bytes") / metric(text, "plinth_model_cache_entries")
    assert per_model > 0
    budget = int(per_model * CACHED)
    server.args = ["--model-cache-bytes", str(budget)]
    server.restart()

    tenants = [_name(i) for i in range(TENANTS)] + [f"new{i}" for i in range(50)]  # new*: no model -> fallback
    errors, wrong = [], []
    for round_ in range(2):
        random.Random(round_).shuffle(tenants)
        _predict_all(server, tenants, errors, wrong)
        assert errors == [], errors[:3]
        assert wrong == [], wrong[:3]

    text = metrics(server)
    assert metric(text, "plinth_model_cache_budget_bytes") == budget
    assert metric(text, "plinth_model_cache_bytes") <= budget
    assert metric(text, "plinth_model_cache_entries") <= CACHED
    loads, evictions = metric(text, "plinth_model_cache_loads_total"), metric(text, "plinth_model_cache_evictions_total")
    assert loads > 1.5 * TENANTS and evictions > 1.5 * TENANTS  # shuffled rounds through a 10% cache mostly miss
    assert loads == evictions + metric(text, "plinth_model_cache_entries")  # every load is held or was evicted
    # Every artifact was compiled into the cache when it was registered: every load, the first
    # one and those after an eviction, maps that file; none parses the model again.
    assert metric(text, "plinth_model_cache_parsed_loads_total") == 0
    assert metric(text, "plinth_model_cache_compiled_loads_total") == loads
    assert metric(text, "plinth_model_cache_pinned_bytes") >= 2 * per_model  # the fallback and the pinned tenant
    assert metric(text, "plinth_predict_errors_total") == 0
    # Per-tenant series are bounded: past 256 (model, version) series the rest count as _other.
    assert metric(text, "plinth_predict_requests_total", deployment="cust") == 2 * len(tenants)
    assert metric(text, "plinth_predict_requests_total", deployment="cust", model="_other") > 0
    assert len(list((server.data_dir / "cache" / "compiled").glob("*.pf"))) == TENANTS + 1
    shown = server.ok("GET", "/api/v1/deployments/cust")
    assert shown["pinned"] == {"t0007": "cust-t0007/1"}
    assert shown["fallback"] == "cust-global/1"

    # A tenant served by the fallback gets its own first model: it answers within 1 s.
    body = {"tenant": "new0", "instances": [{"a": 0, "b": 0}]}
    assert server.ok("POST", "/api/v1/deployments/cust/predict", json=body)["model"] == "cust-global/1"
    server.register("cust-new0", linear_model(bias=7.0), fmt="linear-json")
    registered = time.monotonic()
    while server.ok("POST", "/api/v1/deployments/cust/predict", json=body)["model"] != "cust-new0/1":
        assert time.monotonic() - registered < 1.0, "the new tenant model was not served within 1 s"
        time.sleep(0.01)
