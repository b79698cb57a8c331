"""Bounded counting (search_app/counts.py) on the real Elasticsearch: exact up to the limit, lower
bounds past it, the page itself never cut short.

The test catalog is small, so the limit is set small: an app that counts at most 20 matching services,
against the default app."""
from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from search_app.app import create_app
from search_app.counts import Counts, groups, read
from search_app.params import SearchParams

BROAD = [{"q": "درخواست"}, {"q": "کارت ملی"}, {"q": "درخواست", "delivery": "online"}, {"topic": "welfare"}]
LIMIT = 20


@pytest.fixture(scope="module")
def limited(app_settings):
    with TestClient(create_app(replace(app_settings, exact_limit=LIMIT))) as c:
        yield c


def get(client, params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def counts(body):
    return {facet: {v["value"]: v["count"] for v in values if not v["selected"] or v["count"]}
            for facet, values in body["facets"].items()}


def ids(body):
    return [r["id"] for r in body["results"]]


@pytest.mark.parametrize("params", BROAD)
def test_past_the_limit_counts_are_lower_bounds(client, limited, params):
    exact, bounded = get(client, params), get(limited, params)
    assert exact["total"] > LIMIT and exact["total_exact"] and exact["facet_counts_exact"]
    assert not bounded["facet_counts_exact"]
    assert ids(bounded) == ids(exact)                        # the page is not cut short
    assert not bounded["total_exact"] and bounded["total"] == LIMIT   # "more than 20"
    every, some = counts(exact), counts(bounded)
    for facet, values in some.items():
        for value, n in values.items():
            assert 0 < n <= every[facet][value], (facet, value)
    for facet in ("organization", "delivery"):   # one value per service: the first LIMIT services counted
        if facet not in params:
            assert sum(some[facet].values()) == LIMIT


@pytest.mark.parametrize("params", BROAD[:2])
def test_counts_do_not_change_from_page_to_page(limited, params):
    first, second = get(limited, params), get(limited, {**params, "page": 2})
    assert first["total"] == second["total"] and counts(first) == counts(second)
    assert not set(ids(first)) & set(ids(second))


def test_narrow_searches_stay_exact(client, limited):
    params = {"q": "تمدید گذرنامه"}
    exact, small = get(client, params), get(limited, params)
    assert exact["total"] <= LIMIT
    assert small["total_exact"] and small["facet_counts_exact"]
    assert small["total"] == exact["total"] and counts(small) == counts(exact) and ids(small) == ids(exact)


def test_a_selected_value_is_listed_even_when_not_counted(client, limited):
    rare = min(get(client, {"q": "درخواست"})["facets"]["organization"], key=lambda v: v["count"])["value"]
    body = get(limited, {"q": "درخواست", "organization": rare})
    assert any(v["value"] == rare and v["selected"] for v in body["facets"]["organization"])
    assert body["total"] == get(client, {"q": "درخواست", "organization": rare})["total"]


def test_the_whole_catalog_is_counted_exactly(client, limited):
    """No query, no selection: Elasticsearch counts each value from the index itself, in constant time
    (terms as filters), so collection never starts and never stops early."""
    exact, counted = get(client, {}), get(limited, {})
    assert counted["total_exact"] and counted["facet_counts_exact"] and counts(counted) == counts(exact)


def test_the_first_groups_count_is_the_total():
    stopped = {"terminated_early": True, "hits": {"total": {"value": 10_000, "relation": "eq"}},
               "aggregations": {"delivery": {"buckets": [{"key": "online", "doc_count": 6_000}]}}}
    done = {"hits": {"total": {"value": 4_321, "relation": "eq"}},
            "aggregations": {"topic": {"buckets": [{"key": "welfare", "doc_count": 700}]}}}
    counted = read([stopped, done])
    assert (counted.total, counted.total_exact, counted.facets_exact) == (10_000, False, False)
    assert counted.buckets == {"delivery": [{"key": "online", "doc_count": 6_000}],
                               "topic": [{"key": "welfare", "doc_count": 700}]}
    assert read([done, stopped]).total == 4_321 and read([done, stopped]).total_exact
    assert not read([done, stopped]).facets_exact
    assert read([done]) == Counts(4_321, True, {"topic": [{"key": "welfare", "doc_count": 700}]}, True)


def test_groups_share_a_filter():
    assert [(len(g.facets), g.filters) for g in groups(SearchParams(q="x"))] == [(5, ())]
    two = groups(SearchParams(q="x", filters={"topic": ("welfare",), "delivery": ("online", "hybrid")}))
    assert [([f.param for f in g.facets], g.filters) for g in two] == [
        (["organization", "cluster", "audience"], ({"terms": {"topics": ["welfare"]}},
                                                   {"terms": {"delivery": ["online", "hybrid"]}})),
        (["topic"], ({"terms": {"delivery": ["online", "hybrid"]}},)),
        (["delivery"], ({"terms": {"topics": ["welfare"]}},)),
    ]


def test_the_page_says_when_counts_are_lower_bounds(limited, client):
    bounded = limited.get("/", params={"q": "درخواست"})
    assert bounded.status_code == 200
    assert not bounded.context["results"].counts_exact
    assert "حداقل" in bounded.text
    exact = client.get("/", params={"q": "درخواست"})
    assert exact.context["results"].counts_exact and "حداقل" not in exact.text


@pytest.mark.parametrize("pairs", [
    [("q", "درخواست"), ("delivery", "online")],
    [("q", "کارت ملی"), ("topic", "welfare"), ("audience", "citizens")],
    [("q", "گواهینامه"), ("organization", "rahvar120"), ("size", "2"), ("page", "2")],
    [("topic", "welfare"), ("delivery", "offline")],
])
def test_the_selection_in_the_query_gives_the_page_post_filter_gave(es, indexed, pairs):
    from search_app.catalog import load_catalog
    from search_app.counts import hits_body
    from search_app.params import parse
    from search_app.query import build_body

    catalog = load_catalog(indexed.data_dir)
    body = build_body(parse(pairs, catalog.taxonomy), catalog.best_bets)
    assert "post_filter" in body
    plain = {k: v for k, v in body.items() if k != "aggs"}
    before = es.search(index=indexed.alias, body=plain)
    after = es.search(index=indexed.alias, body=hits_body(body))
    assert [(h["_id"], h["_score"]) for h in after["hits"]["hits"]] == [(h["_id"], h["_score"]) for h in before["hits"]["hits"]]
    assert before["hits"]["hits"]


def test_a_search_elasticsearch_refuses_answers_503_not_500(app_settings):
    """An msearch answers each search's error inside a 200 response: the app still says unavailable."""
    missing = replace(app_settings, es=replace(app_settings.es, alias="test-no-such-index-for-counts"))
    with TestClient(create_app(missing), raise_server_exceptions=False) as c:
        api = c.get("/api/search", params={"q": "گذرنامه"})
        page = c.get("/", params={"q": "گذرنامه"})
    assert api.status_code == 503 and "unavailable" in api.json()["error"]
    assert page.status_code == 503 and "در دسترس نیست" in page.text
