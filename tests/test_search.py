"""Search over versions and models: the filter language, ordering, paging and filter errors."""
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ServerPool, error_of, model_artifact, sha256, walk_pages, with_token

# (model, model tags) and its versions in registration order: (key, fields).
CATALOG = [
    ("risk-login", {"team": "risk"}, [
        ("rl1", dict(fmt="xgboost-json", metrics={"auc": 0.81}, params={"max_depth": "4", "booster": "gbtree"}, tags={"stage": "dev"})),
        ("rl2", dict(fmt="lightgbm-text", metrics={"auc": 0.93}, params={"max_depth": "8", "booster": "dart"}, tags={"stage": "prod"},
                     lineage={"training_dataset": "tx@1"})),
        ("rl3", dict(fmt="xgboost-json", metrics={"auc": 0.88}, params={"max_depth": "12"})),
    ]),
    ("risk-payment", {"team": "risk"}, [
        ("rp1", dict(fmt="linear-json", metrics={"auc": 0.95, "logloss": 0.1}, params={"max_depth": "2"}, tags={"stage": "prod"})),
        ("rp2", dict(fmt="other", tags={"stage": "dev"})),
    ]),
    ("growth-churn", {"team": "growth"}, [
        ("gc1", dict(fmt="xgboost-ubj", metrics={"auc": 0.70}, params={"max_depth": "6"}, tags={"stage": "dev", "owner": "o'neil"})),
    ]),
]
ALIASES = [("risk-login", "champion", 2), ("risk-payment", "champion", 1), ("growth-churn", "challenger", 1)]


class Catalog:
    def __init__(self, server):
        self.server = server
        self.key_of = {}   # (model, version) -> key
        self.created = {}  # key -> created_at text
        for model, tags, versions in CATALOG:
            server.ok("POST", "/api/v1/models", expect=201, json={"name": model, "tags": tags})
            for key, fields in versions:
                v = server.register(model, model_artifact(fields.get("fmt", "other"), key), create=False, **fields)
                self.key_of[(model, v["version"])] = key
                self.created[key] = v["created_at"]
        for model, alias, version in ALIASES:
            server.ok("PUT", f"/api/v1/models/{model}/aliases/{alias}", json={"version": version})

    def keys(self, versions):
        return [self.key_of[(v["model"], v["version"])] for v in versions]

    def search(self, flt, order_by="", page_size=100):
        page = self.server.ok("POST", "/api/v1/model-versions/search",
                              json={"filter": flt, "order_by": order_by, "page_size": page_size})
        return self.keys(page["versions"])


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("search"))
    try:
        yield Catalog(pool.start())
    finally:
        pool.close()


@pytest.mark.parametrize("flt, expected", [
    ("metrics.auc > 0.9", {"rl2", "rp1"}),
    ("metrics.auc = 0.93", {"rl2"}),
    ("metrics.auc >= 0.88 and tags.stage = 'prod'", {"rl2", "rp1"}),
    ("tags.stage = 'dev' or format = 'linear-json'", {"rl1", "rp2", "gc1", "rp1"}),
    ("(name = 'risk-login' or name = 'growth-churn') and not metrics.auc < 0.8", {"rl1", "rl2", "rl3"}),
    ("name = 'risk-login' or name = 'growth-churn' and metrics.auc < 0.8", {"rl1", "rl2", "rl3", "gc1"}),
    ("not (tags.stage = 'dev')", {"rl2", "rl3", "rp1"}),
    ("NOT (tags.stage = 'dev' OR tags.stage = 'prod')", {"rl3"}),
    ("params.max_depth > 5", {"rl2", "rl3", "gc1"}),  # numeric, not text: '12' > 5
    ("params.max_depth <= 4", {"rl1", "rp1"}),
    ("params.booster = 'gbtree'", {"rl1"}),
    ("params.booster != 'gbtree'", {"rl2"}),
    ("version >= 2", {"rl2", "rl3", "rp2"}),
    ("version = 1 and model_tags.team = 'risk'", {"rl1", "rp1"}),
    ("name like 'risk-%'", {"rl1", "rl2", "rl3", "rp1", "rp2"}),
    ("name not like 'risk-%'", {"gc1"}),
    ("name like 'risk-_ogin'", {"rl1", "rl2", "rl3"}),
    ("format in ('xgboost-json', 'xgboost-ubj')", {"rl1", "rl3", "gc1"}),
    ("format not in ('xgboost-json', 'xgboost-ubj')", {"rl2", "rp1", "rp2"}),
    ("version in (2, 3)", {"rl2", "rl3", "rp2"}),
    ("tags.stage is null", {"rl3"}),
    ("params.booster is not null", {"rl1", "rl2"}),
    ("metrics.auc is null", {"rp2"}),
    ("metrics.logloss is not null", {"rp1"}),
    ("training_dataset = 'tx@1'", {"rl2"}),
    ("training_dataset is null", {"rl1", "rl3", "rp1", "rp2", "gc1"}),
    ("alias = 'champion'", {"rl2", "rp1"}),
    ("alias != 'champion'", {"rl1", "rl3", "rp2", "gc1"}),
    ("alias in ('champion', 'challenger')", {"rl2", "rp1", "gc1"}),
    ("alias is null", {"rl1", "rl3", "rp2"}),
    ("tags.owner = 'o''neil'", {"gc1"}),
    ("name = 'x'' or 1=1 --'", set()),
    ("metrics.auc > 0.99", set()),
])
def test_version_filters(catalog, flt, expected):
    assert set(catalog.search(flt)) == expected


def test_filters_over_get_and_cli(catalog):
    srv = catalog.server
    page = srv.ok("GET", "/api/v1/model-versions", params={"filter": "alias = 'champion' and metrics.auc > 0.94"})
    assert catalog.keys(page["versions"]) == ["rp1"]
    out = srv.cli_json("models", "versions", "search", "(tags.stage = 'prod' or alias = 'challenger') and version < 2")
    assert set(catalog.keys(out["versions"])) == {"rp1", "gc1"}
    _, table, _ = srv.cli("models", "versions", "search", "name = 'growth-churn'")
    lines = table.splitlines()
    assert lines[0].split() == ["MODEL", "VERSION", "FORMAT", "ALIASES", "METRICS", "TAGS", "CREATED"]
    assert lines[1].split()[:5] == ["growth-churn", "1", "xgboost-ubj", "challenger", "auc=0.7"]
    assert len(lines) == 2


def test_created_at_comparisons(catalog):
    c = catalog.created
    assert set(catalog.search(f"created_at > '{c['rl3']}'")) == {"rp1", "rp2", "gc1"}
    assert set(catalog.search(f"created_at <= '{c['rl2']}'")) == {"rl1", "rl2"}
    assert set(catalog.search(f"created_at >= '{c['rl2']}' and created_at < '{c['rp2']}'")) == {"rl2", "rl3", "rp1"}
    # The same instant written with a +02:00 offset.
    t = datetime.strptime(c["rp1"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    shifted = t.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert shifted.endswith("+02:00")
    assert set(catalog.search(f"created_at >= '{shifted}'")) == {"rp1", "rp2", "gc1"}
    assert catalog.search("created_at < '2000-01-01'") == []


def test_artifact_and_text_fields(catalog):
    assert catalog.search(f"sha256 = '{sha256(model_artifact('lightgbm-text', 'rl2'))}'") == ["rl2"]
    # Only the "other" artifact is its 3-byte salt; model formats are real (larger) model files.
    assert catalog.search("size = 3") == ["rp2"]
    assert set(catalog.search("size > 3")) == {"rl1", "rl2", "rl3", "rp1", "gc1"}
    assert catalog.search("name like 'RISK-%'") == []  # like is case-sensitive
    assert set(catalog.search("created_by = 'anonymous' and model = 'risk-payment'")) == {"rp1", "rp2"}
    assert catalog.search("description is not null") == []


def test_order_by(catalog):
    assert catalog.search("", "metrics.auc desc") == ["rp1", "rl2", "rl3", "rl1", "gc1", "rp2"]
    assert catalog.search("", "metrics.auc asc") == ["gc1", "rl1", "rl3", "rl2", "rp1", "rp2"]
    assert catalog.search("", "name asc, version desc") == ["gc1", "rl3", "rl2", "rl1", "rp2", "rp1"]
    assert catalog.search("") == ["gc1", "rp2", "rp1", "rl3", "rl2", "rl1"]  # newest first
    assert catalog.search("name like 'risk%'", "metrics.auc desc") == ["rp1", "rl2", "rl3", "rl1", "rp2"]
    out = catalog.server.cli_json("models", "versions", "search", "metrics.auc > 0", "--order-by", "metrics.auc desc")
    assert catalog.keys(out["versions"]) == ["rp1", "rl2", "rl3", "rl1", "gc1"]


def test_page_tokens_walk_without_duplicates(catalog):
    srv = catalog.server
    body = {"filter": "version >= 1", "order_by": "metrics.auc desc", "page_size": 2}
    pages = walk_pages(lambda tok: srv.ok("POST", "/api/v1/model-versions/search", json=with_token(body, tok)), "versions")
    assert [catalog.keys(p) for p in pages] == [["rp1", "rl2"], ["rl3", "rl1"], ["gc1", "rp2"]]

    pages = walk_pages(lambda tok: srv.ok("GET", "/api/v1/model-versions",
                                          params=with_token({"filter": "name like 'risk-%'", "page_size": 1}, tok)), "versions")
    assert [catalog.keys(p) for p in pages] == [["rp2"], ["rp1"], ["rl3"], ["rl2"], ["rl1"]]

    args = ["models", "versions", "search", "version >= 1", "--page-size", "4"]
    pages = walk_pages(lambda tok: srv.cli_json(*args, *(["--page-token", tok] if tok else [])), "versions")
    assert [len(p) for p in pages] == [4, 2]
    assert sorted(k for p in pages for k in catalog.keys(p)) == sorted(catalog.key_of.values())

    first = srv.ok("POST", "/api/v1/model-versions/search", json=body)
    changed = srv.http("POST", "/api/v1/model-versions/search",
                       json={**body, "filter": "version >= 2", "page_token": first["next_page_token"]})
    assert changed.status_code == 400
    assert error_of(changed) == ("INVALID_ARGUMENT", "page_token belongs to a different query (filter or order changed)")


def test_model_search(catalog):
    srv = catalog.server

    def names(flt, order_by=None):
        params = {"filter": flt, **({"order_by": order_by} if order_by else {})}
        return [m["name"] for m in srv.ok("GET", "/api/v1/models", params=params)["models"]]

    assert names("tags.team = 'risk'") == ["risk-login", "risk-payment"]
    assert names("alias = 'challenger'") == ["growth-churn"]
    assert names("latest_version >= 2") == ["risk-login", "risk-payment"]
    assert names("name like '%churn' or tags.team = 'nobody'") == ["growth-churn"]
    assert names("not (tags.team = 'risk')") == ["growth-churn"]
    assert names("", "latest_version desc, name") == ["risk-login", "risk-payment", "growth-churn"]
    out = srv.cli_json("models", "search", "tags.team = 'risk' and alias = 'champion'", "--order-by", "name desc")
    assert [m["name"] for m in out["models"]] == ["risk-payment", "risk-login"]
    assert [m["aliases"] for m in out["models"]] == [{"champion": 1}, {"champion": 2}]
    bad = srv.http("GET", "/api/v1/models", params={"filter": "metrics.auc > 0.5"})
    assert bad.status_code == 400
    assert "unknown field 'metrics.auc'" in error_of(bad)[1]


@pytest.mark.parametrize("flt, order_by, fragment", [
    ("metricz.auc > 1", "", "unknown field 'metricz.auc'"),
    ("metrics.auc >", "", "filter: expected a value ('text', a number, true or false) at position 13, got end of filter"),
    ("name = 'x' and", "", "filter: expected a field name at position 14, got end of filter"),
    ("(name = 'x'", "", "filter: expected ')'"),
    ("name = 'x')", "", "filter: expected 'and', 'or' or end of filter at position 10, got ')'"),
    ("name = 'open", "", "filter: unterminated quote starting at position 7"),
    ("name ! 'x'", "", "filter: unexpected '!'"),
    ("metrics.auc like '0.%'", "", "'like' needs a text field; 'metrics.auc' is not"),
    ("metrics.auc = 'high'", "", "field 'metrics.auc' is numeric"),
    ("version = 'two'", "", "field 'version' is numeric"),
    ("created_at > 'yesterday'", "", "invalid timestamp 'yesterday'"),
    ("name = 'x'", "alias", "cannot order by alias"),
    ("name = 'x'", "metrics.auc sideways", "order_by: expected ',', 'asc', 'desc' or end"),
    ("name = 'x'", "nosuch desc", "unknown field 'nosuch'"),
])
def test_bad_filter_is_400_naming_the_problem(catalog, flt, order_by, fragment):
    resp = catalog.server.http("POST", "/api/v1/model-versions/search", json={"filter": flt, "order_by": order_by})
    assert resp.status_code == 400
    code, message = error_of(resp)
    assert code == "INVALID_ARGUMENT"
    assert fragment in message


def test_bad_search_requests(catalog):
    srv = catalog.server
    rc, _, err = srv.cli("models", "versions", "search", "metrics.auc >> 1", check=False)
    assert rc == 2
    assert "filter: expected" in err and "(HTTP 400 INVALID_ARGUMENT)" in err
    for params in [{"page_size": 0}, {"page_size": 1001}, {"page_size": "ten"}]:
        resp = srv.http("GET", "/api/v1/model-versions", params=params)
        assert resp.status_code == 400
        assert error_of(resp)[1] == "query parameter 'page_size' must be an integer from 1 to 1000"
    resp = srv.http("POST", "/api/v1/model-versions/search", json={"filter": "", "limit": 3})
    assert resp.status_code == 400
    assert error_of(resp)[1] == "unknown field 'limit' in search"
